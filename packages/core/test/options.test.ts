/**
 * Option checks of every constructor, as property-based tests: for each option, values of a wrong
 * type or range throw a TypeError or RangeError (coded, an MprocError) whose message names the
 * option; nothing else happens (no worker starts: these checks run before anything is made).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toPoolOptions } from '../src/executor/executor-options.js';
import {
  Barrier,
  BoundedSemaphore,
  getContext,
  JoinableQueue,
  MprocError,
  Queue,
  Semaphore,
  Array as SharedArray,
  Value,
} from '../src/index.js';
import { DEFAULT_IDLE_TIMEOUT, resolvePoolOptions } from '../src/pool/pool-options.js';
import { resolveProcessOptions } from '../src/process/process-options.js';

/** `call` throws a coded TypeError or RangeError whose message contains `name`. */
function expectRefused(call: () => unknown, name: string): void {
  let thrown: unknown;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown instanceof TypeError || thrown instanceof RangeError, `${name}: ${String(thrown)}`).toBe(
    true,
  );
  expect(thrown).toBeInstanceOf(MprocError);
  expect((thrown as Error).message).toContain(name);
}

const notAnInteger = fc.oneof(
  fc.double({ noInteger: true }),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.object(),
  fc.bigInt(),
);
const belowOne = fc.integer({ max: 0 });
const notAFunction = fc.oneof(fc.string(), fc.integer(), fc.object(), fc.boolean(), fc.constant(null));
const notAnArray = fc.oneof(fc.string(), fc.integer(), fc.object(), fc.boolean(), fc.constant(null));
const notAString = fc.oneof(
  fc.integer(),
  fc.object(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string()),
);
const notAContext = fc.oneof(
  fc.constant({ toString: {} }),
  fc.string(),
  fc.integer(),
  fc.object(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.anything()),
);
const notEnvironment = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.constant(null),
  fc.array(fc.string()),
  fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.boolean(), fc.object()), { minKeys: 1 }),
);
const notStrings = fc.oneof(notAnArray, fc.array(fc.oneof(fc.integer(), fc.object()), { minLength: 1 }));
const notModuleUrls = fc.oneof(
  notAnArray,
  fc.array(fc.constantFrom('./relative.js', 'name', 42), { minLength: 1 }),
);
const unknownKey = fc.string({ minLength: 1 }).filter((key) => !/^[a-z]/i.test(key) || key.length > 20);

/** Each option with values it must refuse. */
const POOL_OPTIONS = {
  processes: fc.oneof(
    notAnInteger.filter((value) => value !== null),
    belowOne,
  ),
  minProcesses: fc.oneof(
    notAnInteger.filter((value) => value !== null),
    fc.integer({ max: -1 }),
  ),
  maxProcesses: fc.oneof(
    notAnInteger.filter((value) => value !== null),
    belowOne,
  ),
  initializer: notAFunction,
  initArgs: notAnArray,
  maxTasksPerChild: fc.oneof(
    notAnInteger.filter((value) => value !== null),
    belowOne,
  ),
  context: notAContext,
  modules: notModuleUrls,
  env: notEnvironment,
  execArgv: notStrings,
  maxQueue: fc.oneof(
    notAnInteger.filter((value) => value !== null && value !== Number.POSITIVE_INFINITY),
    belowOne,
  ),
  // Not an object, or an object with a limit that is not a positive finite number.
  resourceLimits: fc.oneof(
    fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.integer())),
    fc.record({
      maxOldGenerationSizeMb: fc.oneof(
        fc.string(),
        fc.integer({ max: 0 }),
        fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, null),
      ),
    }),
  ),
};

function refusesEach(options: Record<string, fc.Arbitrary<unknown>>, check: (options: object) => unknown) {
  for (const [name, wrong] of Object.entries(options)) {
    it(`refuses a wrong '${name}', naming it`, () => {
      fc.assert(
        fc.property(wrong, (value) => expectRefused(() => check({ [name]: value }), name)),
        { numRuns: 50 },
      );
    });
  }
  it('refuses an unknown option, naming it', () => {
    fc.assert(
      fc.property(unknownKey, (key) => expectRefused(() => check({ [key]: 1 }), key)),
      { numRuns: 50 },
    );
  });
}

describe('Pool options', () => {
  refusesEach(POOL_OPTIONS, (options) => resolvePoolOptions(options));
  it('takes the valid ones', () => {
    const resolved = resolvePoolOptions({
      processes: 3,
      maxTasksPerChild: null,
      env: { A: 'a', B: undefined },
      execArgv: ['--no-warnings'],
      modules: [new URL('file:///x.js'), 'file:///y.js'],
      initializer: () => {},
      initArgs: [1],
      context: getContext('threads'),
      maxQueue: 10,
    });
    expect(resolved.processes).toBe(3);
    expect(resolved.maxQueue).toBe(10);
    expect(resolvePoolOptions({ maxQueue: null }).maxQueue).toBe(Number.POSITIVE_INFINITY);
    expect(resolvePoolOptions({ maxQueue: Number.POSITIVE_INFINITY }).maxQueue).toBe(
      Number.POSITIVE_INFINITY,
    );
    expect(resolvePoolOptions({}).maxQueue).toBe(Number.POSITIVE_INFINITY);
    expect(resolved.modules).toEqual(['file:///x.js', 'file:///y.js']);
  });

  it('a fixed pool keeps its workers; minProcesses/maxProcesses make one that grows and shrinks', () => {
    expect(resolvePoolOptions({ processes: 3 })).toMatchObject({
      processes: 3,
      minProcesses: 3,
      idleTimeout: Number.POSITIVE_INFINITY,
    });
    expect(resolvePoolOptions({ maxProcesses: 4 })).toMatchObject({
      processes: 4,
      minProcesses: 0,
      idleTimeout: DEFAULT_IDLE_TIMEOUT,
    });
    expect(resolvePoolOptions({ minProcesses: 2, maxProcesses: 2, idleTimeout: 0 })).toMatchObject({
      processes: 2,
      minProcesses: 2,
      idleTimeout: 0,
    });
    expect(resolvePoolOptions({ minProcesses: 1 }).processes).toBeGreaterThanOrEqual(1);
    expect(resolvePoolOptions({ minProcesses: 64 }).processes).toBe(64);
  });

  it('refuses mixing processes with minProcesses/maxProcesses, min above max, and idleTimeout on a fixed pool', () => {
    expectRefused(() => resolvePoolOptions({ processes: 2, maxProcesses: 4 }), 'processes');
    expectRefused(() => resolvePoolOptions({ processes: 2, minProcesses: 1 }), 'minProcesses');
    expectRefused(() => resolvePoolOptions({ minProcesses: 3, maxProcesses: 2 }), 'minProcesses');
    expectRefused(() => resolvePoolOptions({ processes: 2, idleTimeout: 100 }), 'idleTimeout');
    expectRefused(() => resolvePoolOptions({ idleTimeout: 100 }), 'idleTimeout');
    fc.assert(
      fc.property(fc.oneof(fc.integer({ max: -1 }), fc.string(), fc.constant(Number.NaN)), (idleTimeout) =>
        expectRefused(() => resolvePoolOptions({ maxProcesses: 2, idleTimeout } as never), 'idleTimeout'),
      ),
      { numRuns: 50 },
    );
  });
});

describe('Process options', () => {
  const target = () => {};
  const {
    processes: _p,
    minProcesses: _min,
    maxProcesses: _max,
    initializer: _i,
    initArgs: _a,
    maxTasksPerChild: _m,
    maxQueue: _q,
    ...shared
  } = POOL_OPTIONS;
  refusesEach(
    {
      ...shared,
      target: notAFunction,
      args: notAnArray,
      name: notAString,
      daemon: fc.oneof(fc.string(), fc.integer()),
    },
    (options) => resolveProcessOptions({ target, ...options } as never),
  );
});

describe('ProcessPoolExecutor options', () => {
  const {
    processes: _p,
    minProcesses: _min,
    maxProcesses: _max,
    context: _c,
    env: _e,
    execArgv: _x,
    ...shared
  } = POOL_OPTIONS;
  refusesEach(
    {
      ...shared,
      maxWorkers: fc.oneof(
        notAnInteger.filter((value) => value !== null),
        belowOne,
      ),
      minWorkers: fc.oneof(
        notAnInteger.filter((value) => value !== null),
        fc.integer({ max: -1 }),
      ),
      mpContext: notAContext,
    },
    (options) => toPoolOptions(options, 'ProcessPoolExecutor'),
  );
  it('minWorkers makes an executor that grows and shrinks; idleTimeout needs it', () => {
    expect(toPoolOptions({ maxWorkers: 3, minWorkers: 1, idleTimeout: 50 }, 'E')).toMatchObject({
      minProcesses: 1,
      maxProcesses: 3,
      idleTimeout: 50,
    });
    expectRefused(() => toPoolOptions({ maxWorkers: 2, minWorkers: 3 }, 'E'), 'minWorkers');
    expectRefused(() => toPoolOptions({ idleTimeout: 50 }, 'E'), 'idleTimeout');
    expectRefused(() => toPoolOptions({ minWorkers: 1, idleTimeout: -1 }, 'E'), 'idleTimeout');
  });
});

describe('context factories', () => {
  const context = getContext('threads');
  it('refuse a context of the caller, which they would replace, and options that are not an object', () => {
    expectRefused(() => context.Pool({ processes: 1, context: 42 } as never), 'context');
    expectRefused(
      () => context.Process({ target: () => {}, context: getContext('fork') } as never),
      'context',
    );
    expectRefused(() => context.ProcessPoolExecutor({ mpContext: 42 } as never), 'mpContext');
    expectRefused(() => context.Value('i', 0, { context: 42 } as never), 'context');
    expectRefused(() => context.Pool(42 as never), 'options');
  });
});

describe('constructors with arguments', () => {
  it('Queue and JoinableQueue: maxsize must be an integer', () => {
    fc.assert(
      fc.property(
        notAnInteger.filter((value) => value !== null),
        (maxsize) => {
          expectRefused(() => new Queue(maxsize as number), 'maxsize');
          expectRefused(() => new JoinableQueue(maxsize as number), 'maxsize');
        },
      ),
      { numRuns: 30 },
    );
  });

  it('Semaphore and BoundedSemaphore: the value must be an integer ≥ 0', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          notAnInteger.filter((value) => value !== null),
          fc.integer({ max: -1 }),
        ),
        (value) => {
          expectRefused(() => new Semaphore(value as number), 'value');
          expectRefused(() => new BoundedSemaphore(value as number), 'value');
        },
      ),
      { numRuns: 30 },
    );
  });

  it('Barrier: parties an integer from 1, action a function, timeout a number ≥ 0', () => {
    fc.assert(
      fc.property(fc.oneof(notAnInteger, belowOne), (parties) => {
        expectRefused(() => new Barrier(parties as number), 'parties');
      }),
      { numRuns: 30 },
    );
    fc.assert(
      fc.property(
        notAFunction.filter((value) => value !== null),
        (action) => {
          expectRefused(() => new Barrier(2, action as never), 'action');
        },
      ),
      { numRuns: 30 },
    );
    expectRefused(() => new Barrier(2, undefined, -1), 'timeout');
    expectRefused(() => new Barrier(2, undefined, '5' as never), 'timeout');
  });

  it('Value and Array: an unknown typecode is a TypeError naming it', () => {
    fc.assert(
      fc.property(
        fc.string().filter((code) => !'bBhHiIlLqQfd'.split('').includes(code)),
        (typecode) => {
          expectRefused(() => new Value(typecode as never, 0), 'typecode');
          expectRefused(() => new SharedArray(typecode as never, 2), 'typecode');
        },
      ),
      { numRuns: 30 },
    );
  });
});

/**
 * Runs every example in src/ as a child process (`node --import tsx src/<name>.ts`) on one of the four
 * start methods, in turn by Node line (see NODE_LINES), and checks the deterministic part of its
 * output: values, line sets and the order the program guarantees, never pids, times or the
 * interleaving of workers' lines.
 *
 * Order between a worker's lines and the parent's lines is checked on the process start methods:
 * there each worker writes to the inherited stdout directly, so lines appear in the order they were
 * written, as in Python.
 *
 * Two children run at a time (the machine this was written on has two cores), in two lanes that each
 * run half of the examples. Every child has an explicit time bound and is killed past it.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hasRedisServer } from '@mproc/backend-bullmq/testing';
import { describe, expect, it } from 'vitest';
import { runNode } from './support/run-node.js';

const EXAMPLES_DIR = fileURLToPath(new URL('..', import.meta.url));
const START_METHODS = ['fork', 'threads', 'spawn', 'cluster'] as const;
/** Start methods whose workers are processes writing to the inherited stdout, as Python's are. */
const PROCESS_METHODS: ReadonlySet<string> = new Set(['fork', 'spawn', 'cluster']);
/** The CPU-bound examples of tutorial 003 sum this many numbers per task instead of 50,000,000. */
const TEST_ITERATIONS = '2000000';
/** Bound of one example run; the slowest takes about 10 s on two busy cores. */
const RUN_TIMEOUT_MS = 45_000;

interface Run {
  readonly startMethod: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly lines: readonly string[];
  readonly milliseconds: number;
}

async function runExample(file: string, startMethod: string): Promise<Run> {
  const run = await runNode(['--import', 'tsx', `src/${file}`], {
    cwd: EXAMPLES_DIR,
    env: { MPROC_START_METHOD: startMethod, MPROC_EXAMPLE_ITERATIONS: TEST_ITERATIONS },
    timeoutMs: RUN_TIMEOUT_MS,
    label: `${file} on ${startMethod}`,
  });
  return { ...run, startMethod, lines: run.stdout.split('\n').filter((line) => line !== '') };
}

/** The run's output, for assertion messages. */
function shown(run: Run): string {
  return `output of ${run.startMethod} run:\n${run.stdout}\nstderr:\n${run.stderr}`;
}

/** A successful run: exit code 0 and nothing on stderr (the stderr is shown when it fails). */
function expectSuccess(run: Run): void {
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
}

function count(lines: readonly string[], line: string): number {
  return lines.filter((candidate) => candidate === line).length;
}

/** Each of `lines` occurs exactly once, in this order. */
function expectInOrder(all: readonly string[], lines: readonly string[]): void {
  for (const line of lines) expect(count(all, line), line).toBe(1);
  const positions = lines.map((line) => all.indexOf(line));
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
}

/**
 * `lines`, of which some come from workers and some from the parent, occur once each; on fork also in
 * this order (see the header).
 */
function expectInOrderAcross(run: Run, lines: readonly string[]): void {
  if (PROCESS_METHODS.has(run.startMethod)) expectInOrder(run.lines, lines);
  else for (const line of lines) expect(count(run.lines, line), line).toBe(1);
}

/** The parent's `lines` end the output on fork; on threads a worker's line may still follow them. */
function expectLast(run: Run, lines: readonly string[]): void {
  if (PROCESS_METHODS.has(run.startMethod)) expect(run.lines.slice(-lines.length)).toEqual(lines);
  else expectInOrder(run.lines, lines);
}

const SQUARES_0_TO_4 = [0, 1, 4, 9, 16];

/** For x in 0..4: `start process x` and `end process x` once each, in that order. */
function expectTaskLines(lines: readonly string[], separator: string): void {
  for (let x = 0; x < 5; x++)
    expectInOrder(lines, [`start process${separator}${x}`, `end process${separator}${x}`]);
}

/** Lines of tutorial 003's logging format, `HH:MM:SS: message`, as their messages. */
function logMessages(lines: readonly string[]): string[] {
  return lines.map((line) => {
    const match = /^\d\d:\d\d:\d\d: (.*)$/.exec(line);
    expect(match, `not a log line: ${line}`).not.toBeNull();
    return (match as RegExpExecArray)[1];
  });
}

/** Tutorial 003's CPU-bound map: per task a process line and a time line; per run the list of times. */
function expectCpuBoundLog(run: Run, tasks: number, resultListLengths: readonly number[]): string[] {
  expectSuccess(run);
  const messages = logMessages(run.lines);
  expect(messages[0]).toBe('Init parallel program');
  if (PROCESS_METHODS.has(run.startMethod))
    expect(messages.at(-1), shown(run)).toBe('Finish parallel program');
  else expect(count(messages, 'Finish parallel program'), shown(run)).toBe(1);
  const processLines = messages.filter((message) => /^-------- Process: \d+ --------$/.test(message));
  expect(processLines, shown(run)).toHaveLength(tasks);
  const time = String.raw`\(\d+(\.\d+)?, \d+(\.\d+)?\)`;
  const timeLines = messages.filter((message) => new RegExp(`^time - ${time}$`).test(message));
  expect(timeLines, shown(run)).toHaveLength(tasks);
  const resultLists = messages.filter((message) => message.startsWith('[['));
  expect(
    resultLists.map((list) => list.split('[(').length - 1),
    shown(run),
  ).toEqual(resultListLengths);
  for (const list of resultLists) expect(list).toMatch(new RegExp(`^\\[\\[${time}\\](, \\[${time}\\])*\\]$`));
  return messages;
}

/**
 * Tutorial 003's "separate memory" Process examples: each task logs its time and the list before and
 * after appending to it (and, `withIds`, its process and list ids); the parent's final list holds task
 * 1's times only. `order` is the order the tasks run in, or 'parallel' when their lines may interleave;
 * `join()` puts the child's lines before the parent's last ones on every start method.
 */
function expectSeparateMemory(run: Run, order: '1 then 2' | '2 then 1' | 'parallel', withIds = false): void {
  expectSuccess(run);
  const messages = logMessages(run.lines);
  const time = String.raw`\(\d+(\.\d+)?, \d+(\.\d+)?\)`;
  const firstIds = messages.filter((message) => message.startsWith('--> FIRST id'));
  const ids = firstIds.map((message) => {
    const match = /^--> FIRST id - main thread in (\d+) process shared_list: (\d+)$/.exec(message);
    expect(match, shown(run)).not.toBeNull();
    return { process: match?.[1], list: match?.[2] };
  });
  const [parentIds, childIds] = ids;
  if (withIds) {
    expect(firstIds, shown(run)).toHaveLength(2);
    expect(messages[0]).toBe(firstIds[0]); // the parent's, at the script's top level
    expect(childIds?.process).not.toBe(parentIds?.process);
    expect(childIds?.list).not.toBe(parentIds?.list);
  } else {
    expect(firstIds).toEqual([]);
  }
  const idLine = (who: typeof parentIds, where: string) =>
    `--> id - main thread in ${who?.process} process ${where}shared_list: ${who?.list}`;
  const taskLines = (task: 1 | 2) => {
    const lines = messages.filter((message) =>
      new RegExp(`^(time ${task} - |shared_list ${task} |--> id - .* in task ${task} )`).test(message),
    );
    const taken = /^time \d - (.*)$/.exec(lines[0] ?? '')?.[1] ?? '';
    expect(taken, shown(run)).toMatch(new RegExp(`^${time}$`));
    const id = withIds ? [idLine(task === 1 ? parentIds : childIds, `in task ${task} `)] : [];
    expect(lines, shown(run)).toEqual([
      `time ${task} - ${taken}`,
      `shared_list ${task} []`,
      ...id,
      `shared_list ${task} [[${taken}]]`,
    ]);
    return { lines, taken };
  };
  const task1 = taskLines(1);
  const task2 = taskLines(2);
  const program = order === 'parallel' ? 'parallel program' : 'program';
  const ending = [`final shared_list [[${task1.taken}]]`, ...(withIds ? [idLine(parentIds, 'final ')] : [])];
  const start = withIds ? 2 : 1;
  expect(messages.slice(start - 1, start)).toEqual([`Init ${program}`]);
  expect(messages.slice(-ending.length - 2, -2)).toEqual(ending);
  expect(messages.at(-2)).toMatch(/^Total time :: \d+(\.\d+)? secs$/);
  expect(messages.at(-1)).toBe(`Finish ${program}`);
  const middle = messages.slice(start, -ending.length - 2).filter((message) => message !== firstIds[1]);
  if (order === '1 then 2') expect(middle, shown(run)).toEqual([...task1.lines, ...task2.lines]);
  else if (order === '2 then 1') expect(middle, shown(run)).toEqual([...task2.lines, ...task1.lines]);
  else expect([...middle].sort(), shown(run)).toEqual([...task1.lines, ...task2.lines].sort());
  if (withIds) expectInOrder(messages, [`Init ${program}`, firstIds[1] ?? '', task2.lines[0] ?? '']);
}

/**
 * Tutorial 003's "Exchanging objects between processes" examples: the child sends task 2's times over a
 * Pipe or a Queue; the parent logs them after task 1, and its final list holds both tasks' times. The
 * child logs its time line, and with `childList` its `shared_list 2` lines too, before it sends.
 */
function expectExchange(run: Run, childList: boolean): void {
  expectSuccess(run);
  const messages = logMessages(run.lines);
  const time = /^\(\d+(\.\d+)?, \d+(\.\d+)?\)$/;
  const taken = (task: 1 | 2) => {
    const line = messages.find((message) => message.startsWith(`time ${task} - `)) ?? '';
    return /^time \d - (.*)$/.exec(line)?.[1] ?? '';
  };
  const [time1, time2] = [taken(1), taken(2)];
  expect(time1, shown(run)).toMatch(time);
  expect(time2, shown(run)).toMatch(time);
  expect(messages[0]).toBe('Init parallel program');
  expectInOrder(messages, [`time 1 - ${time1}`, 'shared_list 1 []', `shared_list 1 [[${time1}]]`]);
  const child = [
    `time 2 - ${time2}`,
    ...(childList ? ['shared_list 2 []', `shared_list 2 [[${time2}]]`] : []),
  ];
  expectInOrder(messages, child);
  const total = messages.find((message) => /^Total time :: \d+(\.\d+)? secs$/.test(message)) ?? 'Total time';
  const last = [
    `child process time: [${time2}]`,
    `final shared_list [[${time1}], [${time2}]]`,
    total,
    'Finish parallel program',
  ];
  expect(messages, shown(run)).toHaveLength(1 + 3 + child.length + last.length);
  expectInOrder(messages, last);
  // The parent receives task 2's times only after the child logged them.
  const lineOf = (message: string) => run.lines.find((line) => line.endsWith(`: ${message}`)) ?? message;
  expectInOrderAcross(run, [lineOf(child.at(-1) ?? ''), lineOf(last[0] ?? '')]);
}

const CHECKS: Readonly<Record<string, (run: Run) => void>> = {
  'pool-square.ts': (run) => {
    expectSuccess(run);
    expect(run.stdout).toBe('Squared numbers: [1, 4, 9, 16, 25]\n');
    // Five one-second tasks on four workers: two rounds, whatever the start-up time.
    expect(run.milliseconds).toBeGreaterThanOrEqual(2000);
  },
  'pool-map-double.ts': (run) => {
    expectSuccess(run);
    expect(run.stdout).toBe('Results: [2, 4, 6, 8, 10]\n');
  },
  'pool-apply-async-error.ts': (run) => {
    // As in Python, get() re-raises the worker's ValueError and nothing else is printed.
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/\bValueError\b.*: Invalid task value/);
    expect(run.stderr).toMatch(/at worker \(.*pool-apply-async-error\.ts/); // the worker-side stack
  },
  'pool-map-timing.ts': (run) => {
    expectSuccess(run);
    for (let x = 0; x < 5; x++) {
      expectInOrder(run.lines, [`start process:${x}`, `square ${x}:${x * x}`, `end process:${x}`]);
    }
    expect(run.lines).toHaveLength(16);
    const timeTaken = run.lines.filter((line) => /^Time taken \d+(\.\d+)? seconds$/.test(line));
    expect(timeTaken).toHaveLength(1);
    expectLast(run, timeTaken);
  },
  'pool-progress-bar.ts': (run) => {
    expectSuccess(run);
    // Not a terminal: cli-progress draws nothing, so only the result line is printed.
    expect(run.lines).toEqual(['squared 400 numbers, sum 21253400']);
  },
  'scale-out-two-hosts.ts': (run) => {
    expectSuccess(run);
    // It runs on the 'bullmq' start method whatever MPROC_START_METHOD says.
    expect(run.lines).toEqual(['squares: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]', 'hosts that took part: 2']);
  },
  'pool-map-squares.ts': (run) => {
    expectSuccess(run);
    expectTaskLines(run.lines, ' ');
    expect(run.lines).toHaveLength(11);
    expectLast(run, ['[0, 1, 4, 9, 16]']);
  },
  'pool-imap.ts': (run) => {
    expectSuccess(run);
    expectTaskLines(run.lines, ' ');
    const results = SQUARES_0_TO_4.map((square) => `showing the result as it is ready ${square}`);
    expectInOrder(run.lines, results);
    SQUARES_0_TO_4.forEach((square, x) => {
      expectInOrderAcross(run, [`end process ${x}`, `showing the result as it is ready ${square}`]);
    });
    expect(run.lines).toHaveLength(15);
  },
  'pool-imap-unordered.ts': (run) => {
    expectSuccess(run);
    expectTaskLines(run.lines, ' ');
    SQUARES_0_TO_4.forEach((square, x) => {
      expectInOrderAcross(run, [`end process ${x}`, `showing the result as it is ready ${square}`]);
    });
    expect(run.lines).toHaveLength(15);
  },
  'pool-map-async.ts': (run) => {
    expectSuccess(run);
    expect(count(run.lines, 'start process')).toBe(5);
    expect(run.lines).toHaveLength(8);
    expectInOrder(run.lines, ['main script', '[0, 1, 4, 9, 16]', 'end main script']);
    expectLast(run, ['[0, 1, 4, 9, 16]', 'end main script']);
  },
  'pool-apply.ts': (run) => {
    expectSuccess(run);
    const expected = [
      'start process',
      'end process',
      'start process',
      'end process',
      'main script',
      'end main script',
    ];
    if (PROCESS_METHODS.has(run.startMethod)) expect(run.lines).toEqual(expected);
    else expect([...run.lines].sort()).toEqual([...expected].sort());
    expectInOrder(run.lines, ['main script', 'end main script']);
  },
  'pool-apply-async.ts': (run) => {
    expectSuccess(run);
    expect([...run.lines].sort()).toEqual(
      [
        'end main script',
        'end process',
        'end process',
        'main script',
        'start process',
        'start process',
      ].sort(),
    );
    // The main script goes on at once; the tasks end two seconds later.
    expect(run.lines.slice(-2)).toEqual(['end process', 'end process']);
    expect(run.lines.indexOf('main script')).toBeLessThan(run.lines.indexOf('end main script'));
  },
  'pool-async-result.ts': (run) => {
    expectSuccess(run);
    expect(run.lines).toEqual([
      'ready: false',
      'successful: InvalidStateError',
      'get(500): TimeoutError',
      'result: 4',
      'ready: true',
      'successful: true',
      'failing ready: true',
      'failing successful: false',
      'failing get: ValueError: x must not be negative',
    ]);
  },
  'pool-starmap.ts': (run) => {
    expectSuccess(run);
    expect(run.stdout).toBe('Products: [1, 4, 9, 16, 25]\n');
  },
  'pool-initializer.ts': (run) => {
    expectSuccess(run);
    expect(run.lines[0]).toBe('Results: [hello 1, hello 2, hello 3, hello 4, hello 5, hello 6]');
    // Six tasks, at most two per worker: at least three workers ran them.
    const match = /^Workers: (\d+) \(PoolWorker-\d+(, PoolWorker-\d+)*\)$/.exec(run.lines[1] ?? '');
    expect(match, run.lines[1]).not.toBeNull();
    expect(Number(match?.[1])).toBeGreaterThanOrEqual(3);
    expect(run.lines).toHaveLength(2);
  },
  'pool-cpu-bound-map.ts': (run) => {
    expectCpuBoundLog(run, 4, [4]);
  },
  'pool-cpu-bound-more-tasks.ts': (run) => {
    expectCpuBoundLog(run, 6, [6]);
  },
  'pool-cpu-bound-chunksize.ts': (run) => {
    const messages = expectCpuBoundLog(run, 72, [24, 24, 24]);
    expectInOrder(messages, ['chunksize = 1', 'chunksize = 2', 'chunksize = 3']);
  },
  'pool-cpu-bound-map-async.ts': (run) => {
    const messages = expectCpuBoundLog(run, 24, []);
    expectInOrder(messages, [
      'Init parallel program',
      'res.ready(): false',
      'waiting...',
      'res.ready(): true',
    ]);
    expect(messages.indexOf('res.ready(): false')).toBeLessThan(
      messages.findIndex((m) => m.startsWith('--------')),
    );
  },
  'executor-submit-factorial.ts': (run) => {
    expectSuccess(run);
    expect(run.lines[0]).toBe('Factorials: [120, 3628800, 1307674368000, 2432902008176640000]');
    expect(run.lines[1]).toMatch(/^Execution time: \d+(\.\d+)? seconds$/);
    expect(run.lines).toHaveLength(2);
  },
  'executor-map-squares.ts': (run) => {
    expectSuccess(run);
    expect(run.lines.slice(0, 10)).toEqual(['1', '4', '9', '16', '25', '36', '49', '64', '81', '100']);
    expect(run.lines[10]).toMatch(/^Execution time: \d+(\.\d+)? seconds$/);
    expect(run.lines).toHaveLength(11);
  },
  'executor-map-chunksize.ts': (run) => {
    expectSuccess(run);
    const doubled = Array.from(
      { length: 10 },
      (_, chunk) => `[${Array.from({ length: 10 }, (_, i) => (chunk * 10 + i) * 2).join(', ')}]`,
    );
    const total = /^Total execution time: \d+(\.\d+)?$/;
    expect(run.lines.slice(0, 10)).toEqual(doubled);
    expect(run.lines[10]).toMatch(total);
    expect(run.lines.slice(11, 21)).toEqual(doubled);
    expect(run.lines[21]).toMatch(total);
    expect(run.lines).toHaveLength(22);
  },
  'executor-error-handling.ts': (run) => {
    expectSuccess(run);
    expect(run.stdout).toBe('Result 1: 5\nError in future2: Cannot divide by zero!\n');
  },
  'executor-shutdown-no-wait.ts': (run) => {
    expectSuccess(run);
    expect(run.lines).toEqual([
      'shutdown returned; done: 0 of 3',
      'submit after shutdown: PoolNotRunningError: ProcessPoolExecutor.submit: cannot schedule new futures after shutdown',
      'Results: [1, 4, 9]',
    ]);
  },
  'process-worker.ts': (run) => {
    // Not joined: as in Python, the script still waits for its non-daemonic child.
    expectSuccess(run);
    expect(run.stdout).toBe('Worker process executing\n');
  },
  'process-worker-join.ts': (run) => {
    // join() waits for the child, and for its output, on every start method.
    expectSuccess(run);
    expect(run.lines, shown(run)).toEqual(['Worker process executing', 'Main process completed']);
  },
  'process-cpu-bound.ts': (run) => {
    expectSuccess(run);
    const messages = logMessages(run.lines);
    expect(messages, shown(run)).toHaveLength(3);
    expect(messages[0]).toBe('Init program');
    expect(messages[1]).toMatch(/^time - \(\d+(\.\d+)?, \d+(\.\d+)?\)$/);
    expect(messages[2]).toBe('Finish program');
  },
  'process-separate-memory.ts': (run) => expectSeparateMemory(run, '1 then 2'),
  'process-separate-memory-reordered.ts': (run) => expectSeparateMemory(run, '2 then 1'),
  'process-separate-memory-parallel.ts': (run) => expectSeparateMemory(run, 'parallel'),
  'process-separate-memory-ids.ts': (run) => expectSeparateMemory(run, 'parallel', true),
  'process-start-method-fork.ts': (run) => expectSeparateMemory(run, 'parallel', true),
  'pipe-send-recv.ts': (run) => expectExchange(run, true),
  'queue-put-get.ts': (run) => expectExchange(run, false),
  'value-shared-counter.ts': (run) => {
    expectSuccess(run);
    expect(run.stdout).toBe('Value: 1\n');
  },
  'manager-list-lock.ts': (run) => {
    expectSuccess(run);
    expect(run.stdout).toBe("Shared List: ['New item']\n");
  },
  'manager-shared-list.ts': (run) => {
    expectSuccess(run);
    expect(run.lines).toEqual([
      'plain list in the parent: []',
      "manager list in the parent: ['from the child']",
    ]);
  },
};

/** Examples that start their own redis-server (CI installs it; elsewhere they are skipped, by name). */
const NEEDS_REDIS: ReadonlySet<string> = new Set(['scale-out-two-hosts.ts']);

const examples = readdirSync(new URL('../src/', import.meta.url))
  .filter((file) => file.endsWith('.ts'))
  .sort();

it('has a check for every example in src/', () => {
  expect(examples).toEqual(Object.keys(CHECKS).sort());
});

/**
 * The Node lines CI tests, in order. On the k-th of them example i runs on START_METHODS[(i + k) % 4],
 * so over one CI run every example runs on every start method, and every Node line runs every example
 * once (each run starts a fresh interpreter and several workers under tsx: running each twice per line
 * made this suite the longest of `npm test`).
 */
const NODE_LINES = ['20', '22', '24', '26'];
const nodeLine = process.env.MPROC_NODE_MAJOR || process.versions.node.split('.')[0];
const rotation = Math.max(0, NODE_LINES.indexOf(nodeLine as string));

/** Lane `lane` runs every other example, from the `lane`-th on. */
function laneRuns(lane: number): { file: string; startMethod: string }[] {
  return examples.flatMap((file, index) =>
    index % 2 === lane
      ? [{ file, startMethod: START_METHODS[(index + rotation) % START_METHODS.length] as string }]
      : [],
  );
}

// The lanes are concurrent suites, so they run side by side; within a lane the tests opt out of
// concurrency and run one at a time.
describe('examples', () => {
  for (const lane of [0, 1]) {
    describe.concurrent(`lane ${lane + 1}`, () => {
      for (const { file, startMethod } of laneRuns(lane)) {
        const skipped = NEEDS_REDIS.has(file) && !hasRedisServer;
        const name = `${startMethod}: ${file}${skipped ? ' (skipped: no redis-server on the PATH)' : ''}`;
        it.skipIf(skipped)(name, { concurrent: false, timeout: RUN_TIMEOUT_MS + 5_000 }, async () => {
          const check = CHECKS[file];
          if (!check) throw new Error(`no check for ${file}`);
          check(await runExample(file, startMethod));
        });
      }
    });
  }
});

import { describe, expect, it } from 'vitest';
import {
  BrokenPoolError,
  MprocError,
  SerializationError,
  TimeoutError,
  WorkerExitedError,
} from '../src/errors.js';
import { deserializeError, serializeError } from '../src/serialize/error-codec.js';

/** What crossing a channel does: the structured-clone algorithm on the serialized form. */
const roundTrip = (thrown: unknown) => deserializeError(structuredClone(serializeError(thrown)));

describe('error codec', () => {
  it('keeps built-in classes, name, message, stack, own properties and cause', () => {
    const cause = new RangeError('inner');
    const error = Object.assign(new TypeError('outer', { cause }), { code: 'E_X', detail: { n: 1 } });
    const back = roundTrip(error) as TypeError & { code: string; detail: unknown };
    expect(back).toBeInstanceOf(TypeError);
    expect(back.message).toBe('outer');
    expect(back.stack).toBe(error.stack);
    expect(back.code).toBe('E_X');
    expect(back.detail).toEqual({ n: 1 });
    expect(back.cause).toBeInstanceOf(RangeError);
  });

  it('keeps the name of user classes on a plain Error', () => {
    class ParseError extends Error {
      override name = 'ParseError';
    }
    const back = roundTrip(new ParseError('bad')) as Error;
    expect(back.constructor).toBe(Error);
    expect(back.name).toBe('ParseError');
  });

  it('rebuilds mproc errors as their class, and AggregateError with its errors', () => {
    expect(roundTrip(new TimeoutError('late'))).toBeInstanceOf(TimeoutError);
    const exited = roundTrip(
      new WorkerExitedError('gone', { exitCode: 3, signal: null }),
    ) as WorkerExitedError;
    expect(exited).toBeInstanceOf(WorkerExitedError);
    expect(exited.exitCode).toBe(3);
    const aggregate = roundTrip(new AggregateError([new Error('a')], 'many')) as AggregateError;
    expect(aggregate).toBeInstanceOf(AggregateError);
    expect((aggregate.errors[0] as Error).message).toBe('a');
  });

  it('sends thrown non-errors as they are, or as text when they cannot be cloned', () => {
    expect(roundTrip('plain string')).toBe('plain string');
    expect(roundTrip({ code: 1 })).toEqual({ code: 1 });
    expect(roundTrip(() => 1)).toBe('[Function (anonymous)]');
  });

  it('replaces properties that cannot be cloned by their inspected text', () => {
    const error = Object.assign(new Error('x'), { callback: function named() {} });
    expect((roundTrip(error) as { callback: unknown }).callback).toBe('[Function: named]');
  });
});

describe('MprocError.isInstance', () => {
  it('recognises a class and its subclasses by code, across package copies', () => {
    const broken = new BrokenPoolError('x');
    expect(MprocError.isInstance(broken)).toBe(true);
    expect(BrokenPoolError.isInstance(broken)).toBe(true);
    expect(SerializationError.isInstance(broken)).toBe(false);
    expect(broken.code).toBe('ERR_MPROC_BROKEN_POOL');
    // A copy from another bundle carries the same marker and codes but another prototype.
    const foreign = Object.assign(Object.create(Error.prototype), {
      [Symbol.for('mproc.error')]: true,
      code: 'ERR_MPROC_BROKEN_PROCESS_POOL',
      codes: ['ERR_MPROC_BROKEN_PROCESS_POOL', 'ERR_MPROC_BROKEN_POOL', 'ERR_MPROC'],
    });
    expect(BrokenPoolError.isInstance(foreign)).toBe(true);
    expect(new Error('x') instanceof MprocError).toBe(false);
    expect(MprocError.isInstance(new Error('x'))).toBe(false);
  });
});

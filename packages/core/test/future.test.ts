import { describe, expect, it } from 'vitest';
import { CancelledError, TimeoutError } from '../src/errors.js';
import { Future, SETTLE } from '../src/executor/future.js';
import { ALL_COMPLETED, asCompleted, FIRST_COMPLETED, FIRST_EXCEPTION, wait } from '../src/executor/wait.js';
import type { JobState } from '../src/pool/job.js';

/** A future over a fake job whose state the test sets. */
function makeFuture<R>() {
  const job = { state: 'queued' as JobState, dropped: false };
  const future = new Future<R>({
    get state() {
      return job.state;
    },
    drop: () => {
      job.dropped = true;
      job.state = 'done';
    },
  });
  const settle = (outcome: { ok: true; value: R } | { ok: false; error: unknown }) => {
    job.state = 'done';
    future[SETTLE](outcome);
  };
  return { job, future, settle };
}

describe('Future', () => {
  it('follows its job: pending, running, done', async () => {
    const { job, future, settle } = makeFuture<number>();
    expect([future.done(), future.running(), future.cancelled()]).toEqual([false, false, false]);
    job.state = 'running';
    expect(future.running()).toBe(true);
    expect(future.cancel()).toBe(false);
    settle({ ok: true, value: 7 });
    expect([future.done(), future.running()]).toEqual([true, false]);
    expect(await future.result()).toBe(7);
    expect(await future).toBe(7);
    expect(await future.exception()).toBeNull();
  });

  it('cancel() drops a queued job; result() and exception() reject with CancelledError', async () => {
    const { job, future, settle } = makeFuture<number>();
    const calls: boolean[] = [];
    future.addDoneCallback((done) => calls.push(done.cancelled()));
    expect(future.cancel()).toBe(true);
    expect(job.dropped).toBe(true);
    expect(calls).toEqual([true]);
    settle({ ok: true, value: 1 }); // too late: ignored
    expect(future.cancelled()).toBe(true);
    await expect(future.result()).rejects.toBeInstanceOf(CancelledError);
    await expect(future.exception()).rejects.toBeInstanceOf(CancelledError);
  });

  it('result(timeout) rejects with TimeoutError and the future stays pending', async () => {
    const { future, settle } = makeFuture<string>();
    await expect(future.result(5)).rejects.toBeInstanceOf(TimeoutError);
    await expect(future.result(-1)).rejects.toBeInstanceOf(RangeError);
    settle({ ok: false, error: new RangeError('late') });
    expect(((await future.exception(0)) as Error).message).toBe('late');
    await expect(future.result(0)).rejects.toThrow('late');
  });
});

describe('wait and asCompleted', () => {
  it('wait returns on the condition, sorting futures into done and notDone', async () => {
    const a = makeFuture<number>();
    const b = makeFuture<number>();
    const first = wait([a.future, b.future], { returnWhen: FIRST_COMPLETED });
    a.settle({ ok: true, value: 1 });
    expect(await first).toEqual({ done: new Set([a.future]), notDone: new Set([b.future]) });
    const onError = wait([a.future, b.future], { returnWhen: FIRST_EXCEPTION, timeout: 1000 });
    b.settle({ ok: false, error: new Error('b') });
    expect((await onError).done.size).toBe(2);
    expect((await wait([a.future, b.future], { returnWhen: ALL_COMPLETED })).notDone.size).toBe(0);
  });

  it('FIRST_EXCEPTION waits for all when nothing fails; a timeout returns what is done', async () => {
    const a = makeFuture<number>();
    const b = makeFuture<number>();
    a.settle({ ok: true, value: 1 });
    const timedOut = await wait([a.future, b.future], { returnWhen: FIRST_EXCEPTION, timeout: 10 });
    expect(timedOut.notDone).toEqual(new Set([b.future]));
  });

  it('asCompleted yields done futures first, then in completion order, each once', async () => {
    const a = makeFuture<string>();
    const b = makeFuture<string>();
    const c = makeFuture<string>();
    c.settle({ ok: true, value: 'c' });
    const iterator = asCompleted([a.future, b.future, c.future, a.future], 1000);
    expect((await iterator.next()).value).toBe(c.future);
    const next = iterator.next();
    b.settle({ ok: true, value: 'b' });
    a.future.cancel();
    expect((await next).value).toBe(b.future);
    expect((await iterator.next()).value).toBe(a.future);
    expect((await iterator.next()).done).toBe(true);
  });

  it('asCompleted rejects with TimeoutError naming how many are unfinished', async () => {
    const a = makeFuture<string>();
    const iterator = asCompleted([a.future], 10);
    await expect(iterator.next()).rejects.toThrow('1 (of 1) futures unfinished');
    expect((await iterator.next()).done).toBe(true);
  });
});

import type { PoolHandle, SystemAdapter } from '../systems/adapter.js';
import type { Sample, Settings } from '../types.js';
import { MiB, openPool, warmUp } from './common.js';

/** The endless input. */
function* naturals(): Generator<number> {
  for (let i = 0; ; i++) yield i;
}

/** Items consumed and when consumption stopped (before any clean-up, which is not timed). */
interface Consumed {
  count: number;
  stoppedAt: number;
}

/** Library's own lazy imap: consume results in order until the deadline, then stop the iteration. */
async function consumeImap(pool: PoolHandle, deadline: number): Promise<Consumed> {
  const imap = pool.imap as NonNullable<PoolHandle['imap']>;
  let count = 0;
  let stoppedAt = 0;
  for await (const _ of imap('square', naturals())) {
    count++;
    stoppedAt = performance.now();
    if (stoppedAt >= deadline) break;
  }
  return { count, stoppedAt };
}

/**
 * For systems without a lazy imap: a ring of `inFlight` tasks (one item each, as imap's default
 * chunksize is 1), consumed in input order; each consumed result frees its slot for the next item.
 */
async function boundedSubmitLoop(pool: PoolHandle, deadline: number, inFlight: number): Promise<Consumed> {
  const items = naturals();
  const ring = new Array<PromiseLike<unknown>>(inFlight);
  for (let slot = 0; slot < inFlight; slot++) ring[slot] = pool.run('square', items.next().value);
  let count = 0;
  let head = 0;
  let stoppedAt = performance.now();
  while (stoppedAt < deadline) {
    await ring[head];
    count++;
    ring[head] = pool.run('square', items.next().value);
    head = (head + 1) % inFlight;
    stoppedAt = performance.now();
  }
  await Promise.all(ring); // settle what is still in flight before the pool closes
  return { count, stoppedAt };
}

/**
 * `stream`: items/s of an imap over an endless generator for a fixed time, and `stream-rss`: the
 * peak RSS of this (parent) process, from the kernel's high-water mark (getrusage maxRSS), which
 * for thread systems includes the worker threads.
 */
export async function measureStream(system: SystemAdapter, settings: Settings): Promise<Sample[]> {
  const pool = openPool(() => system.createPool(settings.workers));
  await warmUp(pool, settings.workers);
  const start = performance.now();
  const deadline = start + settings.streamSeconds * 1000;
  const { count, stoppedAt } = pool.imap
    ? await consumeImap(pool, deadline)
    : await boundedSubmitLoop(pool, deadline, settings.streamInFlight);
  const seconds = (stoppedAt - start) / 1000;
  const peakRss = (process.resourceUsage().maxRSS * 1024) / MiB;
  return [
    { metric: 'stream', value: count / seconds, unit: 'items/s' },
    { metric: 'stream-rss', value: peakRss, unit: 'MiB' },
  ];
}

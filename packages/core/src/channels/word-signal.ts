/**
 * A condition that processes sharing a region wait on and announce: a counter word that every
 * announcement bumps, and a count of the waiters asleep on it. It is the wait of every channel on
 * shared memory (a ring's "not empty" and "not full", a queue's "room" and "all done").
 *
 * A wait tries, polls for a time that adapts to how often polling paid off (a peer on another core
 * answers in microseconds; a futex sleep and wake costs tens), then sleeps on the counter in slices,
 * so an idle waiter costs no CPU. An announcement wakes a sleeper only when one is registered: a wake
 * with nobody asleep still costs a system call across processes.
 */
import type { WordWaiter } from '../shared/region.js';

/**
 * The longest single sleep: a waiter looks at the condition again at least this often. Every change
 * a waiter waits for is announced, so this bounds how long a wake that was never sent (a waker killed
 * between its change and its announcement) goes unnoticed, and how long a wait queued behind others
 * in libuv's thread pool (4 threads per process, shared by a process's worker threads; the native
 * futex wait runs there) waits for a thread. Each slice costs an idle waiter a wake-up.
 */
export const SLICE_MS = 100;
/** Bounds of the adaptive poll before a sleep, in microseconds. */
const MIN_POLL_US = 2;
const MAX_POLL_US = 1000;
const EVERYONE = 2 ** 31 - 1;

/** One turn of a sleeping wait: its result, or (still registered) what to sleep on and how long. */
type SleepStep<T> = { result: T | undefined } | { observed: number; milliseconds: number };

export class WordSignal {
  readonly #words: Int32Array;
  readonly #counter: number;
  readonly #sleepers: number;
  readonly #waiter: WordWaiter;
  /** This thread's poll budget (µs), adapted after every wait. */
  #pollUs = MIN_POLL_US * 8;

  /** The signal on `words[counter]`, with its sleepers counted in `words[sleepers]`. */
  constructor(words: Int32Array, counter: number, sleepers: number, waiter: WordWaiter) {
    this.#words = words;
    this.#counter = counter;
    this.#sleepers = sleepers;
    this.#waiter = waiter;
  }

  /** Announces a change to one waiter. */
  notify(): void {
    Atomics.add(this.#words, this.#counter, 1);
    if (Atomics.load(this.#words, this.#sleepers) > 0) this.#waiter.wake(this.#words, this.#counter, 1);
  }

  /** Announces a change to every waiter (a close, a count that reached zero). */
  notifyAll(): void {
    Atomics.add(this.#words, this.#counter, 1);
    this.#waiter.wake(this.#words, this.#counter, EVERYONE);
  }

  /**
   * Calls `attempt` until it gives a value, waiting for announcements in between, for at most
   * `timeout` ms (undefined: forever; 0: one attempt), without blocking the event loop; undefined
   * when time ran out. `attempt` may throw to end the wait (a handle closed meanwhile).
   */
  async wait<T>(attempt: () => T | undefined, timeout?: number): Promise<T | undefined> {
    const start = this.#poll(attempt, timeout);
    if (!('deadline' in start)) return start.result;
    for (;;) {
      const step = this.#nextSleep(attempt, start);
      if (!('observed' in step)) return step.result;
      try {
        await this.#waiter.wait(this.#words, this.#counter, step.observed, step.milliseconds);
      } finally {
        Atomics.sub(this.#words, this.#sleepers, 1);
      }
    }
  }

  /** As `wait`, blocking this thread while it waits. */
  waitSync<T>(attempt: () => T | undefined, timeout?: number): T | undefined {
    const start = this.#poll(attempt, timeout);
    if (!('deadline' in start)) return start.result;
    for (;;) {
      const step = this.#nextSleep(attempt, start);
      if (!('observed' in step)) return step.result;
      try {
        this.#waiter.waitSync(this.#words, this.#counter, step.observed, step.milliseconds);
      } finally {
        Atomics.sub(this.#words, this.#sleepers, 1);
      }
    }
  }

  /** The first attempt and the adaptive poll; the deadline to sleep until when neither succeeded. */
  #poll<T>(
    attempt: () => T | undefined,
    timeout: number | undefined,
  ): { result: T | undefined } | { started: number; deadline: number } {
    const first = attempt();
    if (first !== undefined || timeout === 0) return { result: first };
    const started = performance.now();
    const deadline = timeout === undefined ? Number.POSITIVE_INFINITY : started + timeout;
    const budget = this.#pollUs;
    const pollEnd = Math.min(deadline, started + budget / 1000);
    while (performance.now() < pollEnd) {
      const polled = attempt();
      if (polled !== undefined) {
        // Polling paid off: keep the budget near what it took, with headroom.
        const tookUs = (performance.now() - started) * 1000;
        this.#pollUs = Math.min(MAX_POLL_US, Math.max(MIN_POLL_US, tookUs * 2));
        return { result: polled };
      }
    }
    // Polling did not pay off: poll less next time, so an idle waiter does not burn CPU each wait.
    this.#pollUs = Math.max(MIN_POLL_US, budget / 2);
    return { started, deadline };
  }

  /**
   * Registers as a sleeper and tries once more (an announcement between the failed attempt and the
   * registration would otherwise be missed until the slice ends).
   */
  #nextSleep<T>(attempt: () => T | undefined, wait: { started: number; deadline: number }): SleepStep<T> {
    const words = this.#words;
    const observed = Atomics.load(words, this.#counter);
    Atomics.add(words, this.#sleepers, 1);
    let result: T | undefined;
    try {
      result = attempt();
    } catch (error) {
      Atomics.sub(words, this.#sleepers, 1);
      throw error;
    }
    const now = performance.now();
    const remaining = wait.deadline - now;
    if (result === undefined && remaining > 0) {
      return { observed, milliseconds: Math.min(SLICE_MS, remaining) };
    }
    Atomics.sub(words, this.#sleepers, 1);
    // A sleep that a longer poll would have spared (a peer answering within the bound, as in a
    // round trip): poll that long next time.
    const waitedUs = (now - wait.started) * 1000;
    if (result !== undefined && waitedUs < MAX_POLL_US) {
      this.#pollUs = Math.min(MAX_POLL_US, Math.max(MIN_POLL_US, waitedUs * 2));
    }
    return { result };
  }
}

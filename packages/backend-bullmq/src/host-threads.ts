/**
 * A worker host's threads: at most `procs`, each started for one worker profile (a pool's
 * initializer, env and heap limits; most pools have none). A job takes an idle thread of its profile;
 * failing that a new one while there is room, else an idle thread of another profile is stopped to
 * make room, else it waits. Plain threads are started up front and replaced when they die, so the
 * common job never waits for a thread to start.
 */
import { type LocalProfile, LocalWorker } from './local-worker.js';

export const PLAIN: LocalProfile = {
  key: '',
  initializer: null,
  initArgs: [],
  revive: false,
  env: undefined,
  resourceLimits: undefined,
};

interface Waiter {
  readonly profile: LocalProfile;
  readonly resolve: (worker: LocalWorker) => void;
}

export class HostThreads {
  readonly #procs: number;
  /** Threads counted against `procs`: running, idle or starting; not those being stopped. */
  readonly #live = new Set<LocalWorker>();
  readonly #idle: LocalWorker[] = [];
  readonly #waiting: Waiter[] = [];
  #nextIndex = 0;
  #closing = false;

  constructor(procs: number) {
    this.#procs = procs;
    for (let i = 0; i < procs; i++) this.#idle.push(this.#start(PLAIN));
  }

  /** A thread of `profile` for one job; give it back with `giveBack` unless it ended. */
  take(profile: LocalProfile): Promise<LocalWorker> {
    const index = this.#idle.findIndex((worker) => worker.key === profile.key);
    if (index >= 0) return Promise.resolve(this.#idle.splice(index, 1)[0] as LocalWorker);
    if (this.#live.size < this.#procs) return Promise.resolve(this.#start(profile));
    const other = this.#idle.shift();
    if (other) {
      this.#retire(other);
      return Promise.resolve(this.#start(profile));
    }
    return new Promise((resolve) => this.#waiting.push({ profile, resolve }));
  }

  giveBack(worker: LocalWorker): void {
    if (worker.unusable) {
      this.#retire(worker);
      this.#serveWaiting();
      return;
    }
    const index = this.#waiting.findIndex((waiter) => waiter.profile.key === worker.key);
    if (index >= 0) {
      (this.#waiting.splice(index, 1)[0] as Waiter).resolve(worker);
    } else if (this.#waiting.length > 0) {
      this.#retire(worker);
      this.#serveWaiting();
    } else this.#idle.push(worker);
  }

  /** Stops every thread; running jobs end with their threads' exit. */
  close(): void {
    this.#closing = true;
    for (const worker of this.#live) worker.stop();
  }

  #start(profile: LocalProfile): LocalWorker {
    const worker = new LocalWorker(++this.#nextIndex, profile, (ended) => this.#ended(ended));
    this.#live.add(worker);
    return worker;
  }

  /** Stops `worker` and frees its place at once (its end is not a death to make up for). */
  #retire(worker: LocalWorker): void {
    this.#live.delete(worker);
    const idle = this.#idle.indexOf(worker);
    if (idle >= 0) this.#idle.splice(idle, 1);
    if (!worker.ended) worker.stop();
  }

  /** A thread died (a task exited it, ran out of memory, or was stopped by a cancel): replace it. */
  #ended(worker: LocalWorker): void {
    if (!this.#live.delete(worker)) return; // retired
    const idle = this.#idle.indexOf(worker);
    if (idle >= 0) this.#idle.splice(idle, 1);
    if (this.#closing) return;
    if (this.#waiting.length > 0) this.#serveWaiting();
    else this.#idle.push(this.#start(PLAIN));
  }

  /** Starts a thread for the first waiter, if there is one and room. */
  #serveWaiting(): void {
    if (this.#waiting.length === 0 || this.#live.size >= this.#procs) return;
    const waiter = this.#waiting.shift() as Waiter;
    waiter.resolve(this.#start(waiter.profile));
  }
}

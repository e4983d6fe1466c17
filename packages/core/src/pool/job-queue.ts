/**
 * FIFO of jobs waiting for a worker. Removing a job from the middle (abort) only marks it; the
 * marked entries are skipped when they reach the head, so every operation is O(1).
 */
import type { Job } from './job.js';

export class JobQueue {
  #items: (Job | undefined)[] = [];
  #head = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(job: Job): void {
    this.#items.push(job);
    this.#size++;
  }

  /** The next waiting job, left in the queue. */
  peek(): Job | undefined {
    while (this.#head < this.#items.length) {
      const job = this.#items[this.#head];
      if (job && job.state === 'queued') return job;
      this.#items[this.#head++] = undefined;
    }
    this.#compact();
    return undefined;
  }

  shift(): Job | undefined {
    while (this.#head < this.#items.length) {
      const job = this.#items[this.#head];
      this.#items[this.#head++] = undefined;
      if (job && job.state === 'queued') {
        this.#size--;
        this.#compact();
        return job;
      }
    }
    this.#compact();
    return undefined;
  }

  /** Call when a queued job settles (abort); it is dropped when it reaches the head. */
  forget(job: Job): void {
    if (job.state === 'queued') this.#size--;
  }

  /** Puts jobs back at the head, in their order (a dead worker's jobs that never started). */
  pushFront(jobs: readonly Job[]): void {
    if (jobs.length === 0) return;
    this.#items = [...jobs, ...this.#items.slice(this.#head)];
    this.#head = 0;
    this.#size += jobs.length;
  }

  /** Takes every waiting job out, in order. */
  drain(): Job[] {
    const jobs = this.#items.slice(this.#head).filter((job): job is Job => job?.state === 'queued');
    this.#items = [];
    this.#head = 0;
    this.#size = 0;
    return jobs;
  }

  #compact(): void {
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}

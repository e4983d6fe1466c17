/**
 * The producer's side of the queue, shared by every seat of one backend: adds jobs and hands each
 * its sealed result. BullMQ's event stream is trimmed and best-effort (about one `completed` event
 * in ten was lost with 10,000 jobs in flight here), so a job that has waited a while is also looked
 * up in the job store: a result is never waited for on the events alone.
 */
import { randomUUID } from 'node:crypto';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectRedis } from './redis-connection.js';

/** Jobs waiting longer than this are looked up in the job store, a batch per tick. */
const RECONCILE_AFTER_MS = 1_000;
const RECONCILE_BATCH = 100;
/** Finished jobs stay this long in Redis for reconciliation, then BullMQ removes them. */
const KEEP_FINISHED_S = 3_600;

interface Waiter {
  readonly resolve: (sealedResult: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly addedAt: number;
}

export interface QueueAddress {
  readonly url: URL;
  readonly queue: string;
  readonly prefix: string;
}

export class Dispatcher {
  readonly #queue: Queue;
  readonly #events: QueueEvents;
  readonly #connections: Redis[];
  readonly #waiting = new Map<string, Waiter>();
  readonly #timer: NodeJS.Timeout;
  /** Job ids of this producer: unique across producers, never a ':' (BullMQ's rule). */
  readonly #runId = randomUUID();
  #sequence = 0;
  /** Jobs to add at the end of this turn. */
  #adding: Array<{ name: string; data: unknown; opts: { jobId: string } }> = [];
  #reconciling = false;

  private constructor(queue: Queue, events: QueueEvents, connections: Redis[]) {
    this.#queue = queue;
    this.#events = events;
    this.#connections = connections;
    events.on('completed', ({ jobId, returnvalue }) => this.#settle(jobId, { ok: true, value: returnvalue }));
    events.on('failed', ({ jobId, failedReason }) =>
      this.#settle(jobId, { ok: false, reason: failedReason }),
    );
    this.#timer = setInterval(() => void this.#reconcile(), RECONCILE_AFTER_MS);
    this.#timer.unref();
  }

  /** @throws Error naming the server's reason when Redis cannot be reached or refuses us. */
  static async open({ url, queue, prefix }: QueueAddress): Promise<Dispatcher> {
    const client = await connectRedis(url);
    let eventsClient: Redis;
    try {
      eventsClient = await connectRedis(url);
    } catch (error) {
      client.disconnect();
      throw error;
    }
    const jobs = new Queue(queue, {
      connection: client,
      prefix,
      streams: { events: { maxLen: 100_000 } },
      defaultJobOptions: {
        // A task's own error travels as its result: BullMQ retries only what it cannot deliver.
        attempts: 1,
        removeOnComplete: { age: KEEP_FINISHED_S },
        removeOnFail: { age: KEEP_FINISHED_S },
      },
    });
    await jobs.waitUntilReady();
    // Reading from the stream's last entry, not from "$" (what arrives once the first blocking read
    // is issued), so that no job added meanwhile can finish unseen.
    const [last] = await client.xrevrange(jobs.keys.events as string, '+', '-', 'COUNT', 1);
    const events = new QueueEvents(queue, {
      connection: eventsClient,
      prefix,
      lastEventId: last?.[0] ?? '0',
    });
    await events.waitUntilReady();
    return new Dispatcher(jobs, events, [client, eventsClient]);
  }

  /**
   * Adds one job; resolves with its processor's return value, rejects with BullMQ's failure. Jobs
   * submitted in one turn of the event loop (a map's chunks) go to Redis in one `addBulk`.
   */
  submit(data: unknown): Promise<unknown> {
    const jobId = `${this.#runId}-${++this.#sequence}`;
    if (this.#adding.length === 0) queueMicrotask(() => this.#addAll());
    this.#adding.push({ name: 'task', data, opts: { jobId } });
    return new Promise((resolve, reject) => {
      this.#waiting.set(jobId, { resolve, reject, addedAt: performance.now() });
    });
  }

  #addAll(): void {
    const jobs = this.#adding.splice(0);
    this.#queue.addBulk(jobs).catch((error: Error) => {
      for (const { opts } of jobs) this.#settle(opts.jobId, { ok: false, reason: error.message });
    });
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    for (const [jobId] of this.#waiting) this.#settle(jobId, { ok: false, reason: 'the pool was closed' });
    // Disconnecting first: a graceful close would wait out the events reader's blocking read.
    for (const connection of this.#connections) connection.disconnect();
    await Promise.allSettled([this.#events.close(), this.#queue.close()]);
  }

  #settle(jobId: string, outcome: { ok: true; value: unknown } | { ok: false; reason: string }): void {
    const waiter = this.#waiting.get(jobId);
    if (!waiter) return; // another producer's job, or settled already (event and lookup both came)
    this.#waiting.delete(jobId);
    if (outcome.ok) waiter.resolve(outcome.value);
    else waiter.reject(new Error(`the job failed on the worker host: ${outcome.reason}`));
  }

  /** Looks up the oldest jobs that waited past RECONCILE_AFTER_MS; one lookup at a time. */
  async #reconcile(): Promise<void> {
    if (this.#reconciling) return;
    this.#reconciling = true;
    try {
      const before = performance.now() - RECONCILE_AFTER_MS;
      const due: string[] = [];
      for (const [jobId, waiter] of this.#waiting) {
        if (waiter.addedAt > before || due.length === RECONCILE_BATCH) break;
        due.push(jobId);
      }
      await Promise.all(
        due.map(async (jobId) => {
          const job = await Job.fromId(this.#queue, jobId);
          if (job?.finishedOn === undefined) return;
          if (job.failedReason) this.#settle(jobId, { ok: false, reason: job.failedReason });
          else this.#settle(jobId, { ok: true, value: job.returnvalue });
        }),
      );
    } catch {
      // Redis unreachable for a moment: the next tick tries again.
    } finally {
      this.#reconciling = false;
    }
  }
}

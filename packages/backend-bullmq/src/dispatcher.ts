/**
 * The producer's side of the queue, shared by every seat of one backend: adds jobs and hands each
 * its sealed result. BullMQ's event stream is trimmed and best-effort (about one `completed` event
 * in ten was lost with 10,000 jobs in flight here), so a job that has waited a while is also looked
 * up in the job store: a result is never waited for on the events alone. While the pool has no
 * work, neither its connection nor the events reader (events-reader.ts) keeps the process alive.
 */
import { randomUUID } from 'node:crypto';
import { Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Envelope, unwrap, wrap } from './envelope.js';
import { EventsReader } from './events-reader.js';
import { type HostAnnouncement, liveHosts } from './host-roster.js';
import { endLease, takeLease } from './lease.js';
import { cancelChannel, type QueueAddress, storedKeys } from './queue-address.js';
import { connectRedis } from './redis-connection.js';
import type { Sealed } from './sealed.js';

/** Jobs waiting longer than this are looked up in the job store, a batch per tick. */
const RECONCILE_AFTER_MS = 1_000;
const RECONCILE_BATCH = 100;
/** Finished jobs stay this long in Redis for reconciliation, then BullMQ removes them. */
const KEEP_FINISHED_S = 3_600;
/** What `keep` writes outlives the producer by at most this. */
const KEPT_TTL_S = 3_600;

/** BullMQ's reason for a job whose host died a second time (maxStalledCount 1, worker-host.ts). */
const STALLED_TWICE = /stalled more than allowable limit/;

/** The failure of a job as the host (or BullMQ on its side) reported it. */
function onHost(reason: string): string {
  if (STALLED_TWICE.test(reason)) {
    return `the worker hosts running the job died twice (BullMQ: ${reason}); it may have run on both, and runs no more`;
  }
  return `the job failed on the worker host: ${reason}`;
}

const JOB_GONE =
  'its job is no longer in Redis: the server restarted without persistence, was flushed, or evicted it (BullMQ needs maxmemory-policy noeviction)';

interface Waiter {
  readonly resolve: (answer: Sealed) => void;
  readonly reject: (error: Error) => void;
  /** When its job was in Redis (`performance.now()`); Infinity until then. */
  addedAt: number;
}

export class Dispatcher {
  readonly #queue: Queue;
  readonly #events: EventsReader;
  readonly address: QueueAddress;
  /** The queue's connection, also for commands of our own. */
  readonly #client: Redis;
  /** Cancellations still on their way to Redis: closing waits for them. */
  readonly #cancelling = new Set<Promise<void>>();
  /** Whether the producer's pool has work: its connection keeps the process alive meanwhile. */
  #referenced = true;
  readonly #waiting = new Map<string, Waiter>();
  readonly #timer: NodeJS.Timeout;
  /** How long this producer's lease lasts (see `open`), and the timer that renews it. */
  readonly #leaseMs: number;
  readonly #leaseTimer: NodeJS.Timeout;
  /** This producer's id, which starts its job ids: unique across producers, never a ':' (BullMQ's rule). */
  readonly #runId: string;
  #sequence = 0;
  /** Jobs in flight whose data is stored under a key of its own, deleted once they are answered. */
  readonly #storedData = new Set<string>();
  /** Values kept in Redis while this producer lives (`keep`), by key, with their first write. */
  readonly #kept = new Map<string, { readonly value: Buffer; readonly written: Promise<void> }>();
  /** Jobs to add at the end of this turn, their data once stored where it must be. */
  #adding: Array<{ readonly jobId: string; readonly data: Promise<Envelope> }> = [];
  #reconciling = false;

  private constructor(address: QueueAddress, queue: Queue, client: Redis, runId: string, leaseMs: number) {
    this.address = address;
    this.#queue = queue;
    this.#client = client;
    this.#runId = runId;
    // A reconnection makes a new socket, referenced by default.
    client.on('connect', () => this.setReferenced(this.#referenced));
    this.#events = new EventsReader(queue, client, {
      completed: (jobId, returnvalue) => this.#settle(jobId, { ok: true, value: returnvalue }),
      failed: (jobId, failedReason) => this.#settle(jobId, { ok: false, reason: onHost(failedReason) }),
    });
    this.#timer = setInterval(() => void this.#reconcile(), RECONCILE_AFTER_MS);
    this.#timer.unref();
    this.#leaseMs = leaseMs;
    // Renewed three times per lease, so that one late or failed renewal does not end it.
    this.#leaseTimer = setInterval(() => this.#renew(), leaseMs / 3);
    this.#leaseTimer.unref();
  }

  /**
   * Opens the queue and takes this producer's lease: hosts stop its jobs, running or waiting, once the
   * lease has not been renewed for `leaseMs` (it died, or its event loop was blocked that long).
   * @throws Error naming the server's reason when Redis cannot be reached or refuses us.
   */
  static async open(address: QueueAddress, leaseMs: number): Promise<Dispatcher> {
    const { url, queue, prefix } = address;
    const client = await connectRedis(url);
    const runId = randomUUID();
    try {
      await takeLease(client, address, runId, leaseMs);
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
    return new Dispatcher(address, jobs, client, runId, leaseMs);
  }

  /**
   * Adds one job; its result resolves with its processor's return value, rejects with BullMQ's
   * failure. Jobs submitted in one turn of the event loop (a map's chunks) go to Redis in one
   * `addBulk`.
   */
  submit(data: Sealed): { readonly jobId: string; readonly result: Promise<Sealed> } {
    const jobId = `${this.#runId}-${++this.#sequence}`;
    if (this.#adding.length === 0) queueMicrotask(() => void this.#addAll());
    this.#adding.push({ jobId, data: wrap(this.#client, storedKeys(this.address, jobId).data, data) });
    const result = new Promise<Sealed>((resolve, reject) => {
      this.#waiting.set(jobId, { resolve, reject, addedAt: Number.POSITIVE_INFINITY });
    });
    return { jobId, result };
  }

  /**
   * Writes `value` under `key` once, and keeps it there while this producer lives (its TTL is
   * renewed with the lease): what every job of a pool would otherwise carry.
   */
  keep(key: string, value: Buffer): Promise<void> {
    let kept = this.#kept.get(key);
    if (!kept) {
      kept = { value, written: this.#client.set(key, value, 'EX', KEPT_TTL_S).then(() => undefined) };
      this.#kept.set(key, kept);
      kept.written.catch(() => this.#kept.delete(key)); // the next seat tries again
    }
    return kept.written;
  }

  #renewLease(): void {
    takeLease(this.#client, this.address, this.#runId, this.#leaseMs).catch(() => {});
  }

  /** Renews the lease and what `keep` wrote (written again if Redis lost it). */
  #renew(): void {
    const client = this.#client;
    this.#renewLease();
    for (const [key, { value }] of this.#kept) {
      client
        .expire(key, KEPT_TTL_S)
        .then(async (found) => {
          if (!found) await client.set(key, value, 'EX', KEPT_TTL_S);
        })
        .catch(() => {});
    }
  }

  /** The announcements of the hosts serving the queue now. */
  hosts(): Promise<HostAnnouncement[]> {
    return liveHosts(this.#client, this.address);
  }

  /**
   * Whether this dispatcher's connections keep the process alive: as a local pool's workers, only
   * while the pool has work, so a script that leaves an idle pool open still ends.
   */
  setReferenced(referenced: boolean): void {
    this.#referenced = referenced;
    if (referenced) this.#client.stream?.ref();
    else this.#client.stream?.unref();
    this.#closeEventsWhenIdle();
  }

  #closeEventsWhenIdle(): void {
    if (!this.#referenced && this.#waiting.size === 0) this.#events.closeWhenIdle();
  }

  /**
   * Withdraws jobs whose answers nobody waits for any more (their seat was killed: a task timed out,
   * was aborted, or the pool was terminated): a waiting job is removed from the queue, and hosts
   * that hold one stop its thread (CANCEL_CHANNEL). Never rejects: a job it misses runs to its end
   * and its answer is dropped.
   */
  cancel(jobIds: readonly string[]): Promise<void> {
    for (const jobId of jobIds) this.#settle(jobId, { ok: false, reason: 'the job was cancelled' });
    if (jobIds.length === 0) return Promise.resolve();
    const stored = jobIds.flatMap((jobId) => Object.values(storedKeys(this.address, jobId)));
    const cancelling = Promise.allSettled([
      this.#client.publish(cancelChannel(this.address), jobIds.join(' ')),
      ...jobIds.map((jobId) => this.#queue.remove(jobId)),
      this.#client.del(stored),
    ]).then(() => {
      this.#cancelling.delete(cancelling);
    });
    this.#cancelling.add(cancelling);
    return cancelling;
  }

  async #addAll(): Promise<void> {
    const jobs = this.#adding.splice(0);
    try {
      const data = await Promise.all(jobs.map((job) => job.data));
      await this.#events.open();
      jobs.forEach(({ jobId }, index) => {
        if (data[index]?.key !== undefined) this.#storedData.add(jobId);
      });
      // The lease is taken again with every batch: hosts then see it for these jobs even when Redis
      // lost it (a restart without persistence, a flush) since the last renewal.
      this.#renewLease();
      await this.#queue.addBulk(
        jobs.map(({ jobId }, index) => ({ name: 'task', data: data[index], opts: { jobId } })),
      );
      const addedAt = performance.now();
      for (const { jobId } of jobs) {
        const waiter = this.#waiting.get(jobId);
        if (waiter) waiter.addedAt = addedAt;
      }
    } catch (error) {
      for (const { jobId } of jobs) {
        this.#settle(jobId, { ok: false, reason: `the job could not be added: ${(error as Error).message}` });
      }
    }
  }

  /** Ends the lease too: hosts stop what they still run of this producer (nobody waits for it). */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    clearInterval(this.#leaseTimer);
    await Promise.all(this.#cancelling);
    for (const [jobId] of this.#waiting) this.#settle(jobId, { ok: false, reason: 'the pool was closed' });
    await endLease(this.#client, this.address, this.#runId).catch(() => {});
    this.#client.disconnect();
    await Promise.allSettled([this.#events.close(), this.#queue.close()]);
  }

  #settle(jobId: string, outcome: { ok: true; value: unknown } | { ok: false; reason: string }): void {
    const waiter = this.#waiting.get(jobId);
    if (!waiter) return; // another producer's job, or settled already (event and lookup both came)
    this.#waiting.delete(jobId);
    if (this.#waiting.size === 0) this.#closeEventsWhenIdle();
    const dataStored = this.#storedData.delete(jobId);
    if (!outcome.ok) {
      waiter.reject(new Error(outcome.reason));
      if (dataStored) this.#forget(jobId);
      return;
    }
    const answerStored = (outcome.value as Partial<Envelope> | null)?.key !== undefined;
    unwrap(this.#client, outcome.value).then(waiter.resolve, waiter.reject);
    if (answerStored || dataStored) this.#forget(jobId);
  }

  /**
   * Deletes a settled job's stored data and answer (after the answer's read, which this command
   * follows on the same connection); what it misses expires.
   */
  #forget(jobId: string): void {
    const { data, answer } = storedKeys(this.address, jobId);
    this.#client.del(data, answer).catch(() => {});
  }

  /** Looks up the oldest jobs that waited past RECONCILE_AFTER_MS; one lookup at a time. */
  async #reconcile(): Promise<void> {
    if (this.#reconciling) return;
    this.#reconciling = true;
    try {
      const before = performance.now() - RECONCILE_AFTER_MS;
      const due: string[] = [];
      for (const [jobId, waiter] of this.#waiting) {
        if (due.length === RECONCILE_BATCH) break;
        if (waiter.addedAt <= before) due.push(jobId);
      }
      await Promise.all(
        due.map(async (jobId) => {
          const job = await Job.fromId(this.#queue, jobId);
          if (!job) {
            this.#settle(jobId, { ok: false, reason: JOB_GONE });
            return;
          }
          if (job.finishedOn === undefined) return;
          if (job.failedReason) this.#settle(jobId, { ok: false, reason: onHost(job.failedReason) });
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

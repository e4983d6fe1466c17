/**
 * A worker host: pulls jobs from the queue, checks each one's HMAC before anything else, resolves
 * its task under `root` and runs it on one of `procs` local worker threads, then returns the sealed
 * answer. It announces itself in Redis (capacity, Node major, code hash) with a short TTL.
 */
import { type KeyObject, randomUUID } from 'node:crypto';
import type { FunctionDefinition } from '@mproc/core';
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { unwrap, wrap } from './envelope.js';
import type { HostAnswer, HostJob, RunMessage, WorkerProfile } from './host-answer.js';
import { ANNOUNCE_EVERY_MS, announce, announcementOf, withdraw } from './host-roster.js';
import { HostThreads, PLAIN } from './host-threads.js';
import { hasLease, producerOf } from './lease.js';
import type { LocalProfile, LocalWorker } from './local-worker.js';
import { cancelChannel, profileKey, type QueueAddress, storedKeys } from './queue-address.js';
import { connectRedis } from './redis-connection.js';
import { seal, split, unseal } from './sealed.js';
import { fromTaskPath } from './task-path.js';

/**
 * A job whose host died goes back to the queue once its lock has expired (it is renewed every half
 * lock) and a stall check of a live host has seen it twice (BullMQ's maxStalledCount 1: it runs once
 * more, elsewhere). With a 5 s lock and a check every 2.5 s a killed host's job runs again within
 * about 10 s; BullMQ's defaults (30 s each) take about 60 s, and 5 s checks up to 15 s (measured).
 */
const LOCK_DURATION_MS = 5_000;
const STALLED_INTERVAL_MS = 2_500;
/** Cancelled job ids remembered, for jobs that reach this host after their cancellation. */
const CANCELLED_KEPT = 10_000;
/** How often a host looks up the leases of the producers whose jobs it holds (dispatcher.ts). */
const LEASE_CHECK_MS = 1_000;
/** Pools' worker profiles kept by a host, by key. */
const PROFILES_KEPT = 100;
/** Producers found gone, remembered for their jobs still in the queue. */
const GONE_KEPT = 1_000;
const PRODUCER_GONE =
  "its producer's lease ran out (the producer is gone, or its event loop was blocked for longer than its leaseMs): nobody waits for this job";

export interface WorkerHostOptions extends QueueAddress {
  readonly root: string;
  readonly procs: number;
  readonly authkey: KeyObject;
  /** Run functions sent as source text too (`--allow-source-tasks`), not only module exports. */
  readonly allowSourceTasks?: boolean;
}

export class WorkerHost {
  readonly id = randomUUID();
  readonly #options: WorkerHostOptions;
  readonly #threads: HostThreads;
  /**
   * Host function ids and definitions by task path and name (or source): ids of different producers'
   * pools never mix here, and a path is resolved once.
   */
  readonly #tasks = new Map<string, { readonly id: number; readonly definition: FunctionDefinition }>();
  /** Pools' worker profiles by key, fetched once each (see `#profile`), oldest first. */
  readonly #profiles = new Map<string, Promise<WorkerProfile>>();
  /** The thread running each job, by job id. */
  readonly #running = new Map<string, LocalWorker>();
  /** Ids of jobs given up by their producers, newest last (the oldest are forgotten). */
  readonly #cancelled = new Set<string>();
  /** Producers whose jobs this host took since its last look at their leases. */
  readonly #recentProducers = new Set<string>();
  /** Producers whose lease had run out at the last look, newest last. */
  readonly #goneProducers = new Set<string>();
  #leaseCheck: NodeJS.Timeout | undefined;
  #checkingLeases = false;
  #queueWorker: Worker | undefined;
  #client: Redis | undefined;
  /** Subscribed to the cancel channel (a subscribed connection runs no other command). */
  #subscriber: Redis | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  /** What every heartbeat writes: facts of this host that do not change while it runs. */
  readonly #announcement: string;

  private constructor(options: WorkerHostOptions) {
    this.#options = options;
    this.#threads = new HostThreads(options.procs);
    this.#announcement = JSON.stringify(announcementOf(options.procs, options.root));
  }

  /** @throws Error naming the server's reason when Redis cannot be reached or refuses the host. */
  static async start(options: WorkerHostOptions): Promise<WorkerHost> {
    const host = new WorkerHost(options);
    try {
      host.#client = await connectRedis(options.url);
      host.#subscriber = await connectRedis(options.url);
      host.#subscriber.on('message', (_channel: string, ids: string) => host.#cancel(ids.split(' ')));
      await host.#subscriber.subscribe(cancelChannel(options));
      host.#queueWorker = new Worker(options.queue, (job) => host.#process(job), {
        connection: host.#client,
        prefix: options.prefix,
        // One job waiting per thread besides the running one: a thread never idles while the next
        // job comes from Redis. More would leave jobs queued here while another host is idle.
        concurrency: options.procs * 2,
        lockDuration: LOCK_DURATION_MS,
        stalledInterval: STALLED_INTERVAL_MS,
        maxStalledCount: 1,
      });
      host.#queueWorker.on('error', () => {}); // connection trouble: BullMQ reconnects by itself
      await host.#queueWorker.waitUntilReady();
      await host.#beat();
      host.#heartbeat = setInterval(() => void host.#beat().catch(() => {}), ANNOUNCE_EVERY_MS);
      host.#leaseCheck = setInterval(() => void host.#checkLeases(), LEASE_CHECK_MS);
    } catch (error) {
      await host.close();
      throw error;
    }
    return host;
  }

  /** Finishes the jobs it holds, then stops its threads and leaves Redis. */
  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    clearInterval(this.#leaseCheck);
    await this.#queueWorker?.close();
    this.#threads.close();
    this.#subscriber?.disconnect();
    if (this.#client) {
      await withdraw(this.#client, this.#options, this.id).catch(() => {});
      this.#client.disconnect();
    }
  }

  async #process(job: Job): Promise<unknown> {
    const producer = producerOf(job.id as string);
    this.#recentProducers.add(producer);
    if (this.#goneProducers.has(producer)) await this.#confirmGone(producer);
    // Throws, failing the job, unless it is ours.
    const sent = unseal(await unwrap(this.#client as Redis, job.data), this.#options.authkey) as HostJob;
    const runs = sent.runs;
    const profile = sent.profile === undefined ? undefined : await this.#profile(sent.profile);
    const allowed = this.#options.allowSourceTasks ? ['module', 'source'] : ['module'];
    const travels = (definition: FunctionDefinition | undefined) =>
      allowed.includes(definition?.kind as string);
    if (
      !Array.isArray(runs) ||
      !runs.every((run) => run?.type === 'mproc:run' && travels(run.fn?.definition)) ||
      (profile?.initializer && !travels(profile.initializer.definition))
    ) {
      throw new TypeError(
        this.#options.allowSourceTasks
          ? 'not runs of tasks'
          : 'not runs of module tasks: this host runs only tasks named by module path and export (start it with --allow-source-tasks to run functions sent as source text)',
      );
    }
    const worker = await this.#threads.take(profile ? this.#localProfile(profile) : PLAIN);
    if (this.#cancelled.has(job.id as string) || this.#goneProducers.has(producer)) {
      this.#threads.giveBack(worker);
      if (this.#goneProducers.has(producer)) throw new Error(PRODUCER_GONE);
      return null; // its producer gave it up while it waited here
    }
    let answer: HostAnswer;
    this.#running.set(job.id as string, worker);
    try {
      answer = await worker.run(runs.map((run) => this.#local(run, worker)));
    } finally {
      this.#running.delete(job.id as string);
      if (!worker.ended) this.#threads.giveBack(worker);
    }
    if (this.#goneProducers.has(producer)) throw new Error(PRODUCER_GONE);
    const key = storedKeys(this.#options, job.id as string).answer;
    return wrap(this.#client as Redis, key, seal(answer, this.#options.authkey));
  }

  /** A pool's worker profile by its key: fetched from Redis and its HMAC checked once, then kept. */
  #profile(key: string): Promise<WorkerProfile> {
    let profile = this.#profiles.get(key);
    if (!profile) {
      profile = this.#fetchProfile(key);
      this.#profiles.set(key, profile);
      profile.catch(() => this.#profiles.delete(key)); // the next job fetches it again
      for (const kept of this.#profiles.keys()) {
        if (this.#profiles.size <= PROFILES_KEPT) break;
        this.#profiles.delete(kept);
      }
    }
    return profile;
  }

  async #fetchProfile(key: string): Promise<WorkerProfile> {
    const where = profileKey(this.#options, key);
    const stored = await (this.#client as Redis).getBuffer(where);
    if (!stored) {
      throw new Error(
        `the pool's worker profile is not in Redis (${where}): its producer ended over an hour ago, or Redis lost it`,
      );
    }
    const profile = unseal(split(stored), this.#options.authkey) as WorkerProfile;
    if (profile?.key !== key) throw new Error(`${where} holds another worker profile`);
    return profile;
  }

  /** `profile` as this host starts threads for it, under the key its producer made. */
  #localProfile(profile: WorkerProfile): LocalProfile {
    const initializer = profile.initializer;
    return {
      key: profile.key,
      initializer: initializer ? this.#task(initializer.definition) : null,
      initArgs: initializer?.initArgs ?? [],
      revive: initializer?.revive ?? false,
      env: profile.env,
      resourceLimits: profile.resourceLimits,
    };
  }

  /** Stops the threads running jobs their producers gave up (a timeout, an abort, a terminate). */
  #cancel(jobIds: readonly string[]): void {
    for (const jobId of jobIds) {
      this.#cancelled.add(jobId);
      this.#running.get(jobId)?.stop(); // its replacement starts when it has ended
    }
    for (const jobId of this.#cancelled) {
      if (this.#cancelled.size <= CANCELLED_KEPT) break;
      this.#cancelled.delete(jobId);
    }
  }

  /**
   * For a job of a producer found gone: throws unless its lease is back (a producer that takes it
   * again with each batch of jobs, after Redis lost it).
   */
  async #confirmGone(producer: string): Promise<void> {
    if (await hasLease(this.#client as Redis, this.#options, producer)) {
      this.#goneProducers.delete(producer);
      return;
    }
    throw new Error(PRODUCER_GONE);
  }

  /**
   * Looks up the leases of the producers whose jobs this host runs or took since the last look: the
   * threads running jobs of a producer that is gone are stopped, and its next jobs are dropped (see
   * `#process`). A lease found again (a producer whose event loop was blocked) takes it back.
   */
  async #checkLeases(): Promise<void> {
    const producers = new Set(this.#recentProducers);
    for (const jobId of this.#running.keys()) producers.add(producerOf(jobId));
    if (producers.size === 0 || this.#checkingLeases) return;
    this.#recentProducers.clear();
    this.#checkingLeases = true;
    try {
      const client = this.#client as Redis;
      const ids = [...producers];
      const found = await Promise.all(ids.map((id) => hasLease(client, this.#options, id)));
      ids.forEach((id, index) => {
        if (found[index]) this.#goneProducers.delete(id);
        else this.#goneProducers.add(id);
      });
      for (const [jobId, worker] of this.#running) {
        if (this.#goneProducers.has(producerOf(jobId))) worker.stop();
      }
      for (const id of this.#goneProducers) {
        if (this.#goneProducers.size <= GONE_KEPT) break;
        this.#goneProducers.delete(id);
      }
    } catch {
      // Redis unreachable: look again at the next tick
    } finally {
      this.#checkingLeases = false;
    }
  }

  /** `run` with this host's id for its function and, where `worker` lacks it, the definition. */
  #local(run: RunMessage, worker: LocalWorker): RunMessage {
    const task = this.#task(run.fn.definition as FunctionDefinition);
    const known = worker.known.has(task.id);
    worker.known.add(task.id);
    return { ...run, fn: { id: task.id, definition: known ? undefined : task.definition } };
  }

  /** This host's id and definition of a function as sent: a module task by its file URL under this host's root, a source task as sent. */
  #task(sent: FunctionDefinition): { readonly id: number; readonly definition: FunctionDefinition } {
    const key = sent.kind === 'module' ? `${sent.url}#${sent.name}` : `source:${sent.name}:${sent.source}`;
    let task = this.#tasks.get(key);
    if (!task) {
      const definition: FunctionDefinition =
        sent.kind === 'module'
          ? { kind: 'module', url: fromTaskPath(sent.url, this.#options.root), name: sent.name }
          : sent;
      task = { id: this.#tasks.size + 1, definition };
      this.#tasks.set(key, task);
    }
    return task;
  }

  async #beat(): Promise<void> {
    if (this.#client) await announce(this.#client, this.#options, this.id, this.#announcement);
  }
}

/**
 * The pool's engine: a queue of jobs, a set of worker slots, and the lifecycle policy every backend
 * shares — start workers, hand each idle one the next job, replace workers that exit, stop a job by
 * replacing its worker, and break the pool instead of respawning forever.
 *
 *   Pool call ──► Job ──► JobQueue ──► dispatch() ──► WorkerSlot.run() ──► backend channel
 *                   ▲                                                          │
 *                   └──────────── settle(outcome) ◄── finished / exited ◄──────┘
 */
import type { Backend, WorkerExit, WorkerResourceLimits } from '../backend.js';
import {
  type BrokenPoolError,
  InvalidStateError,
  PoolNotRunningError,
  QueueFullError,
  TaskTimeoutError,
  WorkerExitedError,
} from '../errors.js';
import { describeExit } from '../process/exit-code.js';
import { currentProcess } from '../process-info.js';
import { MESSAGE_TYPE } from '../protocol/messages.js';
import type { Outcome } from '../results/async-result.js';
import type { FunctionHandle } from '../serialize/function-handle.js';
import { type Outgoing, outgoingList } from '../serialize/payload.js';
import { startWorker } from '../start-worker.js';
import type { Job } from './job.js';
import { JobQueue } from './job-queue.js';
import type { EmitPoolEvent } from './pool-events.js';
import type { PoolStats } from './pool-stats.js';
import { DurationSummary } from './time-summary.js';
import { type SlotEvents, WorkerSlot } from './worker-slot.js';

/** Jobs a worker may hold at once while the queue is deep, until the jobs are known to be short. */
const PREFETCH = 4;
/** The most jobs a worker may hold at once, however short they are. */
const MAX_HELD = 64;
/**
 * About how much work, in ms, a worker may hold beyond the job it runs. Jobs held by one worker
 * cannot move to another that frees up first, so this bounds the imbalance at the end of a queue.
 */
const HELD_WORK_MS = 2;

export interface SchedulerOptions {
  /** The most workers. */
  readonly processes: number;
  /**
   * Workers kept while idle. Below `processes`, workers start on demand and one idle for
   * `idleTimeout` ms exits while more than this many live; equal to it, the pool is fixed.
   */
  readonly minProcesses: number;
  readonly idleTimeout: number;
  readonly maxTasksPerChild: number | undefined;
  /** The most jobs that may wait in the queue (Infinity: no limit); see submit(). */
  readonly maxQueue: number;
  readonly initializer: FunctionHandle | undefined;
  readonly initArgs: readonly unknown[];
  readonly modules: readonly string[];
  readonly mainModule: string | null;
  readonly env: Readonly<Record<string, string | undefined>> | undefined;
  readonly execArgv: readonly string[] | undefined;
  readonly executable: string | undefined;
  readonly resourceLimits: WorkerResourceLimits | undefined;
  /** The error class a broken pool fails with (the executor uses BrokenProcessPool). */
  readonly brokenError: typeof BrokenPoolError;
  /**
   * A worker that dies without being asked to stop breaks the pool, failing every pending job with
   * `brokenError`, instead of being replaced (Python's ProcessPoolExecutor; Pool leaves it off).
   */
  readonly breakOnWorkerDeath?: boolean;
  /** Reports the pool's events (pool-events.ts); default: none. */
  readonly emit?: EmitPoolEvent;
}

export type SchedulerState = 'running' | 'closing' | 'terminated' | 'broken';

export class Scheduler implements SlotEvents {
  readonly #options: SchedulerOptions;
  /** Sent to every worker, so transfer() markers in initArgs copy instead of moving. */
  readonly #initArgs: Outgoing<readonly unknown[]>;
  readonly #queue = new JobQueue();
  readonly #slots = new Set<WorkerSlot>();
  /** The retirement timers of idle workers beyond minProcesses (never armed in a fixed pool). */
  readonly #idleTimers = new Map<WorkerSlot, NodeJS.Timeout>();
  #backend: Backend | undefined;
  #state: SchedulerState = 'running';
  #brokenBy: Error | undefined;
  #nextWorkerId = 1;
  /** Workers that died before answering their init message, in a row. */
  #startFailures = 0;
  /** Calls accepted but still producing jobs (e.g. reading an async iterable). */
  #openCalls = 0;
  #referenced = false;
  #whenFinished: { promise: Promise<void>; resolve: () => void } | undefined;
  /** A moving average of how long a job holds a worker, in ms; undefined until one finished. */
  #serviceMs: number | undefined;
  // stats(): counters and fixed-size summaries, so that counting costs no memory per task.
  readonly #startedAt = performance.now();
  #completed = 0;
  #failed = 0;
  #cancelled = 0;
  readonly #runTime = new DurationSummary();
  readonly #waitTime = new DurationSummary();
  /** Jobs were left waiting in the queue after a dispatch: `drain` is due once none waits. */
  #backlogged = false;
  readonly #emit: EmitPoolEvent;

  constructor(options: SchedulerOptions, backend: Promise<Backend>) {
    this.#options = options;
    this.#initArgs = outgoingList(options.initArgs);
    this.#emit = options.emit ?? (() => {});
    backend.then(
      (resolved) => {
        this.#backend = resolved;
        this.#ensureWorkers();
        this.#dispatch();
      },
      (error: Error) => this.#breakWith(error),
    );
  }

  get state(): SchedulerState {
    return this.#state;
  }

  /** The workers' idents (pids, or threadIds on threads), for `Pool.workers`. */
  get idents(): number[] {
    return [...this.#slots].map((slot) => slot.handle.ident);
  }

  /**
   * Fails fast for calls the pool can no longer take.
   * @throws PoolNotRunningError after close()/terminate(); the broken error when broken.
   */
  assertAccepting(what: string): void {
    const refused = this.refusal(what);
    if (refused) throw refused;
  }

  /**
   * Why this pool takes no new work, or undefined while it does: the broken error once broken,
   * PoolNotRunningError after close()/terminate(). Calls hand it over as a rejection.
   */
  refusal(what: string): Error | undefined {
    if (this.#state === 'broken') return this.#brokenBy;
    if (this.#state !== 'running')
      return new PoolNotRunningError(`${what}: the pool is ${this.#stateWord()}`);
    return undefined;
  }

  #stateWord(): string {
    return this.#state === 'closing' ? 'closed' : this.#state;
  }

  /** Marks a call that will submit jobs later; the pool does not finish closing until it ends. */
  openCall(): () => void {
    this.#openCalls++;
    let open = true;
    return () => {
      if (!open) return;
      open = false;
      this.#openCalls--;
      this.#afterChange();
    };
  }

  /**
   * Queues `job` and dispatches. A `bounded` job that is left waiting behind `maxQueue` others is
   * refused: it settles with QueueFullError (and is not counted in stats()). Whether a job must wait
   * is known only after dispatch, so an idle worker takes a job even from a full queue's caller.
   */
  submit(job: Job, bounded = true): void {
    if (this.#state === 'terminated' || this.#state === 'broken') {
      job.settle({ ok: false, error: this.#refusal() });
      return;
    }
    job.queuedAt = performance.now();
    this.#queue.push(job);
    this.#ensureWorkers();
    this.#dispatch();
    const { maxQueue } = this.#options;
    if (bounded && job.state === 'queued' && this.#queue.size > maxQueue) {
      this.#queue.forget(job);
      job.settle({
        ok: false,
        error: new QueueFullError(
          `the pool's queue is full: ${maxQueue} task${maxQueue === 1 ? '' : 's'} (maxQueue) already wait for a worker`,
        ),
      });
    }
  }

  /** Settles `job` with `error` now: drops it when queued, replaces its worker when running. */
  cancel(job: Job, error: Error): void {
    if (job.state === 'queued') {
      this.#queue.forget(job);
      this.#settle(job, { ok: false, error });
      this.#afterChange();
    } else if (job.state === 'running') {
      this.#settle(job, { ok: false, error });
      // Only exclusive jobs are stopped while they run, and such a job is alone in its worker.
      for (const slot of this.#slots) if (slot.jobs[0] === job) slot.kill();
    }
  }

  close(): void {
    if (this.#state === 'running') this.#state = 'closing';
    this.#afterChange();
  }

  terminate(): Promise<void> {
    if (this.#state !== 'broken') this.#state = 'terminated';
    this.#failAll(new PoolNotRunningError('the pool was terminated before the task finished'));
    for (const slot of this.#slots) slot.kill();
    return this.#finished();
  }

  /**
   * Resolves once every worker has exited.
   * @throws InvalidStateError when neither close() nor terminate() was called.
   */
  join(): Promise<void> {
    if (this.#state === 'running') {
      return Promise.reject(new InvalidStateError('Pool.join(): call close() or terminate() first'));
    }
    return this.#finished();
  }

  // --- SlotEvents -------------------------------------------------------------------------------

  ready(slot: WorkerSlot): void {
    this.#startFailures = 0;
    if (this.#state === 'terminated' || this.#state === 'broken') slot.kill();
    this.#afterChange();
  }

  initFailed(slot: WorkerSlot, error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    // A backend may refuse a worker before any initializer runs (a remote one that cannot reach its server).
    const what = this.#options.initializer
      ? `the pool's initializer failed in worker ${slot.workerId}`
      : `worker ${slot.workerId} could not start`;
    this.#breakWith(new this.#options.brokenError(`${what}: ${reason}`, { cause: error }));
  }

  finished(slot: WorkerSlot, job: Job, outcome: Outcome<unknown>): void {
    const sample = slot.lastServiceMs;
    this.#serviceMs =
      this.#serviceMs === undefined ? sample : this.#serviceMs + (sample - this.#serviceMs) / 8;
    this.#runTime.record(sample);
    this.#settle(job, outcome);
    const limit = this.#options.maxTasksPerChild;
    if (limit !== undefined && slot.tasksRun >= limit) slot.stop();
    this.#afterChange();
  }

  timedOut(_slot: WorkerSlot, job: Job): void {
    this.cancel(job, new TaskTimeoutError(`the task ran longer than its timeout of ${job.timeout} ms`));
  }

  exited(slot: WorkerSlot, exit: WorkerExit): void {
    this.#slots.delete(slot);
    this.#disarm(slot);
    const { workerId, handle } = slot;
    this.#emit('worker-exit', {
      workerId,
      pid: handle.pid,
      ident: handle.ident,
      exitCode: exit.exitCode,
      signal: exit.signal,
      expected: slot.state === 'stopping',
    });
    // A backend that ended the worker itself says why (a corrupt stream, say): the message names it.
    const how = exit.error ? `${describeExit(exit)} (${exit.error.message})` : describeExit(exit);
    // The worker ran its jobs in order: the first was running, the others never started. A worker
    // that died before its ready answer ran none.
    const unstarted = slot.jobs.splice(0);
    const running = slot.started ? unstarted.shift() : undefined;
    for (const job of unstarted) job.state = 'queued';
    this.#queue.pushFront(unstarted);
    if (this.#options.breakOnWorkerDeath && slot.state !== 'stopping') {
      const cause = new WorkerExitedError(`worker ${slot.workerId} (pid ${slot.handle.pid}) ${how}`, exit, {
        cause: exit.error,
      });
      const error = new this.#options.brokenError(`a worker died abruptly: ${cause.message}`, { cause });
      // Its own job fails like every other pending one; #breakWith no longer sees this slot.
      if (running) this.#settle(running, { ok: false, error });
      this.#breakWith(error);
    }
    if (running) {
      this.#settle(running, {
        ok: false,
        error: new WorkerExitedError(
          `worker ${slot.workerId} (pid ${slot.handle.pid}) ${how} while running a task`,
          exit,
          {
            cause: exit.error,
          },
        ),
      });
    }
    if (!slot.started && slot.state !== 'stopping') {
      this.#startFailures++;
      if (this.#startFailures >= Math.max(3, this.#options.processes)) {
        const cause = new WorkerExitedError(`worker ${slot.workerId} ${how} before it was ready`, exit, {
          cause: exit.error,
        });
        this.#breakWith(
          new this.#options.brokenError(
            `${this.#startFailures} workers in a row died while starting: ${cause.message}`,
            {
              cause,
            },
          ),
        );
      }
    }
    this.#afterChange();
  }

  /** What the pool is doing and has done, for `pool.stats()` (see PoolStats). */
  stats(): PoolStats {
    let busy = 0;
    let running = 0;
    for (const slot of this.#slots) {
      if (slot.jobs.length > 0) busy++;
      running += slot.jobs.length;
    }
    const total = this.#slots.size;
    const capacity = (performance.now() - this.#startedAt) * this.#options.processes;
    return {
      workers: { total, busy, idle: total - busy },
      tasks: {
        queued: this.#queue.size,
        running,
        completed: this.#completed,
        failed: this.#failed,
        cancelled: this.#cancelled,
      },
      runTime: this.#runTime.snapshot(),
      waitTime: this.#waitTime.snapshot(),
      utilization: capacity > 0 ? Math.min(1, this.#runTime.total / capacity) : 0,
    };
  }

  // --- internals --------------------------------------------------------------------------------

  /**
   * Settles `job` and counts it for stats(): completed with a value; failed when a worker had taken
   * it (or it could not be sent: `failed`); cancelled when it was dropped before any worker took it.
   */
  #settle(job: Job, outcome: Outcome<unknown>, failed = job.state === 'running'): void {
    if (job.state === 'done') return;
    if (outcome.ok) this.#completed++;
    else if (failed) {
      this.#failed++;
      this.#emit('task-error', outcome.error);
    } else this.#cancelled++;
    job.settle(outcome);
  }

  #refusal(): Error {
    return this.#brokenBy ?? new PoolNotRunningError(`the pool is ${this.#stateWord()}`);
  }

  #hasWork(): boolean {
    if (this.#queue.size > 0) return true;
    for (const slot of this.#slots) if (slot.jobs.length > 0) return true;
    return false;
  }

  #afterChange(): void {
    this.#ensureWorkers();
    this.#dispatch();
    if (this.#state === 'closing' && this.#queue.size === 0 && this.#openCalls === 0) {
      for (const slot of this.#slots) if (slot.state === 'ready' && slot.jobs.length === 0) slot.stop();
    }
    this.#scheduleRetirements();
    this.#checkFinished();
  }

  /**
   * Keeps enough live workers while there is (or may be) work: `processes` in a fixed pool; in one
   * that grows, one per busy worker and queued job, between minProcesses and processes.
   */
  #ensureWorkers(): void {
    const backend = this.#backend;
    if (!backend) return;
    const wanted = this.#state === 'running' || (this.#state === 'closing' && this.#queue.size > 0);
    if (!wanted) return;
    const { processes, minProcesses } = this.#options;
    let live = 0;
    let busy = 0;
    for (const slot of this.#slots) {
      if (slot.state === 'stopping') continue;
      live++;
      if (slot.jobs.length > 0) busy++;
    }
    const target = Math.min(processes, Math.max(minProcesses, busy + this.#queue.size));
    for (; live < target; live++) {
      if (!this.#startWorker(backend)) return;
    }
  }

  /**
   * In a pool that grows and shrinks, arms a timer for each idle worker beyond minProcesses (and
   * disarms it for a worker that took a job): when it fires, the worker is stopped if the pool still
   * has more than minProcesses workers.
   */
  #scheduleRetirements(): void {
    const { minProcesses, processes, idleTimeout } = this.#options;
    if (minProcesses === processes || idleTimeout === Number.POSITIVE_INFINITY) return;
    const surplus = this.#liveWorkers() > minProcesses;
    for (const slot of this.#slots) {
      const idle = surplus && this.#state === 'running' && slot.state === 'ready' && slot.jobs.length === 0;
      if (!idle) this.#disarm(slot);
      else if (!this.#idleTimers.has(slot)) {
        const timer = setTimeout(() => this.#retire(slot), idleTimeout);
        timer.unref();
        this.#idleTimers.set(slot, timer);
      }
    }
  }

  #retire(slot: WorkerSlot): void {
    this.#idleTimers.delete(slot);
    if (this.#state !== 'running' || slot.state !== 'ready' || slot.jobs.length > 0) return;
    if (this.#liveWorkers() > this.#options.minProcesses) slot.stop();
  }

  /** Workers not asked to stop. */
  #liveWorkers(): number {
    let live = 0;
    for (const slot of this.#slots) if (slot.state !== 'stopping') live++;
    return live;
  }

  #disarm(slot: WorkerSlot): void {
    const timer = this.#idleTimers.get(slot);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#idleTimers.delete(slot);
  }

  #startWorker(backend: Backend): boolean {
    const workerId = this.#nextWorkerId++;
    const options = this.#options;
    let slot: WorkerSlot;
    try {
      const handle = startWorker(backend, {
        env: options.env,
        execArgv: options.execArgv,
        executable: options.executable,
        resourceLimits: options.resourceLimits,
      });
      slot = new WorkerSlot(workerId, handle, this, backend.capabilities.transfer);
      this.#slots.add(slot);
      slot.init(
        {
          type: MESSAGE_TYPE.init,
          workerId,
          name: `PoolWorker-${workerId}`,
          ident: handle.ident,
          // Python's pool workers are daemonic processes too.
          daemon: true,
          parent: currentProcess(),
          initializer: options.initializer ?? null,
          initArgs: this.#initArgs.value,
          revive: this.#initArgs.revive,
          modules: options.modules,
          mainModule: options.mainModule,
        },
        options.initializer,
      );
    } catch (error) {
      this.#breakWith(
        new options.brokenError(`cannot start a worker: ${(error as Error).message}`, { cause: error }),
      );
      return false;
    }
    if (this.#referenced) slot.handle.ref();
    else slot.handle.unref();
    this.#emit('worker-start', { workerId, pid: slot.handle.pid, ident: slot.handle.ident });
    return true;
  }

  /** Hands queued jobs, in order, to the least busy workers that may take them. */
  #dispatch(): void {
    const limit = this.#options.maxTasksPerChild;
    for (let job = this.#queue.peek(); job; job = this.#queue.peek()) {
      const room = this.#room();
      const slot = this.#slotFor(job, room);
      if (!slot) break;
      // The worker is filled up to `room` in one message, with its share of the queue at most; an
      // exclusive job goes alone.
      let wanted = Math.min(room - slot.jobs.length, Math.ceil(this.#queue.size / this.#options.processes));
      const batch = [this.#queue.shift() as Job];
      if (limit !== undefined) wanted = Math.min(wanted, limit - slot.tasksSent);
      for (let next = this.#queue.peek(); next && batch.length < wanted; next = this.#queue.peek()) {
        if (job.exclusive || next.exclusive) break;
        batch.push(next);
        this.#queue.shift();
      }
      this.#send(slot, batch);
    }
    if (this.#queue.size > 0) this.#backlogged = true;
    else if (this.#backlogged) {
      this.#backlogged = false;
      this.#emit('drain');
    }
    this.#updateReferences();
  }

  /** Sends `jobs` in one message; when that fails, one by one, so only the unsendable ones fail. */
  #send(slot: WorkerSlot, jobs: Job[]): void {
    try {
      slot.run(jobs);
    } catch (error) {
      // A job that cannot be sent failed, though no worker took it.
      if (jobs.length === 1) this.#settle(jobs[0] as Job, { ok: false, error }, true);
      else for (const job of jobs) this.#send(slot, [job]);
      return;
    }
    const now = performance.now();
    for (const job of jobs) this.#waitTime.record(now - job.queuedAt);
  }

  /**
   * How many jobs a worker may hold. Jobs sent ahead cannot be cancelled or moved to a worker that
   * frees up first, so they are sent ahead only when the queue is deep enough that every worker will
   * stay busy anyway, and many only when they are known to be short.
   */
  #room(): number {
    if (this.#queue.size <= this.#options.processes * PREFETCH) return 1;
    return this.#shortRoom();
  }

  /** Jobs a worker may hold while the queue is deep: PREFETCH, more once the jobs are known short. */
  #shortRoom(): number {
    if (this.#serviceMs === undefined) return PREFETCH;
    return Math.min(MAX_HELD, Math.max(PREFETCH, Math.floor(HELD_WORK_MS / this.#serviceMs)));
  }

  /**
   * How many jobs a lazy reader of input (imap) should keep in flight: two per worker, or, once the
   * jobs are known to be short, enough for every worker to hold its fill and the queue to stay deep
   * enough for jobs to go many to a message. Short jobs are what make this many cheap to hold.
   */
  readAhead(): number {
    const { processes } = this.#options;
    const room = this.#shortRoom();
    return room <= PREFETCH ? processes * 2 : processes * (2 * room + 1);
  }

  #slotFor(job: Job, room: number): WorkerSlot | undefined {
    let best: WorkerSlot | undefined;
    for (const slot of this.#slots) {
      if (
        slot.canTake(job, this.#options.maxTasksPerChild, room) &&
        (!best || slot.jobs.length < best.jobs.length)
      ) {
        best = slot;
      }
    }
    return best;
  }

  /**
   * Workers keep the parent alive only while there is work or someone awaits their exit (join,
   * terminate), as Python's daemonic pool workers do.
   */
  #updateReferences(): void {
    const busy = this.#hasWork() || this.#whenFinished !== undefined;
    if (busy === this.#referenced) return;
    this.#referenced = busy;
    for (const slot of this.#slots) {
      if (busy) slot.handle.ref();
      else slot.handle.unref();
    }
  }

  #failAll(error: Error): void {
    this.#backlogged = false; // the queue is emptied by failing it, not drained
    for (const job of this.#queue.drain()) this.#settle(job, { ok: false, error });
    for (const slot of this.#slots) {
      for (const job of slot.jobs.splice(0)) this.#settle(job, { ok: false, error });
    }
  }

  #breakWith(error: Error): void {
    if (this.#state === 'broken' || this.#state === 'terminated') return;
    this.#state = 'broken';
    this.#brokenBy = error;
    this.#failAll(error);
    for (const slot of this.#slots) slot.kill();
    this.#checkFinished();
  }

  #finished(): Promise<void> {
    if (!this.#whenFinished) {
      let resolve!: () => void;
      const promise = new Promise<void>((settle) => {
        resolve = settle;
      });
      this.#whenFinished = { promise, resolve };
    }
    const finished = this.#whenFinished.promise;
    this.#updateReferences();
    this.#checkFinished();
    return finished;
  }

  #checkFinished(): void {
    if (!this.#whenFinished || this.#state === 'running' || this.#slots.size > 0) return;
    if (this.#state === 'closing' && (this.#queue.size > 0 || this.#openCalls > 0)) return;
    this.#whenFinished.resolve();
  }
}

/**
 * The parent's view of one worker: its handle, the jobs sent to it, which functions it already
 * knows, and the timer of an exclusive job. It turns the worker's messages into events for the
 * scheduler.
 *
 * A worker runs its jobs one at a time, in the order they were sent. While the queue is deep, a
 * worker holds jobs waiting behind the running one (the scheduler decides how many), so it never
 * sits idle for a round trip to the parent; it is refilled once half of them are done, with several
 * jobs in one message. An exclusive job (one with a timeout or an AbortSignal) is only sent to a
 * worker with nothing else to do, and nothing is sent behind it, so its timer and its stopping
 * concern it alone.
 */
import type { TransferListItem, WorkerExit, WorkerHandle } from '../backend.js';
import { type Caller, openCaller } from '../broker/caller.js';
import { SerializationError } from '../errors.js';
import {
  type ChildMessage,
  type InitMessage,
  isProtocolMessage,
  MESSAGE_TYPE,
  type RunMessage,
} from '../protocol/messages.js';
import type { Outcome } from '../results/async-result.js';
import { copyListToMove } from '../serialize/copy-to-move.js';
import { deserializeError } from '../serialize/error-codec.js';
import type { FunctionHandle } from '../serialize/function-handle.js';
import { type Items, incoming, incomingItems } from '../serialize/payload.js';
import { whyUnsendable } from '../serialize/unclonable-path.js';
import type { Job } from './job.js';

export type SlotState = 'starting' | 'ready' | 'stopping';

export interface SlotEvents {
  ready(slot: WorkerSlot): void;
  initFailed(slot: WorkerSlot, error: unknown): void;
  finished(slot: WorkerSlot, job: Job, outcome: Outcome<unknown>): void;
  timedOut(slot: WorkerSlot, job: Job): void;
  exited(slot: WorkerSlot, exit: WorkerExit): void;
}

export class WorkerSlot {
  readonly workerId: number;
  readonly handle: WorkerHandle;
  state: SlotState = 'starting';
  /** Jobs sent to the worker and not answered yet; the first is the one running. */
  readonly jobs: Job[] = [];
  /** Jobs sent, for maxTasksPerChild. */
  tasksSent = 0;
  tasksRun = 0;
  /** How long the last finished job held the worker, in ms (from its sending or the previous answer). */
  lastServiceMs = 0;
  /** Set once the worker answered its init message. */
  started = false;
  readonly #events: SlotEvents;
  readonly #knownFunctions = new Set<number>();
  /** Runs the worker's calls on Queues, Pipes and Manager objects (broker/). */
  readonly #caller: Caller;
  #timer: NodeJS.Timeout | undefined;
  /** When the running job got the worker: sent to an idle worker, or its predecessor answered. */
  #busySince = 0;

  /** The backend moves memory (threads): large buffers are copied once and moved, not cloned. */
  readonly #movesMemory: boolean;

  constructor(workerId: number, handle: WorkerHandle, events: SlotEvents, movesMemory: boolean) {
    this.workerId = workerId;
    this.handle = handle;
    this.#movesMemory = movesMemory;
    this.#events = events;
    this.#caller = openCaller(handle);
    handle.onMessage((message) => {
      if (isProtocolMessage(message)) this.#receive(message as ChildMessage);
    });
    handle.onExit((exit) => {
      this.#clearTimer();
      this.#caller.close(); // its waiting get()s must not take items it can no longer receive
      this.#events.exited(this, exit);
    });
  }

  /**
   * Sends the init message.
   * @throws SerializationError when the initializer's arguments cannot be sent.
   */
  init(message: InitMessage, initializer: FunctionHandle | undefined): void {
    try {
      this.handle.send(message, []);
    } catch (error) {
      throw new SerializationError('cannot send the initializer arguments to a worker', { cause: error });
    }
    if (initializer) this.#knownFunctions.add(initializer.id);
  }

  /**
   * Whether this worker may be sent `job` now, given `room`, the number of jobs it may hold: when it
   * is idle, or when `job` is plain and the worker holds at most half of `room` plain jobs. `limit` is
   * maxTasksPerChild. A starting worker takes plain jobs too, which wait behind its init message, so
   * the first result does not wait for a round trip of `ready`; an exclusive job waits for a ready
   * worker, as its timeout counts from its start.
   */
  canTake(job: Job, limit: number | undefined, room: number): boolean {
    if (this.state === 'stopping' || (limit !== undefined && this.tasksSent >= limit)) return false;
    const running = this.jobs[0];
    if (job.exclusive) return this.state === 'ready' && !running;
    if (!running) return true;
    return !running.exclusive && this.jobs.length * 2 <= room;
  }

  /**
   * Sends `jobs` to this worker in one message; it runs them in order after those it already has.
   * @throws SerializationError naming the path of the value that cannot be sent; nothing is sent.
   */
  run(jobs: readonly Job[]): void {
    // A function's definition goes with its first job only, also within one batch.
    const defined = new Set<number>();
    const transfer: TransferListItem[] = [];
    const runs = jobs.map((job) => this.#runMessage(job, defined, transfer));
    try {
      if (runs.length === 1) this.handle.send(runs[0] as RunMessage, transfer);
      else this.handle.send({ type: MESSAGE_TYPE.batch, runs }, transfer);
    } catch (error) {
      const path = jobs.length === 1 ? jobs[0]?.unclonablePath() : undefined;
      const reason = path ?? whyUnsendable(runs, 'the task', error);
      throw new SerializationError(`cannot send the task to a worker: ${reason}`, {
        cause: error,
      });
    }
    if (this.jobs.length === 0) this.#busySince = performance.now();
    for (const id of defined) this.#knownFunctions.add(id);
    for (const job of jobs) {
      this.jobs.push(job);
      job.state = 'running';
      if (job.timeout !== undefined) {
        this.#timer = setTimeout(() => this.#events.timedOut(this, job), job.timeout);
      }
    }
    this.tasksSent += jobs.length;
  }

  /** The message for `job`; what it moves is added to `transfer`. */
  #runMessage(job: Job, defined: Set<number>, transfer: TransferListItem[]): RunMessage {
    const { id } = job.fn;
    const known = this.#knownFunctions.has(id) || defined.has(id);
    defined.add(id);
    transfer.push(...job.transfer);
    // A copy per sending: a job sent again (its worker died) still has its own buffers.
    const payload =
      this.#movesMemory && Array.isArray(job.payload) ? copyListToMove(job.payload, transfer) : job.payload;
    const message = {
      type: MESSAGE_TYPE.run,
      taskId: job.id,
      fn: known ? { id } : job.fn,
      mode: job.mode,
      payload,
    };
    // Every key is written out per message, so false flags are left out.
    return job.revive ? { ...message, revive: true } : message;
  }

  /** Asks the worker to exit once idle (close, maxTasksPerChild). */
  stop(): void {
    if (this.state === 'stopping') return;
    this.state = 'stopping';
    try {
      this.handle.send({ type: MESSAGE_TYPE.stop }, []);
    } catch {
      this.handle.kill();
    }
  }

  /** Stops the worker now (abort, timeout, terminate, broken pool). */
  kill(): void {
    this.state = 'stopping';
    this.#clearTimer();
    this.handle.kill();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  #receive(message: ChildMessage): void {
    switch (message.type) {
      case MESSAGE_TYPE.ready:
        this.started = true;
        if (this.state === 'starting') this.state = 'ready';
        // Jobs sent while it started begin now, not when they were sent.
        this.#busySince = performance.now();
        this.#events.ready(this);
        return;
      case MESSAGE_TYPE.initFailed:
        this.started = true;
        this.#events.initFailed(this, deserializeError(message.error));
        return;
      case MESSAGE_TYPE.result: {
        // A shared object in the result that cannot be attached here fails that task, not the parent.
        let outcome: Outcome<unknown>;
        try {
          const list = this.jobs[0]?.mode !== 'call';
          const value = list
            ? incomingItems(message.value as Items, message.revive)
            : incoming(message.value, message.revive);
          outcome = { ok: true, value };
        } catch (error) {
          outcome = { ok: false, error };
        }
        this.#finish(message.taskId, outcome);
        return;
      }
      case MESSAGE_TYPE.call:
        this.#caller.receive(message);
        return;
      case MESSAGE_TYPE.error:
        this.#finish(message.taskId, { ok: false, error: deserializeError(message.error) });
        return;
      case MESSAGE_TYPE.release:
        return; // taken by the staging handle (serialize/byte-staging.ts)
    }
  }

  #finish(taskId: number, outcome: Outcome<unknown>): void {
    const job = this.jobs[0];
    if (!job || job.id !== taskId) return; // not a job of this worker's (cannot happen in order)
    this.#clearTimer();
    this.jobs.shift();
    this.tasksRun++;
    const now = performance.now();
    this.lastServiceMs = now - this.#busySince;
    this.#busySince = now;
    this.#events.finished(this, job, outcome);
  }
}

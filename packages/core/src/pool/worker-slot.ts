/**
 * The parent's view of one worker: its handle, the jobs sent to it, which functions it already
 * knows, and the timer of an exclusive job. It turns the worker's messages into events for the
 * scheduler.
 *
 * A worker runs its jobs one at a time, in the order they were sent. While the queue is deep, up to
 * PREFETCH jobs wait in the worker behind the running one, so it never sits idle for a round trip
 * to the parent. An exclusive job (one with a timeout or an AbortSignal) is only sent to a worker
 * with nothing else to do, and nothing is sent behind it, so its timer and its stopping concern it
 * alone.
 */
import type { WorkerExit, WorkerHandle } from '../backend.js';
import { type Caller, openCaller } from '../broker/caller.js';
import { SerializationError } from '../errors.js';
import {
  type ChildMessage,
  type InitMessage,
  isProtocolMessage,
  MESSAGE_TYPE,
} from '../protocol/messages.js';
import type { Outcome } from '../results/async-result.js';
import { deserializeError } from '../serialize/error-codec.js';
import type { FunctionHandle } from '../serialize/function-handle.js';
import { incoming } from '../serialize/payload.js';
import type { Job } from './job.js';

export type SlotState = 'starting' | 'ready' | 'stopping';

/** Jobs a worker may hold at once: the running one and those waiting behind it. */
export const PREFETCH = 4;

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
  /** Set once the worker answered its init message. */
  started = false;
  readonly #events: SlotEvents;
  readonly #knownFunctions = new Set<number>();
  /** Runs the worker's calls on Queues, Pipes and Manager objects (broker/). */
  readonly #caller: Caller;
  #timer: NodeJS.Timeout | undefined;

  constructor(workerId: number, handle: WorkerHandle, events: SlotEvents) {
    this.workerId = workerId;
    this.handle = handle;
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

  /** The `{ id, definition? }` to send: the definition only the first time this worker sees it. */
  functionRef(handle: FunctionHandle): { id: number; definition?: FunctionHandle['definition'] } {
    return this.#knownFunctions.has(handle.id) ? { id: handle.id } : handle;
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
   * Whether this worker may be sent `job` now: when it is idle, or, with `prefetch`, when it holds
   * fewer than PREFETCH plain jobs. `limit` is maxTasksPerChild.
   */
  canTake(job: Job, limit: number | undefined, prefetch: boolean): boolean {
    if (this.state !== 'ready' || (limit !== undefined && this.tasksSent >= limit)) return false;
    const running = this.jobs[0];
    if (!running) return true;
    return prefetch && !job.exclusive && !running.exclusive && this.jobs.length < PREFETCH;
  }

  /**
   * Sends `job` to this worker, which runs it after the jobs it already has.
   * @throws SerializationError naming the path of the value that cannot be sent; nothing is sent.
   */
  run(job: Job): void {
    const fn = this.functionRef(job.fn);
    try {
      this.handle.send(
        {
          type: MESSAGE_TYPE.run,
          taskId: job.id,
          fn,
          mode: job.mode,
          payload: job.payload,
          revive: job.revive,
        },
        job.transfer,
      );
    } catch (error) {
      const path = job.unclonablePath() ?? (error as Error).message;
      throw new SerializationError(`cannot send the task to a worker: ${path}`, { cause: error });
    }
    this.#knownFunctions.add(job.fn.id);
    this.jobs.push(job);
    this.tasksSent++;
    job.state = 'running';
    if (job.timeout !== undefined) {
      this.#timer = setTimeout(() => this.#events.timedOut(this, job), job.timeout);
    }
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
          outcome = { ok: true, value: incoming(message.value, message.revive) };
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
    }
  }

  #finish(taskId: number, outcome: Outcome<unknown>): void {
    const job = this.jobs[0];
    if (!job || job.id !== taskId) return; // not a job of this worker's (cannot happen in order)
    this.#clearTimer();
    this.jobs.shift();
    this.tasksRun++;
    this.#events.finished(this, job, outcome);
  }
}

/**
 * One seat of a pool on this backend: what core sees as a worker. Core's scheduler gives it runs as
 * it would a process; each run becomes a job that any worker host may take, and the results come
 * back in the order the runs were given (core expects a worker's answers in order, and jobs finish
 * on different hosts in any order). `processes` seats make the pool's cap on jobs in flight.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { serialize } from 'node:v8';
import {
  type ChildMessage,
  exportedFunction,
  type FunctionDefinition,
  type ParentMessage,
  serializeError,
  type WorkerExit,
  type WorkerHandle,
  type WorkerStartOptions,
} from '@mproc/core';
import type { Dispatcher } from './dispatcher.js';
import type { HostAnswer, HostJob, RunMessage, WorkerProfile } from './host-answer.js';
import { profileKey } from './queue-address.js';
import { joined, seal, unseal } from './sealed.js';
import { toTaskPath } from './task-path.js';

type InitMessage = Extract<ParentMessage, { type: 'mproc:init' }>;

/** What a seat needs of its backend. */
export interface SeatOwner {
  readonly root: string;
  readonly authkey: KeyObject;
  /** Send functions that no module exports as their source text (hosts must allow it too). */
  readonly allowSourceTasks: boolean;
  /** The shared dispatcher, opened by the first seat. */
  openDispatcher(): Promise<Dispatcher>;
  /** Called once per seat when it ends; the last one closes the dispatcher (resolves once closed). */
  seatEnded(): Promise<void>;
  /** Whether `seat` keeps the process alive, as core asks of a worker. */
  reference(seat: object, referenced: boolean): void;
}

/** A run this backend cannot carry: its task fails with `reason`, the seat goes on. */
class Refused extends Error {
  readonly reason: Error;
  constructor(reason: Error) {
    super(reason.message);
    this.reason = reason;
  }
}

/**
 * Fails at once, as a local worker's send does, when a run's payload cannot be serialized: core then
 * fails that call with a SerializationError naming the value's place, and nothing is sent. (The job
 * itself is sealed later, once its functions' module paths are known.)
 */
function checkSendable(runs: readonly RunMessage[]): void {
  for (const run of runs) serialize(run.payload);
}

/** The worker option of the pool that hosts cannot apply, if it has one. */
function unsupportedOption(options: WorkerStartOptions): string | undefined {
  return options.execArgv !== undefined && options.execArgv.length > 0 ? 'execArgv' : undefined;
}

export class JobSeat implements WorkerHandle {
  readonly pid = process.pid;
  readonly ident: number;
  readonly #owner: SeatOwner;
  #dispatcher: Promise<Dispatcher> | undefined;
  #onMessage: (message: unknown) => void = () => {};
  #onExit: (exit: WorkerExit) => void = () => {};
  #exited = false;
  #stopping = false;
  /** Definitions by core's function id, with the path hosts resolve (or why it cannot travel). */
  readonly #definitions = new Map<number, Promise<FunctionDefinition>>();
  /** Where exported functions are looked up: the `modules` option, then the main script. */
  #modules: string[] = [];
  /** Task ids in the order given, and the answers that came before their turn. */
  readonly #order: number[] = [];
  readonly #early = new Map<number, ChildMessage>();
  /** Set when a host's thread died in one of this seat's jobs: the run before which it ends. */
  #dying: { readonly lastBefore: number | undefined; readonly exit: WorkerExit } | undefined;
  /** Ids of this seat's jobs in flight: withdrawn when the seat ends before their answers. */
  readonly #jobs = new Set<string>();

  readonly #options: WorkerStartOptions;
  /** Why the pool's options cannot be honoured on worker hosts, if they cannot. */
  readonly #unsupported: string | undefined;
  /** The key of the pool's worker profile once kept in Redis; undefined for a plain pool. */
  #profile: Promise<string | undefined> = Promise.resolve(undefined);

  constructor(owner: SeatOwner, ident: number, options: WorkerStartOptions) {
    this.#owner = owner;
    this.ident = ident;
    this.#options = options;
    this.#unsupported = unsupportedOption(options);
  }

  send(message: ParentMessage): void {
    if (this.#exited) return;
    switch (message.type) {
      case 'mproc:init':
        serialize(message.initArgs); // as checkSendable: core names what cannot be sent
        this.#modules = [...message.modules, ...(message.mainModule ? [message.mainModule] : [])];
        this.#start(message);
        return;
      case 'mproc:run':
        checkSendable([message]);
        this.#run([message]);
        return;
      case 'mproc:batch':
        checkSendable(message.runs);
        this.#run(message.runs);
        return;
      case 'mproc:stop':
        this.#stopping = true;
        this.#exitWhenIdle();
        return;
      default:
        return; // broker replies and buffer releases: nothing of theirs crosses to hosts
    }
  }

  onMessage(listener: (message: unknown) => void): void {
    this.#onMessage = listener;
  }

  onExit(listener: (exit: WorkerExit) => void): void {
    this.#onExit = listener;
  }

  /** Its jobs in flight are withdrawn: hosts stop the threads that run them (see `#exit`). */
  terminate(): void {
    this.#exit({ exitCode: null, signal: 'SIGTERM' });
  }

  kill(): void {
    this.#exit({ exitCode: null, signal: 'SIGKILL' });
  }

  // A seat holds no handle of its own: the shared dispatcher's sockets keep the process alive while
  // any seat is referenced (core references its workers while the pool has work).
  ref(): void {
    this.#owner.reference(this, true);
  }

  unref(): void {
    this.#owner.reference(this, false);
  }

  #start(init: InitMessage): void {
    if (this.#unsupported) {
      const error = new TypeError(
        `Pool option ${this.#unsupported}: not supported on the 'bullmq' start method (worker hosts run threads, which take no Node options)`,
      );
      queueMicrotask(() => this.#onMessage({ type: 'mproc:init-failed', error: serializeError(error) }));
      return;
    }
    this.#dispatcher = this.#owner.openDispatcher();
    this.#profile = this.#keepProfile(this.#dispatcher, init);
    Promise.all([this.#dispatcher, this.#profile]).then(
      () => this.#exited || this.#onMessage({ type: 'mproc:ready' }),
      (error: Error) =>
        this.#exited ||
        this.#onMessage({
          type: 'mproc:init-failed',
          error: serializeError(error instanceof Refused ? error.reason : error),
        }),
    );
  }

  /**
   * Keeps the pool's profile in Redis, once per producer, where hosts fetch it by the key each job
   * carries: a large `initArgs` crosses once per host, not with every job.
   */
  async #keepProfile(dispatcher: Promise<Dispatcher>, init: InitMessage): Promise<string | undefined> {
    const [opened, profile] = await Promise.all([dispatcher, this.#profileOf(init)]);
    if (!profile) return undefined;
    await opened.keep(profileKey(opened.address, profile.key), joined(seal(profile, this.#owner.authkey)));
    return profile.key;
  }

  /** What shapes the hosts' threads for this pool; undefined for a plain pool. */
  async #profileOf(init: InitMessage): Promise<WorkerProfile | undefined> {
    const { env, resourceLimits } = this.#options;
    const sent = init.initializer?.definition;
    const initializer = sent && {
      definition: await this.#taskDefinition(sent),
      initArgs: init.initArgs,
      revive: init.revive,
    };
    if (!initializer && env === undefined && resourceLimits === undefined) return undefined;
    const shape = { initializer, env, resourceLimits };
    return { key: createHash('sha256').update(serialize(shape)).digest('hex'), ...shape };
  }

  /**
   * One job for the runs core sent together (it sends a worker several short runs in one message),
   * so many small tasks cost one trip through Redis, not one each. A run that cannot travel fails
   * alone; the others go.
   */
  #run(runs: readonly RunMessage[]): void {
    for (const run of runs) {
      this.#order.push(run.taskId);
      if (run.fn.definition) this.#definitions.set(run.fn.id, this.#taskDefinition(run.fn.definition));
    }
    const travelling = runs.map(async (run) => {
      const refused = this.#refusal(run);
      if (refused) throw refused;
      const module = await (this.#definitions.get(run.fn.id) as Promise<FunctionDefinition>);
      return { ...run, fn: { id: run.fn.id, definition: module } };
    });
    // Answers wait for the seat to be ready: core takes none from a worker that is still starting.
    Promise.all([this.#dispatcher as Promise<Dispatcher>, this.#profile, Promise.allSettled(travelling)])
      .then(([dispatcher, profile, outcomes]) => {
        const ready: RunMessage[] = [];
        outcomes.forEach((outcome, index) => {
          if (outcome.status === 'fulfilled') ready.push(outcome.value);
          else this.#refuse(runs[index] as RunMessage, outcome.reason);
        });
        if (ready.length === 0 || this.#exited) return undefined; // a seat that ended sends nothing more
        const job: HostJob = { runs: ready, profile };
        const { jobId, result } = dispatcher.submit(seal(job, this.#owner.authkey));
        this.#jobs.add(jobId);
        return result.then(
          (answer) => {
            this.#jobs.delete(jobId);
            return { runs: ready, result: answer };
          },
          (error: unknown) => {
            this.#jobs.delete(jobId);
            throw error;
          },
        );
      })
      .then(
        (sent) => {
          if (sent === undefined) return;
          const { answers, exit, initFailed } = unseal(sent.result, this.#owner.authkey) as HostAnswer;
          if (initFailed) {
            this.#onMessage({ type: 'mproc:init-failed', error: initFailed });
            return;
          }
          if (exit) this.#dieAfter(sent.runs, answers.length, exit);
          for (const answer of answers) this.#answer((answer as { taskId: number }).taskId, answer);
          this.#exitIfDying();
        },
        (error: Error) => this.#exit({ exitCode: null, signal: null, error }),
      );
  }

  /** A run that cannot travel: its task fails with the reason (a Process ends with it). */
  #refuse(run: RunMessage, error: unknown): void {
    if (!(error instanceof Refused)) throw error;
    if (run.exitAfter) this.#exit({ exitCode: 1, signal: null, error: error.reason });
    else
      this.#answer(run.taskId, {
        type: 'mproc:error',
        taskId: run.taskId,
        error: serializeError(error.reason),
      });
  }

  /** Why a run cannot travel to a host, or undefined when it can. */
  #refusal(run: RunMessage): Refused | undefined {
    if (run.exitAfter)
      return new Refused(new TypeError("Process: not supported on the 'bullmq' start method"));
    if (run.staged) {
      return new Refused(
        new TypeError("buffers in shared memory cannot travel to worker hosts on the 'bullmq' start method"),
      );
    }
    return undefined;
  }

  /**
   * The module path and export name hosts resolve. Core sends a function of `task()` by module URL,
   * and one exported by a module of the `modules` option or by the main script by name and source
   * text: that one is looked up here, as a local worker would, in those modules. Any other function
   * travels as source text only where the backend's `allowSourceTasks` says so.
   * @throws Refused when the function cannot travel by module.
   */
  async #taskDefinition(definition: FunctionDefinition): Promise<FunctionDefinition> {
    let url = definition.kind === 'module' ? definition.url : undefined;
    if (definition.kind === 'source' && definition.name)
      url = await this.#exportingModule(definition.name, definition.source);
    if (!url && this.#owner.allowSourceTasks) return definition;
    if (!url) {
      throw new Refused(
        new TypeError(
          `the task '${definition.name || 'anonymous'}' would be sent as source text, which the 'bullmq' start method refuses: export it from a module under the root and list that module in the modules option, or wrap it with task()`,
        ),
      );
    }
    try {
      return { kind: 'module', url: toTaskPath(url, this.#owner.root), name: definition.name };
    } catch (error) {
      throw new Refused(error as Error);
    }
  }

  async #exportingModule(name: string, source: string): Promise<string | undefined> {
    for (const url of this.#modules) {
      if (exportedFunction(await import(url), name, source)) return url;
    }
    return undefined;
  }

  /** Core's answers in the order of the runs. */
  #answer(taskId: number, message: ChildMessage): void {
    if (this.#exited) return;
    this.#early.set(taskId, message);
    while (this.#order.length > 0 && this.#early.has(this.#order[0] as number)) {
      const next = this.#order.shift() as number;
      const answer = this.#early.get(next) as ChildMessage;
      this.#early.delete(next);
      this.#onMessage(answer);
    }
    this.#exitIfDying();
    this.#exitWhenIdle();
  }

  /**
   * A host's thread died running `runs[answered]` (or after the last of `runs`): like a local worker,
   * the seat ends once every run given before that one is answered. Other jobs of the seat run on
   * other threads, and their answers may still be on their way.
   */
  #dieAfter(runs: readonly RunMessage[], answered: number, exit: WorkerExit): void {
    const dead = runs[answered];
    const stop = dead
      ? this.#order.indexOf(dead.taskId)
      : this.#order.indexOf((runs.at(-1) as RunMessage).taskId) + 1;
    this.#dying = { lastBefore: stop > 0 ? this.#order[stop - 1] : undefined, exit };
  }

  #exitIfDying(): void {
    const dying = this.#dying;
    if (dying && (dying.lastBefore === undefined || !this.#order.includes(dying.lastBefore)))
      this.#exit(dying.exit);
  }

  #exitWhenIdle(): void {
    if (this.#stopping && this.#order.length === 0) this.#exit({ exitCode: 0, signal: null });
  }

  #exit(exit: WorkerExit): void {
    if (this.#exited) return;
    this.#exited = true;
    // Core gives up the tasks of a worker that ended (a timeout or an abort kills it), so nothing
    // may go on running them on a host: a hung task would hold a host's thread for good.
    const inFlight = [...this.#jobs];
    this.#jobs.clear();
    // The last seat's exit waits for the Redis connections to close: once a pool has terminated,
    // nothing of it is left open.
    this.#owner.reference(this, false);
    const ended = this.#dispatcher
      ? this.#dispatcher
          .then(
            (dispatcher) => dispatcher.cancel(inFlight),
            () => {},
          )
          .then(() => this.#owner.seatEnded())
      : Promise.resolve();
    ended.then(() => this.#onExit(exit));
  }
}

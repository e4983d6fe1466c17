/**
 * A worker thread of a worker host, spoken to in core's own protocol: the host hands it runs exactly
 * as a producer's pool would, so a task runs, fails and answers there as on any local backend. The
 * host's event loop stays free for BullMQ's lock renewal while a task computes.
 */
import { backend as threads } from '@mproc/backend-threads';
import {
  type ChildMessage,
  currentProcess,
  type FunctionRef,
  isProtocolMessage,
  serializeError,
  type WorkerExit,
  type WorkerHandle,
  type WorkerResourceLimits,
} from '@mproc/core';
import type { HostAnswer, RunMessage } from './host-answer.js';

const REFUSED_CALL = serializeError(
  new TypeError("Queues, pipes and managers are not available to tasks on the 'bullmq' start method"),
);

/** How to start a thread: a pool's worker profile with this host's ids and file URLs. */
export interface LocalProfile {
  /** The profile's key: threads of equal keys are interchangeable. */
  readonly key: string;
  readonly initializer: FunctionRef | null;
  readonly initArgs: readonly unknown[];
  readonly revive: boolean;
  readonly env: Readonly<Record<string, string | undefined>> | undefined;
  readonly resourceLimits: WorkerResourceLimits | undefined;
}

export class LocalWorker {
  readonly #handle: WorkerHandle;
  readonly ready: Promise<void>;
  readonly key: string;
  /** Host function ids whose definition this worker has seen. */
  readonly known = new Set<number>();
  /** The job being run: how many answers it needs, those that came. */
  #running:
    | { readonly expected: number; readonly answers: ChildMessage[]; resolve(answer: HostAnswer): void }
    | undefined;
  #ended = false;
  /** How it failed to start: its initializer's error, or its exit. */
  #startFailure: Pick<HostAnswer, 'exit' | 'initFailed'> | undefined;

  constructor(index: number, profile: LocalProfile, onEnd: (worker: LocalWorker) => void) {
    this.key = profile.key;
    this.#handle = threads.startWorker({
      env: profile.env,
      execArgv: [],
      executable: undefined,
      resourceLimits: profile.resourceLimits,
    });
    this.ready = new Promise((resolve, reject) => {
      this.#handle.onMessage((message) => {
        if (!isProtocolMessage(message)) return;
        const answer = message as ChildMessage;
        if (answer.type === 'mproc:ready') resolve();
        else if (answer.type === 'mproc:init-failed') {
          this.#startFailure ??= { initFailed: answer.error };
          reject(new Error('the pool initializer failed'));
        } else if (answer.type === 'mproc:call') {
          this.#handle.send(
            { type: 'mproc:reply', callId: answer.callId, ok: false, error: REFUSED_CALL },
            [],
          );
        } else this.#settle(answer);
      });
      this.#handle.onExit((exit) => {
        this.#ended = true;
        this.#startFailure ??= { exit };
        reject(new Error(`a worker thread ended before it started (exit code ${exit.exitCode})`));
        this.#settle(exit);
        onEnd(this);
      });
    });
    this.ready.catch(() => {}); // the host learns of it by the run that waits for it
    if (profile.initializer) this.known.add(profile.initializer.id);
    this.#handle.send(
      {
        type: 'mproc:init',
        workerId: index,
        name: `HostWorker-${index}`,
        ident: this.#handle.ident,
        daemon: true,
        parent: currentProcess(),
        initializer: profile.initializer,
        initArgs: profile.initArgs,
        revive: profile.revive,
        modules: [],
        mainModule: null,
      },
      [],
    );
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** True once it can never run a task: it ended, or its initializer failed. */
  get unusable(): boolean {
    return this.#ended || this.#startFailure !== undefined;
  }

  /**
   * Runs `runs` in order (one message, as core sends a worker a batch); resolves with their answers,
   * or, if this worker died meanwhile, with the answers before and its exit, or, if it never
   * started, with why.
   */
  async run(runs: readonly RunMessage[]): Promise<HostAnswer> {
    try {
      await this.ready;
    } catch {
      return { answers: [], ...this.#startFailure };
    }
    return new Promise((resolve) => {
      this.#running = { expected: runs.length, answers: [], resolve };
      this.#handle.send(runs.length === 1 ? (runs[0] as RunMessage) : { type: 'mproc:batch', runs }, []);
    });
  }

  stop(): void {
    this.#handle.terminate();
  }

  #settle(answer: ChildMessage | WorkerExit): void {
    const running = this.#running;
    if (!running) return;
    if ('type' in answer) running.answers.push(answer);
    if ('type' in answer && running.answers.length < running.expected) return;
    this.#running = undefined;
    running.resolve(
      'type' in answer ? { answers: running.answers } : { answers: running.answers, exit: answer },
    );
  }
}

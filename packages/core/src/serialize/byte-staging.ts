/**
 * One side of a process channel that carries large buffers through shared memory (staged-bytes.ts):
 * what it sends has its large buffers replaced by descriptors, each lent under a loan number until
 * the receiver acknowledges it with an `mproc:release` message; what it receives has its descriptors
 * mapped back into buffers, and is acknowledged at once, before the message is handled.
 *
 * The same class serves both ends: the parent wraps each worker's handle (`withByteStaging`), a
 * worker wraps its channel to the parent (`stagingChildChannel`). Which buffers qualify is the rule
 * of copy-to-move.ts: a large one as the whole value, or in a list of nothing but buffers and
 * primitives, so no other object of the message can refer to it.
 *
 * Between threads, which move memory instead (copy-to-move.ts), only bytes that are staged already
 * cross this way: a Pipe's `sendBytes` in the main process writes its copy into a memfd (faster than
 * filling a fresh buffer), and a reading thread maps it instead of receiving a copy.
 */
import type { Backend, ChildChannel, WorkerExit, WorkerHandle } from '../backend.js';
import {
  type ChildMessage,
  isProtocolMessage,
  MESSAGE_TYPE,
  type ParentMessage,
  type ReleaseMessage,
  type RunMessage,
} from '../protocol/messages.js';
import {
  bufferTypeOf,
  canStage,
  isStagedDescriptor,
  openStaged,
  StagedBytes,
  type StagedDescriptor,
  stagedTypeOf,
} from './staged-bytes.js';

type Message = ParentMessage | ChildMessage;

/** Lists longer than this are looked into for buffers only when their first item is one. */
const LONG_LIST = 16;

/** A worker about to exit waits this long at most for the parent to take what it lent. */
const EXIT_WAIT_MS = 10_000;

export class ByteStaging {
  /** False between threads: only StagedBytes already made cross as descriptors. */
  readonly #stagesBuffers: boolean;
  /** What this side lent and the other side has not taken yet, by loan number. */
  readonly #loans = new Map<number, StagedBytes>();
  #nextLoan = 1;
  #idle: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(stagesBuffers: boolean) {
    this.#stagesBuffers = stagesBuffers;
  }

  /**
   * `message` with its large buffers staged, and the loans made for it (to release them when the
   * message cannot be sent after all). The same message when it has none.
   */
  stage<M extends Message>(message: M): { message: M; loans: number[] } {
    const loans: number[] = [];
    // Between threads nothing else is looked into: a map's chunk is not walked for buffers.
    if (!this.#stagesBuffers && !isStagedBytesReply(message)) return { message, loans };
    return { message: this.#stageMessage(message, loans), loans };
  }

  /**
   * `message` with its staged buffers mapped, and the loans to acknowledge.
   * @throws Error from the operating system when a buffer cannot be mapped (its sender is gone).
   */
  unstage<M extends Message>(message: M): { message: M; loans: number[] } {
    const loans: number[] = [];
    return { message: unstageMessage(message, loans), loans };
  }

  /**
   * Hands `message` to `write` with its large buffers staged; `lent` says whether any was.
   * @throws what `write` throws, after taking back what was lent for the message.
   */
  send<M extends Message, R>(message: M, write: (staged: M) => R): { written: R; lent: boolean } {
    const staged = this.stage(message);
    try {
      return { written: write(staged.message), lent: staged.loans.length > 0 };
    } catch (error) {
      this.release(staged.loans);
      throw error;
    }
  }

  /**
   * What arrived from the other side, ready to handle: undefined for a release, which is taken here;
   * a staged message with its buffers mapped, once its loans are acknowledged through `acknowledge`.
   * @throws Error from the operating system when a buffer cannot be mapped (its sender is gone).
   */
  receive(message: unknown, acknowledge: (release: ReleaseMessage) => void): unknown {
    if (!isProtocolMessage(message)) return message;
    if (message.type === MESSAGE_TYPE.release) {
      this.release(message.loans);
      return undefined;
    }
    if (!isStaged(message)) return message;
    const opened = this.unstage(message);
    acknowledge({ type: MESSAGE_TYPE.release, loans: opened.loans });
    return opened.message;
  }

  /** The other side has taken these loans: their memfds are closed here. */
  release(loans: readonly number[]): void {
    for (const loan of loans) {
      this.#loans.get(loan)?.release();
      this.#loans.delete(loan);
    }
    if (this.#loans.size === 0 && this.#idle) {
      this.#idle.resolve();
      this.#idle = undefined;
    }
  }

  /** The other side is gone: nothing lent will be taken. */
  releaseAll(): void {
    this.release([...this.#loans.keys()]);
  }

  /** Resolves once every loan was taken; undefined when none is out. */
  idle(): Promise<void> | undefined {
    if (this.#loans.size === 0) return undefined;
    if (!this.#idle) {
      let resolve!: () => void;
      const promise = new Promise<void>((done) => {
        resolve = done;
      });
      this.#idle = { promise, resolve };
    }
    return this.#idle.promise;
  }

  #lend(staged: StagedBytes, loans: number[]): StagedDescriptor {
    const loan = this.#nextLoan++;
    this.#loans.set(loan, staged);
    loans.push(loan);
    return staged.describe(loan);
  }

  #stageMessage<M extends Message>(message: M, loans: number[]): M {
    switch (message.type) {
      case MESSAGE_TYPE.run:
        return this.#stageRun(message, loans) as M;
      case MESSAGE_TYPE.batch: {
        const runs = message.runs.map((run) => this.#stageRun(run, loans));
        return (loans.length > 0 ? { ...message, runs } : message) as M;
      }
      case MESSAGE_TYPE.result: {
        const value = this.#stageValue(message.value, loans);
        return (value === message.value ? message : { ...message, value, staged: true }) as M;
      }
      case MESSAGE_TYPE.call: {
        const args = this.#stageValue(message.args, loans) as readonly unknown[];
        return (args === message.args ? message : { ...message, args, staged: true }) as M;
      }
      case MESSAGE_TYPE.reply: {
        if (!message.ok) return message;
        const value = this.#stageValue(message.value, loans);
        return (value === message.value ? message : { ...message, value, staged: true }) as M;
      }
      default:
        return message;
    }
  }

  #stageRun(run: RunMessage, loans: number[]): RunMessage {
    const payload = this.#stageValue(run.payload, loans) as RunMessage['payload'];
    return payload === run.payload ? run : { ...run, payload, staged: true };
  }

  /** The value with its buffers staged, or the same value when none qualifies. */
  #stageValue(value: unknown, loans: number[]): unknown {
    if (!Array.isArray(value)) return this.#stageOne(value, loans) ?? value;
    // A long list (a map's chunk) is looked into only when it starts with a buffer: walking thousands
    // of numbers for a buffer that is almost never there cost map 15 %. Not staging is always correct.
    if (
      value.length > LONG_LIST &&
      !(value[0] instanceof StagedBytes) &&
      bufferTypeOf(value[0]) === undefined
    ) {
      return value;
    }
    let any = false;
    for (const item of value) {
      // Primitives first, with nothing but typeof: a map's chunk is thousands of them.
      if (typeof item !== 'object' || item === null) {
        if (typeof item === 'function') return value;
        continue;
      }
      if (item instanceof StagedBytes || stagedTypeOf(item) !== undefined) any = true;
      // A small buffer stays in the message (it cannot refer to a staged one); any other object
      // could, so the list is sent as it is.
      else if (bufferTypeOf(item) === undefined) return value;
    }
    if (!any) return value;
    // The same buffer twice in the list crosses once and arrives as one object twice, as in a clone.
    const seen = new Map<unknown, StagedDescriptor | undefined>();
    let result: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const item: unknown = value[index];
      if (typeof item !== 'object' || item === null) continue;
      if (!seen.has(item)) seen.set(item, this.#stageOne(item, loans));
      const descriptor = seen.get(item);
      if (!descriptor) continue;
      result ??= value.slice();
      result[index] = descriptor;
    }
    return result ?? value;
  }

  #stageOne(value: unknown, loans: number[]): StagedDescriptor | undefined {
    // Bytes the broker already holds in a memfd (Connection.sendBytes) are handed on, not copied.
    if (value instanceof StagedBytes) return this.#lend(value, loans);
    const type = stagedTypeOf(value);
    if (type === undefined || !canStage()) return undefined;
    const staged = StagedBytes.copy(value as ArrayBuffer | ArrayBufferView, type);
    return staged && this.#lend(staged, loans);
  }
}

/** A reply handing on bytes staged already (a Pipe's `recvBytes`). */
function isStagedBytesReply(message: Message): boolean {
  return message.type === MESSAGE_TYPE.reply && message.ok && message.value instanceof StagedBytes;
}

function unstageMessage<M extends Message>(message: M, loans: number[]): M {
  switch (message.type) {
    case MESSAGE_TYPE.run:
      return unstageRun(message, loans) as M;
    case MESSAGE_TYPE.batch:
      return { ...message, runs: message.runs.map((run) => unstageRun(run, loans)) } as M;
    case MESSAGE_TYPE.result:
      if (!message.staged) return message;
      return { ...message, value: unstageValue(message.value, loans), staged: undefined } as M;
    case MESSAGE_TYPE.call:
      if (!message.staged) return message;
      return { ...message, args: unstageValue(message.args, loans), staged: undefined } as M;
    case MESSAGE_TYPE.reply:
      if (!message.ok || !message.staged) return message;
      return { ...message, value: unstageValue(message.value, loans), staged: undefined } as M;
    default:
      return message;
  }
}

function unstageRun(run: RunMessage, loans: number[]): RunMessage {
  if (!run.staged) return run;
  const payload = unstageValue(run.payload, loans) as RunMessage['payload'];
  return { ...run, payload, staged: undefined };
}

function unstageValue(value: unknown, loans: number[]): unknown {
  if (isStagedDescriptor(value)) {
    loans.push(value.loan);
    return openStaged(value);
  }
  if (!Array.isArray(value)) return value;
  const opened = new Map<StagedDescriptor, unknown>();
  return value.map((item: unknown) => {
    if (!isStagedDescriptor(item)) return item;
    if (!opened.has(item)) {
      loans.push(item.loan);
      opened.set(item, openStaged(item));
    }
    return opened.get(item);
  });
}

/** Whether a message may hold staged buffers: only those the sender flagged are looked into. */
function isStaged(message: Message): boolean {
  if (message.type === MESSAGE_TYPE.batch) return message.runs.some((run) => run.staged);
  return 'staged' in message && message.staged === true;
}

/**
 * The parent's side: `handle` with staging added; every buffer qualifies when the backend's workers
 * are processes of their own, only bytes staged already when they are threads. Received buffers are
 * mapped even when this process cannot stage (no addon): its worker may have one.
 */
export function withByteStaging(handle: WorkerHandle, backend: Backend): WorkerHandle {
  return new StagingWorkerHandle(handle, backend.capabilities.separateProcess);
}

/** Whether `channel` carries StagedBytes itself; elsewhere they are taken into buffers first. */
export function carriesStagedBytes(channel: unknown): boolean {
  return channel instanceof StagingWorkerHandle;
}

class StagingWorkerHandle implements WorkerHandle {
  readonly #inner: WorkerHandle;
  readonly #staging: ByteStaging;
  #listener: ((message: unknown) => void) | undefined;
  #exitListener: ((exit: WorkerExit) => void) | undefined;
  #exit: WorkerExit | undefined;
  /** Why the worker was stopped: a message of its could not be read. */
  #error: Error | undefined;

  constructor(inner: WorkerHandle, stagesBuffers: boolean) {
    this.#inner = inner;
    this.#staging = new ByteStaging(stagesBuffers);
    inner.onMessage((message) => this.#receive(message));
    inner.onExit((exit) => {
      this.#staging.releaseAll();
      this.#exit = this.#error && !exit.error ? { ...exit, error: this.#error } : exit;
      this.#exitListener?.(this.#exit);
    });
  }

  get pid(): number {
    return this.#inner.pid;
  }

  get ident(): number {
    return this.#inner.ident;
  }

  send(message: ParentMessage, transfer: Parameters<WorkerHandle['send']>[1]): void {
    this.#staging.send(message, (staged) => this.#inner.send(staged, transfer));
  }

  onMessage(listener: (message: unknown) => void): void {
    this.#listener = listener;
  }

  onExit(listener: (exit: WorkerExit) => void): void {
    this.#exitListener = listener;
    if (this.#exit) listener(this.#exit);
  }

  terminate(): void {
    this.#inner.terminate();
  }

  kill(): void {
    this.#inner.kill();
  }

  unref(): void {
    this.#inner.unref();
  }

  ref(): void {
    this.#inner.ref();
  }

  #receive(message: unknown): void {
    let handled: unknown;
    try {
      handled = this.#staging.receive(message, (release) => this.#inner.send(release, []));
    } catch (error) {
      // Its memfd is gone (the worker died after sending) or out of reach: the channel is broken.
      this.#error ??= new Error('a message from the worker could not be read', { cause: error });
      this.#inner.kill();
      return;
    }
    if (handled !== undefined) this.#listener?.(handled);
  }
}

/**
 * The worker's side: `channel` with staging added; a worker thread (`stagesBuffers` false) only
 * receives staged bytes, and moves its own buffers instead.
 */
export function stagingChildChannel(channel: ChildChannel, stagesBuffers: boolean): ChildChannel {
  const staging = new ByteStaging(stagesBuffers);
  return {
    send(message, transfer) {
      const { written, lent } = staging.send(message, (staged) => channel.send(staged, transfer));
      // Not written out until the parent has it: an exit before would take the memfd along.
      const taken = lent ? staging.idle() : undefined;
      return taken ? Promise.all([written, taken]).then(() => undefined) : written;
    },
    onMessage(listener) {
      channel.onMessage((message) => {
        let handled: unknown;
        try {
          handled = staging.receive(message, (release) => channel.send(release, []));
        } catch (error) {
          // The parent is gone or out of reach: this worker cannot go on.
          throw new Error('mproc: a message from the parent could not be read', { cause: error });
        }
        if (handled !== undefined) listener(handled);
      });
    },
    exit(code) {
      const taken = staging.idle();
      if (!taken) return channel.exit(code);
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, EXIT_WAIT_MS);
      });
      Promise.race([taken, bound]).then(() => {
        clearTimeout(timer);
        channel.exit(code);
      });
    },
  };
}

/**
 * The wire protocol between the parent and one worker. Every message is a plain object whose `type`
 * is one of MESSAGE_TYPE's values, so anything else on a shared channel (a user's own
 * `process.send`, cluster's internal traffic) is told apart and ignored.
 */
import type { ProcessInfo } from '../process-info.js';
import type { SerializedError } from '../serialize/error-codec.js';
import type { Items } from '../serialize/payload.js';

export const MESSAGE_TYPE = Object.freeze({
  init: 'mproc:init',
  run: 'mproc:run',
  batch: 'mproc:batch',
  stop: 'mproc:stop',
  ready: 'mproc:ready',
  initFailed: 'mproc:init-failed',
  result: 'mproc:result',
  error: 'mproc:error',
  call: 'mproc:call',
  reply: 'mproc:reply',
  release: 'mproc:release',
} as const);

/** How a worker finds a function: by module and export name, or by compiling its source text. */
export type FunctionDefinition =
  | {
      /** Found by reference. */
      readonly kind: 'module';
      /** The URL of the module that exports it. */
      readonly url: string;
      /** Its export name. */
      readonly name: string;
    }
  | {
      /** Compiled from its source text. */
      readonly kind: 'source';
      /** Its name, for messages. */
      readonly name: string;
      /** Its source text, as `Function.prototype.toString()` gives it. */
      readonly source: string;
    };

/** A function as sent: its id, with its definition the first time a worker sees that id. */
export interface FunctionRef {
  /** The parent's number for this function, stable for the pool's life. */
  readonly id: number;
  /** Left out once the worker has seen this id. */
  readonly definition?: FunctionDefinition;
}

/**
 * How a worker applies the function to the payload: `call` → `fn(...payload)`;
 * `map` → `payload.map(item => fn(item))`; `starmap` → `payload.map(args => fn(...args))`.
 */
export type RunMode = 'call' | 'map' | 'starmap';

export interface InitMessage {
  readonly type: typeof MESSAGE_TYPE.init;
  readonly workerId: number;
  /** The worker's name, as `currentProcess().name` reports it. */
  readonly name: string;
  /** The worker's ident as the parent knows it (the threadId on threads). */
  readonly ident: number;
  /** Whether the worker is daemonic, as `currentProcess().daemon` reports it (pool workers are). */
  readonly daemon: boolean;
  /** The parent's `currentProcess()`, which `parentProcess()` reports in the worker. */
  readonly parent: ProcessInfo;
  readonly initializer: FunctionRef | null;
  readonly initArgs: readonly unknown[];
  /** True when initArgs hold reduced objects to rebuild. */
  readonly revive: boolean;
  /** Module URLs whose exports the worker looks up functions in (the `modules` option). */
  readonly modules: readonly string[];
  /** URL of the script the user ran, or null when there is none worth importing. */
  readonly mainModule: string | null;
}

export interface RunMessage {
  readonly type: typeof MESSAGE_TYPE.run;
  readonly taskId: number;
  readonly fn: FunctionRef;
  readonly mode: RunMode;
  /** The arguments or the chunk's items; a long list of numbers may come packed (`Items`). */
  readonly payload: Items;
  /** True when the payload holds reduced objects to rebuild; left out when false (most runs). */
  readonly revive?: boolean;
  /** True when large buffers of the payload crossed through shared memory (serialize/byte-staging.ts). */
  readonly staged?: true;
  /**
   * A Process target: no answer is sent; the worker exits once the function is done, with 0 when it
   * returned and 1 when it threw (its stack printed to the worker's stderr first).
   */
  readonly exitAfter?: boolean;
}

/** Several runs in one message, for the worker to run in order: one write instead of many. */
export interface BatchMessage {
  readonly type: typeof MESSAGE_TYPE.batch;
  readonly runs: readonly RunMessage[];
}

export interface StopMessage {
  readonly type: typeof MESSAGE_TYPE.stop;
}

export interface ReadyMessage {
  readonly type: typeof MESSAGE_TYPE.ready;
}

export interface InitFailedMessage {
  readonly type: typeof MESSAGE_TYPE.initFailed;
  readonly error: SerializedError;
}

export interface ResultMessage {
  readonly type: typeof MESSAGE_TYPE.result;
  readonly taskId: number;
  /** For `map`/`starmap` runs, the list of results (`Items`: it may come packed). */
  readonly value: unknown;
  /** True when the value holds reduced objects to rebuild; left out when false (most results). */
  readonly revive?: boolean;
  /** As RunMessage.staged. */
  readonly staged?: true;
}

export interface ErrorMessage {
  readonly type: typeof MESSAGE_TYPE.error;
  readonly taskId: number;
  readonly error: SerializedError;
}

/**
 * A worker calls a Queue, Pipe end or Manager object, which lives in the main process (see
 * `broker/`). A worker's own children's calls are forwarded up the same way.
 */
export interface CallMessage {
  readonly type: typeof MESSAGE_TYPE.call;
  /** Unique per channel; the reply carries it back. */
  readonly callId: number;
  /** The object's id; '' addresses the broker itself (create, cancel). */
  readonly objectId: string;
  readonly method: string;
  readonly args: readonly unknown[];
  /** True when the args hold reduced objects to rebuild. */
  readonly revive: boolean;
  /** The handle that calls, so its `close()` can cancel its waiting calls. */
  readonly token?: string;
  /** As RunMessage.staged. */
  readonly staged?: true;
}

/** The answer to one CallMessage, on the channel the call came by. */
export type ReplyMessage =
  | {
      /** `mproc:reply`. */
      readonly type: typeof MESSAGE_TYPE.reply;
      /** The CallMessage's callId. */
      readonly callId: number;
      /** The call returned. */
      readonly ok: true;
      /** What it returned. */
      readonly value: unknown;
      /** True when the value holds reduced objects to rebuild. */
      readonly revive: boolean;
      /** As RunMessage.staged. */
      readonly staged?: true;
    }
  | {
      /** `mproc:reply`. */
      readonly type: typeof MESSAGE_TYPE.reply;
      /** The CallMessage's callId. */
      readonly callId: number;
      /** The call threw. */
      readonly ok: false;
      /** What it threw. */
      readonly error: SerializedError;
    };

/**
 * Either way on a process channel: the receiver has mapped the staged buffers of these crossings
 * (`StagedDescriptor.loan`), so the sender may close its descriptors of them.
 */
export interface ReleaseMessage {
  readonly type: typeof MESSAGE_TYPE.release;
  readonly loans: readonly number[];
}

/** Every message the parent sends a worker. */
export type ParentMessage =
  | InitMessage
  | RunMessage
  | BatchMessage
  | StopMessage
  | ReplyMessage
  | ReleaseMessage;
/** Every message a worker sends the parent. */
export type ChildMessage =
  | ReadyMessage
  | InitFailedMessage
  | ResultMessage
  | ErrorMessage
  | CallMessage
  | ReleaseMessage;

const TYPES: ReadonlySet<unknown> = new Set(Object.values(MESSAGE_TYPE));

/** True for messages of this protocol; false for anything else sharing the channel. */
export function isProtocolMessage(value: unknown): value is ParentMessage | ChildMessage {
  return typeof value === 'object' && value !== null && TYPES.has((value as { type?: unknown }).type);
}

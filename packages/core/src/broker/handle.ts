/**
 * The base of every handle on a broker object (Queue, SimpleQueue, JoinableQueue, Connection, the
 * Manager and its proxies). A handle is only an id: in the main process its calls run on the object
 * directly, in a worker they travel to the main process. Sent to a worker inside any payload, a handle
 * crosses as `{ id, kind, ... }` (a reducer) and is rebuilt there as a handle on the same object.
 */
import type { CallOptions } from '../child/parent-link.js';
import { MprocTypeError } from '../errors.js';
import { isMainProcess } from '../process-info.js';
import { activateReducers, registerReducer } from '../serialize/reducers.js';
import { invoke } from './invoke.js';

/** What a handle crosses as: its object's id, its kind, and what its kind adds (e.g. a pipe's end). */
export interface HandleDescriptor {
  readonly id: string;
  readonly kind: string;
  readonly [field: string]: unknown;
}

type Reviver = (descriptor: HandleDescriptor) => BrokerHandle;

const revivers = new Map<string, Reviver>();

/** Registers how handles of `kind` are rebuilt from their descriptor. */
export function registerHandleKind(kind: string, revive: Reviver): void {
  revivers.set(kind, revive);
}

/**
 * Ids are unique across processes: the main process numbers its objects, a worker prefixes its own
 * numbers with a random tag (it creates objects without waiting for the main process).
 */
let processTag: string | undefined;
let counter = 0;

export function newId(): string {
  processTag ??= isMainProcess() ? 'm' : crypto.randomUUID();
  return `${processTag}.${++counter}`;
}

/**
 * How the next handle built with a public constructor (`new Queue()`) comes to be: attached to an
 * existing object (when it is rebuilt from a descriptor), or created under a Manager. Public
 * constructors keep their Python signatures; this carries what they cannot take.
 */
export interface Origin {
  readonly attachTo?: string;
  /** The descriptor the handle is rebuilt from, for what its kind adds (a queue's ring). */
  readonly descriptor?: HandleDescriptor;
  readonly managerId?: string;
}

let nextOrigin: Origin | undefined;

/** Builds a handle with its public constructor under `origin`. */
export function buildWith<H extends BrokerHandle>(origin: Origin, make: () => H): H {
  nextOrigin = origin;
  try {
    return make();
  } finally {
    nextOrigin = undefined;
  }
}

/** The origin of the handle being built (taken once): empty for a plain `new Queue()`. */
export function takeOrigin(): Origin {
  const origin = nextOrigin ?? {};
  nextOrigin = undefined;
  return origin;
}

export abstract class BrokerHandle {
  static {
    registerReducer<BrokerHandle>({
      tag: 'mproc.broker',
      type: BrokerHandle,
      reduce: (handle) => handle.#describe(),
      revive: (data) => {
        const descriptor = data as HandleDescriptor;
        const revive = revivers.get(descriptor.kind);
        if (!revive) throw new MprocTypeError(`cannot rebuild a '${descriptor.kind}' handle here`);
        return revive(descriptor);
      },
    });
  }

  readonly #id: string;
  readonly #kind: string;
  #token: string | undefined;

  /** @internal Handles are made by their classes' constructors and factories. */
  constructor(id: string, kind: string) {
    this.#id = id;
    this.#kind = kind;
    // From now on, payloads are searched for handles to send by descriptor.
    activateReducers();
  }

  /** The id of the object in the main process (the same in every process). */
  protected get objectId(): string {
    return this.#id;
  }

  /** A value unique to this handle, so its `close()` can withdraw only its own waiting calls. */
  protected get token(): string {
    this.#token ??= newId();
    return this.#token;
  }

  /** Calls `method` of the object; see `invoke`. */
  protected invoke(method: string, args: readonly unknown[] = [], options?: CallOptions): Promise<unknown> {
    return invoke(this.#id, method, args, options);
  }

  /** What this kind of handle adds to its descriptor. */
  protected describeMore(): Record<string, unknown> {
    return {};
  }

  /** Called when the handle is sent to another process. */
  protected sent(): void {}

  #describe(): HandleDescriptor {
    this.sent();
    return { ...this.describeMore(), id: this.#id, kind: this.#kind };
  }
}

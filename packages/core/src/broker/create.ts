/**
 * Makes broker objects, in the main process, from the kind and options a handle sends. A handle made
 * in a worker picks its own id and asks the main process to create the object under it, so the handle
 * is usable at once and every object still has one home.
 */
import type { Call } from './call.js';
import { DictCore } from './dict-core.js';
import { EventCore } from './event-core.js';
import { ListCore } from './list-core.js';
import { LockCore } from './lock-core.js';
import { ManagerCore } from './manager-core.js';
import { NamespaceCore } from './namespace-core.js';
import { PipeCore } from './pipe-core.js';
import { QueueCore } from './queue-core.js';
import { addObject, type BrokerObject, lookup, retire } from './registry.js';
import { ValueCore } from './value-core.js';

export type ObjectKind =
  | 'queue'
  | 'simple-queue'
  | 'joinable-queue'
  | 'pipe'
  | 'manager'
  | 'list'
  | 'dict'
  | 'namespace'
  | 'value'
  | 'lock'
  | 'event';

/** What a handle sends to create its object; only the fields of its kind are set. */
export interface CreateOptions {
  readonly maxsize?: number;
  readonly duplex?: boolean;
  /** Initial contents of a list or dict, or a Value's value. */
  readonly initial?: unknown;
}

function make(kind: ObjectKind, options: CreateOptions, call: Call): BrokerObject {
  switch (kind) {
    case 'queue':
    case 'simple-queue':
    case 'joinable-queue':
      return new QueueCore(kind, options.maxsize ?? 0);
    case 'pipe':
      return new PipeCore(options.duplex ?? true);
    case 'manager':
      return new ManagerCore();
    case 'list':
      return new ListCore(
        options.initial === undefined ? [] : [...(call.adopt(options.initial) as unknown[])],
      );
    case 'dict':
      return new DictCore(call.adopt(options.initial));
    case 'namespace':
      return new NamespaceCore();
    case 'value':
      return new ValueCore(call.adopt(options.initial));
    case 'lock':
      return new LockCore();
    case 'event':
      return new EventCore();
  }
}

/**
 * Creates the object `id` of `kind`, owned by the manager `managerId` when given.
 * @throws InvalidStateError when that manager was shut down (the id is retired with the same reason,
 *   so the handle's later calls fail alike); SerializationError when initial contents cannot be sent.
 */
export function createObject(
  kind: ObjectKind,
  id: string,
  options: CreateOptions,
  managerId: string | undefined,
  call: Call,
): void {
  const object = make(kind, options, call);
  if (managerId !== undefined) {
    try {
      (lookup(managerId) as ManagerCore).own(id);
    } catch (error) {
      retire(id, (error as Error).message);
      throw error;
    }
  }
  addObject(id, object);
}

/**
 * How a handle reaches its object: directly in the main process, where every broker object lives;
 * over the parent link in a worker; through its server's ring for the objects of a Manager.
 */
import { BROKER_ID, type CallOptions, parentLink } from '../child/parent-link.js';
import { InvalidStateError } from '../errors.js';
import { isMainProcess } from '../process-info.js';
import { StagedBytes } from '../serialize/staged-bytes.js';
import { takeTransfer, takeTransfers } from '../serialize/transfer.js';
import { Call } from './call.js';
import { type CreateOptions, createObject, type ObjectKind } from './create.js';
import { lookup, retire } from './registry.js';
import { isServedId } from './served-id.js';

/** Sends a call to the server holding `servedId`'s object (set by manager/server/server-link.ts). */
export type ServedCall = (
  servedId: string,
  objectId: string,
  method: string,
  args: readonly unknown[],
  options: CallOptions,
) => Promise<unknown>;

let servedCall: ServedCall | undefined;

/** Calls of a Manager's objects go to its server through `route` (the server's module sets it). */
export function routeServedCalls(route: ServedCall): void {
  servedCall = route;
}

/** Runs a call in this (the main) process. @throws what the method throws, synchronously. */
export function dispatch(objectId: string, method: string, args: readonly unknown[], call: Call): unknown {
  if (objectId === BROKER_ID && method === 'create') {
    const [kind, id, options, managerId] = args as [ObjectKind, string, CreateOptions, string | undefined];
    createObject(kind, id, options, managerId, call);
    return undefined;
  }
  const object = lookup(objectId);
  const result = object.invoke(method, args, call);
  if (object.finished) retire(objectId, 'the pipe is closed at both ends');
  return result;
}

/** Whether a call only changes state (see BrokerObject.isWrite). */
export function isWriteCall(objectId: string, method: string): boolean {
  if (objectId === BROKER_ID) return method === 'create';
  try {
    return lookup(objectId).isWrite(method);
  } catch {
    return false;
  }
}

/**
 * A value as the main process's caller gets it: bytes marked for transfer are just bytes here, and
 * bytes staged in a memfd are mapped.
 */
function unwrap(value: unknown): unknown {
  return value instanceof StagedBytes ? value.take() : takeTransfer(value).value;
}

function noWorkerLink(): InvalidStateError {
  return new InvalidStateError(
    'this Queue, Pipe end or Manager proxy is used outside the main process and outside an mproc worker',
  );
}

/** Calls `method` of the object `objectId` wherever this process is. */
export function invoke(
  objectId: string,
  method: string,
  args: readonly unknown[],
  options: CallOptions = {},
): Promise<unknown> {
  if (servedCall && isServedId(objectId)) return servedCall(objectId, objectId, method, args, options);
  if (!isMainProcess()) {
    const link = parentLink();
    return link ? link.call(objectId, method, args, options) : Promise.reject(noWorkerLink());
  }
  try {
    // transfer() markers mean nothing within one process: the values are used as they are.
    const values = takeTransfers(args).values;
    const result = dispatch(objectId, method, values, new Call(true, options.token));
    return result instanceof Promise ? result.then(unwrap) : Promise.resolve(unwrap(result));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Creates the object `id`. In the main process at once; in a worker by a call the main process runs
 * before any later call of this worker (the channel keeps their order), so the handle is usable now.
 * @throws InvalidStateError in the main process when the manager `managerId` was shut down;
 *   SerializationError when the initial contents cannot be sent. In a worker such a failure shows
 *   at the handle's first call.
 */
export function create(kind: ObjectKind, id: string, options: CreateOptions, managerId?: string): void {
  if (servedCall && isServedId(id)) {
    const sent = servedCall(id, BROKER_ID, 'create', [kind, id, options, managerId], { write: true });
    sent.catch(() => {
      // The server retired the id with the reason: the handle's next call reports it.
    });
    return;
  }
  if (isMainProcess()) {
    createObject(kind, id, options, managerId, new Call(true, undefined));
    return;
  }
  const link = parentLink();
  if (!link) throw noWorkerLink();
  link.call(BROKER_ID, 'create', [kind, id, options, managerId], { write: true }).catch(() => {
    // The main process retired the id with the reason: the handle's next call reports it.
  });
}

/**
 * Every kind of object that crosses to a worker by descriptor: queue, pipe and manager handles, and
 * the shared Values, Arrays and locks. A process must know each kind before it receives one, even a
 * kind it never made itself, so the entries (`index.ts`, `child/index.ts`) register them all when
 * they load. The list lives here, at the composition root, because only the root may import every
 * object: the objects themselves sit below serialization and must not import each other's lists.
 */
import { DictProxy } from './manager/dict-proxy.js';
import { ListProxy } from './manager/list-proxy.js';
import { SyncManager } from './manager/manager.js';
import { AcquirerProxy, EventProxy, NamespaceProxy, ValueProxy } from './manager/proxies.js';
import { Connection } from './pipe/connection.js';
import { JoinableQueue } from './queues/joinable-queue.js';
import { Queue } from './queues/queue.js';
import { SimpleQueue } from './queues/simple-queue.js';
import { registerReducer } from './serialize/reducers.js';
import { arrayReducer } from './shared/shared-array.js';
import { valueReducer } from './shared/value.js';
import { barrierReducer } from './sync/barrier.js';
import { conditionReducer } from './sync/condition.js';
import { eventReducer } from './sync/event.js';
import { lockReducer } from './sync/lock.js';
import { rlockReducer } from './sync/rlock.js';
import { semaphoreReducer } from './sync/semaphore.js';

/** Handle classes register their kind in a static block, when their module is evaluated. */
const HANDLE_KINDS = [
  Queue,
  SimpleQueue,
  JoinableQueue,
  Connection,
  SyncManager,
  ListProxy,
  DictProxy,
  NamespaceProxy,
  ValueProxy,
  AcquirerProxy,
  EventProxy,
];

const SHARED_REDUCERS = [
  lockReducer,
  rlockReducer,
  valueReducer,
  arrayReducer,
  semaphoreReducer,
  eventReducer,
  conditionReducer,
  barrierReducer,
];

let registered = false;

/** Registers every kind once; returns how many there are. */
export function registerEveryKind(): number {
  if (!registered) {
    registered = true;
    for (const reducer of SHARED_REDUCERS) registerReducer(reducer as Parameters<typeof registerReducer>[0]);
  }
  return HANDLE_KINDS.length + SHARED_REDUCERS.length;
}

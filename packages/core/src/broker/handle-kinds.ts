/**
 * Every kind of handle, loaded together: a process that may receive handles from another one (the
 * worker loop, the parent side of a worker's channel) calls `ensureHandleKinds()` so each kind can be
 * rebuilt even when this process never made one itself. Each class registers its kind in a static
 * block, when its module is loaded.
 */
import { DictProxy } from '../manager/dict-proxy.js';
import { ListProxy } from '../manager/list-proxy.js';
import { SyncManager } from '../manager/manager.js';
import { AcquirerProxy, EventProxy, NamespaceProxy, ValueProxy } from '../manager/proxies.js';
import { Connection } from '../pipe/connection.js';
import { JoinableQueue } from '../queues/joinable-queue.js';
import { Queue } from '../queues/queue.js';
import { SimpleQueue } from '../queues/simple-queue.js';

const KINDS = [
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

/** Makes sure every kind of handle is registered (their modules are loaded). */
export function ensureHandleKinds(): number {
  return KINDS.length;
}

import type { MessagePort as WorkerMessagePort } from 'node:worker_threads';

/**
 * What may be moved to a worker thread instead of copied: ArrayBuffers (and the MessagePorts Node
 * allows). Declared here rather than taken from `node:worker_threads`, whose typings no longer
 * export `TransferListItem` in current `@types/node`.
 */
export type TransferListItem = ArrayBuffer | WorkerMessagePort;

/**
 * @mproc/core — Python's `multiprocessing` for Node.js. Everything here uses the default start
 * method unless a Context from `getContext()` is used instead.
 *
 * @module @mproc/core
 */
import { availableParallelism } from 'node:os';
import { registerEveryKind } from './kinds.js';

export type {
  Backend,
  BackendCapabilities,
  ChildChannel,
  ContextLike,
  WorkerExit,
  WorkerHandle,
  WorkerResourceLimits,
  WorkerStartOptions,
} from './backend.js';
export { BACKEND_API_VERSION } from './backend.js';
export { ChildProcessWorker, IpcChildWorker } from './backend-kit/child-process-worker.js';
export { registerBackend } from './backend-registry.js';
/** For backends: a function of a module's exports, matched by name and source text. */
export { exportedFunction } from './child/function-resolver.js';
export { Context, getContext } from './context.js';
export {
  AbortError,
  BackendUnavailableError,
  BootstrapError,
  BrokenBarrierError,
  BrokenPoolError,
  BrokenProcessPool,
  CancelledError,
  ContextAlreadySetError,
  Empty,
  EOFError,
  Full,
  InvalidStateError,
  MprocError,
  PoolNotRunningError,
  QueueClosedError,
  QueueFullError,
  SerializationError,
  TaskTimeoutError,
  TimeoutError,
  WorkerExitedError,
} from './errors.js';
export { Future } from './executor/future.js';
export {
  type ExecutorMapOptions,
  type ExecutorSubmitOptions,
  ProcessPoolExecutor,
  type ProcessPoolExecutorOptions,
  type ShutdownOptions,
} from './executor/process-pool-executor.js';
export {
  ALL_COMPLETED,
  asCompleted,
  type DoneAndNotDone,
  FIRST_COMPLETED,
  FIRST_EXCEPTION,
  type ReturnWhen,
  type WaitOptions,
  wait,
} from './executor/wait.js';
export { type DictKey, DictProxy } from './manager/dict-proxy.js';
export { ListProxy } from './manager/list-proxy.js';
export { Manager, SyncManager } from './manager/manager.js';
export { AcquirerProxy, EventProxy, NamespaceProxy, ValueProxy } from './manager/proxies.js';
export { Connection, Pipe } from './pipe/connection.js';
export {
  type MapOptions,
  type MapProgress,
  Pool,
  type PoolOptions,
  type ProgressListener,
  type SubmitOptions,
} from './pool/pool.js';
export type { PoolEvents, WorkerExitInfo, WorkerInfo } from './pool/pool-events.js';
export type { PoolStats, TimeSummary } from './pool/pool-stats.js';
export { activeChildren, Process, type ProcessOptions } from './process/process.js';
export { currentProcess, isMainProcess, type ProcessInfo, parentProcess } from './process-info.js';
export type {
  ChildMessage,
  FunctionDefinition,
  FunctionRef,
  ParentMessage,
} from './protocol/messages.js';
/** For backends: whether a value read from a worker's channel is a message of mproc's protocol. */
export { isProtocolMessage } from './protocol/messages.js';
export { JoinableQueue } from './queues/joinable-queue.js';
export { type BlockOptions, Queue } from './queues/queue.js';
export { SimpleQueue } from './queues/simple-queue.js';
export { AsyncResult, type ResultCallbacks } from './results/async-result.js';
/** For backends: an error as a worker's messages carry it (core rebuilds it, class and all). */
export { serializeError } from './serialize/error-codec.js';
export { task } from './serialize/task-registry.js';
export { transfer } from './serialize/transfer.js';
export {
  type ArrayOptions,
  SharedArray as Array,
  SharedArray,
  type SharedArrayConstructor,
} from './shared/shared-array.js';
export type { SyncLock } from './shared/synchronized.js';
export type {
  BigIntTypecode,
  NumberTypecode,
  Typecode,
  TypecodeFor,
  TypecodeValue,
} from './shared/typecodes.js';
export { Value, type ValueConstructor, type ValueOptions } from './shared/value.js';
export {
  getAllStartMethods,
  getStartMethod,
  type StartMethod,
  type StartMethods,
  setStartMethod,
} from './start-method.js';
export type { AcquireOptions } from './sync/acquire-options.js';
export { Barrier } from './sync/barrier.js';
export { Condition, type ConditionLock } from './sync/condition.js';
export { Event, Event as SharedEvent } from './sync/event.js';
export { Lock } from './sync/lock.js';
export { RLock } from './sync/rlock.js';
export { BoundedSemaphore, Semaphore } from './sync/semaphore.js';

// Every kind of object a worker may send this process, known before the first message (kinds.ts).
registerEveryKind();

/** The number of CPUs this process may use (`os.availableParallelism()`), as Python's `cpu_count()`. */
export function cpuCount(): number {
  return availableParallelism();
}

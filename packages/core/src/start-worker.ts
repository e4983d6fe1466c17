/**
 * Starts a worker of a backend the way a Pool and a Process both do: the parent's execArgv passed on
 * where the backend inherits it (unless given), and the handle wrapped so that large buffers cross
 * through shared memory (serialize/byte-staging.ts).
 */
import type { Backend, WorkerHandle, WorkerStartOptions } from './backend.js';
import { inheritableExecArgv } from './pool/exec-argv.js';
import { withByteStaging } from './serialize/byte-staging.js';

/** `options.execArgv` undefined: the parent's, where the backend inherits them. */
export function startWorker(
  backend: Backend,
  { env, execArgv, executable }: WorkerStartOptions,
): WorkerHandle {
  const passed =
    execArgv ?? (backend.capabilities.inheritsExecArgv ? inheritableExecArgv(process.execArgv) : undefined);
  return withByteStaging(backend.startWorker({ env, execArgv: passed, executable }), backend);
}

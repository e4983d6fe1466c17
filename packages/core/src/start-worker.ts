/**
 * Starts a worker of a backend the way a Pool and a Process both do: the parent's execArgv passed on
 * where the backend inherits it (unless given), and the handle wrapped so that large buffers cross
 * through shared memory (serialize/byte-staging.ts).
 */
import type { Backend, WorkerHandle, WorkerResourceLimits, WorkerStartOptions } from './backend.js';
import { inheritableExecArgv } from './pool/exec-argv.js';
import { withByteStaging } from './serialize/byte-staging.js';

/**
 * A process has no `resourceLimits`: the same limits are Node options. V8 sizes the young generation
 * as three semi-spaces, hence the division; `--stack-size` is in KB.
 */
export function resourceLimitOptions(limits: WorkerResourceLimits | undefined): string[] {
  if (!limits) return [];
  const options: string[] = [];
  if (limits.maxOldGenerationSizeMb !== undefined)
    options.push(`--max-old-space-size=${limits.maxOldGenerationSizeMb}`);
  if (limits.maxYoungGenerationSizeMb !== undefined)
    options.push(`--max-semi-space-size=${Math.max(1, Math.floor(limits.maxYoungGenerationSizeMb / 3))}`);
  if (limits.stackSizeMb !== undefined) options.push(`--stack-size=${Math.floor(limits.stackSizeMb * 1024)}`);
  return options;
}

/** `options.execArgv` undefined: the parent's, where the backend inherits them. */
export function startWorker(
  backend: Backend,
  { env, execArgv, executable, resourceLimits }: WorkerStartOptions,
): WorkerHandle {
  let passed =
    execArgv ?? (backend.capabilities.inheritsExecArgv ? inheritableExecArgv(process.execArgv) : undefined);
  if (resourceLimits && backend.capabilities.separateProcess) {
    // Last, so that they win over the same options inherited from the parent.
    passed = [...(passed ?? []), ...resourceLimitOptions(resourceLimits)];
  }
  return withByteStaging(backend.startWorker({ env, execArgv: passed, executable, resourceLimits }), backend);
}

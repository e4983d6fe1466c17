/**
 * Start method 'bullmq': the same Pool and ProcessPoolExecutor, with tasks run by worker hosts
 * (`mproc-worker`) that pull them from a Redis server through BullMQ. Each run of core's scheduler
 * becomes a job; its answer comes back sealed with an HMAC under the authkey the producer and the
 * hosts share. Tasks travel by module path relative to a root (as source text only where producer
 * and hosts both opt in). Queues, locks, shared values, managers and Process are not available on
 * this start method.
 * See docs/scale-out.md.
 *
 * @module @mproc/backend-bullmq
 */
import { BACKEND_API_VERSION, type Backend } from '@mproc/core';
import { type BullmqOptions, bullmqBackend, CAPABILITIES } from './bullmq-backend.js';

export { type BullmqOptions, bullmqBackend } from './bullmq-backend.js';

declare module '@mproc/core' {
  interface StartMethods {
    /** Worker hosts that pull tasks from Redis through BullMQ (`@mproc/backend-bullmq`). */
    bullmq: true;
  }
}

/** The options of `getContext('bullmq')`, from MPROC_REDIS_URL, MPROC_AUTHKEY and MPROC_QUEUE. */
function fromEnvironment(): BullmqOptions {
  const { MPROC_REDIS_URL, MPROC_AUTHKEY, MPROC_QUEUE } = process.env;
  if (!MPROC_REDIS_URL || !MPROC_AUTHKEY) {
    throw new TypeError(
      "getContext('bullmq'): set MPROC_REDIS_URL and MPROC_AUTHKEY, or pass bullmqBackend({ redis, authkey }) to getContext()",
    );
  }
  return { redis: MPROC_REDIS_URL, authkey: MPROC_AUTHKEY, queue: MPROC_QUEUE || undefined };
}

let configured: Backend | undefined;

/**
 * The 'bullmq' start method as `getContext('bullmq')` loads it, configured from the environment when
 * its first worker starts. Use `bullmqBackend(options)` to configure it in code.
 */
export const backend: Backend = {
  apiVersion: BACKEND_API_VERSION,
  name: 'bullmq',
  capabilities: CAPABILITIES,
  startWorker(options) {
    configured ??= bullmqBackend(fromEnvironment());
    return configured.startWorker(options);
  },
};

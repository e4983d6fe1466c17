/**
 * Task functions the suites send to workers. Each is sent by its source text, so it is
 * self-contained: it uses nothing but its arguments and the worker's globals.
 */

/** A value unique to the worker that runs it: each worker (thread or process) has its own globalThis. */
export const workerId = () => {
  const state = globalThis as { __mprocTestWorkerId?: string };
  state.__mprocTestWorkerId ??= Math.random().toString(36).slice(2);
  return state.__mprocTestWorkerId;
};

/** workerId after a short pause, so that calls given at once go to different idle workers. */
export const slowWorkerId = async () => {
  await new Promise((resolve) => setTimeout(resolve, 50));
  const state = globalThis as { __mprocTestWorkerId?: string };
  state.__mprocTestWorkerId ??= Math.random().toString(36).slice(2);
  return state.__mprocTestWorkerId;
};

/** `value` after `ms` milliseconds. */
export const sleepThen = async <T>(ms: number, value: T): Promise<T> => {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return value;
};

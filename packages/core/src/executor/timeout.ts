/** Timeouts of the executor API: milliseconds, as everywhere in mproc (Python's are seconds). */

/** The moment, in `performance.now()` time, `timeout` ms from now; undefined for no timeout. */
export function deadlineAfter(timeout: number | undefined): number | undefined {
  return timeout === undefined ? undefined : performance.now() + timeout;
}

/** Milliseconds left until `deadline` (never negative); undefined for no deadline. */
export function remainingUntil(deadline: number | undefined): number | undefined {
  return deadline === undefined ? undefined : Math.max(0, deadline - performance.now());
}

/**
 * Resolves true once `subscribe`'s listener is called, or false after `timeout` ms (never, when
 * undefined). `subscribe` returns the function that detaches the listener; it is always called.
 */
export async function until(
  subscribe: (listener: () => void) => () => void,
  timeout: number | undefined,
): Promise<boolean> {
  let wake!: (happened: boolean) => void;
  const happened = new Promise<boolean>((resolve) => {
    wake = resolve;
  });
  const detach = subscribe(() => wake(true));
  const timer = timeout === undefined ? undefined : setTimeout(() => wake(false), timeout);
  try {
    return await happened;
  } finally {
    clearTimeout(timer);
    detach();
  }
}

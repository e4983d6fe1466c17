/**
 * A Manager server's state, in two words of its requests ring's header, so that every process sees
 * it without asking: "shut down" is set before the server answers `shutdown()` (calls and factories
 * fail from then on), "stopped" once it has answered its last call (calls still waiting for a reply
 * then fail instead of waiting forever).
 */

import { MANAGER_GONE } from '../../broker/manager-core.js';
import { RING_FREE_WORD } from '../../channels/byte-ring.js';
import type { RingChannel } from '../../channels/ring-channel.js';
import { InvalidStateError } from '../../errors.js';

const SHUT_DOWN = RING_FREE_WORD;
const STOPPED = RING_FREE_WORD + 1;

/** Why a call of a manager that is shut down fails. */
export const managerGone = () => new InvalidStateError(MANAGER_GONE);

export function isShutDown(requests: RingChannel): boolean {
  return Atomics.load(requests.ring.words, SHUT_DOWN) !== 0;
}

export function markShutDown(requests: RingChannel): void {
  Atomics.store(requests.ring.words, SHUT_DOWN, 1);
}

/** Why calls of a manager whose server thread failed fail. */
const serverFailed = () =>
  new InvalidStateError("the Manager's server thread failed (its error is a warning in the main process)");

/** Why calls of a server that has stopped fail: it was shut down, or it failed. */
export function whyStopped(requests: RingChannel): InvalidStateError | undefined {
  const stopped = Atomics.load(requests.ring.words, STOPPED);
  return stopped === 0 ? undefined : stopped === FAILED ? serverFailed() : managerGone();
}

const FAILED = 2;

/**
 * Marks the server stopped (and shut down), `failed` when it did not stop by `shutdown()`, and wakes
 * whoever sleeps on its ring.
 */
export function markStopped(requests: RingChannel, failed = false): void {
  markShutDown(requests);
  Atomics.compareExchange(requests.ring.words, STOPPED, 0, failed ? FAILED : 1);
  requests.wake();
}

import type { PoolHandle, SystemAdapter } from '../systems/adapter.js';
import type { PayloadVariant, Sample, Settings } from '../types.js';
import { elapsedMs, expectEqual, openPool, warmUp } from './common.js';

/** One round trip: send the array to a worker and get it back (copied, or moved when `moved`). */
function roundTrip(pool: PoolHandle, data: Uint8Array, moved: boolean): PromiseLike<unknown> {
  if (!moved) return pool.run('echo', data);
  if (!pool.runMoved) throw new Error('this system has no transfer API');
  return pool.runMoved(data);
}

/**
 * `payload`: round trips of one 16 MiB Uint8Array, one after the other after a warm-up trip;
 * MB/s = bytes of the array × trips / seconds (MB = 10^6 bytes). With the `transfer` variant the
 * array that comes back is the one sent next (a moved array is detached on the sender's side).
 */
export async function measurePayload(
  system: SystemAdapter,
  settings: Settings,
  variant: PayloadVariant,
): Promise<Sample[]> {
  const moved = variant === 'transfer';
  const pool = openPool(() => system.createPool(settings.workers));
  await warmUp(pool, settings.workers);
  let data: Uint8Array = new Uint8Array(settings.payloadBytes).fill(7);
  data = (await roundTrip(pool, data, moved)) as Uint8Array; // warm-up trip of the full size
  const start = performance.now();
  for (let trip = 0; trip < settings.payloadTrips; trip++) {
    data = (await roundTrip(pool, data, moved)) as Uint8Array;
  }
  const seconds = elapsedMs(start) / 1000;
  expectEqual(data.byteLength, settings.payloadBytes, 'echoed byteLength');
  expectEqual(data[settings.payloadBytes - 1], 7, 'echoed last byte');
  const megabytes = (settings.payloadBytes * settings.payloadTrips) / 1e6;
  return [{ metric: 'payload', variant, value: megabytes / seconds, unit: 'MB/s' }];
}

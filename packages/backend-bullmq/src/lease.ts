/**
 * Producer leases: a producer renews a key while it lives; hosts stop its jobs once it has run out
 * (dispatcher.ts takes it, worker-host.ts looks it up). The producer's id starts each of its job ids.
 */
import type { Redis } from 'ioredis';
import type { QueueAddress } from './queue-address.js';

function leaseKey({ prefix, queue }: QueueAddress, producer: string): string {
  return `${prefix}:${queue}:producers:${producer}`;
}

/** The id of the producer that added a job: its job ids are `<producer>-<sequence>`. */
export function producerOf(jobId: string): string {
  return jobId.slice(0, jobId.lastIndexOf('-'));
}

/** Takes or renews `producer`'s lease for `ms`. */
export async function takeLease(
  client: Redis,
  address: QueueAddress,
  producer: string,
  ms: number,
): Promise<void> {
  await client.set(leaseKey(address, producer), '1', 'PX', ms);
}

/** Ends `producer`'s lease now (its pool ended). */
export async function endLease(client: Redis, address: QueueAddress, producer: string): Promise<void> {
  await client.del(leaseKey(address, producer));
}

/** Whether `producer`'s lease is still running. */
export async function hasLease(client: Redis, address: QueueAddress, producer: string): Promise<boolean> {
  return (await client.exists(leaseKey(address, producer))) > 0;
}

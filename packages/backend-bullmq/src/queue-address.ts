/** Where a queue lives, and the names of the Redis keys and channel of ours beside BullMQ's. */

export interface QueueAddress {
  readonly url: URL;
  readonly queue: string;
  readonly prefix: string;
}

/** The Pub/Sub channel on which producers name the jobs that hosts should stop (ids, space-separated). */
export function cancelChannel({ queue, prefix }: QueueAddress): string {
  return `${prefix}:${queue}:cancel`;
}

/** The keys a job's large data and large answer are stored under (envelope.ts). */
export function storedKeys(
  { prefix, queue }: QueueAddress,
  jobId: string,
): { readonly data: string; readonly answer: string } {
  const base = `${prefix}:${queue}:stored:${jobId}`;
  return { data: `${base}:data`, answer: `${base}:answer` };
}

/** The key a pool's worker profile is kept under (host-answer.ts), by the profile's own key. */
export function profileKey({ prefix, queue }: QueueAddress, key: string): string {
  return `${prefix}:${queue}:profiles:${key}`;
}

/**
 * Which worker hosts serve a queue: each host announces itself every few seconds (its machine, pid,
 * threads, Node major and a hash of its code), and a producer reads the live ones when its pool
 * starts, to say at once what would otherwise show only as calls that never end or values a host
 * cannot read: no host at all, hosts running other code, or another Node major.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { QueueAddress } from './queue-address.js';

/** A host announces itself this often; an announcement lasts three times as long. */
export const ANNOUNCE_EVERY_MS = 5_000;
const ANNOUNCEMENT_LASTS_MS = 15_000;

export interface HostAnnouncement {
  readonly host: string;
  readonly pid: number;
  readonly procs: number;
  /** Node's major version, as a string. */
  readonly node: string;
  /** `codeHash` of the host's root. */
  readonly code: string | null;
}

/** A hash of the root's package.json, so producers and operators can tell hosts' code apart. */
export function codeHash(root: string): string | null {
  try {
    return createHash('sha256')
      .update(readFileSync(join(root, 'package.json')))
      .digest('hex')
      .slice(0, 16);
  } catch {
    return null;
  }
}

/** This process's announcement, for a host serving with `procs` threads under `root`. */
export function announcementOf(procs: number, root: string): HostAnnouncement {
  return {
    host: hostname(),
    pid: process.pid,
    procs,
    node: process.versions.node.split('.')[0] as string,
    code: codeHash(root),
  };
}

/** The key of host `id`'s announcement; the queue's live hosts are a sorted set beside them. */
function announcementKey({ prefix, queue }: QueueAddress, id: string): string {
  return `${prefix}:${queue}:hosts:${id}`;
}

/** The sorted set of the queue's hosts, scored by when their last announcement ends. */
function rosterKey({ prefix, queue }: QueueAddress): string {
  return `${prefix}:${queue}:hosts`;
}

/** Writes host `id`'s announcement, which lasts until the next ones are late. */
export async function announce(
  client: Redis,
  address: QueueAddress,
  id: string,
  announcement: string,
): Promise<void> {
  const now = Date.now();
  await client
    .multi()
    .set(announcementKey(address, id), announcement, 'PX', ANNOUNCEMENT_LASTS_MS)
    .zadd(rosterKey(address), now + ANNOUNCEMENT_LASTS_MS, id)
    .zremrangebyscore(rosterKey(address), '-inf', now)
    .exec();
}

/** Removes host `id` from the roster (it stops). */
export async function withdraw(client: Redis, address: QueueAddress, id: string): Promise<void> {
  await client.multi().del(announcementKey(address, id)).zrem(rosterKey(address), id).exec();
}

/** The announcements of the queue's live hosts. */
export async function liveHosts(client: Redis, address: QueueAddress): Promise<HostAnnouncement[]> {
  const ids = await client.zrangebyscore(rosterKey(address), Date.now(), '+inf');
  if (ids.length === 0) return [];
  const announcements = await client.mget(ids.map((id) => announcementKey(address, id)));
  return announcements.flatMap((text) => (text ? [JSON.parse(text) as HostAnnouncement] : []));
}

/**
 * What a producer under `root` should be told about the queue's live `hosts`: a warning's text and
 * code, or undefined when every one serves it as expected (a host in the middle of a rolling update
 * is reported too: some of the calls would run there).
 */
export function rosterWarning(
  hosts: readonly HostAnnouncement[],
  address: QueueAddress,
  root: string,
): { readonly message: string; readonly code: string } | undefined {
  const queue = `queue '${address.queue}' (prefix '${address.prefix}')`;
  if (hosts.length === 0) {
    return {
      code: 'MPROC_NO_WORKER_HOST',
      message: `mproc: no worker host serves ${queue}: its jobs wait in Redis until one starts (mproc-worker --redis URL --authkey-file FILE --root DIR)`,
    };
  }
  const node = process.versions.node.split('.')[0];
  const otherNode = hosts.filter((host) => host.node !== node);
  if (otherNode.length > 0) {
    const theirs = [...new Set(otherNode.map((host) => host.node))].join(', ');
    return {
      code: 'MPROC_WORKER_HOST_MISMATCH',
      message: `mproc: ${someOf(otherNode.length, hosts.length, queue)} Node ${theirs}, this producer Node ${node}: values cross as V8 serializations, which an older Node may fail to read`,
    };
  }
  const code = codeHash(root);
  const otherCode = hosts.filter((host) => host.code !== code);
  if (code !== null && otherCode.length > 0) {
    return {
      code: 'MPROC_WORKER_HOST_MISMATCH',
      message: `mproc: ${someOf(otherCode.length, hosts.length, queue)} other code than this producer: the package.json under the hosts' --root differs from the one under its root (${root}), so its tasks may run other code there`,
    };
  }
  return undefined;
}

/** "1 of the 3 worker hosts of <queue> run", "the worker host of <queue> runs", "all 2 ... run". */
function someOf(count: number, total: number, queue: string): string {
  if (total === 1) return `the worker host of ${queue} runs`;
  const which = count === total ? `all ${total}` : `${count} of the ${total}`;
  return `${which} worker hosts of ${queue} run`;
}

/**
 * Ids of the objects a Manager's server holds: `served:<its requests ring>#<name>`. Any process that
 * receives a proxy knows from the id alone where to send its calls (manager/server/).
 */
import type { RegionDescriptor } from '../shared/shared-memory.js';

const PREFIX = 'served:';

export function isServedId(id: string): boolean {
  return id.startsWith(PREFIX);
}

/** The prefix of every id of the server whose requests ring is `requests`. */
export function servedIdPrefix(requests: RegionDescriptor): string {
  return `${PREFIX}${JSON.stringify(requests)}#`;
}

/** The id of the manager itself, on the server whose requests ring is `requests`. */
export function servedManagerId(requests: RegionDescriptor): string {
  return `${servedIdPrefix(requests)}manager`;
}

export function isServedManager(id: string): boolean {
  return isServedId(id) && id.endsWith('#manager');
}

/** The part of a served id that names its server (the same for all of its objects). */
export function serverKey(id: string): string {
  return id.slice(0, id.lastIndexOf('#'));
}

/** The requests ring of the server `key` names. */
export function serverRing(key: string): RegionDescriptor {
  return JSON.parse(key.slice(PREFIX.length)) as RegionDescriptor;
}

/** The id `name` on the same server as `servedId`. */
export function siblingId(servedId: string, name: string): string {
  return `${serverKey(servedId)}#${name}`;
}

/**
 * Where the Queues of the manager `managerId` live: a served manager's Queues are the main process's
 * (they are rings, or the broker's queues), owned there by a record of their own, so that `shutdown()`
 * ends them too.
 */
export function queuesOwnerOf(managerId: string): string {
  return isServedId(managerId) ? `queues-of:${managerId}` : managerId;
}

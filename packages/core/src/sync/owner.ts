/**
 * Who holds a lock, as stored in its word: the kernel id of the holding thread. On Linux that is the
 * pid for a process's main thread and the thread's own id (tid) for a worker thread, unique on the
 * machine, so one number says both which process and which thread, and one word can hold it with a
 * compare-and-swap. A waiter that has waited a while asks whether that id is still alive, so a lock
 * whose holder died can be taken over instead of blocking everyone forever.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

/** Ids fit in 30 bits (Linux's pid_max is at most 2^22); bit 30 marks waiters in a lock word. */
export const OWNER_MASK = 0x3fffffff;
/** Marks an id that is a worker thread's `threadId` (platforms without /proc), not a pid. */
const THREAD_MARK = 0x20000000;

const PROC = process.platform === 'linux';

let self: number | undefined;

function computeOwnerId(): number {
  if (PROC) {
    try {
      // /proc/thread-self links to /proc/<pid>/task/<tid> of the calling thread.
      const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
      if (Number.isInteger(tid) && tid > 0 && tid <= OWNER_MASK) return tid;
    } catch {}
  }
  return threadId === 0 ? process.pid : (THREAD_MARK | threadId) & OWNER_MASK;
}

/** This thread's owner id. */
export function ownerId(): number {
  self ??= computeOwnerId();
  return self;
}

/**
 * False only when the owner is known to be gone: on Linux its /proc entry is missing or a zombie
 * (a process that exited but was not yet reaped still has one, and answers `process.kill(pid, 0)`);
 * elsewhere `process.kill(pid, 0)` fails with ESRCH. A worker thread's id off Linux cannot be
 * checked and counts as alive.
 */
export function isOwnerAlive(id: number): boolean {
  if (id === ownerId()) return true;
  if (PROC) {
    try {
      const stat = readFileSync(`/proc/${id}/stat`, 'latin1');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state !== 'Z' && state !== 'X';
    } catch (error) {
      // Only a missing entry means gone; hidepid or other permission trouble says nothing.
      const code = (error as { code?: string }).code;
      return code !== 'ENOENT' && code !== 'ESRCH';
    }
  }
  if (id & THREAD_MARK) return true;
  try {
    process.kill(id, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
}

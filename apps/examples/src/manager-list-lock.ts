/**
 * Ports reference tutorial 001, section "Sharing Data between Processes" / "Synchronization
 * Mechanisms": a child Process appends to a `Manager().list()` while holding a `Lock`, and the parent
 * prints the list, which the manager process keeps for both.
 *
 * Prints `Shared List: ['New item']`.
 */
import { isMainProcess, type ListProxy, Lock, Manager, Process } from '@mproc/core';

/** Appends to the managed list under the lock (Python's `with lock:`). */
export async function modifyList(sharedList: ListProxy<string>, lock: Lock): Promise<void> {
  await using _held = await lock.hold();
  await sharedList.append('New item');
}

/** A list of strings as Python prints it. */
function pythonList(items: readonly string[]): string {
  return `[${items.map((item) => `'${item}'`).join(', ')}]`;
}

if (isMainProcess()) {
  await using manager = await Manager();
  const sharedList = manager.list<string>();
  const lock = new Lock();
  const p = new Process({ target: modifyList, args: [sharedList, lock] });
  await p.start();
  await p.join();
  console.log(`Shared List: ${pythonList(await sharedList.copy())}`);
}

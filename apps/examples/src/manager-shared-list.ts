/**
 * The Manager half of the "separate memory" lesson (tutorial 003, "Each process has a separate memory
 * address space", and tutorial 001, "Sharing Data between Processes"): a child Process appends to a
 * module-level array and to a `Manager().list()`. The array it changes is its own copy, so the parent's
 * stays empty; the managed list lives in the manager's process, so the parent sees the child's item.
 *
 * Prints `plain list in the parent: []` and `manager list in the parent: ['from the child']`.
 */
import { isMainProcess, type ListProxy, Manager, Process } from '@mproc/core';

// Each process has its own copy of this module, and so of this array.
const plainList: string[] = [];

/** Appends one item to each list, in the child. */
export async function appendInChild(managedList: ListProxy<string>): Promise<void> {
  plainList.push('from the child');
  await managedList.append('from the child');
}

/** A list of strings as Python prints it. */
function pythonList(items: readonly string[]): string {
  return `[${items.map((item) => `'${item}'`).join(', ')}]`;
}

if (isMainProcess()) {
  await using manager = await Manager();
  const managedList = manager.list<string>();
  const p = new Process({ target: appendInChild, args: [managedList] });
  await p.start();
  await p.join();
  console.log(`plain list in the parent: ${pythonList(plainList)}`);
  console.log(`manager list in the parent: ${pythonList(await managedList.copy())}`);
}

/**
 * Tasks of the scale-out bench: a module under the hosts' --root (the bench's dist/), sent by module
 * path and export name, as the 'bullmq' start method requires.
 */
import { appendFileSync } from 'node:fs';

export function inc(x: number): number {
  return x + 1;
}

export function square(x: number): number {
  return x * x;
}

/** Appends this host's pid to `file`, then returns it after `ms`: shows where a task ran. */
export async function recordThenSleep(file: string, ms: number): Promise<number> {
  appendFileSync(file, `${process.pid}\n`);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return process.pid;
}

/**
 * Test helpers for "the parent dies": run a parent script in its own Node process, and wait until
 * a set of processes is gone. There is no event for the end of a process that is not our child, so
 * waitUntilGone polls, within an explicit bound.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface ParentScript {
  readonly pid: number;
  readonly exited: Promise<unknown>;
  /** The first line the script prints on stdout. */
  firstLine(): Promise<string>;
  /**
   * Everything the script (and the workers that share its stdio) printed, once its stdio has closed;
   * `stderr` is empty unless `captureStderr` was set.
   */
  output(): Promise<{ stdout: string; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
}

export interface ParentScriptOptions {
  /** Pipe the script's stderr and collect it for `output()`, instead of inheriting it. */
  readonly captureStderr?: boolean;
}

/** Runs ESM `source` with `node -e`; bare imports resolve from the current directory. */
export async function spawnParentScript(
  source: string,
  options: ParentScriptOptions = {},
): Promise<ParentScript> {
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', source], {
    stdio: ['ignore', 'pipe', options.captureStderr ? 'pipe' : 'inherit'],
  });
  await once(child, 'spawn');
  const exited = once(child, 'exit');
  const printed = { stdout: '', stderr: '' };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    printed.stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    printed.stderr += chunk;
  });
  const closed = once(child, 'close').then(() => printed);
  closed.catch(() => undefined);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    exited.then(() => reject(new Error('the parent script exited before printing a line')));
  });
  first.catch(() => undefined);
  return {
    pid: child.pid as number,
    exited,
    firstLine: () => first,
    output: () => closed,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  // An exited process whose new parent has not reaped it yet is a zombie: it runs nothing.
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? false;
  } catch {
    return true;
  }
}

/** Resolves once every pid is gone; rejects after `bound` ms naming the ones still alive. */
export async function waitUntilGone(pids: readonly number[], bound: number): Promise<void> {
  const deadline = Date.now() + bound;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    const alive = pids.filter((pid) => !isGone(pid));
    if (alive.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(`processes still alive after ${bound} ms: ${alive.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

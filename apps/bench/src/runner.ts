import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Job } from './plan.js';
import type { SystemInfo } from './systems/registry.js';
import type { ChildResult, Settings } from './types.js';
import { RESULT_MARKER } from './types.js';

const NODE_CHILD = fileURLToPath(new URL('./measure.js', import.meta.url));
const PYTHON_CHILD = fileURLToPath(new URL('../python/measure.py', import.meta.url));
export const PYTHON = process.env.PYTHON || 'python3';

/** The process group of the child now running, so Ctrl-C can stop it and its workers too. */
let runningGroup: number | undefined;

/** Stops the running child's whole process group (its pool's workers included). */
export function killRunningChild(): void {
  if (runningGroup === undefined) return;
  try {
    process.kill(-runningGroup, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Command line of one child: Node systems run measure.js, Python systems python/measure.py. No
 * Node flags: fork-based workers would inherit them.
 */
function commandFor(system: SystemInfo, args: string[]): [string, string[]] {
  if (system.runtime === 'python') {
    return [PYTHON, [PYTHON_CHILD, '--system', system.name.replace(/^python\//, ''), ...args]];
  }
  return [process.execPath, [NODE_CHILD, '--system', system.name, ...args]];
}

/**
 * Runs one child and returns what it reported. The child gets its own process group (detached),
 * so on a timeout the whole group is killed and no worker of a stuck pool outlives its run.
 */
export function runChild(
  system: SystemInfo,
  args: string[],
  options: { timeoutMs: number },
): Promise<ChildResult> {
  const [command, commandArgs] = commandFor(system, args);
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    runningGroup = child.pid;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-4000); // keep the tail: enough for an error, bounded
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killRunningChild();
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ error: `cannot start ${command}: ${error.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // Whatever the child left behind (workers of a pool that ignored close) goes with it.
      killRunningChild();
      runningGroup = undefined;
      const line = stdout
        .split('\n')
        .reverse()
        .find((candidate) => candidate.startsWith(RESULT_MARKER));
      if (timedOut) resolve({ error: `timed out after ${options.timeoutMs / 1000} s` });
      else if (line) resolve(JSON.parse(line.slice(RESULT_MARKER.length)) as ChildResult);
      else {
        const tail = stderr.trim().split('\n').slice(-3).join(' | ');
        resolve({
          error: `exited with ${signal ?? `code ${code}`} without a result${tail ? `: ${tail}` : ''}`,
        });
      }
    });
  });
}

/** Arguments of one measurement job. */
export function jobArgs(job: Job, settings: Settings): string[] {
  return [
    '--measurement',
    job.measurement,
    ...(job.variant ? ['--variant', job.variant] : []),
    '--settings',
    JSON.stringify(settings),
  ];
}

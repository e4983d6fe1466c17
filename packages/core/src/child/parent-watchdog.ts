/**
 * Makes a worker process die with its parent, even when the parent was SIGKILLed and even while the
 * worker's main thread is stuck in a synchronous loop (where no 'disconnect' handler can run). A tiny
 * thread polls the parent pid and kills its own process when the parent is gone: a thread keeps
 * running while the main thread is busy. Linux's PR_SET_PDEATHSIG would need a native addon.
 */
import { Worker } from 'node:worker_threads';

const POLL_MS = 100;

const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
setInterval(() => {
  if (process.ppid !== workerData.parentPid) process.kill(process.pid, 'SIGKILL');
}, ${POLL_MS});
`;

export function watchParent(parentPid: number): void {
  const watchdog = new Worker(WATCHDOG_SOURCE, {
    eval: true,
    workerData: { parentPid },
    stdout: false,
    stderr: false,
  });
  // Without the watchdog the worker still works; it only loses the orphan guard.
  watchdog.on('error', () => {});
  watchdog.unref();
}

/**
 * What a worker host returns for a job of runs: core's answers to them in order, and, when its worker
 * died during the job, how it ended (the runs after the last answer never finished).
 */
import type { ChildMessage, WorkerExit } from '@mproc/core';

export interface HostAnswer {
  readonly answers: readonly ChildMessage[];
  readonly exit?: WorkerExit;
}

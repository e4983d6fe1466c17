/** What a worker host returns for a job: core's answer to the run, or how its process ended. */
import type { ChildMessage, WorkerExit } from '@mproc/core';

export type HostAnswer = ChildMessage | { readonly exit: WorkerExit };

export function isExit(answer: HostAnswer): answer is { readonly exit: WorkerExit } {
  return 'exit' in answer;
}

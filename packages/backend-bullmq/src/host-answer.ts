/**
 * What travels for one job: the runs core sent a seat in one message, with the key of their pool's
 * worker profile (kept in Redis once, not sent with every job); and what the worker host returns: core's answers to them in order, and, when its
 * thread died during the job, how it ended (the runs after the last answer never finished), or the
 * error of the pool's initializer when it failed on the host.
 */
import type {
  ChildMessage,
  FunctionDefinition,
  ParentMessage,
  WorkerExit,
  WorkerResourceLimits,
} from '@mproc/core';

export type RunMessage = Extract<ParentMessage, { type: 'mproc:run' }>;

/**
 * What shapes the threads that run a pool's tasks on a host (unset: a plain thread). Hosts keep
 * threads per profile, so two pools share a thread only when they would have made the same one.
 */
export interface WorkerProfile {
  /** A hash of the rest, made once by the producer's seat: hosts key their threads by it. */
  readonly key: string;
  readonly initializer?: {
    readonly definition: FunctionDefinition;
    readonly initArgs: readonly unknown[];
    /** True when initArgs hold reduced objects to rebuild. */
    readonly revive: boolean;
  };
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly resourceLimits?: WorkerResourceLimits;
}

export interface HostJob {
  readonly runs: readonly RunMessage[];
  /** `WorkerProfile.key` of the pool's profile, sealed under `profileKey` (queue-address.ts). */
  readonly profile?: string;
}

export interface HostAnswer {
  readonly answers: readonly ChildMessage[];
  readonly exit?: WorkerExit;
  /** The initializer's error, as core's codec carries it. */
  readonly initFailed?: unknown;
}

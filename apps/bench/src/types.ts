/** Types shared by the parent harness, the measurement children and the report. */

/** Whether a system runs its workers as threads of one process or as separate processes. */
export type Kind = 'thread' | 'process';

/** The measurements a child can make; `payload` has variants, `stream` yields two metrics. */
export const MEASUREMENTS = ['tiny', 'map', 'startup', 'cpu', 'payload', 'memory', 'stream'] as const;
export type Measurement = (typeof MEASUREMENTS)[number];

/** `copy`: the value is cloned both ways; `transfer`: the library's move/transfer API is used. */
export type PayloadVariant = 'copy' | 'transfer';

/** One number measured by one child process (one repetition). */
export interface Sample {
  metric: string;
  value: number;
  unit: string;
  variant?: string;
  note?: string;
}

/** One line of the JSON output: the repetitions of one system × metric (× variant) summarized. */
export interface Row {
  system: string;
  kind: Kind;
  metric: string;
  median: number;
  min: number;
  max: number;
  unit: string;
  reps: number;
  variant?: string;
  note?: string;
}

/** Sizes and durations of one run; `quick` mode shrinks them (see settings.ts). */
export interface Settings {
  quick: boolean;
  workers: number;
  reps: number;
  tinyTasks: number;
  mapItems: number;
  fibN: number;
  fibTasks: number;
  /** `cpu` times serial and pool runs this many times each and keeps the fastest of each. */
  cpuRounds: number;
  payloadBytes: number;
  payloadTrips: number;
  streamSeconds: number;
  /** Tasks kept in flight by the bounded submit loop of systems without a lazy imap. */
  streamInFlight: number;
  /** Idle time before memory is read, so that start-up garbage and pending messages settle. */
  memorySettleMs: number;
}

/** What a child prints (after RESULT_MARKER) on the last line of its stdout. */
export type ChildResult = { samples: Sample[] } | { error: string };

/** Prefix of the result line: libraries may print to stdout too (tinypool pipes its children's). */
export const RESULT_MARKER = 'MPROC_BENCH_RESULT ';

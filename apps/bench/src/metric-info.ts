/**
 * How each reported metric reads: its unit and which direction is better. The report needs the
 * direction to turn every comparison into "how many times better" (see report.ts).
 */
export interface MetricInfo {
  unit: string;
  better: 'higher' | 'lower';
  title: string;
}

export const METRIC_INFO: Readonly<Record<string, MetricInfo>> = {
  tiny: { unit: 'tasks/s', better: 'higher', title: 'tiny: 1 task per item, all in flight' },
  map: { unit: 'items/s', better: 'higher', title: 'map: x => x * x, default chunksize' },
  startup: { unit: 'ms', better: 'lower', title: 'startup: pool construction to first result' },
  cpu: { unit: 'x', better: 'higher', title: 'cpu: 8 × fib, speedup over serial (max 2.0)' },
  payload: { unit: 'MB/s', better: 'higher', title: 'payload: 16 MiB Uint8Array round trip' },
  memory: { unit: 'MiB', better: 'lower', title: 'memory: RSS per idle worker' },
  stream: { unit: 'items/s', better: 'higher', title: 'stream: imap over an endless generator' },
  'stream-rss': { unit: 'MiB', better: 'lower', title: 'stream-rss: peak parent RSS during stream' },
};

/** Order of the sections in the printed report. */
export const METRIC_ORDER = ['tiny', 'map', 'startup', 'cpu', 'payload', 'memory', 'stream', 'stream-rss'];

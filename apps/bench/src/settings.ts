import type { Settings } from './types.js';

/** The sizes of issue 6: 2 workers, 5 repetitions, full sizes. */
export const FULL_SETTINGS: Settings = {
  quick: false,
  workers: 2,
  reps: 5,
  tinyTasks: 20_000,
  mapItems: 200_000,
  fibN: 30,
  fibTasks: 8,
  cpuRounds: 3,
  payloadBytes: 16 * 1024 * 1024,
  payloadTrips: 4,
  streamSeconds: 5,
  streamInFlight: 64,
  memorySettleMs: 500,
};

/**
 * CI mode: must finish in under two minutes on 2 cores with all 14 systems. One repetition of
 * everything takes about 75 s there (the 2 s streams alone take 28 s), so quick mode runs one
 * repetition with smaller sizes: a smoke test and a rough picture, not a comparison to quote.
 * The payload keeps its 16 MiB (the size is what that metric is about).
 */
export const QUICK_SETTINGS: Settings = {
  ...FULL_SETTINGS,
  quick: true,
  reps: 1,
  tinyTasks: 5_000,
  mapItems: 50_000,
  fibN: 27,
  payloadTrips: 2,
  streamSeconds: 2,
  memorySettleMs: 300,
};

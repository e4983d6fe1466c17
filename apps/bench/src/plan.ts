import type { SystemInfo } from './systems/registry.js';
import type { Measurement, PayloadVariant } from './types.js';

/** One child process to run: one system, one measurement (and variant), one repetition. */
export interface Job {
  system: SystemInfo;
  measurement: Measurement;
  variant?: PayloadVariant;
  rep: number;
}

/** The payload variants a system gets: `transfer` only where the library can move memory. */
function variantsOf(measurement: Measurement, system: SystemInfo): Array<PayloadVariant | undefined> {
  if (measurement !== 'payload') return [undefined];
  return system.canTransfer ? ['copy', 'transfer'] : ['copy'];
}

/**
 * The run order. Repetitions are the outer loop, so a slow drift of the machine (heat, another
 * user's job) spreads over every system instead of hitting one system's whole series; inside a
 * repetition the systems' order is rotated by one each time, so no system always runs first or
 * always follows the same neighbour.
 */
export function buildPlan(
  systems: readonly SystemInfo[],
  measurements: readonly Measurement[],
  reps: number,
): Job[] {
  const jobs: Job[] = [];
  for (let rep = 0; rep < reps; rep++) {
    const shift = systems.length === 0 ? 0 : rep % systems.length;
    const rotated = [...systems.slice(shift), ...systems.slice(0, shift)];
    for (const measurement of measurements) {
      for (const system of rotated) {
        for (const variant of variantsOf(measurement, system)) {
          jobs.push({ system, measurement, variant, rep });
        }
      }
    }
  }
  return jobs;
}

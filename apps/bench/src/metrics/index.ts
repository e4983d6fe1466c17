import type { SystemAdapter } from '../systems/adapter.js';
import type { Kind, Measurement, PayloadVariant, Sample, Settings } from '../types.js';
import { measureCpu } from './cpu.js';
import { measureMap } from './map.js';
import { measureMemory } from './memory.js';
import { measurePayload } from './payload.js';
import { measureStartup } from './startup.js';
import { measureStream } from './stream.js';
import { measureTiny } from './tiny.js';

/** What a measurement needs besides the adapter and the sizes. */
export interface MeasureContext {
  kind: Kind;
  variant?: PayloadVariant;
}

/** Runs one measurement of the Node systems (python/measure.py mirrors these for Python). */
export function runMeasurement(
  measurement: Measurement,
  system: SystemAdapter,
  settings: Settings,
  context: MeasureContext,
): Promise<Sample[]> {
  switch (measurement) {
    case 'tiny':
      return measureTiny(system, settings);
    case 'map':
      return measureMap(system, settings);
    case 'startup':
      return measureStartup(system, settings);
    case 'cpu':
      return measureCpu(system, settings);
    case 'payload':
      return measurePayload(system, settings, context.variant ?? 'copy');
    case 'memory':
      return measureMemory(system, settings, context.kind);
    case 'stream':
      return measureStream(system, settings);
  }
}

/**
 * One measurement child (started through measure.ts): one system, one measurement, one repetition,
 * in a fresh process so that no other system's garbage, JIT state or leftover threads affect it.
 * The parent (runner.ts) reads the last stdout line that starts with RESULT_MARKER.
 */
import { parseArgs } from 'node:util';
import { closeAll, expectEqual, openPool } from './metrics/common.js';
import { runMeasurement } from './metrics/index.js';
import { QUICK_SETTINGS } from './settings.js';
import { findSystem } from './systems/registry.js';
import type { ChildResult, Measurement, PayloadVariant, Settings } from './types.js';
import { RESULT_MARKER } from './types.js';

let reported = false;

/**
 * Writes the result line first, then closes the pools (bounded) and exits explicitly: a library
 * may keep handles open after close, and the measurement must not depend on how it shuts down.
 */
function report(result: ChildResult, exitCode: number): void {
  if (reported) return;
  reported = true;
  process.stdout.write(`\n${RESULT_MARKER}${JSON.stringify(result)}\n`, () => {
    closeAll().finally(() => process.exit(exitCode));
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      system: { type: 'string' },
      measurement: { type: 'string' },
      variant: { type: 'string' },
      settings: { type: 'string' },
      probe: { type: 'boolean', default: false },
    },
  });
  const info = findSystem(values.system ?? '');
  if (!info.load) throw new Error(`${info.name} is not a Node system`);
  const system = await info.load();
  const settings: Settings = values.settings ? JSON.parse(values.settings) : QUICK_SETTINGS;

  if (values.probe) {
    // Can the system start and run one task? Decides whether it is benchmarked or skipped.
    const pool = openPool(() => system.createPool(settings.workers));
    expectEqual(await pool.run('inc', 1), 2, 'inc(1)');
    report({ samples: [] }, 0);
    return;
  }

  const samples = await runMeasurement(values.measurement as Measurement, system, settings, {
    kind: info.kind,
    variant: values.variant as PayloadVariant | undefined,
  });
  report({ samples }, 0);
}

// Nothing left to run but no result: some promise of the library never settled.
process.on('beforeExit', () =>
  report({ error: 'the event loop emptied before a result (a promise never settled)' }, 1),
);
process.on('unhandledRejection', (error) => report({ error: describe(error) }, 1));
process.on('uncaughtException', (error) => report({ error: describe(error) }, 1));
main().catch((error: unknown) => report({ error: describe(error) }, 1));

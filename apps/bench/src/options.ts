import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SYSTEMS, type SystemInfo } from './systems/registry.js';
import { MEASUREMENTS, type Measurement } from './types.js';

export interface CliOptions {
  quick: boolean;
  jsonFile?: string;
  /** Print the report of an earlier run's JSON lines instead of measuring. */
  fromFile?: string;
  systems: SystemInfo[];
  measurements: Measurement[];
  reps?: number;
  /** Run the queue, pipe and manager benchmark (sync-objects.ts) instead. */
  sync: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

  --quick            smaller sizes and fewer repetitions (CI; under two minutes)
  --json FILE        also write the rows as JSON lines to FILE
  --from FILE        measure nothing: print the report of the rows in FILE (from --json)
  --only LIST        systems to run, comma separated: a full name (tinypool/threads) or a
                     library (mproc, piscina, tinypool, workerpool, poolifier, python)
  --metric LIST      measurements to run: ${MEASUREMENTS.join(', ')} (stream-rss comes with stream)
  --reps N           repetitions per system and measurement (default 5, quick 1)
  --sync             Queue, Pipe and Manager figures of every start method and of Python instead
                     (with --quick, --reps, --json; default 3 repetitions)
  --help             this text
`;

/** `piscina` selects piscina/threads, `python` every python/* system, a full name itself. */
function selectSystems(list: string | undefined): SystemInfo[] {
  if (!list) return [...SYSTEMS];
  const wanted = list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of wanted) {
    if (!SYSTEMS.some((system) => system.name === name || system.name.startsWith(`${name}/`))) {
      throw new RangeError(`--only: no system matches "${name}"`);
    }
  }
  return SYSTEMS.filter((system) =>
    wanted.some((name) => system.name === name || system.name.startsWith(`${name}/`)),
  );
}

function selectMeasurements(list: string | undefined): Measurement[] {
  if (!list) return [...MEASUREMENTS];
  const wanted = list.split(',').map((name) => (name.trim() === 'stream-rss' ? 'stream' : name.trim()));
  for (const name of wanted) {
    if (!(MEASUREMENTS as readonly string[]).includes(name))
      throw new RangeError(`--metric: unknown "${name}"`);
  }
  return MEASUREMENTS.filter((measurement) => wanted.includes(measurement));
}

/**
 * npm runs the workspace script inside apps/bench; a relative --json path is meant relative to
 * where the user typed the command, which npm passes as INIT_CWD.
 */
function userPath(path: string): string {
  return resolve(process.env.INIT_CWD || process.cwd(), path);
}

export function parseCli(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'string' },
      from: { type: 'string' },
      only: { type: 'string' },
      metric: { type: 'string' },
      reps: { type: 'string' },
      sync: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const reps = values.reps === undefined ? undefined : Number(values.reps);
  if (reps !== undefined && !(Number.isInteger(reps) && reps >= 1)) {
    throw new RangeError(`--reps must be a positive integer, got ${values.reps}`);
  }
  return {
    quick: values.quick ?? false,
    jsonFile: values.json === undefined ? undefined : userPath(values.json),
    fromFile: values.from === undefined ? undefined : userPath(values.from),
    systems: selectSystems(values.only),
    measurements: selectMeasurements(values.metric),
    reps,
    sync: values.sync ?? false,
    help: values.help ?? false,
  };
}

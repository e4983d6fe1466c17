/**
 * `npm run bench`: probes every selected system, runs the interleaved plan (one fresh child per
 * measurement), then writes the rows (--json) and prints the markdown report. See docs/performance.md.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { parseCli, USAGE } from './options.js';
import { buildPlan, type Job } from './plan.js';
import { formatNumber, markdownReport } from './report.js';
import { ResultCollector } from './results.js';
import { jobArgs, killRunningChild, PYTHON, runChild } from './runner.js';
import { FULL_SETTINGS, QUICK_SETTINGS } from './settings.js';
import { runSyncObjectsBench } from './sync-objects.js';
import type { SystemInfo } from './systems/registry.js';
import type { Row, Settings } from './types.js';

/** Generous bounds: a child that takes longer is stuck, not slow. */
const PROBE_TIMEOUT_MS = 60_000;
const JOB_TIMEOUT_MS = { quick: 60_000, full: 300_000 };

function pythonVersion(): string | undefined {
  const result = spawnSync(PYTHON, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() || result.stderr.trim() : undefined;
}

/** The 1-minute load average: other jobs on the machine move the numbers, so each run shows it. */
function loadAverage(): string {
  return loadavg()[0].toFixed(2);
}

function printHeader(settings: Settings, python: string | undefined): void {
  const mode = settings.quick ? 'quick (smaller sizes, fewer repetitions: not for quoting)' : 'full';
  console.log(`# mproc bench — ${mode}`);
  console.log(
    `node ${process.version}, ${python ?? 'no Python'}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB, load ${loadAverage()}, ${new Date().toISOString()}`,
  );
  console.log(
    `workers ${settings.workers}, reps ${settings.reps}, tiny ${formatNumber(settings.tinyTasks)} tasks, ` +
      `map ${formatNumber(settings.mapItems)} items, cpu ${settings.fibTasks} × fib(${settings.fibN}), ` +
      `payload ${settings.payloadBytes / 2 ** 20} MiB × ${settings.payloadTrips} trips, stream ${settings.streamSeconds} s`,
  );
}

/** Systems that can start and run one task; the others are skipped with their reason. */
async function probeSystems(
  systems: SystemInfo[],
  settings: Settings,
  python?: string,
): Promise<SystemInfo[]> {
  const usable: SystemInfo[] = [];
  for (const system of systems) {
    if (system.runtime === 'python' && !python) {
      console.log(`skipped ${system.name}: ${PYTHON} not found`);
      continue;
    }
    const result = await runChild(system, ['--probe', '--settings', JSON.stringify(settings)], {
      timeoutMs: PROBE_TIMEOUT_MS,
    });
    if ('error' in result) console.log(`skipped ${system.name}: ${result.error}`);
    else usable.push(system);
  }
  return usable;
}

function describeJob(job: Job): string {
  return `${job.measurement}${job.variant ? `/${job.variant}` : ''} ${job.system.name} rep ${job.rep + 1}`;
}

async function main(): Promise<number> {
  const options = parseCli(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  if (options.fromFile) {
    const lines = readFileSync(options.fromFile, 'utf8').split('\n').filter(Boolean);
    console.log(markdownReport(lines.map((line) => JSON.parse(line) as Row)));
    return 0;
  }
  if (options.sync) return runSyncObjectsBench(options);
  const base = options.quick ? QUICK_SETTINGS : FULL_SETTINGS;
  const settings: Settings = { ...base, reps: options.reps ?? base.reps };
  const python = options.systems.some((system) => system.runtime === 'python') ? pythonVersion() : undefined;
  const started = performance.now();
  printHeader(settings, python);

  const systems = await probeSystems(options.systems, settings, python);
  const plan = buildPlan(systems, options.measurements, settings.reps);
  const collector = new ResultCollector();
  const failures: string[] = [];
  const timeoutMs = options.quick ? JOB_TIMEOUT_MS.quick : JOB_TIMEOUT_MS.full;
  for (const [index, job] of plan.entries()) {
    const result = await runChild(job.system, jobArgs(job, settings), { timeoutMs });
    const label = `[${index + 1}/${plan.length}] ${describeJob(job)}`;
    if ('error' in result) {
      failures.push(`${describeJob(job)}: ${result.error}`);
      console.log(`${label}: FAILED ${result.error}`);
      continue;
    }
    collector.add(job, result.samples);
    console.log(`${label}: ${result.samples.map((s) => `${formatNumber(s.value)} ${s.unit}`).join(', ')}`);
  }

  const rows = collector.rows();
  if (options.jsonFile) {
    writeFileSync(options.jsonFile, rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
    console.log(`wrote ${rows.length} rows to ${options.jsonFile}`);
  }
  console.log('');
  console.log(`## Results (${settings.quick ? 'quick' : 'full'} run, ${settings.reps} repetition(s) each)\n`);
  console.log(markdownReport(rows));
  if (failures.length > 0) {
    console.log(`## Failures (${failures.length})\n`);
    for (const failure of failures) console.log(`- ${failure}`);
    console.log('');
  }
  console.log(
    `total ${((performance.now() - started) / 1000).toFixed(0)} s, load at the end ${loadAverage()}`,
  );
  // A failed measurement of a system that passed its probe is a real problem: fail the command.
  return failures.length > 0 ? 1 : 0;
}

// Ctrl-C: the children run in their own process groups, so stop the running one explicitly.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killRunningChild();
    process.exit(130);
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 2;
  },
);

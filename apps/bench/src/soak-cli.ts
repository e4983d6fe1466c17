/**
 * `npm run soak -- [--tiny N] [--big N] [--every MS] [--only fork,spawn,...]`: the soak of soak.ts for
 * each start method, then a markdown table of the figures. `--cycles N` instead makes and ends a pool
 * and a Process N times per method and compares the parent's descriptors, handles and listeners;
 * `--minutes M` runs one pool for M minutes and samples memory, descriptors and handles each minute. Run
 * with `node --expose-gc` (the npm script does) so that memory is compared after a collection.
 */
import { parseArgs } from 'node:util';
import { isMainProcess, type StartMethod } from '@mproc/core';
import {
  type CycleFigures,
  runCycles,
  runLong,
  runSoak,
  type SoakFigures,
  type SoakOptions,
} from './soak.js';

const METHODS: readonly StartMethod[] = ['threads', 'fork', 'spawn', 'cluster'];

function table(rows: readonly SoakFigures[]): string {
  const head =
    '| method | tiny tasks/s | 1 MiB tasks/s | kills | failed (WorkerExitedError) | lost | duplicated | heap MiB before → after | RSS MiB before → after |';
  const lines = rows.map(
    (row) =>
      `| ${row.method} | ${row.tinyPerSecond.toLocaleString('en-US')} | ${row.bigPerSecond.toLocaleString('en-US')} | ` +
      `${row.kills} | ${row.failed} | ${row.lost} | ${row.duplicated} | ${row.heapBefore} → ${row.heapAfter} | ` +
      `${row.rssBefore} → ${row.rssAfter} |`,
  );
  return [head, `|${'---|'.repeat(9)}`, ...lines].join('\n');
}

/** The table of `--cycles`; exit code 1 when anything grew. */
async function cycles(methods: readonly StartMethod[], count: number): Promise<void> {
  const rows: CycleFigures[] = [];
  for (const method of methods) rows.push(await runCycles(method, count));
  console.log(
    `cycles: a pool (one task) and a Process, made and ended ${count} times per method, node ${process.version}\n`,
  );
  console.log(
    '| method | cycles/s | fds before → after | handles before → after | process listeners before → after |',
  );
  console.log('|---|---:|---|---|---|');
  for (const { method, perSecond, fds, handles, listeners } of rows) {
    console.log(
      `| ${method} | ${perSecond} | ${fds.join(' → ')} | ${handles.join(' → ')} | ${listeners.join(' → ')} |`,
    );
  }
  const grew = (pair: readonly [number, number]) => pair[1] > pair[0];
  if (rows.some((row) => grew(row.fds) || grew(row.handles) || grew(row.listeners))) process.exitCode = 1;
}

/** A sample a minute of one pool's long run per method. */
async function long(methods: readonly StartMethod[], minutes: number): Promise<void> {
  for (const method of methods) {
    const samples = await runLong(method, minutes);
    console.log(
      `\n${method}: one pool of 2 workers, ${minutes} min of map(10,000 tiny) and 16 × 1 MiB in turn, node ${process.version}\n`,
    );
    console.log('| minute | tasks | parent RSS MiB | parent heap MiB | workers RSS MiB | fds | handles |');
    console.log('|---:|---:|---:|---:|---:|---:|---:|');
    for (const s of samples) {
      console.log(
        `| ${s.minute} | ${s.tasks.toLocaleString('en-US')} | ${s.parentRss} | ${s.parentHeap} | ${s.workerRss} | ${s.fds} | ${s.handles} |`,
      );
    }
  }
}

/** The soak's table; exit code 1 when a task was lost or ran twice. */
async function soak(methods: readonly StartMethod[], options: SoakOptions): Promise<void> {
  const rows: SoakFigures[] = [];
  for (const method of methods) {
    const row = await runSoak(method, options);
    console.error(JSON.stringify(row));
    rows.push(row);
  }
  console.log(
    `soak: ${options.tiny.toLocaleString('en-US')} tiny tasks and ${options.big.toLocaleString('en-US')} tasks of 1 MiB per method, ` +
      `a worker killed every ${options.every} ms, node ${process.version}\n`,
  );
  console.log(table(rows));
  if (rows.some((row) => row.lost > 0 || row.duplicated > 0)) process.exitCode = 1;
}

if (isMainProcess()) {
  const { values } = parseArgs({
    options: {
      tiny: { type: 'string', default: '1000000' },
      big: { type: 'string', default: '10000' },
      every: { type: 'string', default: '300' },
      only: { type: 'string', default: METHODS.join(',') },
      cycles: { type: 'string' },
      minutes: { type: 'string' },
    },
  });
  const methods = values.only.split(',') as StartMethod[];
  if (values.cycles !== undefined) await cycles(methods, Number(values.cycles));
  else if (values.minutes !== undefined) await long(methods, Number(values.minutes));
  else {
    await soak(methods, {
      tiny: Number(values.tiny),
      big: Number(values.big),
      bigBytes: 2 ** 20,
      every: Number(values.every),
      window: 2_000,
    });
  }
}

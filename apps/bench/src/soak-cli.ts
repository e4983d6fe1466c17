/**
 * `npm run soak -- [--tiny N] [--big N] [--every MS] [--only fork,spawn,...]`: the soak of soak.ts for
 * each start method, then a markdown table of the figures. Run with `node --expose-gc` (the npm
 * script does) so that memory is compared after a collection.
 */
import { parseArgs } from 'node:util';
import { isMainProcess, type StartMethod } from '@mproc/core';
import { runSoak, type SoakFigures } from './soak.js';

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

if (isMainProcess()) {
  const { values } = parseArgs({
    options: {
      tiny: { type: 'string', default: '1000000' },
      big: { type: 'string', default: '10000' },
      every: { type: 'string', default: '300' },
      only: { type: 'string', default: METHODS.join(',') },
    },
  });
  const options = {
    tiny: Number(values.tiny),
    big: Number(values.big),
    bigBytes: 2 ** 20,
    every: Number(values.every),
    window: 2_000,
  };
  const rows: SoakFigures[] = [];
  for (const method of values.only.split(',') as StartMethod[]) {
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

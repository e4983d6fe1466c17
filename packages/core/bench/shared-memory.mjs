#!/usr/bin/env node
/**
 * Shared-memory figures for docs/shared-memory.md: the cost of `.value`, of an uncontended
 * acquire + increment + release (awaited, and with acquireSync), and locked increments per second
 * with 2 workers (both ways), per start method and on the fallback. Runs the built package (npx turbo run build first):
 *
 *   node packages/core/bench/shared-memory.mjs [--quick]
 *
 * Not a test: numbers depend on the machine and its load.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { getContext } from '@mproc/core';

const quick = process.argv.includes('--quick');
const UNCONTENDED = quick ? 100_000 : 1_000_000;
const CONTENDED_MS = quick ? 500 : 2_000;

function nsPer(operations, start) {
  return ((performance.now() - start) * 1e6) / operations;
}

/**
 * ns per `.value` read, per write, per awaited acquire + increment + release, and per acquireSync +
 * increment + releaseSync (not on the fallback, which has no synchronous acquire), in this process.
 */
async function uncontended(context) {
  const value = context.Value('i', 0);
  const lock = value.getLock();
  let sink = 0;
  let start = performance.now();
  for (let index = 0; index < UNCONTENDED; index++) sink += value.value;
  const read = nsPer(UNCONTENDED, start);
  start = performance.now();
  for (let index = 0; index < UNCONTENDED; index++) value.value = index;
  const write = nsPer(UNCONTENDED, start);
  value.value = 0;
  start = performance.now();
  for (let index = 0; index < UNCONTENDED; index++) {
    await lock.acquire();
    value.value += 1;
    await lock.release();
  }
  const locked = nsPer(UNCONTENDED, start);
  if (value.value !== UNCONTENDED || sink < 0) throw new Error('lost increments');
  if (onFallback) return { read, write, locked };
  start = performance.now();
  for (let index = 0; index < UNCONTENDED; index++) {
    lock.acquireSync();
    value.value += 1;
    lock.releaseSync();
  }
  const lockedSync = nsPer(UNCONTENDED, start);
  if (value.value !== 2 * UNCONTENDED) throw new Error('lost increments');
  return { read, write, locked, lockedSync };
}

/** Locked increments per second with `workers` workers hammering one Value for `ms`. */
async function contended(context, workers, sync) {
  const value = context.Value('i', 0);
  const pool = context.Pool({ processes: workers });
  try {
    await pool.map(
      (x) => x,
      Array.from({ length: workers }, (_, index) => index),
      1,
    ); // all started
    const start = Date.now() + 200;
    const counts = await pool.map(
      async ([shared, begin, end, sync]) => {
        const lock = shared.getLock();
        // Start together, then count for the measured window only.
        while (Date.now() < begin);
        let done = 0;
        while (Date.now() < end) {
          if (sync) {
            lock.acquireSync();
            shared.value += 1;
            lock.releaseSync();
          } else {
            await lock.acquire();
            shared.value += 1;
            await lock.release();
          }
          done++;
        }
        return done;
      },
      Array.from({ length: workers }, () => [value, start, start + CONTENDED_MS, sync]),
      1,
    );
    const total = counts.reduce((sum, count) => sum + count, 0);
    if (total !== value.value) throw new Error(`lost increments: ${total} done, ${value.value} counted`);
    return { perSecond: (total / CONTENDED_MS) * 1000, perWorker: counts };
  } finally {
    await pool.terminate();
  }
}

function row(label, figures) {
  console.log(label.padEnd(34), figures);
}

const format = (ns) => `${ns.toFixed(1)} ns`;

const ROWS = [
  ['threads (SharedArrayBuffer)', 'threads'],
  ['fork (native memfd + futex)', 'fork'],
  ['spawn (native memfd + futex)', 'spawn'],
  ['cluster (native memfd + futex)', 'cluster'],
];
const FALLBACK_ROWS = [['fork, fallback (file + socket)', 'fork']];
const onFallback = process.env.MPROC_NO_NATIVE === '1';

for (const [label, method] of onFallback ? FALLBACK_ROWS : ROWS) {
  const context = getContext(method);
  const single = await uncontended(context);
  const two = await contended(context, 2, false);
  const rate = (figures) =>
    `${Math.round(figures.perSecond).toLocaleString('en')} locked increments/s (${figures.perWorker.join(' + ')})`;
  let syncFigures = '';
  if (!onFallback) {
    const twoSync = await contended(context, 2, true);
    syncFigures = `; acquireSync+increment+releaseSync ${format(single.lockedSync)}; 2 workers with acquireSync: ${rate(twoSync)}`;
  }
  row(
    label,
    `.value read ${format(single.read)}, write ${format(single.write)}; ` +
      `acquire+increment+release ${format(single.locked)}; 2 workers: ${rate(two)}${syncFigures}`,
  );
}
// The fallback is chosen when the package loads: measure it in a process of its own.
if (!onFallback) {
  execFileSync(process.execPath, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    env: { ...process.env, MPROC_NO_NATIVE: '1', NODE_NO_WARNINGS: '1' },
    stdio: 'inherit',
  });
}

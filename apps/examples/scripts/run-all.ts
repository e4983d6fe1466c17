/**
 * Runs every example in src/ in a fresh process (`node --import tsx src/<name>.ts`), one after the
 * other, and prints its output under a header.
 *
 *   npm run examples                                  every example, on the default start method (fork)
 *   MPROC_START_METHOD=threads npm run examples       the same on threads
 *   npm run examples -- imap chunksize                only the examples whose file name contains a word
 *
 * MPROC_EXAMPLE_ITERATIONS scales down the CPU-bound examples of tutorial 003 (default 50,000,000).
 * Exits with 1 when an example ends otherwise than expected (only pool-apply-async-error is expected to
 * fail, as its Python original does) or runs longer than five minutes.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Examples whose Python original ends with an uncaught exception, and their exit code. */
const EXPECTED_EXIT_CODES: Readonly<Record<string, number>> = { 'pool-apply-async-error.ts': 1 };
const TIMEOUT_MS = 5 * 60_000;

const examplesDir = fileURLToPath(new URL('..', import.meta.url));
const startMethod = process.env.MPROC_START_METHOD || 'fork';
const filters = process.argv.slice(2);
const examples = readdirSync(new URL('../src/', import.meta.url))
  .filter((file) => file.endsWith('.ts'))
  .filter((file) => filters.length === 0 || filters.some((word) => file.includes(word)))
  .sort();

const unexpected: string[] = [];
for (const file of examples) {
  console.log(`\n=== ${file} (start method: ${startMethod}) ===`);
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', `src/${file}`], {
    cwd: examplesDir,
    env: { ...process.env, MPROC_START_METHOD: startMethod },
    stdio: 'inherit',
    timeout: TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const expected = EXPECTED_EXIT_CODES[file] ?? 0;
  const outcome = run.error ? `error ${run.error.message}` : `exit code ${run.status ?? run.signal}`;
  console.log(`--- ${file}: ${outcome} after ${seconds} s${run.status === expected ? '' : ' (UNEXPECTED)'}`);
  if (run.status !== expected) unexpected.push(file);
}

console.log(
  `\n${examples.length} examples on ${startMethod}; ${unexpected.length ? `unexpected: ${unexpected.join(', ')}` : 'all as expected'}`,
);
process.exitCode = unexpected.length ? 1 : 0;

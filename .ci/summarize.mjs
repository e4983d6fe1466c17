// Sums the vitest JSON reports that `npm test` wrote per package and per Node line (.ci/run sets
// MPROC_TEST_REPORT): one line per Node line, then the total as `N passed, N failed`.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2];
const total = { passed: 0, failed: 0, skipped: 0 };
let missing = false;
for (const line of readdirSync(root).sort((a, b) => Number(a) - Number(b))) {
  const counts = { passed: 0, failed: 0, skipped: 0, files: 0 };
  for (const file of readdirSync(join(root, line))) {
    const report = JSON.parse(readFileSync(join(root, line, file), 'utf8'));
    counts.passed += report.numPassedTests;
    // A test file that failed to load has no failed test but an unsuccessful report.
    counts.failed +=
      report.numFailedTests + (report.success === false && report.numFailedTests === 0 ? 1 : 0);
    counts.skipped += report.numPendingTests + (report.numTodoTests ?? 0);
    counts.files++;
  }
  if (counts.files === 0) missing = true;
  console.log(
    `node ${line}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped (${counts.files} packages)`,
  );
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
}
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 || missing ? 1 : 0);

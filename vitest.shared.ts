import { defineConfig } from 'vitest/config';

// One config for every package. CI sets MPROC_TEST_REPORT to a folder; each package then writes
// its results as JSON there too, so .ci/run can sum them across packages and Node versions.
export function mprocVitestConfig(packageName: string) {
  const reportDir = process.env.MPROC_TEST_REPORT || undefined;
  return defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      testTimeout: 30_000,
      hookTimeout: 30_000,
      reporters: reportDir ? ['default', 'json'] : ['default'],
      outputFile: reportDir ? { json: `${reportDir}/${packageName}.json` } : undefined,
    },
  });
}

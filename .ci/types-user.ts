// A user's file, compiled by .ci/run against the built @mproc/core as a user compiles it: strict,
// without skipLibCheck, with the newest @types/node.
import { getContext, isMainProcess, MprocError, transfer } from '@mproc/core';
export function square(n: number): number {
  return n * n;
}
if (isMainProcess()) {
  const pool = getContext('fork').Pool({ processes: 2 });
  const results: number[] = await pool.map(square, [1, 2, 3]);
  console.log(results, transfer(new Uint8Array(4), [new ArrayBuffer(1)]), MprocError.isInstance(1));
  await pool.terminate();
}

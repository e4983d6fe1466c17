/**
 * mproc tasks that cannot be self-contained: `echoMoved` needs `transfer` from @mproc/core. The
 * pool lists this module in its `modules` option, so mproc sends `echoMoved` by module URL + export
 * name and the worker imports this file. @mproc/core is loaded dynamically because it may not
 * export `transfer` yet; the bench must still build then (mproc rows are skipped at run time).
 */
interface MprocTransfer {
  transfer<T>(value: T): T;
}

// A variable specifier keeps TypeScript from resolving the package's types (see systems/mproc.ts).
const specifier: string = '@mproc/core';
const core = (await import(specifier)) as Partial<MprocTransfer>;

/** Returns the array marked for transfer, so the result is moved back instead of copied. */
export function echoMoved(data: Uint8Array): Uint8Array {
  if (typeof core.transfer !== 'function') throw new Error('@mproc/core does not export transfer()');
  return core.transfer(data);
}

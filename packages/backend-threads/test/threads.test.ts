import { execFileSync } from 'node:child_process';
import { backend } from '@mproc/backend-threads';
import { getContext, transfer } from '@mproc/core';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain JavaScript fixture without types
import { filledBuffer } from './fixtures/tasks.mjs';

describe('threads backend', () => {
  it('starts under a parent run with options a thread refuses (heap size, --expose-gc)', () => {
    const script = `
      import { getContext } from '@mproc/core';
      const pool = getContext('threads').Pool({ processes: 1 });
      console.log(await pool.apply((x) => x + 1, [41]));
      await pool.terminate();
    `;
    const output = execFileSync(
      process.execPath,
      ['--max-old-space-size=128', '--expose-gc', '--input-type=module', '-e', script],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(output.trim()).toBe('42');
  });

  it('transfer() moves an argument buffer to the worker instead of copying it', async () => {
    await using pool = getContext('threads').Pool({ processes: 1 });
    const bytes = new Uint8Array(1024).fill(7);
    const sum = await pool.apply((b: Uint8Array) => b.reduce((a, v) => a + v, 0), [transfer(bytes)]);
    expect(sum).toBe(7 * 1024);
    expect(bytes.byteLength).toBe(0); // detached: moved, not copied
  });

  it('transfer() in a result moves the buffer back', async () => {
    await using pool = getContext('threads').Pool({ processes: 1 });
    const result = await pool.apply(filledBuffer, [16, 1]);
    expect(result).toEqual(new Uint8Array(16).fill(1));
  });

  it('a worker is a thread of this process: pid is ours, ident is its threadId', async () => {
    await using pool = getContext('threads').Pool({ processes: 2 });
    expect(await pool.apply(() => process.pid)).toBe(process.pid);
    expect(pool.workers.every((ident) => ident !== process.pid && ident > 0)).toBe(true);
  });

  it('runs under a third-party name given to getContext() as a Backend object', async () => {
    const custom = { ...backend, name: 'my-threads' };
    await using pool = getContext(custom).Pool({ processes: 1 });
    expect(await pool.apply((x: number) => x * 2, [21])).toBe(42);
  });
});

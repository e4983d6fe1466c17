import { execFile } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { serialize } from 'node:v8';
import { backend } from '@mproc/backend-spawn';
import { getContext, WorkerExitedError } from '@mproc/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeFrameHeader } from '../src/frame-decoder.js';

const run = promisify(execFile);
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** A digest of every byte (native, so cheap even for 256 MiB). */
function digest(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

/** True once `pid` is no process, or only a zombie waiting for its new parent to reap it. */
async function isGone(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat === '' || (stat.split(') ')[1]?.startsWith('Z') ?? false);
}

/** Resolves once every pid is gone; throws after `bound` ms. */
async function waitUntilGone(pids: readonly number[], bound: number): Promise<void> {
  const deadline = Date.now() + bound;
  for (;;) {
    const alive = (await Promise.all(pids.map(async (pid) => ((await isGone(pid)) ? [] : [pid])))).flat();
    if (alive.length === 0) return;
    if (Date.now() > deadline) throw new Error(`still alive after ${bound} ms: ${alive.join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('spawn backend', () => {
  it('a 256 MiB Uint8Array makes the round trip intact', async () => {
    const size = 256 * 1024 * 1024;
    const sent = randomFillSync(new Uint8Array(size));
    await using pool = getContext('spawn').Pool({ processes: 1 });
    const received = await pool.apply((bytes: Uint8Array) => bytes, [sent]);
    expect(received).toBeInstanceOf(Uint8Array);
    expect(received.length).toBe(size);
    for (const offset of [0, 1, 4095, 65_536, size / 2 + 3, size - 1])
      expect(received[offset]).toBe(sent[offset]);
    expect(digest(received)).toBe(digest(sent));
  });

  it("starts workers without the parent's execArgv, with the execArgv option, and lets an idle parent exit", async () => {
    // The parent does not terminate its pools: unref'd idle workers must let it end, and then go too.
    const source = `
      import { getContext } from '@mproc/core';
      const ctx = getContext('spawn');
      const plain = ctx.Pool({ processes: 1 });
      const flagged = ctx.Pool({ processes: 1, execArgv: ['--max-old-space-size=96'] });
      const report = {
        parent: process.execArgv,
        plain: await plain.apply(() => { console.log('a line from the worker'); return process.execArgv; }),
        flagged: await flagged.apply(() => process.execArgv),
        pids: [...plain.workers, ...flagged.workers],
      };
      console.log(JSON.stringify(report));
    `;
    const { stdout } = await run(
      process.execPath,
      ['--max-old-space-size=64', '--input-type=module', '-e', source],
      { cwd: PACKAGE_DIR, timeout: 20_000 },
    );
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toBe('a line from the worker');
    const report = JSON.parse(lines[1] as string) as Record<string, string[]> & { pids: number[] };
    expect(report.parent).toContain('--max-old-space-size=64');
    expect(report.plain).toEqual([]);
    expect(report.flagged).toEqual(['--max-old-space-size=96']);
    expect(report.pids).toHaveLength(2);
    await waitUntilGone(report.pids, 10_000);
  });

  it.skipIf(process.platform === 'win32')('starts the interpreter set by ctx.setExecutable()', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mproc-spawn-'));
    try {
      const wrapper = join(dir, 'node-wrapper.sh');
      await writeFile(
        wrapper,
        `#!/bin/sh\nMPROC_TEST_WRAPPED=yes exec ${JSON.stringify(process.execPath)} "$@"\n`,
      );
      await chmod(wrapper, 0o755);
      // A context of its own: the shared 'spawn' context keeps process.execPath for other tests.
      const context = getContext(backend);
      context.setExecutable(wrapper);
      await using pool = context.Pool({ processes: 1 });
      expect(await pool.apply(() => process.env.MPROC_TEST_WRAPPED)).toBe('yes');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("passes the parent's environment unless the env option replaces it", async () => {
    process.env.MPROC_SPAWN_TEST = 'from the parent';
    try {
      const read = () => [process.env.MPROC_SPAWN_TEST, process.env.MPROC_SPAWN_OWN];
      await using inheriting = getContext('spawn').Pool({ processes: 1 });
      expect(await inheriting.apply(read)).toEqual(['from the parent', undefined]);
      await using replacing = getContext('spawn').Pool({ processes: 1, env: { MPROC_SPAWN_OWN: 'own' } });
      expect(await replacing.apply(read)).toEqual([undefined, 'own']);
    } finally {
      delete process.env.MPROC_SPAWN_TEST;
    }
  });

  describe('a corrupt stream from a worker (something in it wrote to fd 4)', () => {
    /** Writes `bytes` to the worker's fd 4, where mproc's frames go, then returns. */
    const scribble = async (bytes: Uint8Array) => {
      const load = new Function('specifier', 'return import(specifier)');
      const { writeSync } = (await load('node:fs')) as typeof import('node:fs');
      writeSync(4, bytes);
      return 'not seen';
    };

    /** The task fails with a protocol error, its worker is replaced, and the pool goes on. */
    async function expectProtocolError(bytes: Uint8Array): Promise<void> {
      await using pool = getContext('spawn').Pool({ processes: 1 });
      const error = await pool.apply(scribble, [bytes]).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(WorkerExitedError);
      expect(String((error as Error).cause)).toMatch(/protocol error/);
      expect(await pool.apply((value: number) => value + 1, [1])).toBe(2);
    }

    it('property: random bytes are a protocol error; the task fails, the worker is replaced, the pool goes on', async () => {
      await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 64 }), expectProtocolError), {
        numRuns: 5,
      });
    });

    it('a well-framed body that V8 cannot read, or that is no mproc message, is a protocol error too', async () => {
      for (const body of [Buffer.from([0xff, 0x0f, 0x99, 0x99]), serialize({ hello: 'world' })]) {
        const framed = Buffer.alloc(8 + body.length);
        writeFrameHeader(framed, body.length);
        body.copy(framed, 8);
        await expectProtocolError(framed);
      }
    });
  });
});

/**
 * SPEC 5 (Process) as tests, run once per backend. Targets are self-contained arrow functions, sent
 * by source text. A child reports what it sees by writing a file whose path it gets as an argument
 * (written with `process.getBuiltinModule`, since a target cannot import at its top level); mproc's
 * own API is reached with a dynamic import of '@mproc/core' inside the target. Every wait is bounded
 * (`join(BOUND)`, `within()`), and every child is stopped in a `finally`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as joinPath } from 'node:path';
import { deserialize } from 'node:v8';
import {
  activeChildren,
  type BackendCapabilities,
  getContext,
  InvalidStateError,
  type Process,
  type ProcessInfo,
  SerializationError,
  type StartMethod,
  transfer,
  WorkerExitedError,
} from '@mproc/core';
import { describe, expect, it } from 'vitest';
import { BOUND, rejectionOf, within } from './bounded.js';
import { spawnParentScript, waitUntilGone } from './parent-process.js';

/** A target that never returns by itself: only terminate() or kill() ends it. */
const spin = () => {
  for (;;);
};

/** What a child reports about itself (see `reportIdentity`). */
interface Identity {
  readonly pid: number;
  readonly threadId: number;
  readonly current: ProcessInfo;
  readonly parent: ProcessInfo | null;
}

/** Writes the child's view of itself and of its parent to `file`, as JSON. */
const reportIdentity = async (file: string) => {
  // import() built at run time: a literal one would be inlined by the bundler or rewritten by vitest.
  const load = new Function('specifier', 'return import(specifier)');
  const { currentProcess, parentProcess } = (await load('@mproc/core')) as typeof import('@mproc/core');
  const { threadId } = process.getBuiltinModule('node:worker_threads');
  const report = { pid: process.pid, threadId, current: currentProcess(), parent: parentProcess() };
  process.getBuiltinModule('node:fs').writeFileSync(file, JSON.stringify(report));
};

/** Writes its arguments to `file` with the V8 serializer, which keeps what structured clone keeps. */
const reportArguments = (file: string, ...values: unknown[]) => {
  const { serialize } = process.getBuiltinModule('node:v8');
  process.getBuiltinModule('node:fs').writeFileSync(file, serialize(values));
};

/** A fresh directory for the files children write; removed afterwards. */
async function withTempDir(body: (file: (name: string) => string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(joinPath(tmpdir(), 'mproc-process-'));
  try {
    await body((name) => joinPath(dir, name));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function processSuite(method: StartMethod, capabilities: BackendCapabilities): void {
  const context = getContext(method);
  const isProcess = capabilities.separateProcess;

  /**
   * Runs `body` with a factory of this context's Processes; whatever it started and left running is
   * killed and joined afterwards.
   */
  async function withProcesses(body: (make: typeof context.Process) => Promise<void>): Promise<void> {
    const made: Process[] = [];
    const make: typeof context.Process = (options) => {
      const child = context.Process(options);
      made.push(child);
      return child;
    };
    try {
      await body(make);
    } finally {
      for (const child of made) {
        try {
          if (!child.isAlive()) continue;
          child.kill();
          await child.join(BOUND);
        } catch {
          // closed, or never started
        }
      }
    }
  }

  describe('Process lifecycle', () => {
    it('start() resolves once the child runs; join() waits for its end; exitCode is then 0', () =>
      withProcesses(async (make) => {
        const child = make({
          target: (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
          args: [200],
        });
        expect(child.isAlive()).toBe(false);
        expect(child.exitCode).toBeNull();
        expect(child.pid).toBeNull();
        const started = child.start();
        expect(child.isAlive()).toBe(true);
        await started;
        expect(child.isAlive()).toBe(true);
        expect(child.exitCode).toBeNull();
        await child.join(BOUND);
        expect(child.isAlive()).toBe(false);
        expect(child.exitCode).toBe(0);
        await child.join(); // joining again returns at once
      }));

    it('a target that throws ends the child with exitCode 1', () =>
      withProcesses(async (make) => {
        const child = make({
          target: () => {
            throw new RangeError('failing on purpose (this test expects it on stderr)');
          },
        });
        await child.start();
        await child.join(BOUND);
        expect(child.exitCode).toBe(1);
      }));

    it('a target that calls process.exit(3) ends the child with exitCode 3', () =>
      withProcesses(async (make) => {
        const child = make({ target: () => process.exit(3) });
        await child.start();
        await child.join(BOUND);
        expect(child.exitCode).toBe(3);
      }));

    it('terminate() gives exitCode -15 and kill() -9, for a child stuck in a synchronous loop', () =>
      withProcesses(async (make) => {
        const terminated = make({ target: spin });
        const killed = make({ target: spin });
        await Promise.all([terminated.start(), killed.start()]);
        terminated.terminate();
        killed.kill();
        await Promise.all([terminated.join(BOUND), killed.join(BOUND)]);
        expect(terminated.exitCode).toBe(-15);
        expect(killed.exitCode).toBe(-9);
        expect(terminated.isAlive()).toBe(false);
        terminated.terminate(); // does nothing once it ended
        killed.kill();
        expect(killed.exitCode).toBe(-9);
      }));

    it('join(timeout) returns after the timeout while the child still runs', () =>
      withProcesses(async (make) => {
        const child = make({ target: spin });
        await child.start();
        const before = performance.now();
        await child.join(100);
        expect(performance.now() - before).toBeGreaterThanOrEqual(90);
        expect(child.isAlive()).toBe(true);
        expect(child.exitCode).toBeNull();
        child.kill();
        await child.join(BOUND);
        expect(child.exitCode).toBe(-9);
      }));

    it('close() throws while the child runs; afterwards the methods throw', () =>
      withProcesses(async (make) => {
        const child = make({ target: spin });
        await child.start();
        expect(() => child.close()).toThrow(InvalidStateError);
        child.kill();
        await child.join(BOUND);
        child.close();
        child.close(); // again: nothing
        expect(() => child.isAlive()).toThrow(InvalidStateError);
        expect(() => child.pid).toThrow(InvalidStateError);
        expect(() => child.join()).toThrow(InvalidStateError);
        expect(() => child.start()).toThrow(InvalidStateError);
        expect(child.exitCode).toBe(-9);
        expect(child.name).toMatch(/^Process-\d+$/);
      }));

    it('terminate() right after start() stops the child before it runs; start() rejects', () =>
      withProcesses(async (make) => {
        const child = make({ target: spin });
        const started = child.start();
        child.terminate();
        const error = await within(rejectionOf(started), BOUND, 'start()');
        expect(error).toBeInstanceOf(WorkerExitedError);
        await child.join(BOUND);
        expect(child.exitCode).toBe(-15);
        expect(child.isAlive()).toBe(false);
      }));

    it('a child that cannot start rejects start() and is not alive', () =>
      withProcesses(async (make) => {
        const child = make({ target: () => {}, execArgv: ['--no-such-node-flag'] });
        await within(rejectionOf(child.start()), BOUND, 'start()');
        expect(child.isAlive()).toBe(false);
        expect(activeChildren()).not.toContain(child);
      }));

    it('calls out of order fail: start() twice, join/terminate before start()', () =>
      withProcesses(async (make) => {
        const child = make({ target: () => {} });
        await expect(child.join()).rejects.toBeInstanceOf(InvalidStateError);
        expect(() => child.terminate()).toThrow(InvalidStateError);
        expect(() => child.kill()).toThrow(InvalidStateError);
        await child.start();
        expect(() => child.start()).toThrow(InvalidStateError);
        expect(() => {
          child.daemon = true;
        }).toThrow(InvalidStateError);
        await child.join(BOUND);
        expect(child.exitCode).toBe(0);
      }));

    it('invalid options and targets that cannot be sent throw a TypeError at the call', () => {
      expect(() => context.Process({ target: Math.sqrt })).toThrow(TypeError);
      expect(() => context.Process({ target: ((x: number) => x).bind(null) })).toThrow(/bound/);
      expect(() => context.Process({ target: 5 as never })).toThrow(/target/);
      expect(() => context.Process({ target: () => {}, args: 'x' as never })).toThrow(/args/);
      expect(() => context.Process({ target: () => {}, daemon: 1 as never })).toThrow(/daemon/);
      expect(() => context.Process({ target: () => {}, execArgv: [1] as never })).toThrow(/execArgv/);
      expect(() => context.Process({ target: () => {}, modules: ['./relative.js'] })).toThrow(/modules/);
      expect(() => context.Process({ target: () => {}, tagret: 1 } as never)).toThrow(
        /unknown option 'tagret'/,
      );
    });
  });

  describe('Process identity', () => {
    it('name defaults to Process-N, counting up; a custom name is kept', () => {
      const first = context.Process({ target: () => {} });
      const second = context.Process({ target: () => {} });
      const n = Number(/^Process-(\d+)$/.exec(first.name)?.[1]);
      expect(n).toBeGreaterThan(0);
      expect(second.name).toBe(`Process-${n + 1}`);
      expect(context.Process({ target: () => {}, name: 'collector' }).name).toBe('collector');
      expect(context.Process({ target: () => {} }).daemon).toBe(false);
    });

    it("in the child, currentProcess() is the Process's name, pid, ident and daemon; parentProcess() is ours", () =>
      withTempDir((file) =>
        withProcesses(async (make) => {
          const named = make({
            target: reportIdentity,
            args: [file('named.json')],
            name: 'reporter',
            daemon: true,
          });
          const plain = make({ target: reportIdentity, args: [file('plain.json')] });
          await Promise.all([named.start(), plain.start()]);
          await Promise.all([named.join(BOUND), plain.join(BOUND)]);
          expect([named.exitCode, plain.exitCode]).toEqual([0, 0]);
          const seen = JSON.parse(readFileSync(file('named.json'), 'utf8')) as Identity;
          const plainSeen = JSON.parse(readFileSync(file('plain.json'), 'utf8')) as Identity;
          expect(seen.current.name).toBe('reporter');
          expect(seen.current.daemon).toBe(true);
          expect(plainSeen.current.name).toBe(plain.name);
          expect(plainSeen.current.daemon).toBe(false);
          expect(seen.parent).toEqual({
            name: 'MainProcess',
            pid: process.pid,
            ident: process.pid,
            daemon: false,
          });
          expect(seen.current.pid).toBe(seen.pid);
          expect(named.pid).toBe(seen.pid);
          if (isProcess) {
            expect(named.pid).not.toBe(process.pid);
            expect(named.ident).toBe(named.pid);
            expect(seen.current.ident).toBe(seen.pid);
          } else {
            expect(named.pid).toBe(process.pid);
            expect(named.ident).toBe(seen.threadId);
            expect(seen.current.ident).toBe(seen.threadId);
          }
        }),
      ));

    it('activeChildren() lists the started Processes until they end', () =>
      withProcesses(async (make) => {
        const child = make({ target: spin });
        expect(activeChildren()).not.toContain(child);
        await child.start();
        expect(activeChildren()).toContain(child);
        child.terminate();
        await child.join(BOUND);
        expect(activeChildren()).not.toContain(child);
      }));
  });

  describe('Process arguments', () => {
    it('arguments arrive as structured clones', () =>
      withTempDir((file) =>
        withProcesses(async (make) => {
          const value = {
            map: new Map([[1, 'a']]),
            set: new Set([2n]),
            date: new Date(0),
            regexp: /x+/gi,
            bytes: new Uint8Array([1, 2, 3]),
            nested: { deep: [1, { deeper: true }] },
          };
          const child = make({ target: reportArguments, args: [file('args.bin'), value, 'second'] });
          await child.start();
          await child.join(BOUND);
          expect(child.exitCode).toBe(0);
          expect(deserialize(readFileSync(file('args.bin')))).toEqual([value, 'second']);
        }),
      ));

    it(`transfer() markers are unwrapped; the buffer is ${isProcess ? 'copied' : 'moved'}`, () =>
      withTempDir((file) =>
        withProcesses(async (make) => {
          const bytes = new Uint8Array(64).fill(7);
          const child = make({ target: reportArguments, args: [file('bytes.bin'), transfer(bytes)] });
          await child.start();
          expect(bytes.byteLength).toBe(isProcess ? 64 : 0);
          await child.join(BOUND);
          expect(deserialize(readFileSync(file('bytes.bin')))).toEqual([new Uint8Array(64).fill(7)]);
        }),
      ));

    it('an argument that cannot be sent rejects start() with the path of the value; nothing runs', () =>
      withProcesses(async (make) => {
        const child = make({ target: (x: unknown) => x, args: [{ cb: () => 1 }] });
        const error = await rejectionOf(child.start());
        expect(error).toBeInstanceOf(SerializationError);
        expect(error.message).toContain('args[0].cb is a function');
        expect(child.isAlive()).toBe(false);
        expect(child.exitCode).toBeNull();
        expect(activeChildren()).not.toContain(child);
      }));

    it('env replaces the environment of the child', () =>
      withTempDir((file) =>
        withProcesses(async (make) => {
          const child = make({
            target: (path: string) => {
              const seen = [process.env.MPROC_TEST_ONLY, process.env.PATH];
              process.getBuiltinModule('node:fs').writeFileSync(path, JSON.stringify(seen));
            },
            args: [file('env.json')],
            env: { MPROC_TEST_ONLY: 'yes' },
          });
          await child.start();
          await child.join(BOUND);
          expect(JSON.parse(readFileSync(file('env.json'), 'utf8'))).toEqual(['yes', null]);
        }),
      ));
  });

  describe('Process and its parent', () => {
    it("the error of a target that throws is printed, with its stack, on the child's stderr", async () => {
      const parent = await spawnParentScript(
        `
        import { getContext } from '@mproc/core';
        const context = getContext(${JSON.stringify(method)});
        const thrower = context.Process({
          name: 'Thrower',
          target: () => { throw new RangeError('the target failed'); },
        });
        const escaper = context.Process({
          target: () => new Promise(() => setTimeout(() => { throw new TypeError('escaped in a timer'); })),
        });
        await Promise.all([thrower.start(), escaper.start()]);
        await Promise.all([thrower.join(), escaper.join()]);
        console.log(JSON.stringify({ exitCodes: [thrower.exitCode, escaper.exitCode] }));
      `,
        { captureStderr: true },
      );
      try {
        const { stdout, stderr } = await within(parent.output(), BOUND, 'the parent script');
        expect(JSON.parse(stdout)).toEqual({ exitCodes: [1, 1] });
        expect(stderr).toContain('Process Thrower:\nRangeError: the target failed\n    at ');
        // An error that escapes the target is printed too, by Node in a process, by mproc in a thread.
        expect(stderr).toMatch(/TypeError: escaped in a timer\n {4}at /);
      } finally {
        parent.kill('SIGKILL');
      }
    });

    it('a non-daemonic child keeps the parent alive until it ends', async () => {
      const parent = await spawnParentScript(`
        import { getContext } from '@mproc/core';
        const child = getContext(${JSON.stringify(method)}).Process({
          target: () => new Promise((resolve) => setTimeout(() => { console.log('child done'); resolve(); }, 300)),
        });
        await child.start();
        console.log('parent done');
      `);
      try {
        const { stdout } = await within(parent.output(), BOUND, 'the parent script');
        expect(stdout).toBe('parent done\nchild done\n');
      } finally {
        parent.kill('SIGKILL');
      }
    });

    it.skipIf(!isProcess)(
      'a daemonic child is stopped when the parent exits, even inside a synchronous loop (process backends: a thread ends with its process anyway)',
      async () => {
        const parent = await spawnParentScript(`
          import { getContext } from '@mproc/core';
          const child = getContext(${JSON.stringify(method)}).Process({ target: () => { for (;;); }, daemon: true });
          await child.start();
          console.log(JSON.stringify({ pid: child.pid }));
        `);
        let pid: number | undefined;
        try {
          pid = (JSON.parse(await within(parent.firstLine(), BOUND, 'the first line')) as { pid: number })
            .pid;
          await within(parent.exited, BOUND, 'the parent exit');
          await waitUntilGone([pid], BOUND);
        } finally {
          parent.kill('SIGKILL');
          if (pid !== undefined) {
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              // gone, as expected
            }
          }
        }
      },
    );

    it('a child waits for its own non-daemonic children before it exits', () =>
      withTempDir((file) =>
        withProcesses(async (make) => {
          const child = make({
            target: async (startMethod: StartMethod, path: string) => {
              const load = new Function('specifier', 'return import(specifier)'); // see reportIdentity
              const { getContext } = (await load('@mproc/core')) as typeof import('@mproc/core');
              const grandchild = getContext(startMethod).Process({
                target: async (out: string) => {
                  await new Promise((resolve) => setTimeout(resolve, 200));
                  process.getBuiltinModule('node:fs').writeFileSync(out, 'grandchild');
                },
                args: [path],
              });
              await grandchild.start();
            },
            args: [method, file('grandchild.txt')],
          });
          await child.start();
          await child.join(BOUND);
          expect(child.exitCode).toBe(0);
          expect(readFileSync(file('grandchild.txt'), 'utf8')).toBe('grandchild');
        }),
      ));
  });
}

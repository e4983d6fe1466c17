import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ByteRing, ringRegionBytes } from '../src/channels/byte-ring.js';
import { allocateRegion, type MemoryKind } from '../src/shared/shared-memory.js';
import { BOUND, within } from '../src/testing/bounded.js';
import type { RingPeerTask } from './fixtures/ring-peer.js';

const PEER = fileURLToPath(new URL('./fixtures/ring-peer.ts', import.meta.url));
const TSX_API = import.meta.resolve('tsx/esm/api');
const STOP = new Uint8Array(1);

function ring(kind: MemoryKind, capacity: number): ByteRing {
  return new ByteRing(allocateRegion(ringRegionBytes(capacity), kind));
}

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

/** A peer in a worker thread; resolves its one report. */
function threadPeer(task: RingPeerTask): Promise<unknown> {
  // Workers do not get vitest's transform: register tsx inside, then load the fixture.
  const code = `import(${JSON.stringify(TSX_API)}).then(({ register }) => { register(); return import(${JSON.stringify(
    new URL(`file://${PEER}`).href,
  )}); })`;
  const worker = new Worker(code, { eval: true, workerData: task });
  return within(
    new Promise((resolve, reject) => {
      worker.once('message', (value) => {
        resolve(value);
        void worker.terminate();
      });
      worker.once('error', reject);
    }),
    BOUND * 3,
    `ring ${task.role} thread`,
  );
}

/** A peer in a child process; `child` is handed over at once, the promise resolves its first report. */
function processPeer(task: RingPeerTask): { child: ChildProcess; report: Promise<unknown> } {
  const child = spawn(process.execPath, ['--import', 'tsx', PEER, JSON.stringify(task)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const report = new Promise<unknown>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const end = output.indexOf('\n');
      if (end >= 0) resolve(JSON.parse(output.slice(0, end)));
    });
    child.once('exit', (code) =>
      reject(new Error(`ring ${task.role} process exited (${code}) without a report`)),
    );
  });
  return { child, report: within(report, BOUND * 3, `ring ${task.role} process`) };
}

describe.each<MemoryKind>(['threads', 'process'])('byte ring (%s memory)', (kind) => {
  it('gives messages back in order, across the end of its memory, and refuses what cannot fit', () => {
    const small = ring(kind, 16);
    expect(small.capacity).toBe(16);
    expect(small.maxMessageBytes).toBe(12);
    expect(() => small.tryWrite(new Uint8Array(13))).toThrow(RangeError);
    expect(small.tryRead()).toBeUndefined();
    for (let round = 0; round < 20; round++) {
      expect(small.tryWrite(bytes(round, 1, 2))).toBe(true); // 7 bytes with its length
      expect(small.tryWrite(bytes(round, 3, 4, 5))).toBe(true); // 8 more: 15 of 16
      expect(small.tryWrite(bytes(9))).toBe(false);
      expect(small.usedBytes()).toBe(15);
      expect(small.tryRead()).toEqual(bytes(round, 1, 2));
      expect(small.tryRead()).toEqual(bytes(round, 3, 4, 5));
      expect(small.tryRead()).toBeUndefined();
    }
    expect(small.tryWrite(new Uint8Array(0))).toBe(true);
    expect(small.tryRead()).toEqual(new Uint8Array(0));
  });

  it('times out a read of an empty ring and a write to a full one, sync and async', async () => {
    const small = ring(kind, 16);
    let started = performance.now();
    expect(await small.read(40)).toBeUndefined();
    expect(small.readSync(40)).toBeUndefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    expect(small.tryWrite(new Uint8Array(12))).toBe(true);
    started = performance.now();
    expect(await small.write(bytes(1), 40)).toBe(false);
    expect(small.writeSync(bytes(1), 40)).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('wakes a sleeping reader when a message arrives', async () => {
    const shared = ring(kind, 64);
    const reading = shared.read(BOUND);
    setTimeout(() => shared.tryWrite(bytes(7)), 100);
    expect(await within(reading, BOUND, 'the read')).toEqual(bytes(7));
  });

  it('delivers every message exactly once, in each producer order, to 3 threads from 3 threads', async () => {
    const shared = allocateRegion(ringRegionBytes(256), kind);
    const descriptor = shared.descriptor();
    const count = 5_000;
    const consumers = [0, 1, 2].map(() => threadPeer({ region: descriptor, role: 'consumer' }));
    const producers = [0, 1, 2].map((producer) =>
      threadPeer({ region: descriptor, role: 'producer', producer, count }),
    );
    await Promise.all(producers);
    const controller = new ByteRing(shared);
    for (const _ of consumers) expect(await controller.write(STOP, BOUND)).toBe(true);
    expectExactlyOnce((await Promise.all(consumers)) as number[][], 3, count);
  });
});

/** Every [producer, i] once over all consumers, and each consumer saw each producer's in order. */
function expectExactlyOnce(received: number[][], producers: number, count: number): void {
  const seen = new Uint8Array(producers * count);
  for (const list of received) {
    const last = new Array<number>(producers).fill(-1);
    for (let k = 0; k < list.length; k += 2) {
      const producer = list[k] as number;
      const index = list[k + 1] as number;
      expect(index).toBeGreaterThan(last[producer] as number);
      last[producer] = index;
      seen[producer * count + index] = (seen[producer * count + index] as number) + 1;
    }
  }
  expect(seen.every((times) => times === 1)).toBe(true);
}

describe.runIf(process.platform === 'linux')('byte ring across processes (native memory)', () => {
  it('delivers every message exactly once from 2 processes to 2 processes', async () => {
    const shared = allocateRegion(ringRegionBytes(256), 'process');
    const region = shared.descriptor();
    const count = 5_000;
    const consumers = [0, 1].map(() => processPeer({ region, role: 'consumer' }).report);
    const producers = [0, 1].map(
      (producer) => processPeer({ region, role: 'producer', producer, count }).report,
    );
    await Promise.all(producers);
    const controller = new ByteRing(shared);
    for (const _ of consumers) expect(await controller.write(STOP, BOUND)).toBe(true);
    expectExactlyOnce((await Promise.all(consumers)) as number[][], 2, count);
  });

  it('stays consistent when a process is SIGKILLed holding its lock in the middle of a write', async () => {
    const shared = allocateRegion(ringRegionBytes(64), 'process');
    const local = new ByteRing(shared);
    expect(local.tryWrite(bytes(1, 2, 3))).toBe(true);
    const { child, report } = processPeer({ region: shared.descriptor(), role: 'die-holding' });
    expect(await report).toBe('held');
    const warned = once(process, 'warning');
    child.kill('SIGKILL');
    await within(once(child, 'exit'), BOUND, 'the holder to die');
    // Reads take no lock: the committed message is still there, once; the bytes past the tail are
    // not a message.
    expect(local.readSync(BOUND)).toEqual(bytes(1, 2, 3));
    expect(local.tryRead()).toBeUndefined();
    // The next write takes the dead writer's lock over.
    expect(local.tryWrite(bytes(4))).toBe(true);
    expect(
      ((await within(warned, BOUND, 'the takeover warning')) as [Error & { code?: string }])[0].code,
    ).toBe('MPROC_LOCK_OWNER_DIED');
    expect(local.tryRead()).toEqual(bytes(4));
  });
});

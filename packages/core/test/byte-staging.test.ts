import { readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend, WorkerExit, WorkerHandle } from '../src/backend.js';
import { MESSAGE_TYPE, type ParentMessage, type RunMessage } from '../src/protocol/messages.js';
import { ByteStaging, withByteStaging } from '../src/serialize/byte-staging.js';
import { canStage, STAGE_FROM, StagedBytes } from '../src/serialize/staged-bytes.js';
import { forceSharedMemoryFallback } from '../src/shared/native-addon.js';

const openFds = () => readdirSync('/proc/self/fd').length;

/** A worker handle that records what is sent and lets the test play the worker. */
class FakeHandle implements WorkerHandle {
  readonly pid = process.pid;
  readonly ident = process.pid;
  readonly sent: unknown[] = [];
  killed = false;
  #message: ((message: unknown) => void) | undefined;
  #exit: ((exit: WorkerExit) => void) | undefined;
  send(message: ParentMessage): void {
    this.sent.push(message);
  }
  onMessage(listener: (message: unknown) => void): void {
    this.#message = listener;
  }
  onExit(listener: (exit: WorkerExit) => void): void {
    this.#exit = listener;
  }
  deliver(message: unknown): void {
    this.#message?.(message);
  }
  exit(): void {
    this.#exit?.({ exitCode: 0, signal: null });
  }
  terminate(): void {}
  kill(): void {
    this.killed = true;
  }
  ref(): void {}
  unref(): void {}
}

const PROCESS_BACKEND = { capabilities: { separateProcess: true } } as unknown as Backend;
const THREADS_BACKEND = { capabilities: { separateProcess: false } } as unknown as Backend;

function run(payload: readonly unknown[]): RunMessage {
  return { type: MESSAGE_TYPE.run, taskId: 1, fn: { id: 1 }, mode: 'call', payload };
}

describe.skipIf(!canStage())('staged bytes (process channels with the native addon)', () => {
  afterEach(() => forceSharedMemoryFallback(false));

  it('stages large buffers only, and the receiver maps an equal copy the sender cannot change', () => {
    const sender = new ByteStaging(true);
    const large = new Uint8Array(STAGE_FROM).fill(5);
    const small = new Uint8Array(STAGE_FROM - 1);
    const { message, loans } = sender.stage(run([large, large, small, 3]));
    expect(loans).toHaveLength(1); // the same buffer twice crosses once
    expect(message.staged).toBe(true);
    large.fill(6); // the sender's buffer after sending
    const opened = new ByteStaging(true).unstage(structuredClone(message));
    expect(opened.loans).toEqual(loans);
    const [first, second, third, number] = opened.message.payload as unknown[];
    expect(first).toBeInstanceOf(Uint8Array);
    expect(second).toBe(first);
    expect(third).toEqual(small); // crossed in the message itself (cloned here)
    expect(number).toBe(3);
    expect((first as Uint8Array).every((byte) => byte === 5)).toBe(true);
    sender.release(loans);
  });

  it('a list holding any other object is sent as it is', () => {
    const staging = new ByteStaging(true);
    const payload = [new Uint8Array(STAGE_FROM), { other: true }];
    const { message, loans } = staging.stage(run(payload));
    expect(loans).toEqual([]);
    expect((message as RunMessage).payload).toBe(payload);
  });

  it('a long list is looked into only when it starts with a buffer (a map chunk of numbers is not walked)', () => {
    const staging = new ByteStaging(true);
    const numbersFirst = [...Array.from({ length: 20 }, (_, index) => index), new Uint8Array(STAGE_FROM)];
    expect(staging.stage(run(numbersFirst)).loans).toEqual([]);
    const buffersFirst = [new Uint8Array(STAGE_FROM), ...Array.from({ length: 20 }, (_, index) => index)];
    const { loans } = staging.stage(run(buffersFirst));
    expect(loans).toHaveLength(1);
    staging.release(loans);
  });

  it("the sender's memfd is closed when the receiver acknowledges it, and when the worker exits unread", () => {
    const before = openFds();
    const inner = new FakeHandle();
    const handle = withByteStaging(inner, PROCESS_BACKEND);
    handle.send(run([new Uint8Array(STAGE_FROM)]), []);
    handle.send(run([new Float64Array(STAGE_FROM / 8)]), []);
    expect(openFds()).toBe(before + 2);
    const [first] = inner.sent as RunMessage[];
    const loan = ((first as RunMessage).payload[0] as { loan: number }).loan;
    inner.deliver({ type: MESSAGE_TYPE.release, loans: [loan] });
    expect(openFds()).toBe(before + 1);
    inner.exit(); // the second was never taken
    expect(openFds()).toBe(before);
  });

  it('a message from the worker is mapped and acknowledged before it is handled', () => {
    const inner = new FakeHandle();
    const handle = withByteStaging(inner, PROCESS_BACKEND);
    const received: unknown[] = [];
    handle.onMessage((message) => received.push(message));
    const worker = new ByteStaging(true);
    const bytes = new Int16Array(STAGE_FROM / 2).fill(-2);
    const { message, loans } = worker.stage({ type: MESSAGE_TYPE.result, taskId: 1, value: bytes });
    inner.deliver(structuredClone(message));
    expect(inner.sent).toEqual([{ type: MESSAGE_TYPE.release, loans }]);
    const value = (received[0] as { value: Int16Array }).value;
    expect(value).toBeInstanceOf(Int16Array);
    expect(value.every((number) => number === -2)).toBe(true);
    worker.release(loans);
  });

  it('a message whose memfd is gone stops the worker and says why, instead of hanging', () => {
    const inner = new FakeHandle();
    const handle = withByteStaging(inner, PROCESS_BACKEND);
    const exits: WorkerExit[] = [];
    handle.onExit((exit) => exits.push(exit));
    const worker = new ByteStaging(true);
    const { message, loans } = worker.stage({
      type: MESSAGE_TYPE.result,
      taskId: 1,
      value: new Uint8Array(STAGE_FROM),
    });
    worker.release(loans); // the sender closed it: nobody holds it any more
    inner.deliver(message);
    expect(inner.killed).toBe(true);
    inner.exit();
    expect(exits[0]?.error?.message).toMatch(/could not be read/);
  });

  it('to a worker thread only bytes staged already cross as a descriptor; other buffers are left to move', () => {
    const inner = new FakeHandle();
    const handle = withByteStaging(inner, THREADS_BACKEND);
    const payload = [new Uint8Array(STAGE_FROM)];
    handle.send(run(payload), []);
    expect((inner.sent[0] as RunMessage).payload).toBe(payload);
    const staged = StagedBytes.copy(new Uint8Array(STAGE_FROM).fill(9), 'Uint8Array');
    handle.send({ type: MESSAGE_TYPE.reply, callId: 1, ok: true, value: staged, revive: false }, []);
    const reply = inner.sent[1] as { staged?: boolean; value: { loan: number } };
    expect(reply.staged).toBe(true);
    const opened = new ByteStaging(false).unstage(structuredClone(reply) as ParentMessage);
    expect((opened.message as { value: Uint8Array }).value.every((byte) => byte === 9)).toBe(true);
    inner.deliver({ type: MESSAGE_TYPE.release, loans: opened.loans });
    inner.exit();
  });

  it('without the addon (fallback forced) nothing is staged: the old path', () => {
    forceSharedMemoryFallback(true);
    const payload = [new Uint8Array(STAGE_FROM)];
    const { message, loans } = new ByteStaging(true).stage(run(payload));
    expect(loans).toEqual([]);
    expect((message as RunMessage).payload).toBe(payload);
    expect(StagedBytes.copy(new Uint8Array(STAGE_FROM), 'Uint8Array')).toBeUndefined();
  });
});

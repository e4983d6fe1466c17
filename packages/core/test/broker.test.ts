import { describe, expect, it } from 'vitest';
import { Call } from '../src/broker/call.js';
import { openCaller } from '../src/broker/caller.js';
import { create } from '../src/broker/invoke.js';
import { PipeCore } from '../src/broker/pipe-core.js';
import { QueueCore } from '../src/broker/queue-core.js';
import { WaitQueue } from '../src/broker/wait-queue.js';
import { MESSAGE_TYPE, type ReplyMessage } from '../src/protocol/messages.js';

/** A call from a worker (values are not copied), optionally from a given handle. */
const remote = (token?: string) => new Call(false, token);

/** A Caller whose replies are collected, as a WorkerSlot's would be sent to its worker. */
function fakeWorker() {
  const replies: ReplyMessage[] = [];
  const caller = openCaller({ send: (message) => replies.push(message) });
  let nextCallId = 1;
  const call = (objectId: string, method: string, args: unknown[]) => {
    const callId = nextCallId++;
    caller.receive({ type: MESSAGE_TYPE.call, callId, objectId, method, args, revive: false });
    return callId;
  };
  return { caller, replies, call };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('WaitQueue', () => {
  it('serves waiters first come first served, and a waiter whose caller is gone is skipped', async () => {
    const waiters = new WaitQueue<string>();
    const first = remote();
    const gone = remote();
    const third = remote();
    const got: string[] = [];
    void waiters
      .wait(first, undefined, () => 'timeout', undefined)
      .then((value) => got.push(`first ${value}`));
    void waiters.wait(gone, undefined, () => 'timeout', undefined).then((value) => got.push(`gone ${value}`));
    void waiters
      .wait(third, undefined, () => 'timeout', undefined)
      .then((value) => got.push(`third ${value}`));
    gone.abandon();
    expect(waiters.size).toBe(2);
    waiters.take()?.resolve('a');
    waiters.take()?.resolve('b');
    await settled();
    expect(got).toEqual(['first a', 'third b']);
  });

  it('a timeout settles with onTimeout(), and a timeout of 0 does so at once', async () => {
    const waiters = new WaitQueue<boolean>();
    expect(await waiters.wait(remote(), 0, () => false, undefined)).toBe(false);
    expect(await waiters.wait(remote(), 10, () => false, undefined)).toBe(false);
    expect(waiters.size).toBe(0);
  });
});

describe('QueueCore', () => {
  it('hands an item put while a get waits straight to that get; a withdrawn get takes nothing', async () => {
    const queue = new QueueCore('queue', 0);
    const dead = remote();
    const alive = remote();
    const lost = queue.invoke('get', [undefined], dead) as Promise<unknown>;
    const got = queue.invoke('get', [undefined], alive) as Promise<unknown>;
    dead.abandon();
    queue.invoke('put', ['item', undefined], remote());
    expect(await got).toBe('item');
    let settledLost = false;
    void lost.then(() => {
      settledLost = true;
    });
    await settled();
    expect(settledLost).toBe(false);
    expect(queue.invoke('qsize', [], remote())).toBe(0);
  });

  it("close() of one handle fails that handle's waiting calls only", async () => {
    const queue = new QueueCore('queue', 0);
    const closing = queue.invoke('get', [undefined], remote('a')) as Promise<unknown>;
    const other = queue.invoke('get', [undefined], remote('b')) as Promise<unknown>;
    queue.invoke('close', [], remote('a'));
    await expect(closing).rejects.toMatchObject({ name: 'QueueClosedError' });
    queue.invoke('put', [1, undefined], remote());
    expect(await other).toBe(1);
  });

  it('blocked puts enter in order as room is made', async () => {
    const queue = new QueueCore('queue', 1);
    queue.invoke('put', [1, undefined], remote());
    const second = queue.invoke('put', [2, undefined], remote()) as Promise<void>;
    const third = queue.invoke('put', [3, undefined], remote()) as Promise<void>;
    expect(queue.invoke('get', [undefined], remote())).toBe(1);
    await second;
    expect(queue.invoke('get', [undefined], remote())).toBe(2);
    await third;
    expect(queue.invoke('get', [undefined], remote())).toBe(3);
  });
});

describe('PipeCore', () => {
  it('EOF comes once the peer is closed and its messages are read', () => {
    const pipe = new PipeCore(true);
    pipe.invoke('send', [0, 'last'], remote());
    pipe.invoke('close', [0, true], remote());
    expect(pipe.invoke('recv', [1], remote())).toBe('last');
    expect(() => pipe.invoke('recv', [1], remote())).toThrow(expect.objectContaining({ name: 'EOFError' }));
    expect(pipe.finished).toBe(false);
    pipe.invoke('close', [1, true], remote());
    expect(pipe.finished).toBe(true);
  });
});

describe('a worker that has ended (its Caller is closed)', () => {
  it('has its waiting get withdrawn, so the next item goes to the next waiter', () => {
    const id = `test.${Math.random()}`;
    create('queue', id, { maxsize: 0 });
    const dying = fakeWorker();
    const next = fakeWorker();
    dying.call(id, 'get', [undefined]);
    const waiting = next.call(id, 'get', [undefined]);
    dying.caller.close();
    const producer = fakeWorker();
    producer.call(id, 'put', ['item', undefined]);
    return settled().then(() => {
      expect(dying.replies).toEqual([]);
      expect(next.replies).toEqual([
        { type: MESSAGE_TYPE.reply, callId: waiting, ok: true, value: 'item', revive: false },
      ]);
    });
  });

  it('still runs its late writes (a put read after its exit) but drops its late gets', () => {
    const id = `test.${Math.random()}`;
    create('queue', id, {});
    const worker = fakeWorker();
    worker.caller.close();
    worker.call(id, 'put', ['late put', undefined]);
    worker.call(id, 'get', [undefined]);
    const reader = fakeWorker();
    const callId = reader.call(id, 'qsize', []);
    expect(reader.replies).toEqual([{ type: MESSAGE_TYPE.reply, callId, ok: true, value: 1, revive: false }]);
    expect(worker.replies).toEqual([]);
  });
});

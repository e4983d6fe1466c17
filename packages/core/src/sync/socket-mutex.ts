/**
 * The fallback mutex for processes without the native addon: holding the lock is listening on a Unix
 * socket name. Binding a name is atomic (EADDRINUSE for everyone else), and the kernel frees it when
 * the holder closes it or dies, so a dead holder never blocks the others. Waiters connect to the
 * holder and learn from their connection closing that the name is free again: no polling.
 *
 *   Linux     an abstract name ('\0mproc-…'): nothing on disk, freed by the kernel on exit
 *   Windows   a named pipe: freed by the kernel on exit
 *   others    a socket file in the temp dir; a file left by a dead holder refuses connections and is
 *             removed by the next acquirer
 *
 * A process may release a lock another one holds (Python allows it for Lock): it connects and sends
 * one byte asking the holder to let go, and the release settles once the holder has.
 */
import { lstatSync, unlinkSync } from 'node:fs';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidStateError, MprocRangeError } from '../errors.js';
import { nativeUnavailableReason } from '../shared/native-addon.js';
import type { Mutex, MutexDescriptor } from './mutex-types.js';

const RELEASE_REQUEST = 'R';

/** node:net, loaded when a socket mutex is first used: it is the fallback, and costs ~3 ms to load. */
const net = () => process.getBuiltinModule('node:net');

interface Held {
  readonly server: Server;
  readonly connections: Set<Socket>;
  depth: number;
}

/** Mutexes this thread holds, by key. */
const held = new Map<string, Held>();

function addressOf(name: string): string {
  if (process.platform === 'linux') return `\0mproc-${name}`;
  if (process.platform === 'win32') return `\\\\.\\pipe\\mproc-${name}`;
  return join(tmpdir(), `mproc-${name}.sock`);
}

/** Socket files outlive their process (not on Linux or Windows). */
const FILE_NAMES = process.platform !== 'linux' && process.platform !== 'win32';

/** Why acquireSync() and releaseSync() fail here: a socket is only read by the event loop. */
function syncUnavailable(): InvalidStateError {
  return new InvalidStateError(
    'acquireSync() and releaseSync() need a lock in shared memory, and this one is the fallback over ' +
      `Unix sockets (${nativeUnavailableReason() ?? 'it was made without the native addon'}): ` +
      'use await acquire() and release()',
  );
}

function errorCode(error: unknown): string | undefined {
  return (error as { code?: string }).code;
}

export class SocketMutex implements Mutex {
  readonly key: string;
  readonly #address: string;

  constructor(name: string) {
    this.key = name;
    this.#address = addressOf(name);
  }

  async acquire(block: boolean, timeout: number | undefined): Promise<boolean> {
    const deadline = timeout === undefined ? Number.POSITIVE_INFINITY : performance.now() + timeout;
    for (;;) {
      if (await this.#bind()) return true;
      const remaining = deadline - performance.now();
      if (!block || remaining <= 0) return false;
      await this.#waitForHolder(remaining);
    }
  }

  /** Tries to take the name; false when someone (this thread included) has it. */
  #bind(): Promise<boolean> {
    if (held.has(this.key)) return Promise.resolve(false);
    return new Promise((resolve, reject) => {
      const server = net().createServer();
      const connections = new Set<Socket>();
      server.once('error', (error) => {
        if (errorCode(error) === 'EADDRINUSE') resolve(false);
        else reject(error);
      });
      // exclusive: in a cluster worker, listen() would otherwise share the primary's socket, and
      // every worker would "hold" the lock at once.
      server.listen({ path: this.#address, exclusive: true }, () => {
        // Holding a lock does not keep a process alive, as with the native and threads locks.
        server.unref();
        server.on('connection', (socket) => this.#accept(socket, connections));
        held.set(this.key, { server, connections, depth: 0 });
        resolve(true);
      });
    });
  }

  #accept(socket: Socket, connections: Set<Socket>): void {
    connections.add(socket);
    socket.unref();
    socket.on('error', () => {});
    socket.on('close', () => connections.delete(socket));
    socket.on('data', (data) => {
      if (data.includes(RELEASE_REQUEST)) void this.#releaseHeld();
    });
  }

  /**
   * Waits until the holder lets go or dies (the connection closes), or `milliseconds` pass. A socket
   * file nobody listens on (not Linux) belonged to a dead holder: it is removed.
   */
  #waitForHolder(milliseconds: number): Promise<void> {
    return new Promise((resolve) => {
      const socket = net().connect(this.#address);
      const timer = Number.isFinite(milliseconds)
        ? setTimeout(() => socket.destroy(), milliseconds)
        : undefined;
      socket.on('data', () => {});
      socket.on('error', (error) => {
        if (FILE_NAMES && errorCode(error) === 'ECONNREFUSED') this.#removeStaleFile();
      });
      socket.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #removeStaleFile(): void {
    try {
      if (lstatSync(this.#address).isSocket()) unlinkSync(this.#address);
    } catch {}
  }

  async #releaseHeld(): Promise<boolean> {
    const entry = held.get(this.key);
    if (!entry) return false;
    held.delete(this.key);
    for (const socket of entry.connections) socket.destroy();
    await new Promise<void>((resolve) => entry.server.close(() => resolve()));
    return true;
  }

  async release(): Promise<void> {
    if (await this.#releaseHeld()) return;
    // Held by another thread or process: ask it to let go, as Python lets any process release a Lock.
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const socket = net().connect(this.#address, () => socket.write(RELEASE_REQUEST));
      socket.on('data', () => {});
      socket.on('error', (error) => {
        failed = true;
        const code = errorCode(error);
        if (code === 'ECONNREFUSED' || code === 'ENOENT') {
          reject(new MprocRangeError('release() of a lock that is not held', 'ERR_MPROC_LOCK_NOT_HELD'));
        } else {
          reject(error);
        }
      });
      socket.on('close', () => {
        if (!failed) resolve();
      });
    });
  }

  acquireSync(): boolean {
    throw syncUnavailable();
  }

  releaseSync(): void {
    throw syncUnavailable();
  }

  tryAcquire(): undefined {
    return undefined;
  }

  isMine(): boolean {
    return held.has(this.key);
  }

  get depth(): number {
    return held.get(this.key)?.depth ?? 0;
  }

  set depth(depth: number) {
    const entry = held.get(this.key);
    if (entry) entry.depth = depth;
  }

  isLocked(): Promise<boolean> {
    if (held.has(this.key)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const socket = net().connect(this.#address, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
  }

  descriptor(): MutexDescriptor {
    return { kind: 'socket', name: this.key };
  }
}

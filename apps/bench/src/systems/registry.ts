import type { Kind } from '../types.js';
import type { SystemAdapter } from './adapter.js';

/**
 * Every benchmarked system. Node systems are loaded lazily by the measurement child, so one child
 * imports one library only; Python systems run python/measure.py instead.
 */
export interface SystemInfo {
  name: string;
  kind: Kind;
  /** The library has a move/transfer API, so the payload metric also gets a `transfer` variant. */
  canTransfer: boolean;
  /** Set when the transfer variant is partial; shown under the table. */
  transferNote?: string;
  runtime: 'node' | 'python';
  /** Node only: imports the library and returns the adapter; throws when it cannot load. */
  load?: () => Promise<SystemAdapter>;
}

const mproc = (method: 'fork' | 'spawn' | 'threads' | 'cluster'): (() => Promise<SystemAdapter>) => {
  return async () => (await import('./mproc.js')).loadMproc(method);
};

export const SYSTEMS: readonly SystemInfo[] = [
  { name: 'mproc/fork', kind: 'process', canTransfer: false, runtime: 'node', load: mproc('fork') },
  { name: 'mproc/spawn', kind: 'process', canTransfer: false, runtime: 'node', load: mproc('spawn') },
  { name: 'mproc/threads', kind: 'thread', canTransfer: true, runtime: 'node', load: mproc('threads') },
  { name: 'mproc/cluster', kind: 'process', canTransfer: false, runtime: 'node', load: mproc('cluster') },
  {
    name: 'piscina/threads',
    kind: 'thread',
    canTransfer: true,
    runtime: 'node',
    load: async () => (await import('./piscina.js')).loadPiscina(),
  },
  {
    name: 'tinypool/threads',
    kind: 'thread',
    canTransfer: true,
    runtime: 'node',
    load: async () => (await import('./tinypool.js')).loadTinypool('worker_threads'),
  },
  {
    name: 'tinypool/child_process',
    kind: 'process',
    canTransfer: false,
    runtime: 'node',
    load: async () => (await import('./tinypool.js')).loadTinypool('child_process'),
  },
  {
    name: 'workerpool/thread',
    kind: 'thread',
    canTransfer: true,
    runtime: 'node',
    load: async () => (await import('./workerpool.js')).loadWorkerpool('thread'),
  },
  {
    name: 'workerpool/process',
    kind: 'process',
    canTransfer: false,
    runtime: 'node',
    load: async () => (await import('./workerpool.js')).loadWorkerpool('process'),
  },
  {
    name: 'poolifier/threads',
    kind: 'thread',
    canTransfer: true,
    transferNote: 'poolifier moves toward the worker only; the result is copied back',
    runtime: 'node',
    load: async () => (await import('./poolifier.js')).loadPoolifier('threads'),
  },
  {
    name: 'poolifier/cluster',
    kind: 'process',
    canTransfer: false,
    runtime: 'node',
    load: async () => (await import('./poolifier.js')).loadPoolifier('cluster'),
  },
  { name: 'python/mp-fork', kind: 'process', canTransfer: false, runtime: 'python' },
  { name: 'python/mp-spawn', kind: 'process', canTransfer: false, runtime: 'python' },
  { name: 'python/ppe', kind: 'process', canTransfer: false, runtime: 'python' },
];

/** The system the report compares everything with, besides the best peer of the same kind. */
export const PYTHON_REFERENCE = 'python/mp-fork';

/** mproc rows are what is measured; every other Node system is a peer. */
export function isMproc(system: string): boolean {
  return system.startsWith('mproc/');
}

export function isPython(system: string): boolean {
  return system.startsWith('python/');
}

export function findSystem(name: string): SystemInfo {
  const info = SYSTEMS.find((system) => system.name === name);
  if (!info) throw new RangeError(`unknown system ${name}; known: ${SYSTEMS.map((s) => s.name).join(', ')}`);
  return info;
}

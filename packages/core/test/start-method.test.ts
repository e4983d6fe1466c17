import { afterEach, describe, expect, it } from 'vitest';
import {
  BackendUnavailableError,
  ContextAlreadySetError,
  getAllStartMethods,
  getContext,
  getStartMethod,
  registerBackend,
  setStartMethod,
} from '../src/index.js';

// Third-party start methods, declared as their packages would (SPEC 2's registerBackend).
declare module '../src/start-method.js' {
  interface StartMethods {
    gpu: true;
    'in-memory': true;
  }
}

afterEach(() => {
  setStartMethod(null, { force: true });
  delete process.env.MPROC_START_METHOD;
});

describe('start methods', () => {
  it('lists the four installed backends, the default (fork) first', () => {
    expect(getStartMethod()).toBe('fork');
    expect(getAllStartMethods().sort()).toEqual(['cluster', 'fork', 'spawn', 'threads']);
    expect(getAllStartMethods()[0]).toBe('fork');
  });

  it('setStartMethod sets the default once; a second call needs force', () => {
    setStartMethod('threads');
    expect(getStartMethod()).toBe('threads');
    expect(getAllStartMethods()[0]).toBe('threads');
    expect(() => setStartMethod('fork')).toThrow(ContextAlreadySetError);
    setStartMethod('spawn', { force: true });
    expect(getStartMethod()).toBe('spawn');
    expect(getContext().getStartMethod()).toBe('spawn');
  });

  it('MPROC_START_METHOD wins over setStartMethod', () => {
    setStartMethod('threads');
    process.env.MPROC_START_METHOD = 'cluster';
    expect(getStartMethod()).toBe('cluster');
  });

  it('getStartMethod(true) is undefined until one is chosen', () => {
    expect(getStartMethod(true)).toBeUndefined();
  });

  it('a start method whose package is missing names the package to install', () => {
    const error = (() => {
      try {
        getContext('gpu');
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect(error?.message).toContain('npm install @mproc/backend-gpu');
  });

  it('a misspelt start method does not type-check, and at run time the error lists the start methods', () => {
    // @ts-expect-error 'frok' is not a StartMethod
    expect(() => getContext('frok')).toThrow(/'frok'.*fork, threads, spawn, cluster/);
  });

  it('registerBackend adds a third-party start method and checks its contract version', () => {
    const backend = {
      apiVersion: 1 as const,
      name: 'in-memory',
      capabilities: { transfer: false, separateProcess: false, sharedPort: false, inheritsExecArgv: false },
      startWorker: () => {
        throw new Error('not needed here');
      },
    };
    registerBackend(backend);
    expect(getAllStartMethods()).toContain('in-memory');
    expect(getContext('in-memory').getStartMethod()).toBe('in-memory');
    expect(() => registerBackend({ ...backend, apiVersion: 2 as never })).toThrow(/version/);
  });
});

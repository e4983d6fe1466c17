import { describe, expect, it } from 'vitest';
import { activateReducers, reduceValue, registerReducer, reviveValue } from '../src/serialize/reducers.js';

class Handle {
  constructor(readonly id: number) {}
}

registerReducer({
  tag: 'test-handle',
  type: Handle,
  reduce: (handle) => ({ id: handle.id }),
  revive: (data) => new Handle((data as { id: number }).id),
});

describe('reducers', () => {
  it('leaves payloads untouched until a reducible object exists in the process', () => {
    const payload = [{ a: 1 }];
    expect(reduceValue(payload)).toEqual({ value: payload, changed: false });
  });

  it('replaces reducible objects at any depth and rebuilds them after a structured clone', () => {
    activateReducers();
    const handle = new Handle(7);
    const payload = [1, { nested: [handle] }, new Map([['k', handle]]), new Set([handle]), new Date(0)];
    const { value, changed } = reduceValue(payload);
    expect(changed).toBe(true);
    expect(payload[1]).toEqual({ nested: [handle] }); // the caller's value is not modified
    const back = reviveValue(structuredClone(value)) as typeof payload;
    expect((back[1] as { nested: Handle[] }).nested[0]).toEqual(new Handle(7));
    expect((back[1] as { nested: Handle[] }).nested[0]).toBeInstanceOf(Handle);
    expect((back[2] as Map<string, Handle>).get('k')).toBeInstanceOf(Handle);
    expect([...(back[3] as Set<Handle>)][0]).toBeInstanceOf(Handle);
    expect(back[4]).toEqual(new Date(0));
  });

  it('returns the same object when nothing in it is reducible', () => {
    activateReducers();
    const payload = [{ a: [1, 2] }, 'x'];
    expect(reduceValue(payload).value).toBe(payload);
  });

  it('refuses a descriptor of an unknown kind with a clear error', () => {
    expect(() => reviveValue({ __mproc_reduced__: 'nope', data: 1 })).toThrow(/'nope'/);
  });
});

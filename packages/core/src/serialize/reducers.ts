import { MprocTypeError } from '../errors.js';
/**
 * Objects that cannot cross as plain data — shared Values, locks, queues, connection ends — cross as a
 * small descriptor and are rebuilt on the other side, as Python's pickle reducers do. Until this
 * process has made or received such an object, nothing is walked: payloads go out untouched.
 */

export interface Reducer<T extends object> {
  /** A unique name for this kind of object on the wire. */
  readonly tag: string;
  /** The class whose instances this reducer sends. */
  readonly type: abstract new (
    ...args: never[]
  ) => T;
  /** Structured-cloneable data that `revive` rebuilds the object from. */
  reduce(value: T): unknown;
  revive(data: unknown): T;
}

/** A string key: symbols do not survive the structured-clone algorithm. */
const REDUCED = '__mproc_reduced__';

interface ReducerState {
  /** Per tag, one reducer per copy of this package that registered it. */
  readonly reducers: Map<string, Reducer<object>[]>;
  active: boolean;
}

/**
 * One registry per process (or thread), shared by every copy of this package loaded there (e.g. the
 * CommonJS copy running a cluster worker's loop and the ESM copy a task imports), so an object made
 * by either copy is sent by descriptor.
 */
const STATE = Symbol.for('mproc.reducers');
const shared = globalThis as Record<symbol, ReducerState | undefined>;
const registry: ReducerState = shared[STATE] ?? { reducers: new Map(), active: false };
shared[STATE] = registry;

/** Registers a kind of object that is sent by descriptor. */
export function registerReducer<T extends object>(reducer: Reducer<T>): void {
  const list = registry.reducers.get(reducer.tag) ?? [];
  const same = list.findIndex((known) => known.type === reducer.type);
  if (same >= 0) list[same] = reducer as unknown as Reducer<object>;
  else list.push(reducer as unknown as Reducer<object>);
  registry.reducers.set(reducer.tag, list);
}

/** Called by the constructor of every reducible object: from now on payloads are walked. */
export function activateReducers(): void {
  registry.active = true;
}

function reducerOf(value: object): Reducer<object> | undefined {
  for (const list of registry.reducers.values()) {
    for (const reducer of list) if (value instanceof reducer.type) return reducer;
  }
  return undefined;
}

function isPlainContainer(value: object): boolean {
  if (Array.isArray(value) || value instanceof Map || value instanceof Set) return true;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Replaces reducible objects inside `value` by descriptors; `changed` says whether any was found. */
export function reduceValue(value: unknown): { value: unknown; changed: boolean } {
  if (!registry.active) return { value, changed: false };
  const state = { changed: false };
  const reduced = walk(value, state, new Map(), (object) => {
    const reducer = reducerOf(object);
    return reducer ? { [REDUCED]: reducer.tag, data: reducer.reduce(object) } : undefined;
  });
  return state.changed ? { value: reduced, changed: true } : { value, changed: false };
}

/** Rebuilds the objects that `reduceValue` replaced by descriptors. */
export function reviveValue(value: unknown): unknown {
  activateReducers();
  return walk(value, { changed: false }, new Map(), (object) => {
    const tag = (object as Record<string, unknown>)[REDUCED];
    if (typeof tag !== 'string') return undefined;
    const reducer = registry.reducers.get(tag)?.[0];
    if (!reducer) throw new MprocTypeError(`cannot rebuild a '${tag}' here: its kind is not registered`);
    return reducer.revive((object as { data: unknown }).data);
  });
}

/**
 * Copies containers on the way to a replaced object and shares everything else, so a payload
 * without reducible objects is returned as it is. `seen` keeps cycles and shared references.
 */
function walk(
  value: unknown,
  state: { changed: boolean },
  seen: Map<object, unknown>,
  replace: (object: object) => unknown,
): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) {
    const known = seen.get(value);
    if (known !== value) state.changed = true;
    return known;
  }
  const replacement = replace(value);
  if (replacement !== undefined) {
    state.changed = true;
    seen.set(value, replacement);
    return replacement;
  }
  if (!isPlainContainer(value)) return value;
  seen.set(value, value);
  const before = state.changed;
  state.changed = false;
  let result: unknown = value;
  if (Array.isArray(value)) {
    const items = value.map((item) => walk(item, state, seen, replace));
    if (state.changed) result = items;
  } else if (value instanceof Map) {
    const entries = [...value].map(([key, item]) => [
      walk(key, state, seen, replace),
      walk(item, state, seen, replace),
    ]);
    if (state.changed) result = new Map(entries as [unknown, unknown][]);
  } else if (value instanceof Set) {
    const items = [...value].map((item) => walk(item, state, seen, replace));
    if (state.changed) result = new Set(items);
  } else {
    const entries = Object.entries(value).map(([key, item]) => [key, walk(item, state, seen, replace)]);
    if (state.changed) result = Object.fromEntries(entries);
  }
  seen.set(value, result);
  state.changed ||= before;
  return result;
}

/**
 * Finds where in a value the structured-clone algorithm fails, so a SerializationError can say
 * `args[0].cb is a function` instead of V8's bare "could not be cloned". Only run after a send has
 * already failed: it walks the value, which costs time proportional to its size.
 */

export function isCloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

function describe(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  const name = (value as object).constructor?.name;
  return name ? `a ${name}, which cannot be cloned` : 'an object that cannot be cloned';
}

function childPath(path: string, key: PropertyKey): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const text = String(key);
  return /^[A-Za-z_$][\w$]*$/.test(text) ? `${path}.${text}` : `${path}[${JSON.stringify(text)}]`;
}

/** Returns e.g. `args[0].cb is a function`, or null when the whole value clones. */
export function findUnclonable(value: unknown, path: string, seen = new Set<object>()): string | null {
  if (typeof value === 'function' || typeof value === 'symbol') return `${path} is ${describe(value)}`;
  if (typeof value !== 'object' || value === null || seen.has(value)) return null;
  seen.add(value);
  const found = findInChildren(value, path, seen);
  if (found) return found;
  // Every child clones, so the object itself is the problem (a WeakMap, a Promise, a host object...).
  return isCloneable(value) ? null : `${path} is ${describe(value)}`;
}

function findInChildren(value: object, path: string, seen: Set<object>): string | null {
  if (value instanceof Map) {
    let index = 0;
    for (const [key, entry] of value) {
      const found =
        findUnclonable(key, `${path}.<key ${index}>`, seen) ??
        findUnclonable(entry, childPath(path, String(key)), seen);
      if (found) return found;
      index++;
    }
    return null;
  }
  if (value instanceof Set) {
    let index = 0;
    for (const entry of value) {
      const found = findUnclonable(entry, `${path}.<entry ${index++}>`, seen);
      if (found) return found;
    }
    return null;
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return null;
  const isArray = Array.isArray(value);
  for (const key of Object.keys(value)) {
    const found = findUnclonable(
      (value as Record<string, unknown>)[key],
      childPath(path, isArray ? Number(key) : key),
      seen,
    );
    if (found) return found;
  }
  return null;
}

/**
 * Why `value` (as sent: shared objects reduced to descriptors) could not be sent over a channel that
 * failed with `error`: the path of what cannot be cloned, shared memory of the 'threads' context
 * bound for another process, or else the channel's own message.
 */
export function whyUnsendable(value: unknown, path: string, error: unknown): string {
  return findUnclonable(value, path) ?? threadMemoryIn(value, path) ?? (error as Error).message;
}

/**
 * Says so when `value` holds a SharedArrayBuffer: memory of the 'threads' context, which a worker in
 * another process cannot map.
 */
function threadMemoryIn(value: unknown, what: string): string | null {
  if (!holdsSharedBuffer(value, new Set())) return null;
  return (
    `${what} holds shared memory of the 'threads' context (a Value, Array, lock or event made on it, ` +
    'or a SharedArrayBuffer), which a worker in another process cannot map: make shared objects with ' +
    "the context of the workers that use them, e.g. getContext('fork').Value('i')"
  );
}

function holdsSharedBuffer(value: unknown, seen: Set<object>): boolean {
  if (typeof value !== 'object' || value === null || seen.has(value)) return false;
  seen.add(value);
  if (value instanceof SharedArrayBuffer) return true;
  if (ArrayBuffer.isView(value)) return value.buffer instanceof SharedArrayBuffer;
  const children =
    value instanceof Map
      ? [...value.keys(), ...value.values()]
      : value instanceof Set
        ? [...value]
        : Object.values(value);
  return children.some((child) => holdsSharedBuffer(child, seen));
}

/**
 * Errors cross the channel in tiers, as Node's own error serializer does: a known Error class keeps
 * its class, name, message, stack, own properties and `cause`; any other thrown value is sent as it
 * is when it can be cloned, else as its inspected text.
 */
import { inspect } from 'node:util';
import { MPROC_ERROR_CLASSES, MprocRangeError, MprocTypeError, WorkerExitedError } from '../errors.js';
import { isCloneable } from './unclonable-path.js';

export type SerializedError =
  | {
      readonly tier: 'error';
      readonly className: string;
      readonly name: string;
      readonly message: string;
      readonly stack: string | undefined;
      readonly props: Record<string, unknown>;
      readonly cause?: SerializedError;
      readonly errors?: readonly SerializedError[];
    }
  | { readonly tier: 'value'; readonly value: unknown }
  | { readonly tier: 'inspected'; readonly text: string };

type ErrorConstructorLike = new (message?: string) => Error;

const BUILTIN_ERRORS: ReadonlyMap<string, ErrorConstructorLike> = new Map<string, ErrorConstructorLike>([
  ['Error', Error],
  ['TypeError', TypeError],
  ['RangeError', RangeError],
  ['ReferenceError', ReferenceError],
  ['SyntaxError', SyntaxError],
  ['EvalError', EvalError],
  ['URIError', URIError],
]);

/** mproc's own TypeError and RangeError: rebuilt as such when they carry an mproc code. */
const MPROC_BUILTIN_ERRORS: ReadonlyMap<string, typeof MprocTypeError | typeof MprocRangeError> = new Map<
  string,
  typeof MprocTypeError | typeof MprocRangeError
>([
  ['TypeError', MprocTypeError],
  ['RangeError', MprocRangeError],
]);

// Set by the constructor or by Error itself; carried in their own fields.
const SKIPPED_PROPS = new Set(['name', 'message', 'stack', 'cause', 'errors']);

function classNameOf(error: Error): string {
  for (let proto = Object.getPrototypeOf(error); proto; proto = Object.getPrototypeOf(proto)) {
    const name: unknown = proto.constructor?.name;
    if (typeof name === 'string' && (BUILTIN_ERRORS.has(name) || MPROC_ERROR_CLASSES.has(name))) return name;
    if (name === 'AggregateError' || name === 'WorkerExitedError') return name;
  }
  return 'Error';
}

export function serializeError(thrown: unknown): SerializedError {
  if (!(thrown instanceof Error)) {
    return isCloneable(thrown)
      ? { tier: 'value', value: thrown }
      : { tier: 'inspected', text: inspect(thrown) };
  }
  const props: Record<string, unknown> = {};
  for (const key of Object.keys(thrown)) {
    if (SKIPPED_PROPS.has(key)) continue;
    const value = (thrown as unknown as Record<string, unknown>)[key];
    props[key] = isCloneable(value) ? value : inspect(value);
  }
  const serialized: { -readonly [K in keyof Extract<SerializedError, { tier: 'error' }>]: unknown } = {
    tier: 'error',
    className: classNameOf(thrown),
    name: thrown.name,
    message: thrown.message,
    stack: thrown.stack,
    props,
  };
  if ('cause' in thrown) serialized.cause = serializeError(thrown.cause);
  if (thrown instanceof AggregateError) serialized.errors = thrown.errors.map(serializeError);
  return serialized as SerializedError;
}

/** Rebuilds a worker's error in this process: same class when known, same fields, worker's stack. */
export function deserializeError(serialized: SerializedError): unknown {
  switch (serialized.tier) {
    case 'value':
      return serialized.value;
    case 'inspected':
      return serialized.text;
    case 'error':
      return rebuildError(serialized);
  }
}

function rebuildError(serialized: Extract<SerializedError, { tier: 'error' }>): Error {
  const options = serialized.cause === undefined ? undefined : { cause: deserializeError(serialized.cause) };
  let error: Error;
  const mprocClass = MPROC_ERROR_CLASSES.get(serialized.className);
  if (serialized.className === 'AggregateError') {
    error = new AggregateError((serialized.errors ?? []).map(deserializeError), serialized.message, options);
  } else if (serialized.className === 'WorkerExitedError') {
    const { exitCode = null, signal = null } = serialized.props as { exitCode?: number; signal?: string };
    error = new WorkerExitedError(serialized.message, { exitCode, signal }, options);
  } else if (mprocClass) {
    error = new mprocClass(serialized.message, options);
  } else {
    const { code } = serialized.props as { code?: unknown };
    const mprocBuiltin =
      typeof code === 'string' && code.startsWith('ERR_MPROC')
        ? MPROC_BUILTIN_ERRORS.get(serialized.className)
        : undefined;
    const Builtin = BUILTIN_ERRORS.get(serialized.className) ?? Error;
    error = mprocBuiltin
      ? new mprocBuiltin(serialized.message, code as string)
      : new (Builtin as ErrorConstructor)(serialized.message, options);
  }
  if (error.name !== serialized.name) {
    Object.defineProperty(error, 'name', { value: serialized.name, writable: true, configurable: true });
  }
  Object.defineProperty(error, 'stack', { value: serialized.stack, writable: true, configurable: true });
  Object.assign(error, serialized.props);
  return error;
}

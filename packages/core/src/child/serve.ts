/**
 * The worker's main loop, the same on every backend: take the init message, run the initializer,
 * then run tasks one at a time in arrival order and answer each with its result or its error. A
 * Process's child runs the same loop and gets one task marked `exitAfter`, its target, after which it
 * exits.
 */
import { inspect } from 'node:util';
import { isMainThread } from 'node:worker_threads';
import type { ChildChannel, TransferListItem } from '../backend.js';
import { SerializationError } from '../errors.js';
import { joinNonDaemonicChildren } from '../process/children.js';
import { currentProcess, markAsWorker, updateWorkerInfo } from '../process-info.js';
import {
  type ChildMessage,
  type InitMessage,
  isProtocolMessage,
  MESSAGE_TYPE,
  type ParentMessage,
  type RunMessage,
  type RunMode,
} from '../protocol/messages.js';
import { stagingChildChannel } from '../serialize/byte-staging.js';
import { copyListToMove, copyValueToMove } from '../serialize/copy-to-move.js';
import { serializeError } from '../serialize/error-codec.js';
import { incoming, incomingItems, outgoingItems, outgoingValue } from '../serialize/payload.js';
import { whyUnsendable } from '../serialize/unclonable-path.js';
import { FunctionResolver, setCurrentResolver } from './function-resolver.js';
import { installParentLink } from './parent-link.js';

type AnyFunction = (...args: unknown[]) => unknown;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Applies `fn` as `mode` says. Synchronous while `fn` is: a promise only appears once `fn` returns
 * one, so a plain task costs no microtask turns.
 */
function apply(fn: AnyFunction, mode: RunMode, payload: readonly unknown[]): unknown {
  if (mode === 'call') return fn(...payload);
  const results = new Array<unknown>(payload.length);
  for (let index = 0; index < payload.length; index++) {
    const result = applyOne(fn, mode, payload[index]);
    if (isThenable(result)) return applyRest(fn, mode, payload, results, index, result);
    results[index] = result;
  }
  return results;
}

function applyOne(fn: AnyFunction, mode: RunMode, item: unknown): unknown {
  return mode === 'map' ? fn(item) : fn(...(item as unknown[]));
}

/** The rest of a chunk once an item returned a promise: each item awaited in turn, as before. */
async function applyRest(
  fn: AnyFunction,
  mode: RunMode,
  payload: readonly unknown[],
  results: unknown[],
  index: number,
  pending: PromiseLike<unknown>,
): Promise<unknown[]> {
  results[index] = await pending;
  for (let next = index + 1; next < payload.length; next++) {
    const result = applyOne(fn, mode, payload[next]);
    results[next] = isThenable(result) ? await result : result;
  }
  return results;
}

/** A self-containedness hint on ReferenceErrors of functions that were sent as source text. */
function explain(error: unknown, fromSource: boolean): unknown {
  if (fromSource && error instanceof ReferenceError) {
    error.message +=
      ' (the task function was sent as source text, so it cannot use names from its module:' +
      ' export it from the main module or a module in the `modules` option, or wrap it with task())';
  }
  return error;
}

/** What Python prints when a Process's target raises: `Process <name>:` and the traceback. */
function printTargetError(error: unknown): void {
  process.stderr.write(`Process ${currentProcess().name}:\n${inspect(error)}\n`);
}

/**
 * Runs the worker loop of core over a backend's channel: takes tasks, runs them, sends results, until
 * the parent stops it. A backend's child entry calls it once, as its last step.
 */
export function serve(parentChannel: ChildChannel): void {
  // A process worker's large buffers cross through shared memory; a thread's are moved instead.
  const channel = stagingChildChannel(parentChannel, isMainThread);
  markAsWorker({ ...currentProcess(), name: 'PoolWorker' });

  let resolver = new FunctionResolver([], null);
  let pending: Promise<void> = Promise.resolve();

  /** The last answer's write while it is still in progress (see ChildChannel.send). */
  let writing: Promise<void> | undefined;

  const send = (message: ChildMessage, transfer: readonly TransferListItem[] = []) => {
    const written = channel.send(message, transfer);
    if (written instanceof Promise) {
      writing = written;
      written.then(() => {
        if (writing === written) writing = undefined;
      });
    }
  };

  // Queue, Pipe and Manager handles call their objects in the main process over this channel.
  const link = installParentLink((message, transfer) => send(message, transfer));

  const sendError = (taskId: number, error: unknown) =>
    send({ type: MESSAGE_TYPE.error, taskId, error: serializeError(error) });

  const sendResult = (taskId: number, mode: RunMode, raw: unknown) => {
    const outgoing = mode === 'call' ? outgoingValue(raw) : outgoingItems(raw as unknown[]);
    const { revive } = outgoing;
    let { value, transfer } = outgoing;
    // A worker thread can move memory: large buffers are copied once and moved, not cloned.
    if (!isMainThread) {
      const moved = [...transfer];
      if (mode === 'call') value = copyValueToMove(value, moved);
      else if (Array.isArray(value)) value = copyListToMove(value, moved);
      transfer = moved;
    }
    try {
      const type = MESSAGE_TYPE.result;
      send(revive ? { type, taskId, value, revive } : { type, taskId, value }, transfer);
    } catch (error) {
      const reason = whyUnsendable(value, 'result', error);
      sendError(
        taskId,
        new SerializationError(`cannot send the task's result back: ${reason}`, { cause: error }),
      );
    }
  };

  /** Set when the initializer failed: the parent breaks the pool, and tasks sent meanwhile must not run. */
  let initFailed = false;

  const init = async (message: InitMessage) => {
    updateWorkerInfo(
      { ...currentProcess(), name: message.name, ident: message.ident, daemon: message.daemon },
      message.parent,
    );
    resolver = new FunctionResolver(message.modules, message.mainModule);
    setCurrentResolver(resolver);
    try {
      if (message.initializer) {
        const { fn } = await resolver.resolve(message.initializer);
        await fn(...incoming(message.initArgs, message.revive));
      }
    } catch (error) {
      initFailed = true;
      send({ type: MESSAGE_TYPE.initFailed, error: serializeError(error) });
      return;
    }
    send({ type: MESSAGE_TYPE.ready });
  };

  /**
   * A Process's target (`exitAfter`): nothing is answered. As Python's process bootstrap: print the
   * error when it throws, wait for the non-daemonic children it started, then exit with 0 or 1.
   */
  const runTarget = async (message: RunMessage) => {
    // An uncaught error (thrown in a timer the target set) ends the worker. A process prints it itself;
    // a worker thread only hands it to its parent's 'error' event: print it, as a process would.
    if (!isMainThread) process.on('uncaughtExceptionMonitor', printTargetError);
    let fromSource = false;
    let code = 0;
    try {
      const resolved = await resolver.resolve(message.fn);
      fromSource = resolved.fromSource;
      await apply(resolved.fn, message.mode, incomingItems(message.payload, message.revive));
    } catch (error) {
      printTargetError(explain(error, fromSource));
      code = 1;
    }
    await joinNonDaemonicChildren();
    await link.settleWrites(); // a put() the target did not await is still delivered
    channel.exit(code);
  };

  const run = async (message: RunMessage) => {
    // A task may end the process (process.exit), which drops writes still in progress: the answers
    // of earlier tasks are written out before the next one starts.
    if (writing) await writing;
    if (initFailed) return;
    if (message.exitAfter) return runTarget(message);
    let fromSource = false;
    try {
      const found = resolver.resolve(message.fn);
      const resolved = found instanceof Promise ? await found : found;
      fromSource = resolved.fromSource;
      const value = apply(resolved.fn, message.mode, incomingItems(message.payload, message.revive));
      sendResult(message.taskId, message.mode, isThenable(value) ? await value : value);
    } catch (error) {
      sendError(message.taskId, explain(error, fromSource));
    }
  };

  const runInOrder = async (runs: readonly RunMessage[]) => {
    for (const message of runs) await run(message);
  };

  const handle = (message: ParentMessage): Promise<void> => {
    switch (message.type) {
      case MESSAGE_TYPE.init:
        return init(message);
      case MESSAGE_TYPE.run:
        return run(message);
      case MESSAGE_TYPE.batch:
        return runInOrder(message.runs);
      case MESSAGE_TYPE.stop:
        // Items a queue's feeder still holds are handed to the main process first (ring-queue.ts).
        return link.settleWrites().then(() => channel.exit(0));
      case MESSAGE_TYPE.reply:
        return Promise.resolve(); // taken in onMessage, never queued
      case MESSAGE_TYPE.release:
        return Promise.resolve(); // taken by the staging channel
    }
  };

  channel.onMessage((message) => {
    if (!isProtocolMessage(message)) return;
    // A reply to a broker call goes to the task awaiting it now, not behind that task.
    if (message.type === MESSAGE_TYPE.reply) return link.receive(message);
    pending = pending.then(() => handle(message as ParentMessage));
  });
}

/**
 * The Processes this process started that have not ended yet. Python keeps the same set: it backs
 * `active_children()`, and at exit Python terminates the daemonic children and joins the others. Here
 * non-daemonic children keep the event loop alive by themselves (their handles stay referenced), so
 * the exit hook only has to stop the daemonic ones; a Process child that finishes its target waits for
 * its own non-daemonic children before it exits (see `serve`).
 */
/** What this registry needs of a Process (process.ts, which registers itself here). */
export interface LiveChild {
  readonly daemon: boolean;
  terminate(): void;
  join(): Promise<void>;
}

/**
 * Shared through a `Symbol.for` key by every copy of core in this process: a worker runs the CommonJS
 * copy while a task that imports '@mproc/core' gets the ES module copy, and a child started by the
 * task must still count as this process's child.
 */
const LIVE = Symbol.for('mproc.live-children');
const holder = globalThis as unknown as Record<symbol, Set<LiveChild> | undefined>;
holder[LIVE] ??= new Set<LiveChild>();
const live: Set<LiveChild> = holder[LIVE];
let exitHookInstalled = false;

/** The 'exit' hook: daemonic children do not outlive this process (Python terminates them too). */
function stopDaemonicChildren(): void {
  for (const child of live) {
    if (!child.daemon) continue;
    try {
      child.terminate();
    } catch {
      // It ended meanwhile: nothing to stop.
    }
  }
}

/** Called when a Process starts: from now on it counts as a live child. */
export function addChild(child: LiveChild): void {
  live.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', stopDaemonicChildren);
  }
}

/** Called when a Process has ended (or failed to start). */
export function removeChild(child: LiveChild): void {
  live.delete(child);
}

/** The children started by this process that are still alive (starting or running). */
export function liveChildren(): LiveChild[] {
  return [...live];
}

/** Resolves once every non-daemonic child has ended, including children started meanwhile. */
export async function joinNonDaemonicChildren(): Promise<void> {
  for (;;) {
    const waiting = [...live].filter((child) => !child.daemon);
    if (waiting.length === 0) return;
    await Promise.all(waiting.map((child) => child.join()));
  }
}

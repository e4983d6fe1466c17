/**
 * The worker side of mproc, for backend child entries: `serve(channel)` runs core's worker loop.
 *
 * @module @mproc/core/child
 */
import { registerEveryKind } from '../kinds.js';

export type { ChildChannel } from '../backend.js';
/** @internal The entry of a Manager's server thread (manager/server/start-server.ts). */
export { serveManager } from '../manager/server/server.js';
/** For the conformance suite (`@mproc/core/testing`), which reaches core only through its entries. */
export { forceSharedMemoryFallback } from '../shared/native-addon.js';
export { serve } from './serve.js';
export { written } from './written.js';

// Every kind of object the parent may send this worker, known before the first message (kinds.ts).
registerEveryKind();

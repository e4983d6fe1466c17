/** The worker side of mproc, for backend child entries: `serve(channel)` runs core's worker loop. */
export type { ChildChannel } from '../backend.js';
export { serve } from './serve.js';
export { written } from './written.js';

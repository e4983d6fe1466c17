/**
 * The one bundle of core's code (`dist/core.cjs`): the public names, and the worker side under
 * `child`. `dist/index.{js,cjs}` and `dist/child.{js,cjs}` only re-export from it (see
 * tsup.config.ts), so a process holds one copy of core whichever entry it came through.
 */

export * as child from './child/index.js';
export * from './index.js';

/**
 * The kinds of objects that cross by descriptor (queue, pipe and manager handles; shared Values,
 * Arrays and locks), loaded on first need. A worker loads them when a message says it holds such an
 * object, so a worker that never receives one never loads their code (nor `node:crypto` and
 * `node:net`, which they use): about 6 ms less at every worker's start.
 */
let loading: Promise<void> | undefined;

export function loadKinds(): Promise<void> {
  loading ??= Promise.all([import('../broker/handle-kinds.js'), import('../shared/register.js')]).then(
    ([handles, shared]) => {
      handles.ensureHandleKinds();
      shared.registerSharedReducers();
    },
  );
  return loading;
}

/**
 * The one message of this backend's own: a cluster worker sends it once its listener for the
 * parent's messages is in place. Cluster's worker bootstrap listens to 'message' before the entry
 * module has loaded (asynchronously: ESM, `--import` loaders), so Node does not hold early messages
 * back as it does for a plain fork: anything sent before this would be lost.
 */
export const ATTACHED = 'mproc-backend-cluster:attached';

export function isAttachedMessage(message: unknown): boolean {
  return (message as { type?: unknown } | null)?.type === ATTACHED;
}

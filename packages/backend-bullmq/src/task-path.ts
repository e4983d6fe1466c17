/**
 * Tasks cross machines by a path relative to a root directory, never by the producer's absolute
 * file URL: the producer makes the path relative to its `root`, a worker host resolves it under its
 * `--root`, and neither leaves its root.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

function escapes(path: string): boolean {
  return path === '..' || path.startsWith(`..${sep}`) || isAbsolute(path);
}

/** @throws TypeError for a module outside `root` or not a file. */
export function toTaskPath(moduleUrl: string, root: string): string {
  if (!moduleUrl.startsWith('file:')) {
    throw new TypeError(`the task's module ${moduleUrl} is not a file: worker hosts find tasks by path`);
  }
  const path = relative(root, fileURLToPath(moduleUrl));
  if (escapes(path)) {
    throw new TypeError(
      `the task's module ${fileURLToPath(moduleUrl)} is outside the root ${root}: worker hosts find tasks by their path relative to it (the backend's root option; the host's --root)`,
    );
  }
  return path.split(sep).join('/');
}

/** @throws TypeError for a path that leaves `root`. */
export function fromTaskPath(taskPath: string, root: string): string {
  const absolute = resolve(root, taskPath);
  if (escapes(relative(root, absolute)))
    throw new TypeError(`the task path ${taskPath} leaves the host's root`);
  return pathToFileURL(absolute).href;
}

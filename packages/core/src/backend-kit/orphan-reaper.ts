/**
 * Worker processes must not outlive their parent — also when the parent is SIGKILLed and a worker
 * is stuck in a synchronous loop, where no 'disconnect' handler can run. One small shell per parent
 * process keeps the pids of its live workers, read from a pipe; the kernel closes that pipe when the
 * parent ends, however it ends, and the shell then kills the workers that are left.
 *
 * One `sh` per parent costs about a megabyte, where a watchdog thread inside each worker cost ten.
 * Where there is no `sh` (Windows), workers still exit when their channel to the parent closes.
 */
import type { ChildProcess } from 'node:child_process';

const REAPER_SCRIPT = `
pids=' '
while read -r op pid; do
  case "$op" in
    +) pids="$pids$pid " ;;
    -) pids=$(printf '%s' "$pids" | sed "s/ $pid / /") ;;
  esac
done
[ -n "\${pids# }" ] && kill -9 $pids 2>/dev/null
exit 0
`;

let reaper: ChildProcess | undefined;
let unavailable = false;

function started(): ChildProcess | undefined {
  if (reaper || unavailable) return reaper;
  try {
    // Loaded here, by the first process that starts children: node:child_process takes ~5 ms to load,
    // and every worker loads core.
    const { spawn } = process.getBuiltinModule('node:child_process');
    reaper = spawn('sh', ['-c', REAPER_SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], windowsHide: true });
  } catch {
    unavailable = true;
    return undefined;
  }
  reaper.once('error', () => {
    unavailable = true;
    reaper = undefined;
  });
  // It waits for this process's end; it never keeps this process alive.
  reaper.unref();
  reaper.stdin?.on('error', () => {});
  (reaper.stdin as { unref?: () => void } | null)?.unref?.();
  return reaper;
}

/** Kills `child` when this process ends, unless it exits first. */
export function reapWithParent(child: ChildProcess): void {
  const note = (line: string) => started()?.stdin?.write(line);
  const watch = () => {
    if (child.pid === undefined) return;
    note(`+ ${child.pid}\n`);
    child.once('exit', () => note(`- ${child.pid}\n`));
  };
  if (child.pid !== undefined) watch();
  else child.once('spawn', watch);
}

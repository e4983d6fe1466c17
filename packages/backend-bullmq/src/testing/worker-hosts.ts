/** Worker hosts as a user starts them: the `mproc-worker` command of this package, as child processes. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Built next to this module (dist/testing.js).
const CLI = fileURLToPath(new URL('./worker-cli.js', import.meta.url));

/** How long `stop()` lets a host finish its jobs before it kills it. */
const STOP_BOUND_MS = 10_000;

export interface HostProcess {
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export function authkeyFile(dir: string, authkey: string): string {
  const file = join(dir, 'authkey');
  writeFileSync(file, `${authkey}\n`, { mode: 0o600 });
  return file;
}

/**
 * Starts a host and resolves once it pulls jobs (it prints one line then); with `netns`, inside that
 * network namespace (`ip netns exec`, which runs the host as the process itself: its pid is the
 * host's).
 */
export async function startHost(args: string[], options: { netns?: string } = {}): Promise<HostProcess> {
  const command = [process.execPath, CLI, ...args];
  if (options.netns) command.unshift('ip', 'netns', 'exec', options.netns);
  const child = spawn(command[0] as string, command.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('threads on queue')) resolve();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`mproc-worker exited (${code}):\n${output}`)));
  });
  return {
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      // A host finishes the jobs it holds first; one still running a task after the bound is killed,
      // so that no test leaves a host behind.
      const killer = setTimeout(() => child.kill('SIGKILL'), STOP_BOUND_MS);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Runs the command to its end; resolves with its exit code and output. */
export async function runHost(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = await once(child, 'exit');
  return { code, output };
}

/**
 * Runs a Node program as a plain process (not one of vitest's), with an explicit bound: past
 * `timeoutMs` it is killed and the promise rejects with what it printed. Settles on 'close', which
 * waits for the stdio of every worker that inherited it, so a worker that outlives the program runs
 * into the bound.
 */
import { spawn } from 'node:child_process';

export interface ProgramRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly milliseconds: number;
}

export interface RunNodeOptions {
  readonly cwd: string;
  /** Added to the environment, which otherwise is this process's without vitest's markers. */
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Names the program in the error of a run that does not end in time. */
  readonly label: string;
}

export function runNode(args: readonly string[], options: RunNodeOptions): Promise<ProgramRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  for (const key of Object.keys(env)) if (key.startsWith('VITEST')) delete env[key];
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.label}: no exit within ${options.timeoutMs} ms\n${stdout}\n${stderr}`));
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, milliseconds: performance.now() - started });
    });
  });
}

/** Run the built CLI (bin/cfreplay -> dist/) as a child process and collect its output. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

export const root = new URL('../../', import.meta.url).pathname;
export const bin = `${root}bin/cfreplay`;
export const cliBuilt = existsSync(`${root}dist/cli/main.js`) && existsSync(`${root}dist/distributed/worker.js`);

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exit: Promise<number | string>;
}

export function startCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): CliRun {
  const child = spawn(process.execPath, [bin, ...args], { cwd: options.cwd ?? root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exit = new Promise<number | string>((resolve) => child.on('close', (code, signal) => resolve(code ?? signal ?? -1)));
  return { child, stdout: () => out, stderr: () => err, exit };
}

export async function runCli(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const run = startCli(args, options);
  const timer = setTimeout(() => run.child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  const code = await run.exit;
  clearTimeout(timer);
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

/** Fail (never skip) when dist/ is missing: `npm test` builds it first. */
export function requireCliBuilt(): void {
  if (!cliBuilt) throw new Error('dist/ is missing: build first (npx tsc -p tsconfig.json); `npm test` does it');
}

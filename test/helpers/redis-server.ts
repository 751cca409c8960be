/**
 * A real redis-server (Debian package `redis-server`) on a free loopback
 * port, for the tests that need Redis. Never a mock. Each server gets its
 * own data directory; `stop()` shuts it down and removes the directory.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const redisServerAvailable = spawnSync('redis-server', ['--version'], { encoding: 'utf8' }).status === 0;

/** Fail (never skip) when the real server the tests need is missing. */
export function requireRedisServer(): void {
  if (!redisServerAvailable) {
    throw new Error('redis-server is not installed: the Redis tests run against a real server. Install it with "apt-get update && apt-get install -y redis-server" (.ci/run does).');
  }
}

export interface RedisServerOptions {
  password?: string;
  /** Append-only file with fsync on every write: a SIGKILLed server restarts with all its data. */
  persistent?: boolean;
}

export interface RedisServer {
  port: number;
  /** redis://[:password@]127.0.0.1:PORT/0 */
  url: string;
  dir: string;
  /** SIGKILL (a crash). */
  kill(): Promise<void>;
  /** Start again on the same port and data directory. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ port, host: '127.0.0.1' });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

function exited(p: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) resolve();
    else p.once('exit', () => resolve());
  });
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cfreplay-redis-'));
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--save', '',
    '--daemonize', 'no',
    '--loglevel', 'warning',
    '--appendonly', options.persistent === true ? 'yes' : 'no',
    ...(options.persistent === true ? ['--appendfsync', 'always'] : []),
    ...(options.password !== undefined ? ['--requirepass', options.password] : []),
  ];
  let proc: ChildProcess;
  const launch = async () => {
    proc = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'inherit'] });
    const deadline = Date.now() + 10_000;
    while (!(await canConnect(port))) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with code ${proc.exitCode}`);
      if (Date.now() > deadline) throw new Error('redis-server did not start within 10 s');
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  await launch();
  const auth = options.password !== undefined ? `:${encodeURIComponent(options.password)}@` : '';
  return {
    port,
    url: `redis://${auth}127.0.0.1:${port}/0`,
    dir,
    async kill() {
      proc.kill('SIGKILL');
      await exited(proc);
    },
    async restart() {
      await launch();
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await exited(proc);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

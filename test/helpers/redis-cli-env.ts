/**
 * For tests that run CLI processes against a real redis-server: the server
 * and a temporary directory made before the tests of the file, the processes
 * started through `start` killed (SIGKILL, after a SIGCONT for one a test
 * stopped) and awaited after them (after each test with `killAfterEach`),
 * then the server stopped and the directory removed. Fails (never skips)
 * without redis-server or a built dist/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { requireRedisServer, startRedisServer, type RedisServer, type RedisServerOptions } from './redis-server.js';
import { requireCliBuilt, startCli, type CliRun } from './cli-process.js';

export interface RedisCliEnv {
  readonly server: RedisServer;
  readonly tmp: string;
  /** Start the CLI; the process is killed after the file's tests if still running. */
  start(args: string[], options?: { env?: Record<string, string> }): CliRun;
}

export interface RedisCliEnvOptions extends RedisServerOptions {
  /** Kill the processes a test started when it ends (default: when the file's tests end). */
  killAfterEach?: boolean;
}

async function killAll(children: CliRun[]): Promise<void> {
  for (const c of children) {
    if (c.child.exitCode === null && c.child.signalCode === null) {
      c.child.kill('SIGCONT');
      c.child.kill('SIGKILL');
    }
  }
  await Promise.all(children.map((c) => c.exit));
  children.length = 0;
}

export function useRedisCliEnv(name: string, options: RedisCliEnvOptions = {}): RedisCliEnv {
  let server: RedisServer | undefined;
  let tmp: string | undefined;
  const children: CliRun[] = [];
  const { killAfterEach, ...serverOptions } = options;
  beforeAll(async () => {
    requireRedisServer();
    requireCliBuilt();
    server = await startRedisServer(serverOptions);
    tmp = mkdtempSync(join(tmpdir(), `cfreplay-${name}-`));
  }, 60_000);
  if (killAfterEach === true) afterEach(() => killAll(children));
  afterAll(async () => {
    await killAll(children);
    await server?.stop();
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  });
  return {
    get server() {
      if (server === undefined) throw new Error('the Redis server is not started yet (use it inside a test)');
      return server;
    },
    get tmp() {
      if (tmp === undefined) throw new Error('the temporary directory is not made yet (use it inside a test)');
      return tmp;
    },
    start(args, opts = {}) {
      const run = startCli(args, opts);
      children.push(run);
      return run;
    },
  };
}

// Redis restarted many times (more than EventEmitter's default of 10 listeners) under a waiting worker
// process and under pushes: no MaxListenersExceededWarning (or any other process warning), the worker
// comes back every time and then replays a run to the end; a push cut by a restart is one line, exit 2.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCorpusWriter } from '../../../src/store/index.js';
import { parseRedisTarget, pushCorpus } from '../../../src/store/redis/index.js';
import { syntheticRecords } from '../../helpers/synthetic.js';
import { root } from '../../helpers/cli-process.js';
import { useRedisCliEnv } from '../../helpers/redis-cli-env.js';

const RESTARTS = 12;
const oldFn = `${root}test/fixtures/replay/security-headers.js`;
const newFn = `${root}test/fixtures/replay/security-headers-v2.js`;

async function waitFor(what: string, probe: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

/** Node prints process warnings as "(node:PID) SomethingWarning: ..." on stderr. */
const NODE_WARNING = /\(node:\d+\) \w*Warning|MaxListenersExceeded|memory leak detected/;

describe('Redis restarted again and again', () => {
  const env = useRedisCliEnv('reconnects', { persistent: true });
  let file: string;

  beforeAll(async () => {
    file = join(env.tmp, 'c.cfr');
    const w = await createCorpusWriter(file, { chunkEvents: 50 });
    for (const r of syntheticRecords(400, 3)) await w.write(r);
    await w.close();
  }, 60_000);

  it(`a waiting worker survives ${RESTARTS} restarts without a process warning, then replays a run`, async () => {
    const server = env.server;
    const worker = env.start(['worker', server.url, '--threads', '1', '--name', 'rw'], { env: { CFREPLAY_DEBUG: '1' } });
    await waitFor('the worker to wait for runs', () => worker.stderr().includes('waiting for runs'));
    for (let i = 0; i < RESTARTS; i++) {
      await server.kill();
      await new Promise((r) => setTimeout(r, 150));
      await server.restart();
      await new Promise((r) => setTimeout(r, 350));
    }
    const url = `${server.url}#rc`;
    await pushCorpus(file, parseRedisTarget(url));
    const coord = env.start(['replay', '--old', oldFn, '--new', newFn, '--corpus', url, '--distributed', '--json', join(env.tmp, 'r.json')]);
    const code = await coord.exit;
    expect(coord.stderr(), coord.stderr()).not.toMatch(NODE_WARNING);
    expect([0, 1]).toContain(code);
    expect(coord.stderr()).not.toMatch(/at .*\.js:\d+/);
    expect(worker.child.exitCode).toBeNull(); // still up
    // Whether the worker logs a lost connection depends on where its loop was when Redis went
    // away (ioredis resends a blocked read after a quick restart without an error): on a quiet
    // machine it may not. That it came back is shown by the run it replayed after the restarts.
    expect(worker.stderr()).toMatch(/finished \(8 chunk\(s\) replayed here\)/);
    expect(worker.stderr()).not.toMatch(NODE_WARNING);
  }, 120_000);

  it('pushes cut by restarts: each one line and exit 2, no process warning; a push after them works', async () => {
    const server = env.server;
    for (let i = 0; i < 4; i++) {
      const push = env.start(['push', file, `${server.url}#cut${i}`, '--force']);
      await new Promise((r) => setTimeout(r, 60 * i));
      await server.kill();
      const code = await push.exit;
      await server.restart();
      expect(push.stderr()).not.toMatch(NODE_WARNING);
      expect(push.stderr()).not.toMatch(/at .*\.js:\d+/);
      if (code !== 0) {
        expect(code).toBe(2);
        expect(push.stderr().trim().split('\n')).toHaveLength(1);
      }
    }
    const ok = env.start(['push', file, `${server.url}#after`]);
    expect(await ok.exit).toBe(0);
    expect(ok.stderr()).not.toMatch(NODE_WARNING);
  }, 120_000);
});

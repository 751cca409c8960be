// A distributed worker stalled (SIGSTOP 12 s, then SIGCONT) while it holds a
// chunk: another worker takes the chunk over; the stalled one, when it wakes,
// must not get its late result (with spurious timeouts) into the run. The
// merged report equals the single-machine report. Real redis-server, real
// worker processes, real signals.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, parseRedisTarget } from '../../src/store/redis/index.js';
import { runKeys, GROUP } from '../../src/distributed/protocol.js';
import { replay } from '../../src/replay/replay.js';
import type { ReplayReport } from '../../src/results/types.js';
import { pushSyntheticCorpus } from '../helpers/corpus.js';
import { waitFor } from '../helpers/wait.js';
import { useRedisCliEnv } from '../helpers/redis-cli-env.js';
import { root } from '../helpers/cli-process.js';
import { comparable } from '../helpers/report-compare.js';

const slowOld = `${root}test/fixtures/replay/slow-old.js`;
const slowNew = `${root}test/fixtures/replay/slow-new.js`;
const EVENTS = 600;
const CHUNK = 30;

describe('a stalled distributed worker', () => {
  // Its processes, one of them stopped with SIGSTOP, are continued and killed after the file's tests.
  const env = useRedisCliEnv('stalled');
  let url: string;
  let local: ReplayReport;
  let redis: Redis;

  beforeAll(async () => {
    url = `${env.server.url}#stall`;
    const file = await pushSyntheticCorpus(env.tmp, url, EVENTS, CHUNK, 11);
    redis = await connectRedis(parseRedisTarget(env.server.url), { reconnectAttempts: Infinity });
    // A time budget the loaded test machine never reaches, while a 12 s stall still passes it.
    local = await replay({ oldPath: slowOld, newPath: slowNew, corpus: file, workers: 2, timeoutMs: 5000 });
  }, 120_000);

  afterAll(() => redis?.disconnect());

  it('its late result never replaces or joins the one accepted; the report equals the local one', async () => {
    const start = (args: string[]) => env.start(args, { env: { CFREPLAY_DEBUG: '1' } });
    const w1 = start(['worker', env.server.url, '--threads', '1', '--name', 's1']);
    await waitFor('s1 ready', () => w1.stderr().includes('waiting for runs'));
    const out = join(env.tmp, 'distributed.json');
    const coord = start(['replay', '--old', slowOld, '--new', slowNew, '--corpus', url, '--distributed', '--json', out, '--reclaim-after', '2s', '--keep-run', '--timeout-ms', '5000']);
    const runId = await waitFor('the run id', () => /cfreplay: run (\S+): \d+ chunks of .*#stall queued/.exec(coord.stderr())?.[1], 30_000);
    const keys = runKeys(runId);
    // s1 holds a chunk (after finishing one): stop it there, and let s2 do the rest.
    await waitFor('s1 to hold a chunk after finishing one', async () => {
      const done = (await redis.xrange(keys.done, '-', '+')).filter(([, f]) => f[f.indexOf('w') + 1] === 's1').length;
      const held = (await redis.call('XPENDING', keys.jobs, GROUP, '-', '+', '10', 's1')) as unknown[];
      return done >= 1 && held.length >= 1 ? true : undefined;
    });
    w1.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    start(['worker', env.server.url, '--threads', '1', '--name', 's2']);
    await new Promise((r) => setTimeout(r, Math.max(0, 12_000 - (Date.now() - stoppedAt))));
    w1.child.kill('SIGCONT');

    const code = await coord.exit;
    expect(code).toBe(1); // differences, as locally
    const report = JSON.parse(readFileSync(out, 'utf8')) as ReplayReport;
    expect(comparable(report)).toEqual(comparable(local));
    expect(report.events).toBe(EVENTS);
    expect(report.outcomes).toEqual(local.outcomes); // no spurious timeout
    // Once s1 has written whatever it still could: one result per chunk in the done stream, none of them late.
    await waitFor('s1 to report the dropped result', () => /was taken over by another worker while this one was stalled; its result here is dropped/.test(w1.stderr()), 30_000);
    const entries = await redis.xrange(keys.done, '-', '+');
    const results = entries.filter(([, f]) => f[f.indexOf('k') + 1] === 'r').map(([, f]) => f[f.indexOf('c') + 1]);
    expect(results.length).toBe(new Set(results).size);
    expect(results.length).toBe(EVENTS / CHUNK);
    await redis.multi().zrem('cfreplay:runs', runId).unlink(...keys.all).exec();
  }, 180_000);
});

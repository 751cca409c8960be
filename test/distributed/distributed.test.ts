// Distributed replay end to end: a real redis-server, a coordinator and worker PROCESSES
// (bin/cfreplay -> dist/). One worker is SIGKILLed while it holds a chunk; Redis itself is
// SIGKILLed mid-run and restarted. The merged reports must equal the single-machine report.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, parseRedisTarget } from '../../src/store/redis/index.js';
import { runKeys, GROUP } from '../../src/distributed/protocol.js';
import { replay } from '../../src/replay/replay.js';
import type { ReplayReport } from '../../src/results/types.js';
import { pushSyntheticCorpus } from '../helpers/corpus.js';
import { waitFor } from '../helpers/wait.js';
import { requireRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { requireCliBuilt, root, startCli, type CliRun } from '../helpers/cli-process.js';
import { comparable } from '../helpers/report-compare.js';

const slowOld = `${root}test/fixtures/replay/slow-old.js`;
const slowNew = `${root}test/fixtures/replay/slow-new.js`;
const EVENTS = 600;
const CHUNK = 30;
const CHUNKS = EVENTS / CHUNK;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms))]);
}

describe('replay --distributed with worker processes', () => {
  beforeAll(() => {
    requireRedisServer();
    requireCliBuilt();
  });
  let server: RedisServer;
  let tmp: string;
  let file: string;
  let url: string;
  let local: ReplayReport;
  let redis: Redis;
  let children: CliRun[] = [];

  beforeAll(async () => {
    server = await startRedisServer({ persistent: true });
    tmp = mkdtempSync(join(tmpdir(), 'cfreplay-distributed-'));
    url = `${server.url}#dist`;
    file = await pushSyntheticCorpus(tmp, url, EVENTS, CHUNK, 11);
    redis = await connectRedis(parseRedisTarget(server.url), { reconnectAttempts: Infinity });
    // The single-machine reference.
    // A 5 s call budget on both sides: under load one call past the default 250 ms made the reports differ by an event.
    local = await replay({ oldPath: slowOld, newPath: slowNew, corpus: file, workers: 2, timeoutMs: 5000 });
    expect(local.events).toBe(EVENTS);
    expect(local.diffs.length).toBeGreaterThan(1);
  }, 120_000);

  afterEach(async () => {
    for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exit));
    children = [];
  });

  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  function worker(name: string): CliRun {
    const w = startCli(['worker', server.url, '--threads', '1', '--name', name], { env: { CFREPLAY_DEBUG: '1' } });
    children.push(w);
    return w;
  }

  function coordinator(extra: string[], out: string): CliRun {
    const c = startCli(['replay', '--old', slowOld, '--new', slowNew, '--corpus', url, '--distributed', '--timeout-ms', '5000', '--json', out, ...extra]);
    children.push(c);
    return c;
  }

  const runIdOf = (c: CliRun) => waitFor('the run id', () => /cfreplay: run (\S+): 20 chunks of .*#dist queued; start workers with: cfreplay worker redis:\/\/127\.0\.0\.1:\d+\/0\n/.exec(c.stderr())?.[1], 30_000);

  it('a worker killed in the middle of a chunk: its chunk is reclaimed, every event counted once, same report as one machine', async () => {
    // One worker is up before the run, two join after it began.
    const w1 = worker('w1');
    await waitFor('w1 ready', () => w1.stderr().includes('waiting for runs'));
    const out = join(tmp, 'distributed.json');
    const coord = coordinator(['--reclaim-after', '2s', '--keep-run'], out);
    const runId = await runIdOf(coord);
    const keys = runKeys(runId);
    const doneBy = async (name: string) => (await redis.xrange(keys.done, '-', '+')).filter(([, f]) => f[f.indexOf('w') + 1] === name).length;
    // The two others join once w1 has finished a chunk: on a quiet machine they used to take every chunk
    // but the last ones while w1 was still finding the run, and w1 never held one after finishing one.
    await waitFor('w1 to finish a chunk', async () => ((await doneBy('w1')) >= 1 ? true : undefined), 60_000);
    worker('w2');
    worker('w3');

    // Kill w1 while it holds a chunk, after it has finished at least one (so it is mid-run, mid-chunk).
    // Frozen first (SIGSTOP), then checked: a fast machine may finish the chunk between a check and a kill.
    let heldAtKill = 0;
    for (let attempt = 0; attempt < 20 && heldAtKill === 0; attempt++) {
      await waitFor('w1 to hold a chunk after finishing one', async () => {
        const doneByW1 = await doneBy('w1');
        const held = (await redis.call('XPENDING', keys.jobs, GROUP, '-', '+', '10', 'w1')) as unknown[];
        return doneByW1 >= 1 && held.length >= 1 ? true : undefined;
      });
      w1.child.kill('SIGSTOP');
      heldAtKill = ((await redis.call('XPENDING', keys.jobs, GROUP, '-', '+', '10', 'w1')) as unknown[]).length;
      if (heldAtKill === 0) w1.child.kill('SIGCONT');
    }
    w1.child.kill('SIGKILL');
    expect(heldAtKill).toBeGreaterThanOrEqual(1);

    const code = await withTimeout(coord.exit, 90_000, 'the coordinator');
    expect(coord.stderr()).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect(code).toBe(1); // differences found (the gate fails), as locally
    const report = JSON.parse(readFileSync(out, 'utf8')) as ReplayReport;
    expect(comparable(report)).toEqual(comparable(local));
    expect(report.events).toBe(EVENTS);
    expect(report.corpus).toMatchObject({ name: 'dist', records: EVENTS });

    // The held chunk(s) were taken over by another worker.
    expect(Number(await redis.hget(keys.stats, 'reclaimed'))).toBeGreaterThanOrEqual(1);
    const chunksDone = new Set((await redis.xrange(keys.done, '-', '+')).map(([, f]) => f[f.indexOf('c') + 1]));
    expect(chunksDone.size).toBe(CHUNKS);
    expect(Object.keys(await redis.hgetall(keys.workers)).sort()).toEqual(['w1', 'w2', 'w3']);
    // --keep-run kept the keys; clean them now.
    await redis.multi().zrem('cfreplay:runs', runId).unlink(...keys.all).exec();
  }, 150_000);

  it('Redis killed mid-run: the coordinator says so with the run id; --resume finishes the same report', async () => {
    const r1 = worker('r1');
    const r2 = worker('r2');
    const out = join(tmp, 'before-kill.json');
    const coord = coordinator(['--reclaim-after', '2s'], out);
    const runId = await runIdOf(coord);
    const keys = runKeys(runId);
    await waitFor('a few chunks done', async () => ((await redis.xlen(keys.done)) >= 3 ? true : undefined));
    // Mid-run for sure: the workers are frozen before Redis is killed, so the run cannot finish
    // (and the coordinator end with exit 1) between the check above and the kill; this process,
    // starved on a loaded machine, could see the third chunk late and kill Redis after the last.
    r1.child.kill('SIGSTOP');
    r2.child.kill('SIGSTOP');
    expect(await redis.xlen(keys.done)).toBeLessThan(20);
    expect(coord.child.exitCode).toBeNull();
    await server.kill();
    const killedAt = Date.now();
    // Back to work: they find Redis gone (and come back to it after the restart below).
    r1.child.kill('SIGCONT');
    r2.child.kill('SIGCONT');
    const code = await withTimeout(coord.exit, 30_000, 'the coordinator after Redis died');
    expect(Date.now() - killedAt).toBeLessThan(20_000);
    expect(code).toBe(2);
    const err = coord.stderr();
    expect(err).toMatch(new RegExp(`cfreplay: redis://127\\.0\\.0\\.1:\\d+/0: lost the connection to Redis during run ${runId} \\(\\d+/20 chunks merged\\)\\. The run is kept in Redis.*--resume ${runId}\\n$`));
    expect(err).not.toMatch(/at .*\.js:\d+/);

    await server.restart();
    const out2 = join(tmp, 'resumed.json');
    const resumed = startCli(['replay', '--old', slowOld, '--new', slowNew, '--corpus', url, '--distributed', '--timeout-ms', '5000', '--resume', runId, '--json', out2]);
    children.push(resumed);
    const code2 = await withTimeout(resumed.exit, 90_000, 'the resumed coordinator').catch((e: Error) => {
      throw new Error(`${e.message}\n--- coordinator:\n${resumed.stderr()}\n--- workers:\n${children.slice(0, 2).map((w) => w.stderr()).join('\n')}`);
    });
    expect(resumed.stderr()).toMatch(new RegExp(`cfreplay: run ${runId} resumed: \\d+/20 chunks already merged`));
    expect(code2).toBe(1);
    const report = JSON.parse(readFileSync(out2, 'utf8')) as ReplayReport;
    expect(comparable(report)).toEqual(comparable(local));
    // Finished runs are cleaned up.
    expect(await redis.exists(keys.spec, keys.jobs, keys.done)).toBe(0);
    expect(await redis.zscore('cfreplay:runs', runId)).toBeNull();
    // The workers noticed Redis going away and came back.
    for (const w of children.slice(0, 2)) expect(w.stderr()).toMatch(/lost the connection to Redis|cannot connect to Redis/);
  }, 150_000);

  it('Ctrl-C on the coordinator keeps the run (resumable); ls --runs lists it, rm --run deletes it', async () => {
    const coord = coordinator([], join(tmp, 'never.json'));
    const runId = await runIdOf(coord);
    coord.child.kill('SIGINT');
    expect(await withTimeout(coord.exit, 20_000, 'the interrupted coordinator')).toBe(130);
    expect(coord.stderr()).toMatch(new RegExp(`cfreplay: stopped: run ${runId} has 0/20 chunks merged; the workers go on with it; resume with: .*--resume ${runId}\\n$`));
    const ls = startCli(['ls', server.url, '--runs']);
    children.push(ls);
    expect(await ls.exit).toBe(0);
    // A run an earlier test kept (when it failed before cleaning up) may be listed too: this one's line is checked.
    expect(ls.stdout()).toMatch(/^RUN\s+CORPUS\s+CHUNKS\s+RESULTS\s+IN FLIGHT\s+CREATED\s+EXPIRES\n/);
    expect(ls.stdout()).toMatch(new RegExp(`\\n${runId}\\s+redis://127\\.0\\.0\\.1:\\d+/0#dist\\s+20\\s+0\\s+0\\s`));
    const rm = startCli(['rm', server.url, '--run', runId]);
    children.push(rm);
    expect(await rm.exit).toBe(0);
    expect(await redis.exists(...runKeys(runId).all)).toBe(0);
    expect(await redis.zscore('cfreplay:runs', runId)).toBeNull();
    const again = startCli(['rm', server.url, '--run', runId]);
    children.push(again);
    expect(await again.exit).toBe(2);
    expect(again.stderr()).toMatch(/is not in redis:\/\/127\.0\.0\.1:\d+\/0 \(cfreplay ls .* --runs lists them\)\n$/);
  });

  it('--resume of an unknown run, and --distributed on a file, are one-line errors', async () => {
    const r = startCli(['replay', '--old', slowOld, '--new', slowNew, '--corpus', url, '--distributed', '--resume', 'nope']);
    children.push(r);
    expect(await r.exit).toBe(2);
    expect(r.stderr()).toMatch(/^cfreplay: run nope is not in redis:\/\/127\.0\.0\.1:\d+\/0 \(it finished and was cleaned up, expired after its TTL, or the id is wrong\)\n$/);
    const f = startCli(['replay', '--old', slowOld, '--new', slowNew, '--corpus', file, '--distributed']);
    children.push(f);
    expect(await f.exit).toBe(2);
    expect(f.stderr()).toMatch(/^cfreplay: --distributed: the corpus must be in Redis .*cfreplay push .*synthetic-\d+\.cfr redis:\/\/host:port\/0\n$/);
  });
});

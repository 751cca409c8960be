// The engine travels with a distributed run: a real redis-server, the coordinator in this
// process and a `cfreplay worker` PROCESS; the run asks for njs and the worker runs njs
// (njs prints 0.1 + 0.2 as 0.30000000000000007, V8 as ...04). A chunk result made on
// another engine (a worker that ignores the spec's engine) stops the coordinator.
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, parseRedisTarget, RedisCorpus } from '../../src/store/redis/index.js';
import { doneFields, GROUP, parseStreams, runKeys } from '../../src/distributed/protocol.js';
import { EngineMismatchError, replayDistributed } from '../../src/distributed/coordinator.js';
import { replay } from '../../src/replay/replay.js';
import { processChunk } from '../../src/replay/chunk-processor.js';
import { loadFunction } from '../../src/runtime/loader.js';
import { pushSyntheticCorpus } from '../helpers/corpus.js';
import { useRedisCliEnv } from '../helpers/redis-cli-env.js';
import { root } from '../helpers/cli-process.js';
import { comparable } from '../helpers/report-compare.js';

const OLD = `${root}test/fixtures/engines/engine-old.js`;
const NEW = `${root}test/fixtures/engines/engine-new.js`;
const EVENTS = 120;
const CHUNK = 30;

describe('replay --distributed --engine njs', () => {
  const env = useRedisCliEnv('dist-engine', { killAfterEach: true });
  let url: string;
  let file: string;
  let redis: Redis;
  const worker = (name: string) => env.start(['worker', env.server.url, '--threads', '1', '--name', name, '--exit-when-idle', '20s']);

  beforeAll(async () => {
    url = `${env.server.url}#eng`;
    file = await pushSyntheticCorpus(env.tmp, url, EVENTS, CHUNK, 5);
    redis = await connectRedis(parseRedisTarget(env.server.url), { reconnectAttempts: 3 });
  }, 120_000);

  afterAll(() => redis?.disconnect());

  it("every worker runs the coordinator's engine: the merged report equals the local njs replay", async () => {
    worker('w1');
    const report = await replayDistributed({ oldPath: OLD, newPath: NEW, corpus: url, engine: 'njs' });
    const local = await replay({ oldPath: OLD, newPath: NEW, corpus: file, engine: 'njs', workers: 1 });
    expect(report.functions.new.engine).toBe('njs');
    expect(report.events).toBe(EVENTS);
    expect(report.diffs.map((d) => `${d.path} ${d.kind}`)).toEqual(['request.headers.x-sum added']);
    expect(new Set(report.diffs[0]!.examples.map((e) => e.new))).toEqual(new Set(['0.30000000000000007']));
    expect(comparable(report)).toEqual(comparable(local));
    // The same run on v8 (the default) says ...04: the figure above came from njs.
    const v8 = await replayDistributed({ oldPath: OLD, newPath: NEW, corpus: url });
    expect(v8.functions.new.engine).toBeUndefined();
    expect(new Set(v8.diffs[0]!.examples.map((e) => e.new))).toEqual(new Set(['0.30000000000000004']));
  }, 120_000);

  it('--cross-check travels too: the workers run both engines and the merged engines section equals the local one', async () => {
    worker('w2');
    const report = await replayDistributed({ oldPath: OLD, newPath: NEW, corpus: url, crossCheck: true, timeoutMs: 10_000 });
    const local = await replay({ oldPath: OLD, newPath: NEW, corpus: file, crossCheck: true, workers: 1, timeoutMs: 10_000 });
    expect(report.options.crossCheck).toBe(true);
    // NEW's 0.1 + 0.2 disagrees on every event.
    expect(report.engines).toMatchObject({ primary: 'v8', other: 'njs', checked: EVENTS, disagreeing: EVENTS });
    const shape = (r: typeof report) => ({ ...r.engines!, groups: r.engines!.groups.map((g) => ({ ...g, sample: g.sample?.eventId })) });
    expect(shape(report)).toEqual(shape(local));
    expect(report.cost!.new.count).toBe(EVENTS);
    expect({ old: report.cost!.old, new: report.cost!.new }).toEqual({ old: local.cost!.old, new: local.cost!.new });
  }, 120_000);

  /** Start a distributed run (no worker) and take one of its jobs as a worker named "old" would. */
  async function runWithOldWorker(engine?: 'njs'): Promise<{ run: Promise<unknown>; runId: string; keys: ReturnType<typeof runKeys>; chunk: number }> {
    let runId = '';
    const run = replayDistributed({ oldPath: OLD, newPath: NEW, corpus: url, ...(engine ? { engine } : {}), onInfo: (t) => (runId = /run (\S+):/.exec(t)?.[1] ?? runId) });
    run.catch(() => undefined);
    const deadline = Date.now() + 30_000;
    while (runId === '' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const keys = runKeys(runId);
    const raw = await redis.callBuffer('XREADGROUP', 'GROUP', GROUP, 'old', 'COUNT', '1', 'STREAMS', keys.jobs, '>');
    const chunk = Number(parseStreams(raw).get(keys.jobs)![0]!.fields[1]!.toString());
    return { run, runId, keys, chunk };
  }

  it('a chunk result made on another engine (a worker ignoring the engine) stops the coordinator with a message', async () => {
    // An "old worker": takes a job and answers with a result made on V8, as a worker would that never read spec.engine.
    const { run, runId, keys, chunk } = await runWithOldWorker('njs');
    const corpus = await RedisCorpus.open(parseRedisTarget(url), redis);
    const framed = await corpus.readFramedChunk(chunk);
    const fns = { old: loadFunction(readFileSync(OLD, 'utf8')), new: loadFunction(readFileSync(NEW, 'utf8')) };
    const result = await processChunk({ chunk, framed, firstPosition: chunk * CHUNK }, fns, { eventType: 'viewer-request' });
    expect(result.engine).toBeUndefined();
    await redis.xadd(keys.done, '*', ...doneFields({ kind: 'result', chunk, worker: 'old', result }));
    await expect(run).rejects.toThrow(EngineMismatchError);
    await expect(run).rejects.toThrow(`worker old ran chunk ${chunk} on the v8 engine, but run ${runId} asks for njs`);
  }, 60_000);

  it('a worker that cannot read the chunk layout (an older cfreplay meeting format 2) stops the coordinator with a message, not as damage', async () => {
    const { run, keys, chunk } = await runWithOldWorker();
    // What a worker of c161008 (format 1 only) sends for a layout-2 chunk: its ChunkDecodeError's message.
    await redis.xadd(keys.done, '*', ...doneFields({ kind: 'chunk-error', chunk, worker: 'old', message: 'unknown chunk layout 2' }));
    await expect(run).rejects.toThrow(EngineMismatchError);
    await expect(run).rejects.toThrow(`worker old cannot read chunk ${chunk} of ${url} (unknown chunk layout 2; an older cfreplay worker?): run the same cfreplay version on every worker`);
  }, 60_000);
});

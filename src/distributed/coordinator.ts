/**
 * `cfreplay replay --corpus redis://...#name --distributed`: the
 * coordinator. It checks the functions here (a broken one fails before
 * anything is queued), publishes both sources (content-addressed) and the
 * options as the run spec, queues one job per chunk on the run's stream,
 * then merges what the workers write to the done stream with the same
 * RunAccumulator and buildReport as a local replay: the report has the
 * same shape and the same counts.
 *
 * Stopping the coordinator (Ctrl-C, or Redis going away) leaves the run in
 * Redis; `--resume <run-id>` re-reads every result written so far, queues
 * again any chunk that was lost, and goes on. Run data expires after the
 * run's TTL; a finished run is deleted (unless keepRun).
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { Redis } from 'ioredis';
import { compileIgnore } from '../diff/index.js';
import type { ReplayReport } from '../results/types.js';
import { ReplayInputError, finishReport, replayKvs, resolveEventType, type LoadedSource, type ReplayOptions, type ReplayProgress } from '../replay/replay.js';
import { readFunction } from '../replay/read-function.js';
import { DamageLedger } from '../replay/damage.js';
import { RunAccumulator } from '../results/run-accumulator.js';
import { connectRedis, describeRedisError, isConnectionError, parseRedisTarget, quit, type RedisTarget } from '../store/redis/connect.js';
import { RedisCorpus } from '../store/redis/corpus.js';
import { isUnknownLayoutError } from '../store/chunk.js';
import {
  GROUP,
  RUNS_KEY,
  compareIds,
  fieldOf,
  fnKey,
  parseDone,
  parseEntries,
  parseStreams,
  runKeys,
  type RunKeys,
  type RunSpec,
  type SpecFunction,
  type WorkerSeen,
} from './protocol.js';
import { UserError } from '../util/user-error.js';
import { DEFAULT_MAX_HEAP_MB, DEFAULT_TIMEOUT_MS } from '../runtime/limits.js';

/** The local replay's options (workers are each `cfreplay worker`'s own), plus the run's. */
export interface DistributedReplayOptions extends Omit<ReplayOptions, 'corpus' | 'workers' | 'onProgress'> {
  /** redis://[user:password@]host:port/db#corpus-name */
  corpus: string;
  /** Continue this run instead of starting one. */
  resume?: string;
  /** Run data expires this long after the run starts or resumes (default 24 h). */
  ttlSeconds?: number;
  /** A chunk held by a silent worker for this long is reclaimed by another (default 30 s). */
  reclaimMs?: number;
  /** Leave the run's keys in Redis when it finished (until the TTL). */
  keepRun?: boolean;
  onProgress?: (p: DistributedProgress) => void;
  /** One-line notices (run id, how to start workers, resume hint). */
  onInfo?: (line: string) => void;
  signal?: AbortSignal;
}

export interface DistributedProgress extends ReplayProgress {
  runId: string;
  inFlight: number;
  reclaimed: number;
  workersSeen: number;
  workersActive: number;
}

/** The coordinator stopped before the run finished; the run stays in Redis and can be resumed. */
export class RunInterruptedError extends UserError {
  override name = 'RunInterruptedError';
  constructor(
    message: string,
    readonly runId: string,
    readonly interrupted: boolean,
  ) {
    super(message);
  }
}

/**
 * A worker of another cfreplay version took part: its chunk result was made on another engine
 * than the run's (an older worker ignores the spec's engine), or it could not read the
 * corpus's chunk layout (an older worker meeting layout 2).
 */
export class EngineMismatchError extends UserError {
  override name = 'EngineMismatchError';
}

export const DEFAULT_RUN_TTL_SECONDS = 86_400;
export const DEFAULT_RECLAIM_MS = 30_000;

function newRunId(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}-${randomBytes(3).toString('hex')}`;
}

function specFunction(f: LoadedSource): SpecFunction {
  return { info: f.info, filename: f.source.filename, runtime: f.source.runtime };
}

async function exec(m: ReturnType<Redis['multi']>): Promise<unknown[]> {
  const res = await m.exec();
  if (res === null) throw new Error('transaction aborted');
  const err = res.find(([e]) => e !== null)?.[0];
  if (err) throw err;
  return res.map(([, v]) => v);
}

/** Queue jobs for the given chunks (pipelined in one MULTI). */
async function enqueue(redis: Redis, keys: RunKeys, corpus: RedisCorpus, chunks: readonly number[], ttl: number): Promise<void> {
  const first: number[] = [];
  let pos = 0;
  for (const c of corpus.chunks) {
    first[c.index] = pos;
    pos += c.events;
  }
  for (let i = 0; i < chunks.length; i += 5000) {
    const m = redis.multi();
    for (const c of chunks.slice(i, i + 5000)) m.call('XADD', keys.jobs, '*', 'c', String(c), 'f', String(first[c] ?? 0));
    m.expire(keys.jobs, ttl);
    await exec(m);
  }
}

export async function replayDistributed(options: DistributedReplayOptions): Promise<ReplayReport> {
  const started = performance.now();
  const target: RedisTarget = parseRedisTarget(options.corpus);
  if (target.name === undefined) throw new ReplayInputError(`--distributed: name the corpus after # in ${target.server}, e.g. ${target.server}#prod (cfreplay ls ${target.server} lists them)`);
  const info = options.onInfo ?? (() => undefined);
  const ttl = Math.max(1, Math.round(options.ttlSeconds ?? DEFAULT_RUN_TTL_SECONDS));

  // Everything that can be checked without Redis is checked first.
  const engine = options.engine ?? 'v8';
  const crossCheck = options.crossCheck === true;
  const oldFn = readFunction(options.oldPath, 'OLD', options.runtime, options.transforms, engine, crossCheck);
  const newFn = readFunction(options.newPath, 'NEW', options.runtime, options.transforms, engine, crossCheck);
  const kvs = replayKvs(oldFn, newFn, options);
  const ignore = options.ignore ?? [];
  compileIgnore(ignore);

  const redis = await connectRedis(target, { connectionName: 'cfreplay-coordinator', reconnectAttempts: 3 });
  let runId = options.resume ?? '';
  let merged = 0;
  let total = 0;
  const resumeHint = () =>
    `resume with: cfreplay replay --old ${options.oldPath} --new ${options.newPath} --corpus '${target.display}' --distributed --resume ${runId}`;
  try {
    let spec: RunSpec;
    let corpus: RedisCorpus;
    let keys: RunKeys;
    if (options.resume !== undefined) {
      keys = runKeys(options.resume);
      const text = await redis.get(keys.spec);
      if (text === null) throw new ReplayInputError(`run ${options.resume} is not in ${target.server} (it finished and was cleaned up, expired after its TTL, or the id is wrong)`);
      spec = JSON.parse(text) as RunSpec;
      if ((spec.engine ?? 'v8') !== engine) throw new ReplayInputError(`run ${spec.id} was started with --engine ${spec.engine ?? 'v8'}; resume it with the same engine`);
      if ((spec.crossCheck === true) !== crossCheck) throw new ReplayInputError(`run ${spec.id} was started ${spec.crossCheck === true ? 'with' : 'without'} --cross-check; resume it the same way`);
      if (spec.corpus.name !== target.name) throw new ReplayInputError(`run ${spec.id} replays corpus ${spec.corpus.name}, not ${target.name}`);
      if (spec.functions.old.info.sha256 !== oldFn.info.sha256) throw new ReplayInputError(`${options.oldPath}: not the OLD function run ${spec.id} was started with (sha256 ${spec.functions.old.info.sha256.slice(0, 12)}…)`);
      if (spec.functions.new.info.sha256 !== newFn.info.sha256) throw new ReplayInputError(`${options.newPath}: not the NEW function run ${spec.id} was started with (sha256 ${spec.functions.new.info.sha256.slice(0, 12)}…)`);
      corpus = await RedisCorpus.open(target, redis);
      if (corpus.gen !== spec.corpus.gen) throw new ReplayInputError(`${target.display}: the corpus was replaced since run ${spec.id} started; start a new run`);
    } else {
      const eventType = resolveEventType(oldFn, newFn, options.eventType);
      corpus = await RedisCorpus.open(target, redis);
      if (corpus.chunks.length === 0) throw new ReplayInputError(`${target.display}: the corpus is empty`);
      runId = newRunId();
      keys = runKeys(runId);
      spec = {
        v: 1,
        id: runId,
        created: new Date().toISOString(),
        corpus: { name: target.name, gen: corpus.gen, display: target.display, events: corpus.events, chunks: corpus.chunks.length },
        functions: { old: specFunction(oldFn), new: specFunction(newFn) },
        eventType,
        ...(engine !== 'v8' ? { engine } : {}),
        ...(crossCheck ? { crossCheck } : {}),
        ignore,
        noise: options.noise !== false,
        seed: options.seed ?? 1,
        samplesPerChunk: 20,
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxHeapMb: options.maxHeapMb ?? DEFAULT_MAX_HEAP_MB,
        maxStoppedCalls: options.maxStoppedCalls ?? 50,
        ...(kvs ? { kvs: { source: kvs.source, entries: [...kvs.entries], meta: kvs.meta } } : {}),
        reclaimMs: options.reclaimMs ?? DEFAULT_RECLAIM_MS,
        ttlSeconds: ttl,
      };
      await exec(
        redis
          .multi()
          .set(fnKey(oldFn.info.sha256), oldFn.source.source, 'EX', ttl)
          .set(fnKey(newFn.info.sha256), newFn.source.source, 'EX', ttl)
          .set(keys.spec, JSON.stringify(spec), 'EX', ttl)
          .call('XGROUP', 'CREATE', keys.jobs, GROUP, '0', 'MKSTREAM'),
      );
      await enqueue(redis, keys, corpus, corpus.chunks.map((c) => c.index), ttl);
      // Listed last: workers see the run only once every job is queued.
      await redis.zadd(RUNS_KEY, Date.now() + ttl * 1000, runId);
      info(`run ${runId}: ${corpus.chunks.length} chunks of ${target.display} queued; start workers with: cfreplay worker ${target.server}`);
    }
    total = corpus.chunks.length;
    const chunkEvents = new Map(corpus.chunks.map((c) => [c.index, c.events]));

    const acc = new RunAccumulator();
    const problems: string[] = [];
    const damage = new DamageLedger(corpus.path);
    damage.addCorpusProblems(corpus.summary().problems);
    const chunkInfo = new Map(corpus.chunks.map((c) => [c.index, c]));
    let recordsDone = 0;
    let stoppedEarly: string | undefined;
    const merge = (fields: Buffer[]): void => {
      const d = parseDone(fields);
      if (d === undefined) return;
      if (d.kind === 'result') {
        const ran = d.result.engine ?? 'v8';
        if (ran !== engine) throw new EngineMismatchError(`worker ${d.worker} ran chunk ${d.chunk} on the ${ran} engine, but run ${spec.id} asks for ${engine} (an older cfreplay worker?): run the same cfreplay version on every worker`);
        if (crossCheck && d.result.engines === undefined) throw new EngineMismatchError(`worker ${d.worker} did not cross-check chunk ${d.chunk}, but run ${spec.id} asks for --cross-check (an older cfreplay worker?): run the same cfreplay version on every worker`);
        if (acc.add(d.result)) recordsDone += chunkEvents.get(d.chunk) ?? 0;
      } else if (d.kind === 'chunk-error') {
        if (isUnknownLayoutError(d.message)) {
          throw new EngineMismatchError(`worker ${d.worker} cannot read chunk ${d.chunk} of ${corpus.path} (${d.message}; an older cfreplay worker?): run the same cfreplay version on every worker`);
        }
        const reason = /is missing from Redis/.test(d.message) ? 'missing chunk' : 'corrupt chunk';
        if (damage.chunkLost(acc, chunkInfo.get(d.chunk) ?? { index: d.chunk }, reason, d.message)) recordsDone += chunkEvents.get(d.chunk) ?? 0;
      } else if (d.kind === 'stop') stoppedEarly ??= d.message;
      else throw new Error(`worker ${d.worker} failed on run ${spec.id}: ${d.message}`);
    };

    let lastId = '0-0';
    if (options.resume !== undefined) {
      // First which chunks are waiting or held (a chunk's result and its acknowledgement are one
      // MULTI, so a chunk leaving that set afterwards has its result in the done stream read next),
      // then everything written so far; reading goes on after the last entry read here.
      const covered = await coveredChunks(redis, keys);
      const all = parseEntries(await redis.callBuffer('XRANGE', keys.done, '-', '+'));
      for (const e of all) {
        merge(e.fields);
        lastId = e.id;
      }
      const lost: number[] = [];
      for (let i = 0; i < total; i++) if (!acc.seen.has(i) && !covered.has(i)) lost.push(i);
      if (lost.length > 0) await enqueue(redis, keys, corpus, lost, ttl);
      await exec(redis.multi().expire(keys.spec, ttl).expire(keys.jobs, ttl).expire(keys.done, ttl).expire(fnKey(oldFn.info.sha256), ttl).expire(fnKey(newFn.info.sha256), ttl));
      await redis.zadd(RUNS_KEY, Date.now() + ttl * 1000, spec.id);
      info(`run ${spec.id} resumed: ${acc.seen.size}/${total} chunks already merged${lost.length > 0 ? `, ${lost.length} queued again` : ''}`);
    }
    merged = acc.seen.size;

    let status = { inFlight: 0, reclaimed: 0, workersSeen: 0, workersActive: 0, threads: 0 };
    let lastStatus = 0;
    const progress = () =>
      options.onProgress?.({
        runId: spec.id,
        recordsDone,
        recordsTotal: corpus.events,
        eventsDone: acc.events,
        changed: acc.changed,
        chunksDone: acc.seen.size,
        chunksTotal: total,
        elapsedMs: performance.now() - started,
        ...status,
      });
    while (acc.seen.size < total && stoppedEarly === undefined) {
      if (options.signal?.aborted === true) {
        throw new RunInterruptedError(`stopped: run ${spec.id} has ${acc.seen.size}/${total} chunks merged; the workers go on with it; ${resumeHint()}`, spec.id, true);
      }
      const raw = await redis.callBuffer('XREAD', 'COUNT', 500, 'BLOCK', 500, 'STREAMS', keys.done, lastId);
      for (const e of parseStreams(raw).get(keys.done) ?? []) {
        merge(e.fields);
        lastId = e.id;
      }
      merged = acc.seen.size;
      // As the local pool's rule (replay/pool.ts): stop a function that hangs on most events,
      // not one that hangs on a few of many: past `max` stopped calls, and only while they are
      // at least half of the events merged (it stopped at `max` alone: 51 hanging events in a
      // million stopped a distributed run that the local replay finishes).
      const max = spec.maxStoppedCalls;
      const stopped = acc.killed.old + acc.killed.new;
      if (stopped > max && stopped * 2 >= acc.events && stoppedEarly === undefined) {
        stoppedEarly = `${stopped} function calls were stopped (time budget ${spec.timeoutMs} ms or memory limit) in the first ${acc.events} events: the function seems to hang or exhaust memory on most events`;
      }
      if (Date.now() - lastStatus >= 500) {
        lastStatus = Date.now();
        status = await runStatus(redis, keys, spec.reclaimMs);
      }
      progress();
    }
    status = await runStatus(redis, keys, spec.reclaimMs);
    progress();

    // Finished (or stopped early): the run's keys go away, so workers drop it.
    if (options.keepRun !== true || stoppedEarly !== undefined) {
      await exec(redis.multi().zrem(RUNS_KEY, spec.id).unlink(...keys.all));
    }
    return finishReport(acc, {
      corpus: { name: spec.corpus.name, location: corpus.path, records: corpus.events },
      eventType: spec.eventType,
      functions: { old: oldFn.info, new: newFn.info },
      workers: Math.max(1, status.threads || availableParallelism()),
      ignore: spec.ignore,
      timeoutMs: spec.timeoutMs,
      limits: options,
      started,
      problems,
      damage,
      ...(stoppedEarly !== undefined ? { stoppedEarly } : {}),
      ...(crossCheck ? { crossCheck } : {}),
    });
  } catch (e) {
    if (e instanceof RunInterruptedError || e instanceof ReplayInputError || e instanceof EngineMismatchError) throw e;
    const err = describeRedisError(target, e);
    if (isConnectionError(err) && runId !== '') {
      throw new RunInterruptedError(
        `${err.message} during run ${runId} (${merged}/${total || '?'} chunks merged). The run is kept in Redis (with its persistence, it survives a restart): when Redis is back, ${resumeHint()}`,
        runId,
        false,
      );
    }
    throw err;
  } finally {
    await quit(redis);
  }
}

/**
 * Chunks whose job is still waiting in the stream or held by a worker. Empty when the
 * stream or its group is gone (Redis lost them): then they are created again, nothing covered.
 */
async function coveredChunks(redis: Redis, keys: RunKeys): Promise<Set<number>> {
  const covered = new Set<number>();
  let lastDelivered = '0-0';
  try {
    const groups = (await redis.call('XINFO', 'GROUPS', keys.jobs)) as unknown[][];
    for (const g of groups) {
      const m = new Map<string, unknown>();
      for (let i = 0; i + 1 < g.length; i += 2) m.set(String(g[i]), g[i + 1]);
      if (m.get('name') === GROUP) lastDelivered = String(m.get('last-delivered-id'));
    }
  } catch {
    await redis.call('XGROUP', 'CREATE', keys.jobs, GROUP, '0', 'MKSTREAM');
    return covered;
  }
  const pending = new Set(((await redis.call('XPENDING', keys.jobs, GROUP, '-', '+', String(1_000_000))) as [string][]).map((p) => p[0]));
  for (const e of parseEntries(await redis.callBuffer('XRANGE', keys.jobs, '-', '+'))) {
    if (pending.has(e.id) || compareIds(e.id, lastDelivered) > 0) covered.add(Number(fieldOf(e.fields, 'c')));
  }
  return covered;
}

async function runStatus(redis: Redis, keys: RunKeys, reclaimMs: number) {
  const [pendingRaw, workersRaw, reclaimedRaw] = await exec(
    redis.multi().call('XPENDING', keys.jobs, GROUP).hgetall(keys.workers).hget(keys.stats, 'reclaimed'),
  );
  const inFlight = Array.isArray(pendingRaw) ? Number(pendingRaw[0] ?? 0) : 0;
  const workers = Object.values((workersRaw ?? {}) as Record<string, string>).map((w) => JSON.parse(w) as WorkerSeen);
  const now = Date.now();
  const active = workers.filter((w) => now - w.seen < Math.max(3000, reclaimMs));
  return {
    inFlight,
    reclaimed: Number(reclaimedRaw ?? 0),
    workersSeen: workers.length,
    workersActive: active.length,
    threads: active.reduce((n, w) => n + w.threads, 0),
  };
}

/**
 * `cfreplay worker <redis-url>`: serves every distributed run in that Redis.
 * Jobs (one per chunk) come from each run's stream through the consumer
 * group (XREADGROUP); chunks are read from the corpus keys and replayed in
 * this process's worker threads (the same ReplayPool as a local replay);
 * each ChunkResult is written to the run's done stream and the job is
 * acknowledged in the same MULTI.
 *
 * While a chunk is held, its idle time is reset regularly (XCLAIM to self),
 * so only a silent worker's chunks are reclaimed by the others (XAUTOCLAIM
 * after the run's reclaim time). On Ctrl-C the held chunks are released at
 * once (marked idle) for the other workers. When Redis goes away the worker
 * says so, drops what it holds, and reconnects.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ReplayPool, StopRunError } from '../replay/pool.js';
import type { ChunkResult } from '../results/chunk-result.js';
import type { FunctionSource } from '../replay/worker-protocol.js';
import type { KvsSnapshot } from '../runtime/types.js';
import { connectRedis, describeRedisError, isConnectionError, quit, type RedisTarget } from '../store/redis/connect.js';
import { corpusKeys } from '../store/redis/keys.js';
import {
  GROUP,
  RUNS_KEY,
  doneFields,
  fieldOf,
  fnKey,
  parseEntries,
  parseStreams,
  runKeys,
  type DoneEntry,
  type RunKeys,
  type RunSpec,
  type StreamEntry,
  type WorkerSeen,
} from './protocol.js';


/** KEYS: jobs. ARGV: group, consumer, ids... XCLAIM (idle reset) only the ids this consumer still owns. */
const TOUCH_OWN_JOBS = `
local mine = {}
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1)
  if #p > 0 and p[1][2] == ARGV[2] then mine[#mine + 1] = ARGV[i] end
end
if #mine > 0 then redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, unpack(mine), 'JUSTID') end
return #mine`;

/**
 * KEYS: jobs, done. ARGV: group, consumer, ttl, n, ids (n of them), done-entry fields...
 * Adds the done entry and acknowledges the jobs only when every one is still pending for
 * this consumer; returns 1 when written, 0 when another worker owns (or finished) the chunk.
 */
const WRITE_IF_OWNER = `
local n = tonumber(ARGV[4])
local ids = {}
for i = 1, n do
  local id = ARGV[4 + i]
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
  if #p == 0 or p[1][2] ~= ARGV[2] then return 0 end
  ids[i] = id
end
local fields = {}
for i = 5 + n, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('XADD', KEYS[2], '*', unpack(fields))
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[3]))
redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))
return 1`;

export interface WorkerOptions {
  threads: number;
  /** Consumer name (default host-pid-random). */
  name?: string;
  /** Exit after this long with nothing to do (default: never). */
  exitWhenIdleMs?: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface WorkerStats {
  chunks: number;
  events: number;
  reclaimed: number;
  runs: number;
}

interface Held {
  ids: Set<string>;
  events: number;
}

interface RunState {
  id: string;
  keys: RunKeys;
  spec: RunSpec;
  sources: { old: FunctionSource; new: FunctionSource };
  pool: ReplayPool | undefined;
  held: Map<number, Held>;
  failed: boolean;
  lastReclaim: number;
  chunks: number;
  /** Set when the pool gave up (seen through waitForCapacity). */
  failure: Error | undefined;
  probing: boolean;
}

/** Jobs delivered more often than this are given up as a chunk error (a chunk that kills whole processes). */
const MAX_DELIVERIES = 5;

/**
 * Wait `ms`, or until `signal` aborts. The abort listener is removed when the
 * time is up: a worker sleeps every half second while idle and every second
 * while Redis is away, and listeners left behind piled up on the one signal
 * (MaxListenersExceededWarning after a few seconds, a leak over days).
 */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function kvsOf(spec: RunSpec): KvsSnapshot | undefined {
  return spec.kvs === undefined ? undefined : { source: spec.kvs.source, entries: new Map(spec.kvs.entries), meta: spec.kvs.meta };
}

export class DistributedWorker {
  readonly name: string;
  private cmd!: Redis;
  private blk!: Redis;
  private readonly runs = new Map<string, RunState>();
  private readonly stats: WorkerStats = { chunks: 0, events: 0, reclaimed: 0, runs: 0 };
  private readonly log: (line: string) => void;
  private lastRefresh = 0;
  private lastBeat = 0;
  private idleSince = Date.now();
  private wake: (() => void) | undefined;
  private disconnected = false;
  private writes = new Set<Promise<void>>();

  private readonly debug = process.env['CFREPLAY_DEBUG'] === '1';

  constructor(
    readonly target: RedisTarget,
    private readonly options: WorkerOptions,
  ) {
    this.name = options.name ?? `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  private get capacity(): number {
    return this.options.threads * 2;
  }

  private get heldCount(): number {
    let n = 0;
    for (const r of this.runs.values()) n += r.held.size;
    return n;
  }

  /** Connect (fails fast on a wrong password or no server), then serve until the signal or idle exit. */
  async run(): Promise<WorkerStats> {
    this.cmd = await connectRedis(this.target, { reconnectAttempts: Infinity, connectionName: `cfreplay-worker:${this.name}` });
    this.blk = await connectRedis(this.target, { reconnectAttempts: Infinity, connectionName: `cfreplay-worker-read:${this.name}` });
    const signal = this.options.signal;
    this.log(`cfreplay worker ${this.name}: connected to ${this.target.server}, ${this.options.threads} thread(s); waiting for runs`);
    try {
      while (signal?.aborted !== true) {
        try {
          await this.step();
          if (this.disconnected) {
            this.disconnected = false;
            this.log(`cfreplay worker ${this.name}: Redis is back`);
          }
        } catch (e) {
          const err = describeRedisError(this.target, e);
          if (this.debug) this.log(`[debug] ${this.name} step failed: ${err.message}`);
          if (!isConnectionError(err)) throw err;
          if (!this.disconnected) this.log(`cfreplay worker ${this.name}: ${err.message}; dropping the chunks held here and retrying`);
          this.disconnected = true;
          await this.dropAll();
          await sleep(1000, signal);
          continue;
        }
        const idleFor = this.options.exitWhenIdleMs;
        if (idleFor !== undefined && this.heldCount === 0 && Date.now() - this.idleSince > idleFor) {
          this.log(`cfreplay worker ${this.name}: idle for ${Math.round(idleFor / 1000)} s, exiting`);
          break;
        }
      }
      if (signal?.aborted === true) await this.release();
    } finally {
      await this.dropAll();
      await quit(this.cmd);
      await quit(this.blk);
    }
    return this.stats;
  }

  private async step(): Promise<void> {
    const now = Date.now();
    if (now - this.lastRefresh >= 1000) await this.refreshRuns();
    if (now - this.lastBeat >= 1000) await this.heartbeat();
    await this.checkPools();
    const free = this.capacity - this.heldCount;
    const active = [...this.runs.values()].filter((r) => !r.failed);
    if (active.length === 0) {
      await sleep(500, this.options.signal);
      return;
    }
    if (free <= 0) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 250);
      });
      this.wake = undefined;
      return;
    }
    // Take over chunks whose worker went silent.
    let room = free;
    for (const r of active) {
      if (room <= 0) break;
      if (Date.now() - r.lastReclaim < Math.max(200, r.spec.reclaimMs / 2)) continue;
      r.lastReclaim = Date.now();
      room -= await this.reclaim(r, room);
    }
    if (room <= 0) return;
    let raw: unknown;
    try {
      raw = await this.blk.callBuffer(
        'XREADGROUP', 'GROUP', GROUP, this.name, 'COUNT', room, 'BLOCK', 500,
        'STREAMS', ...active.map((r) => r.keys.jobs), ...active.map(() => '>'),
      );
    } catch (e) {
      if (/NOGROUP|UNBLOCKED/.test((e as Error).message)) {
        this.lastRefresh = 0; // a run finished (its stream is gone): refresh at once
        return;
      }
      throw e;
    }
    const byStream = parseStreams(raw);
    for (const r of active) {
      const entries = byStream.get(r.keys.jobs);
      if (entries !== undefined && entries.length > 0) await this.start(r, entries);
    }
  }

  private async refreshRuns(): Promise<void> {
    this.lastRefresh = Date.now();
    const now = Date.now();
    await this.cmd.zremrangebyscore(RUNS_KEY, '-inf', String(now));
    const ids = await this.cmd.zrangebyscore(RUNS_KEY, String(now), '+inf');
    const live = new Set(ids);
    for (const [id, r] of this.runs) {
      if (!live.has(id) || (await this.cmd.exists(r.keys.spec)) === 0) await this.forget(r, 'finished');
    }
    for (const id of ids) {
      if (this.runs.has(id)) continue;
      const keys = runKeys(id);
      const specText = await this.cmd.get(keys.spec);
      if (specText === null) continue;
      const spec = JSON.parse(specText) as RunSpec;
      const [oldSrc, newSrc] = await this.cmd.mget(fnKey(spec.functions.old.info.sha256), fnKey(spec.functions.new.info.sha256));
      if (typeof oldSrc !== 'string' || typeof newSrc !== 'string') {
        this.log(`cfreplay worker ${this.name}: run ${id}: function sources missing from Redis (expired?); skipping the run`);
        continue;
      }
      this.runs.set(id, {
        id,
        keys,
        spec,
        sources: {
          old: { source: oldSrc, filename: spec.functions.old.filename, runtime: spec.functions.old.runtime },
          new: { source: newSrc, filename: spec.functions.new.filename, runtime: spec.functions.new.runtime },
        },
        pool: undefined,
        held: new Map(),
        failed: false,
        lastReclaim: 0,
        chunks: 0,
        failure: undefined,
        probing: false,
      });
      this.stats.runs++;
      this.log(`cfreplay worker ${this.name}: joined run ${id} (${spec.corpus.chunks} chunks of ${spec.corpus.display})`);
    }
    if (this.runs.size > 0) this.idleSince = Date.now();
  }

  private async heartbeat(): Promise<void> {
    this.lastBeat = Date.now();
    for (const r of this.runs.values()) {
      const seen: WorkerSeen = { host: hostname(), pid: process.pid, threads: this.options.threads, seen: Date.now(), chunks: r.chunks };
      const m = this.cmd.multi().hset(r.keys.workers, this.name, JSON.stringify(seen)).expire(r.keys.workers, r.spec.ttlSeconds);
      const ids = [...r.held.values()].flatMap((h) => [...h.ids]);
      // Reset the idle time of every held job still ours: only a silent worker's jobs get
      // reclaimed, and a worker that was stalled (SIGSTOP) never takes back a job another
      // worker reclaimed meanwhile.
      if (ids.length > 0) m.eval(TOUCH_OWN_JOBS, 1, r.keys.jobs, GROUP, this.name, ...ids);
      await m.exec();
    }
  }

  /** Take over jobs idle for longer than the run's reclaim time. Returns how many were taken. */
  private async reclaim(r: RunState, count: number): Promise<number> {
    let raw: unknown;
    try {
      raw = await this.cmd.callBuffer('XAUTOCLAIM', r.keys.jobs, GROUP, this.name, r.spec.reclaimMs, '0-0', 'COUNT', count);
    } catch (e) {
      if (/NOGROUP/.test((e as Error).message)) {
        this.lastRefresh = 0;
        return 0;
      }
      throw e;
    }
    const entries = Array.isArray(raw) ? parseEntries(raw[1]) : [];
    if (entries.length === 0) return 0;
    const fresh = entries.filter((e) => ![...r.held.values()].some((h) => h.ids.has(e.id)));
    if (fresh.length === 0) return 0;
    await this.cmd.multi().hincrby(r.keys.stats, 'reclaimed', fresh.length).expire(r.keys.stats, r.spec.ttlSeconds).exec();
    this.stats.reclaimed += fresh.length;
    // A job delivered too many times kills whatever runs it: give it up as a chunk error.
    const keep: StreamEntry[] = [];
    for (const e of fresh) {
      const info = (await this.cmd.call('XPENDING', r.keys.jobs, GROUP, e.id, e.id, '1')) as [string, string, number, number][];
      const deliveries = info[0]?.[3] ?? 1;
      const chunk = Number(fieldOf(e.fields, 'c'));
      if (deliveries > MAX_DELIVERIES) {
        await this.writeDone(r, { kind: 'chunk-error', chunk, worker: this.name, message: `gave up after ${deliveries - 1} workers stopped responding while replaying it` }, [e.id]);
      } else keep.push(e);
    }
    this.log(`cfreplay worker ${this.name}: run ${r.id}: took over ${fresh.length} chunk(s) from a silent worker`);
    await this.start(r, keep);
    return fresh.length;
  }

  private ensurePool(r: RunState): ReplayPool {
    if (r.pool !== undefined) return r.pool;
    const spec = r.spec;
    const kvs = kvsOf(spec);
    r.pool = new ReplayPool(
      {
        old: r.sources.old,
        new: r.sources.new,
        ...(kvs ? { kvs } : {}),
        ...(spec.engine !== undefined && spec.engine !== 'v8' ? { engine: spec.engine } : {}),
        ...(spec.crossCheck === true ? { crossCheck: true } : {}),
        eventType: spec.eventType,
        ignore: spec.ignore,
        noise: spec.noise,
        seed: spec.seed,
        samplesPerChunk: spec.samplesPerChunk,
      },
      { workers: this.options.threads, timeoutMs: spec.timeoutMs, maxHeapMb: spec.maxHeapMb, maxStoppedCalls: spec.maxStoppedCalls },
      {
        result: (result) => this.finished(r, result),
        chunkError: (chunk, message) => this.finished(r, undefined, chunk, message),
      },
    );
    return r.pool;
  }

  private async start(r: RunState, entries: StreamEntry[]): Promise<void> {
    if (entries.length === 0) return;
    this.idleSince = Date.now();
    const jobs: { id: string; chunk: number; first: number }[] = [];
    for (const e of entries) {
      const chunk = Number(fieldOf(e.fields, 'c'));
      const first = Number(fieldOf(e.fields, 'f'));
      const have = r.held.get(chunk);
      if (have !== undefined) {
        have.ids.add(e.id); // the same chunk again (re-queued on resume): acknowledged with the first
        continue;
      }
      r.held.set(chunk, { ids: new Set([e.id]), events: 0 });
      jobs.push({ id: e.id, chunk, first });
    }
    if (jobs.length === 0) return;
    if (this.debug) this.log(`[debug] ${this.name} start ${jobs.map((j) => `${j.chunk}@${j.id}`).join(' ')}`);
    const ckeys = corpusKeys(r.spec.corpus.name);
    const p = this.cmd.pipeline();
    for (const j of jobs) p.getBuffer(ckeys.chunk(r.spec.corpus.gen, j.chunk));
    const res = (await p.exec()) ?? [];
    const pool = this.ensurePool(r);
    jobs.forEach((j, i) => {
      const [err, framed] = res[i] ?? [new Error('no reply'), null];
      if (err !== null && err !== undefined) throw err;
      if (!(framed instanceof Buffer)) {
        void this.finished(r, undefined, j.chunk, `chunk ${j.chunk} is missing from Redis (corpus ${r.spec.corpus.display} deleted or replaced during the run)`);
        return;
      }
      r.held.get(j.chunk)!.events = framed.readUInt32LE(12);
      pool.submit({ chunk: j.chunk, framed, firstPosition: j.first });
    });
  }

  /** A chunk is done here (result or chunk error): write it and acknowledge its job(s). */
  private finished(r: RunState, result: ChunkResult | undefined, chunk = result?.chunk ?? -1, message = ''): void {
    const held = r.held.get(chunk);
    if (this.debug) this.log(`[debug] ${this.name} finished ${chunk} held=${held !== undefined}`);
    if (held === undefined) return; // dropped meanwhile (Redis went away): another worker redoes it
    const entry: DoneEntry = result !== undefined ? { kind: 'result', chunk, worker: this.name, result } : { kind: 'chunk-error', chunk, worker: this.name, message };
    const w = this.writeDone(r, entry, [...held.ids])
      .then(() => {
        if (r.held.get(chunk) === held) r.held.delete(chunk);
        r.chunks++;
        this.stats.chunks++;
        this.stats.events += result?.events ?? 0;
      })
      .catch((e: unknown) => {
        // Not written: the job stays pending and is reclaimed once Redis is back.
        if (r.held.get(chunk) === held) r.held.delete(chunk);
        const err = describeRedisError(this.target, e);
        if (!isConnectionError(err)) this.log(`cfreplay worker ${this.name}: run ${r.id}: cannot store chunk ${chunk}: ${err.message}`);
      })
      .finally(() => {
        this.writes.delete(w);
        this.wake?.();
      });
    this.writes.add(w);
  }

  private async writeDone(r: RunState, entry: DoneEntry, ids: string[]): Promise<void> {
    if (ids.length > 0) {
      // Written only while every job of the chunk is still ours (one script: nothing runs between
      // the check and the write): a worker stalled past the reclaim time whose chunk another
      // worker took over drops its late result instead of racing the one the run should keep.
      const fields = doneFields(entry);
      const written = await this.cmd.call('EVAL', WRITE_IF_OWNER, 2, r.keys.jobs, r.keys.done, GROUP, this.name, String(r.spec.ttlSeconds), String(ids.length), ...ids, ...fields);
      if (Number(written) === 0) this.log(`cfreplay worker ${this.name}: run ${r.id}: chunk ${entry.chunk} was taken over by another worker while this one was stalled; its result here is dropped`);
      return;
    }
    const m = this.cmd.multi().call('XADD', r.keys.done, '*', ...doneFields(entry)).expire(r.keys.done, r.spec.ttlSeconds);
    const res = await m.exec();
    const err = res?.find(([e]) => e !== null)?.[0];
    if (res === null || err) throw err ?? new Error('transaction aborted');
  }

  /** A pool that gave up (too many stopped calls, or a function that fails to load): tell the coordinator. */
  private async checkPools(): Promise<void> {
    for (const r of this.runs.values()) {
      const pool = r.pool;
      if (pool === undefined || r.failed) continue;
      if (!r.probing && r.failure === undefined) {
        // Rejects at once when the pool failed; otherwise settles when a slot frees up.
        r.probing = true;
        pool.waitForCapacity().then(
          () => {
            r.probing = false;
          },
          (e: unknown) => {
            r.probing = false;
            r.failure = e instanceof Error ? e : new Error(String(e));
            this.wake?.();
          },
        );
      }
      const failure = r.failure;
      if (failure === undefined) continue;
      r.failed = true;
      const kind = failure instanceof StopRunError ? 'stop' : 'fatal';
      this.log(`cfreplay worker ${this.name}: run ${r.id}: ${failure.message}`);
      await this.writeDone(r, { kind, chunk: -1, worker: this.name, message: failure.message }, []);
      await pool.close();
      r.pool = undefined;
    }
  }

  private async forget(r: RunState, why: string): Promise<void> {
    this.runs.delete(r.id);
    if (r.pool !== undefined) await r.pool.close();
    this.log(`cfreplay worker ${this.name}: run ${r.id} ${why} (${r.chunks} chunk(s) replayed here)`);
  }

  /** Drop everything held (Redis went away or shutting down): the jobs stay pending and are reclaimed. */
  private async dropAll(): Promise<void> {
    for (const r of this.runs.values()) {
      r.held.clear();
      if (r.pool !== undefined) await r.pool.close();
      r.pool = undefined;
    }
    this.runs.clear();
    this.lastRefresh = 0;
  }

  /** Shutting down: mark held jobs as long idle so other workers take them at once. */
  private async release(): Promise<void> {
    try {
      for (const r of this.runs.values()) {
        const ids = [...r.held.values()].flatMap((h) => [...h.ids]);
        if (ids.length > 0) {
          await this.cmd.call('XCLAIM', r.keys.jobs, GROUP, this.name, '0', ...ids, 'IDLE', String(365 * 86_400_000), 'JUSTID');
          this.log(`cfreplay worker ${this.name}: released ${ids.length} chunk(s) of run ${r.id} to the other workers`);
        }
      }
    } catch {
      // Redis unreachable: the jobs are reclaimed after the run's reclaim time instead.
    }
  }
}

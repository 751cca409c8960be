/**
 * A corpus stored in Redis (key layout in ./keys.ts): the same framed chunks
 * a .cfr file holds, as binary string values, plus a list of their headers as
 * the index. `RedisCorpus` reads it (the `Corpus` interface, also a replay
 * ChunkSource); `RedisCorpusWriter` writes it (a RecordSink, and the target
 * of `cfreplay push`).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CorpusRecord } from '../../event/connection.js';
import { ChunkDecodeError, openChunk } from '../chunk.js';
import type { ColumnsCursor } from '../columns.js';
import { recordAtOf, recordsOf, verifyAll, type Corpus } from '../corpus.js';
import { CorpusError, CorruptChunkError, MissingChunkError } from '../errors.js';
import { CHUNK_HEADER_SIZE, FORMAT_VERSION, LAYOUT_NAME, readChunkHeader, unsupportedVersion, type ChunkHeader } from '../format.js';
import { ChunkPipeline } from '../chunk-pipeline.js';
import type { ChunkInfo, CorpusProblem, CorpusSummary, ReadOptions } from '../corpus.js';
import { DEFAULT_CHUNK_EVENTS, type CorpusWriteStats, type RecordSink } from '../writer.js';
import { connectRedis, describeRedisError, parseRedisTarget, quit, type RedisTarget } from './connect.js';
import { CORPORA_KEY, corpusKeys, type CorpusKeys } from './keys.js';

/** What a corpus's meta says of its format when this cfreplay writes it: at creation, at a rewrite, and after an append (its chunks are now of this layout). */
const FORMAT_FIELDS = { format: String(FORMAT_VERSION), layout: LAYOUT_NAME };

export interface RedisCorpusMeta {
  gen: string;
  created: string;
  tool: string;
  format: number;
  /** The layout name its meta gives (informational: each chunk's header says its own). */
  layout: string;
  events: number;
  chunks: number;
  bytes: number;
  complete: boolean;
}

function needName(target: RedisTarget): string {
  if (target.name === undefined) {
    throw new CorpusError(`${target.server}: name the corpus after #, e.g. ${target.server}#prod (cfreplay ls ${target.server} lists them)`);
  }
  return target.name;
}

export function parseMeta(h: Record<string, string>): RedisCorpusMeta | undefined {
  if (h['gen'] === undefined) return undefined;
  return {
    gen: h['gen'],
    created: h['created'] ?? '',
    tool: h['tool'] ?? '',
    format: Number(h['format'] ?? FORMAT_VERSION),
    layout: h['layout'] ?? 'columns-v1',
    events: Number(h['events'] ?? 0),
    chunks: Number(h['chunks'] ?? 0),
    bytes: Number(h['bytes'] ?? 0),
    complete: h['complete'] === '1',
  };
}

export class RedisCorpus implements Corpus {
  private constructor(
    readonly target: RedisTarget,
    readonly name: string,
    private readonly redis: Redis,
    private readonly ownsConnection: boolean,
    readonly keys: CorpusKeys,
    readonly meta: RedisCorpusMeta,
    private readonly info: CorpusSummary,
  ) {}

  get path(): string {
    return this.target.display;
  }
  get events(): number {
    return this.info.events;
  }
  get chunks(): readonly ChunkInfo[] {
    return this.info.chunks;
  }
  get complete(): boolean {
    return this.info.complete;
  }
  get gen(): string {
    return this.meta.gen;
  }
  summary(): CorpusSummary {
    return this.info;
  }

  /** Open `target` (which names a corpus). Uses `redis` when given (not closed by close()). */
  static async open(target: RedisTarget, redis?: Redis): Promise<RedisCorpus> {
    const name = needName(target);
    const conn = redis ?? (await connectRedis(target, { connectionName: 'cfreplay-reader' }));
    try {
      const keys = corpusKeys(name);
      let meta: RedisCorpusMeta | undefined;
      let headers: Buffer[];
      try {
        meta = parseMeta(await conn.hgetall(keys.meta));
        headers = meta === undefined ? [] : await conn.lrangeBuffer(keys.index(meta.gen), 0, -1);
      } catch (e) {
        throw describeRedisError(target, e);
      }
      if (meta === undefined) throw new CorpusError(`${target.display}: no such corpus in Redis (cfreplay ls ${target.server} lists them)`);
      const unsupported = unsupportedVersion(target.display, meta.format);
      if (unsupported !== undefined) throw new CorpusError(unsupported);
      const chunks: ChunkInfo[] = [];
      const problems: CorpusProblem[] = [];
      let offset = 0;
      let events = 0;
      headers.forEach((hb, index) => {
        const h = readChunkHeader(hb);
        if (typeof h === 'string') {
          problems.push({ kind: 'damaged-index-entry', offset, message: `index entry of chunk ${index} is damaged (${h}); the corpus is read up to chunk ${index}` });
          return;
        }
        if (problems.length > 0) return;
        const length = CHUNK_HEADER_SIZE + h.payloadLength;
        chunks.push({ index, offset, length, events: h.events, minTime: h.minTime, maxTime: h.maxTime });
        offset += length;
        events += h.events;
      });
      const lost = problems[0];
      if (lost !== undefined && meta.events >= events) lost.lostEvents = meta.events - events;
      if (!meta.complete) problems.unshift({ kind: 'incomplete', offset, message: 'not complete: a recording is still writing it, or did not finish (its completed chunks are readable)' });
      const info: CorpusSummary = {
        path: target.display,
        formatVersion: meta.format,
        meta: { created: meta.created, tool: meta.tool, layout: meta.layout, codec: 'brotli', redis: { name, gen: meta.gen } },
        chunks,
        events,
        complete: meta.complete,
        dataEnd: offset,
        fileBytes: offset,
        problems,
      };
      return new RedisCorpus(target, name, conn, redis === undefined, keys, meta, info);
    } catch (e) {
      if (redis === undefined) await quit(conn);
      throw e;
    }
  }

  async readFramedChunk(index: number): Promise<Buffer> {
    const c = this.info.chunks[index];
    if (c === undefined) throw new CorpusError(`${this.path}: no chunk ${index} (the corpus has ${this.info.chunks.length})`);
    let buf: Buffer | null;
    try {
      buf = await this.redis.getBuffer(this.keys.chunk(this.meta.gen, index));
    } catch (e) {
      throw describeRedisError(this.target, e);
    }
    if (buf === null) throw new MissingChunkError(this.path, index, 'is missing from Redis (deleted, expired, or the corpus was replaced while being read)');
    return buf;
  }

  async openChunk(index: number): Promise<ColumnsCursor> {
    const framed = await this.readFramedChunk(index);
    try {
      return openChunk(framed);
    } catch (e) {
      if (e instanceof ChunkDecodeError) throw new CorruptChunkError(this.path, index, this.info.chunks[index]!.offset, e.message);
      throw e;
    }
  }

  records(options: ReadOptions = {}): AsyncGenerator<CorpusRecord> {
    return recordsOf(this, options);
  }

  verify(): Promise<CorruptChunkError[]> {
    return verifyAll(this);
  }

  recordAt(position: number): Promise<CorpusRecord | undefined> {
    return recordAtOf(this, position);
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await quit(this.redis);
  }
}

export function openRedisCorpus(url: string): Promise<RedisCorpus> {
  return RedisCorpus.open(parseRedisTarget(url));
}

export interface RedisWriterOptions {
  /** Add to an existing corpus. */
  append?: boolean;
  /** Replace an existing corpus (switched over only when the new one is complete). */
  overwrite?: boolean;
  chunkEvents?: number;
  tool?: string;
  /** Keep the creation time given here (push keeps the file's). */
  created?: string;
  /** Write out a partial chunk this long after the last one (live capture). */
  flushIntervalMs?: number;
}

/** Chunks being sent to Redis at once before write()/appendFramed() make the caller wait. */
const MAX_IN_FLIGHT = 4;

type Mode = 'new' | 'append' | 'replace';

/** Delete keys in batches (UNLINK: freed in the background). */
async function unlinkAll(redis: Redis, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    if (batch.length > 0) await redis.unlink(...batch);
  }
}

export class RedisCorpusWriter extends ChunkPipeline implements RecordSink {
  /** MULTIs on the wire (several at once; the chain keeps them in chunk order). */
  private sending: Promise<unknown>[] = [];
  private nextIndex: number;

  private constructor(
    readonly target: RedisTarget,
    readonly name: string,
    private readonly redis: Redis,
    private readonly ownsConnection: boolean,
    private readonly keys: CorpusKeys,
    private readonly mode: Mode,
    private readonly gen: string,
    /** The corpus before this writer (append: restored on abort; replace: deleted at close). */
    private readonly before: RedisCorpusMeta | undefined,
    private readonly created: string,
    private readonly tool: string,
    options: RedisWriterOptions,
  ) {
    super({
      chunkEvents: options.chunkEvents ?? DEFAULT_CHUNK_EVENTS,
      maxQueued: MAX_IN_FLIGHT,
      ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: options.flushIntervalMs } : {}),
    });
    this.nextIndex = mode === 'append' ? before!.chunks : 0;
  }

  get path(): string {
    return this.target.display;
  }

  static async create(target: RedisTarget, options: RedisWriterOptions = {}, redis?: Redis): Promise<RedisCorpusWriter> {
    const name = needName(target);
    if (options.append === true && options.overwrite === true) throw new CorpusError('--append and --force cannot be used together');
    const conn = redis ?? (await connectRedis(target, { connectionName: 'cfreplay-writer' }));
    const keys = corpusKeys(name);
    const tool = options.tool ?? 'cfreplay';
    try {
      const before = parseMeta(await conn.hgetall(keys.meta));
      const gen = randomBytes(4).toString('hex');
      const created = options.created ?? new Date().toISOString();
      const make = (mode: Mode, g: string) => new RedisCorpusWriter(target, name, conn, redis === undefined, keys, mode, g, before, created, tool, options);
      if (before !== undefined) {
        if (options.append === true) {
          if (!before.complete) throw new CorpusError(`${target.display}: cannot append: the corpus is not complete (a recording is writing it, or it was killed; replace it with --force or delete it with cfreplay rm)`);
          return make('append', before.gen);
        }
        if (options.overwrite !== true) throw new CorpusError(`${target.display}: already exists in Redis (use --append to add to it, or --force to replace it)`);
        return make('replace', gen);
      }
      if (options.append === true) throw new CorpusError(`${target.display}: --append needs an existing corpus, and there is none by that name`);
      // Claim the name atomically: two recordings into one new name cannot both win.
      const claimed = await conn.hsetnx(keys.meta, 'gen', gen);
      if (claimed === 0) throw new CorpusError(`${target.display}: already exists in Redis (created just now by someone else)`);
      await conn
        .multi()
        .hset(keys.meta, { created, tool, ...FORMAT_FIELDS, codec: 'brotli', events: '0', chunks: '0', bytes: '0', complete: '0' })
        .zadd(CORPORA_KEY, Date.parse(created) || Date.now(), name)
        .exec();
      return make('new', gen);
    } catch (e) {
      if (redis === undefined) await quit(conn);
      throw describeRedisError(target, e);
    }
  }

  protected async store(bytes: Buffer, header: ChunkHeader): Promise<void> {
    const index = this.nextIndex++;
    const m = this.redis.multi().set(this.keys.chunk(this.gen, index), bytes).rpush(this.keys.index(this.gen), bytes.subarray(0, CHUNK_HEADER_SIZE));
    if (this.mode !== 'replace') m.hincrby(this.keys.meta, 'events', header.events).hincrby(this.keys.meta, 'chunks', 1).hincrby(this.keys.meta, 'bytes', bytes.length);
    const sent = m.exec().then((res) => {
      const err = res?.find(([e]) => e !== null)?.[0];
      if (res === null || err) throw err ?? new Error('transaction aborted');
    });
    sent.catch((e: unknown) => {
      this.failure ??= this.failureOf(e);
    });
    this.sending.push(sent);
    if (this.sending.length >= MAX_IN_FLIGHT) await this.sending.shift()!.catch(() => undefined);
  }

  protected failureOf(e: unknown): Error {
    return describeRedisError(this.target, e);
  }

  private async settle(): Promise<void> {
    await this.drain();
    await Promise.allSettled(this.sending);
    this.sending = [];
  }

  async close(): Promise<CorpusWriteStats> {
    await this.flush().catch(() => undefined);
    await this.settle();
    if (this.failure !== undefined) {
      const failure = this.failure;
      await this.abort().catch(() => undefined);
      throw failure;
    }
    this.finished = true;
    let total: { events: number; bytes: number };
    try {
      if (this.mode === 'replace') {
        await this.redis
          .multi()
          .hset(this.keys.meta, {
            gen: this.gen,
            created: this.created,
            tool: this.tool,
            ...FORMAT_FIELDS,
            events: String(this.events),
            chunks: String(this.chunksWritten),
            bytes: String(this.bytesWritten),
            complete: '1',
          })
          .zadd(CORPORA_KEY, Date.parse(this.created) || Date.now(), this.name)
          .exec();
        const old = this.before!;
        if (old.gen !== this.gen) await unlinkAll(this.redis, [this.keys.index(old.gen), ...range(old.chunks).map((i) => this.keys.chunk(old.gen, i))]);
      } else {
        // Chunks of this cfreplay's layout were added (an append): the meta says the corpus is now of
        // its format. A cfreplay that reads format 1 does not check a Redis corpus's format (it
        // reports chunks of an unknown layout as unreadable); a later one refuses what it cannot read.
        await this.redis.hset(this.keys.meta, { complete: '1', ...FORMAT_FIELDS });
      }
      const m = parseMeta(await this.redis.hgetall(this.keys.meta));
      total = { events: m?.events ?? this.events, bytes: m?.bytes ?? this.bytesWritten };
    } catch (e) {
      throw describeRedisError(this.target, e);
    } finally {
      if (this.ownsConnection) await quit(this.redis);
    }
    return { events: this.events, chunks: this.chunksWritten, bytesWritten: this.bytesWritten, fileBytes: total.bytes, totalEvents: total.events };
  }

  /** Remove what this writer stored: a new corpus disappears, an appended one is restored, a replacement is dropped. */
  async abort(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.failure ??= new CorpusError(`${this.path}: recording aborted`);
    await this.settle().catch(() => undefined);
    try {
      const first = this.mode === 'append' ? this.before!.chunks : 0;
      const mine = range(this.nextIndex - first).map((k) => this.keys.chunk(this.gen, first + k));
      if (this.mode === 'new') {
        await unlinkAll(this.redis, [...mine, this.keys.index(this.gen), this.keys.meta]);
        await this.redis.zrem(CORPORA_KEY, this.name);
      } else if (this.mode === 'replace') {
        await unlinkAll(this.redis, [...mine, this.keys.index(this.gen)]);
      } else {
        const b = this.before!;
        await this.redis
          .multi()
          .ltrim(this.keys.index(this.gen), 0, b.chunks - 1)
          .hset(this.keys.meta, { events: String(b.events), chunks: String(b.chunks), bytes: String(b.bytes), complete: '1' })
          .exec();
        await unlinkAll(this.redis, mine);
      }
    } catch {
      // Redis is gone: nothing more can be removed; the corpus stays marked incomplete.
    } finally {
      if (this.ownsConnection) await quit(this.redis);
    }
  }
}

function range(n: number): number[] {
  return Array.from({ length: Math.max(0, n) }, (_, i) => i);
}

export function createRedisCorpusWriter(url: string, options?: RedisWriterOptions): Promise<RedisCorpusWriter> {
  return RedisCorpusWriter.create(parseRedisTarget(url), options);
}

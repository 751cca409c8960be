/**
 * Corpus management in Redis: list, delete, and copy between a .cfr file and
 * Redis in both directions. Copies move framed chunks as they are (verified,
 * never decoded), so a pushed then pulled corpus has the same chunks and
 * checksums as the original.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Redis } from 'ioredis';
import { ChunkDecodeError, verifyChunk } from '../chunk.js';
import { CorpusError, MissingChunkError } from '../errors.js';
import { checkOutputPaths } from '../../util/output-paths.js';
import { openCorpusFile } from '../reader.js';
import type { DroppedChunk } from '../corpus.js';
import { createCorpusWriter } from '../writer.js';
import { connectRedis, describeRedisError, quit, withName, type RedisTarget } from './connect.js';
import { CORPORA_KEY, corpusKeys } from './keys.js';
import { RedisCorpus, RedisCorpusWriter, parseMeta, type RedisCorpusMeta } from './corpus.js';

export interface CorpusListing extends RedisCorpusMeta {
  name: string;
}

export async function listCorpora(target: RedisTarget, redis?: Redis): Promise<CorpusListing[]> {
  const conn = redis ?? (await connectRedis(target, { connectionName: 'cfreplay-ls' }));
  try {
    const names = await conn.zrange(CORPORA_KEY, '0', '-1');
    const p = conn.pipeline();
    for (const n of names) p.hgetall(corpusKeys(n).meta);
    const res = (await p.exec()) ?? [];
    const out: CorpusListing[] = [];
    const stale: string[] = [];
    names.forEach((name, i) => {
      const meta = parseMeta((res[i]?.[1] ?? {}) as Record<string, string>);
      if (meta === undefined) stale.push(name);
      else out.push({ name, ...meta });
    });
    if (stale.length > 0) await conn.zrem(CORPORA_KEY, ...stale);
    return out;
  } catch (e) {
    throw describeRedisError(target, e);
  } finally {
    if (redis === undefined) await quit(conn);
  }
}

/** Delete every key of the named corpus (all generations). Resolves with the number of keys removed. */
export async function deleteCorpus(target: RedisTarget, redis?: Redis): Promise<number> {
  if (target.name === undefined) throw new CorpusError(`${target.server}: name the corpus to delete after #, e.g. ${target.server}#old-corpus`);
  const name = target.name;
  const conn = redis ?? (await connectRedis(target, { connectionName: 'cfreplay-rm' }));
  try {
    const keys = corpusKeys(name);
    const exists = await conn.exists(keys.meta);
    if (exists === 0) throw new CorpusError(`${target.display}: no such corpus in Redis (cfreplay ls ${target.server} lists them)`);
    // Drop the meta first: readers and `ls` stop seeing the corpus at once.
    await conn.multi().unlink(keys.meta).zrem(CORPORA_KEY, name).exec();
    let removed = 1;
    const pattern = `cfreplay:corpus:{${name}}:*`;
    let cursor = '0';
    do {
      const [next, found] = await conn.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (found.length > 0) removed += await conn.unlink(...found);
    } while (cursor !== '0');
    return removed;
  } catch (e) {
    throw describeRedisError(target, e);
  } finally {
    if (redis === undefined) await quit(conn);
  }
}

export interface CopyStats {
  events: number;
  chunks: number;
  bytes: number;
  ms: number;
  /** Where the copy went (display form). */
  to: string;
  /** Chunks a pull could not copy (corrupt or missing); listed in the pulled file's index too. */
  dropped?: DroppedChunk[];
}

export interface CopyOptions {
  force?: boolean;
  onProgress?: (chunksDone: number, chunksTotal: number) => void;
}

/** Corpus name from a file name: `recordings/prod.cfr` -> `prod`. */
export function nameFromFile(path: string): string {
  return basename(path).replace(/\.cfr$/i, '').replace(/[^A-Za-z0-9._@+=-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'corpus';
}

export async function pushCorpus(file: string, target: RedisTarget, options: CopyOptions = {}): Promise<CopyStats> {
  const started = performance.now();
  const to = target.name !== undefined ? target : withName(target, nameFromFile(file));
  const source = await openCorpusFile(file);
  let writer: RedisCorpusWriter | undefined;
  try {
    const meta = source.summary().meta;
    writer = await RedisCorpusWriter.create(to, {
      overwrite: options.force === true,
      ...(typeof meta['tool'] === 'string' ? { tool: meta['tool'] } : {}),
      ...(typeof meta['created'] === 'string' ? { created: meta['created'] } : {}),
    });
    // A damaged file is not copied: in Redis it would look whole and pass a gate.
    const damage = source.summary().problems[0];
    if (damage !== undefined) throw new CorpusError(`${file}: byte ${damage.offset}: ${damage.message}; not pushed (a damaged corpus would look whole in Redis)`);
    const total = source.chunks.length;
    for (const c of source.chunks) {
      const framed = await source.readFramedChunk(c.index);
      try {
        verifyChunk(framed);
      } catch (e) {
        if (e instanceof ChunkDecodeError) throw new CorpusError(`${file}: chunk ${c.index} at byte ${c.offset} is corrupt (${e.message}); nothing was pushed`);
        throw e;
      }
      await writer.appendFramed(framed);
      options.onProgress?.(c.index + 1, total);
    }
    const stats = await writer.close();
    writer = undefined;
    return { events: stats.events, chunks: stats.chunks, bytes: stats.bytesWritten, ms: performance.now() - started, to: to.display };
  } finally {
    if (writer !== undefined) await writer.abort();
    await source.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Copy a Redis corpus into a .cfr file (written to a temporary file, renamed when complete). */
export async function pullCorpus(target: RedisTarget, file: string, options: CopyOptions = {}): Promise<CopyStats> {
  const started = performance.now();
  checkOutputPaths([{ what: 'pull', path: file }], []);
  if ((await exists(file)) && options.force !== true) throw new CorpusError(`${file}: already exists (use --force to replace it)`);
  const source = await RedisCorpus.open(target);
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    if (!source.complete) throw new CorpusError(`${source.path}: the corpus is not complete (a recording is still writing it, or did not finish); pull it when it is`);
    const writer = await createCorpusWriter(tmp, { tool: source.meta.tool || 'cfreplay' });
    try {
      // Read a few chunks ahead: Redis round trips overlap the file writes.
      const ahead: Promise<Buffer>[] = [];
      const total = source.chunks.length;
      let next = 0;
      const fill = () => {
        while (ahead.length < 4 && next < total) {
          const p = source.readFramedChunk(next++);
          p.catch(() => undefined);
          ahead.push(p);
        }
      };
      fill();
      const dropped: DroppedChunk[] = [];
      for (let i = 0; i < total; i++) {
        const info = source.chunks[i]!;
        let framed: Buffer | undefined;
        let reason = '';
        try {
          framed = await ahead.shift()!;
          verifyChunk(framed);
        } catch (e) {
          if (e instanceof ChunkDecodeError) reason = e.message;
          else if (e instanceof MissingChunkError) reason = e.reason;
          else throw e;
          framed = undefined;
        }
        fill();
        if (framed !== undefined) await writer.appendFramed(framed);
        else {
          const d: DroppedChunk = { from: source.path, chunk: info.index, offset: info.offset, events: info.events, reason };
          dropped.push(d);
          writer.noteDropped(d);
        }
        options.onProgress?.(i + 1, total);
      }
      const stats = await writer.close();
      await rename(tmp, file);
      return { events: stats.events, chunks: stats.chunks, bytes: stats.fileBytes, ms: performance.now() - started, to: file, dropped };
    } catch (e) {
      await writer.abort();
      throw e;
    }
  } finally {
    await rm(tmp, { force: true });
    await source.close();
  }
}

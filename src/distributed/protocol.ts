/**
 * What the coordinator and the workers exchange through Redis (key layout in
 * src/store/redis/keys.ts):
 *
 *   cfreplay:runs               zset   run id -> expiry time (ms): the runs workers serve
 *   cfreplay:fn:SHA256          string function source, content-addressed
 *   cfreplay:run:{ID}:spec      string JSON RunSpec
 *   cfreplay:run:{ID}:jobs      stream one entry per chunk: c=chunk index, f=corpus position of its first
 *                                      record; consumer group "workers" (XREADGROUP, XACK, XAUTOCLAIM)
 *   cfreplay:run:{ID}:done      stream what workers produced: c=chunk, k=kind, w=worker, d=data
 *                                      kind r: d = msgpack ChunkResult (histograms as compressed base64, portableResult); e: d = chunk error message;
 *                                      s: the run must stop (too many stopped calls), d = why; f: worker failure
 *   cfreplay:run:{ID}:workers   hash   consumer -> JSON WorkerSeen
 *   cfreplay:run:{ID}:stats     hash   reclaimed = chunks taken over from a silent worker
 *
 * Delivery is at least once (a reclaimed chunk may be finished twice); the
 * coordinator's RunAccumulator ignores a chunk it already merged, so every
 * event is counted exactly once.
 */
import { Packr } from 'msgpackr';
import { ownSet } from '../util/own-keys.js';
import type { ReplayEventType } from '../event/connection.js';
import type { KvsSnapshot, Runtime } from '../runtime/types.js';
import type { Engine } from '../runtime/engines.js';
import { portableResult, type ChunkResult } from '../results/chunk-result.js';
import type { FunctionInfo } from '../results/types.js';

export const RUNS_KEY = 'cfreplay:runs';
export const GROUP = 'workers';

export function fnKey(sha256: string): string {
  return `cfreplay:fn:${sha256}`;
}

export interface RunKeys {
  spec: string;
  jobs: string;
  done: string;
  workers: string;
  stats: string;
  all: string[];
}

export function runKeys(id: string): RunKeys {
  const base = `cfreplay:run:{${id}}`;
  const k = { spec: `${base}:spec`, jobs: `${base}:jobs`, done: `${base}:done`, workers: `${base}:workers`, stats: `${base}:stats` };
  return { ...k, all: Object.values(k) };
}

export interface SpecFunction {
  info: FunctionInfo;
  filename: string;
  runtime: Runtime;
}

export interface RunSpec {
  v: 1;
  id: string;
  created: string;
  corpus: { name: string; gen: string; display: string; events: number; chunks: number };
  functions: { old: SpecFunction; new: SpecFunction };
  eventType: ReplayEventType;
  /**
   * The coordinator's engine; every worker runs it (absent: v8). Each chunk
   * result says which engine made it, so a worker that ignores this field
   * (older cfreplay) is caught by the coordinator instead of mixing engines.
   */
  engine?: Engine;
  /** --cross-check: every event also runs on the other engine (each result then carries `engines`). */
  crossCheck?: boolean;
  ignore: string[];
  noise: boolean;
  seed: number;
  samplesPerChunk: number;
  timeoutMs: number;
  maxHeapMb: number;
  maxStoppedCalls: number;
  kvs?: { source: string; entries: [string, string][]; meta: KvsSnapshot['meta'] };
  /** A chunk delivered to a worker that shows no sign of life for this long is taken over by another. */
  reclaimMs: number;
  ttlSeconds: number;
}

export interface WorkerSeen {
  host: string;
  pid: number;
  threads: number;
  /** ms since epoch */
  seen: number;
  chunks: number;
}

export type DoneEntry =
  | { kind: 'result'; chunk: number; worker: string; result: ChunkResult }
  | { kind: 'chunk-error'; chunk: number; worker: string; message: string }
  | { kind: 'stop'; chunk: number; worker: string; message: string }
  | { kind: 'fatal'; chunk: number; worker: string; message: string };

// Maps decode as Map, then become plain objects through ownSet: msgpackr's own object
// decoding renames a `__proto__` key to `__proto_` (its guard against prototype pollution),
// and samples carry traffic's names (a query parameter named __proto__ is exactly what a
// security function is tested against): the merged report must equal the local one.
const packr = new Packr({ useRecords: false, mapsAsObjects: false });

function plain(v: unknown): unknown {
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v) ownSet(o, String(k), plain(x));
    return o;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = plain(v[i]);
  }
  return v;
}

export function unpackResult(d: Buffer): ChunkResult {
  return plain(packr.unpack(d)) as ChunkResult;
}

/** The result as stored in Redis: its histograms in their portable form (compressed base64 strings). */
export function packResult(r: ChunkResult): Buffer {
  return packr.pack(portableResult(r));
}

const KIND_CODE = { result: 'r', 'chunk-error': 'e', stop: 's', fatal: 'f' } as const;

/** Field/value list for XADD of a done entry. */
export function doneFields(e: DoneEntry): (string | Buffer)[] {
  const data = e.kind === 'result' ? packResult(e.result) : e.message;
  return ['c', String(e.chunk), 'k', KIND_CODE[e.kind], 'w', e.worker, 'd', data];
}

/** Parse one done-stream entry read with a Buffer reply ([id, [f, v, ...]]). */
export function parseDone(fields: Buffer[]): DoneEntry | undefined {
  const m = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) m.set(fields[i]!.toString('latin1'), fields[i + 1]!);
  const chunk = Number(m.get('c')?.toString('latin1'));
  const kind = m.get('k')?.toString('latin1');
  const worker = m.get('w')?.toString('utf8') ?? '?';
  const d = m.get('d');
  if (!Number.isInteger(chunk) || d === undefined) return undefined;
  switch (kind) {
    case 'r':
      return { kind: 'result', chunk, worker, result: unpackResult(d) };
    case 'e':
      return { kind: 'chunk-error', chunk, worker, message: d.toString('utf8') };
    case 's':
      return { kind: 'stop', chunk, worker, message: d.toString('utf8') };
    case 'f':
      return { kind: 'fatal', chunk, worker, message: d.toString('utf8') };
    default:
      return undefined;
  }
}

/** Stream entries from an XREAD/XREADGROUP/XRANGE reply, with Buffer values. */
export type StreamEntry = { id: string; fields: Buffer[] };

export function parseEntries(raw: unknown): StreamEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: StreamEntry[] = [];
  for (const e of raw as unknown[]) {
    if (!Array.isArray(e) || e.length < 2) continue; // deleted entries come back as [id, null]
    const [id, fields] = e as [Buffer | string, Buffer[] | null];
    if (fields === null || !Array.isArray(fields)) continue;
    out.push({ id: id.toString(), fields });
  }
  return out;
}

/**
 * XREAD/XREADGROUP reply, null on timeout. RESP2 gives [[stream, entries], ...];
 * RESP3 (ioredis 6 negotiates it) gives a map, flattened to [stream, entries, ...].
 */
export function parseStreams(raw: unknown): Map<string, StreamEntry[]> {
  const out = new Map<string, StreamEntry[]>();
  if (!Array.isArray(raw) || raw.length === 0) return out;
  const items = raw as unknown[];
  if (Array.isArray(items[0])) {
    for (const s of items) {
      if (Array.isArray(s) && s.length >= 2) out.set(String(s[0]), parseEntries(s[1]));
    }
  } else {
    for (let i = 0; i + 1 < items.length; i += 2) out.set(String(items[i]), parseEntries(items[i + 1]));
  }
  return out;
}

export function fieldOf(fields: Buffer[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i]!.toString('latin1') === name) return fields[i + 1]!.toString('utf8');
  return undefined;
}

/** Compare stream ids ("ms-seq"). */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am - bm || (as ?? 0) - (bs ?? 0);
}

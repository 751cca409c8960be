/**
 * Columnar encoding of one chunk of recorded exchanges.
 *
 * Why columns rather than one msgpack record per event: measured on 100k
 * realistic events, msgpackr records + brotli reached only 0.84x the size of
 * JSON lines under `gzip -9` and decoded at ~100k events/s. Grouping values
 * by field (all user agents together, all URIs together, times as deltas,
 * generated request ids as 7-byte seeds) lets the compressor see the real
 * redundancy, and decoding becomes a few native string splits plus object
 * assembly. The container of the columns is msgpackr.
 *
 * Exactness: every record decodes to a deep-equal copy of what was encoded.
 * A record whose shape the columns cannot express exactly (e.g. a hand-edited
 * event with `multiValue[0]` differing from `value`) is stored verbatim.
 */

import { Packr, Unpackr } from 'msgpackr';
import { escapeKeys, hasEscapableKey, unescapeKeys } from './verbatim-keys.js';
import { ownSet } from '../util/own-keys.js';
import { parseRawQuery } from '../event/build.js';
import { REQUEST_ID_BLOCK, REQUEST_ID_LENGTH, requestIdsFromSeeds, seedOfRequestId } from '../event/request-id.js';
import type {
  CfRequest,
  CfResponse,
  MultiValueEntry,
  RecordedExchange,
  SetCookieEntry,
  SetCookieMap,
} from '../event/types.js';
import { isRecordedConnection, type CorpusRecord } from '../event/connection.js';
import { queryMatchesRaw } from './query-match.js';
import { VarintReader, VarintWriter } from './varint.js';

/**
 * Column layout versions. 1: HTTP exchanges only. 2: a chunk that also holds
 * connection (mTLS) records, kept in the verbatim list beside the exchanges.
 * A chunk without connection records is still written as version 1, so a
 * corpus of HTTP traffic stays readable by a cfreplay that knows only 1; a
 * cfreplay that knows 2 reads both.
 */
export const COLUMNS_VERSION = 2;
const COLUMNS_VERSION_HTTP_ONLY = 1;

/**
 * A string column: one '\0'-joined string (decoded natively), an array when
 * a value holds '\0', or a dictionary of distinct values plus varint refs when
 * values repeat (user agents, accept headers...): the dictionary form shrinks
 * what the decompressor must produce and lets decoded records share strings.
 */
type PlainStringColumn = string | string[];
type StringColumn = PlainStringColumn | { d: PlainStringColumn; r: Uint8Array };

function packPlain(values: string[]): PlainStringColumn {
  for (const v of values) if (v.includes('\0')) return values;
  return values.join('\0');
}

/** Use a dictionary when at most a quarter of the values are distinct. */
const DICTIONARY_MAX_SHARE = 0.25;

/**
 * Values looked at before deciding a column is too varied for a dictionary:
 * when most of the first ones are already distinct (ids, ETags, session
 * cookies), the column is stored plain.
 */
const DICTIONARY_PROBE = 256;

/**
 * One string column, built value by value. The dictionary is kept as the
 * values arrive, while each value is fresh in the cache (a chunk-end pass
 * over 8192 slices of a large input text was mostly cache misses), and a
 * value already in it is not held: repeated strings die young. The result
 * is the dictionary form when at least 8 values hold at most a quarter of
 * distinct ones, else the plain form; a column whose first 256 values are
 * mostly distinct goes plain at once (it can no longer be a dictionary).
 */
class StringColumnBuilder {
  count = 0;
  /** Dictionary mode: distinct values in first-seen order, their index, each value's ref. */
  private index: Map<string, number> | undefined = new Map();
  private keys: string[] = [];
  /** Written as varints straight away: off the JS heap, so a chunk's refs are never copied by the GC. */
  private refs = new VarintWriter(64);
  private prev: string | undefined;
  private prevRef = 0;
  /** Plain mode: every value. */
  private values: string[] = [];

  add(v: string): void {
    const n = ++this.count;
    const index = this.index;
    if (index === undefined) {
      this.values.push(v);
      return;
    }
    let ref: number | undefined;
    if (v === this.prev) ref = this.prevRef;
    else {
      ref = index.get(v);
      if (ref === undefined) {
        ref = this.keys.length;
        index.set(v, ref);
        this.keys.push(v);
      }
      this.prev = v;
      this.prevRef = ref;
    }
    this.refs.uint(ref);
    if (n === DICTIONARY_PROBE && this.keys.length > DICTIONARY_PROBE * 0.75) this.goPlain();
  }

  private goPlain(): void {
    const keys = this.keys;
    const refs = new VarintReader(this.refs.finish());
    const values: string[] = [];
    for (let i = 0; i < this.count; i++) values.push(keys[refs.uint()]!);
    this.values = values;
    this.index = undefined;
    this.keys = [];
    this.prev = undefined;
  }

  finish(): StringColumn {
    if (this.index !== undefined) {
      if (this.count >= 8 && this.keys.length <= this.count * DICTIONARY_MAX_SHARE) return { d: packPlain(this.keys), r: this.refs.finish() };
      this.goPlain();
    }
    return packPlain(this.values);
  }
}

/**
 * Reads a string column value by value. Slicing on demand (rather than one
 * split of the whole column) keeps each string's lifetime tied to its record,
 * so they die young; a bulk split promoted ~200k strings per chunk to the old
 * generation and GC dominated decoding.
 */
class StringColumnReader {
  private pos = 0;
  private at = 0;
  private readonly plain: PlainStringColumn | undefined;
  /** The plain string's length (0 for the other forms), read on every next() (see there). */
  private readonly plainLength: number = 0;
  private readonly dictionary: string[] | undefined;
  private readonly refs: VarintReader | undefined;

  constructor(column: StringColumn) {
    if (typeof column === 'object' && !Array.isArray(column)) {
      this.dictionary = typeof column.d === 'string' ? column.d.split('\0') : column.d;
      this.refs = new VarintReader(column.r);
    } else {
      this.plain = column;
      if (typeof column === 'string') this.plainLength = column.length;
    }
  }

  /** Move past the next value without making it. */
  skip(): void {
    if (this.refs !== undefined) {
      this.refs.uint();
      return;
    }
    const column = this.plain!;
    if (typeof column !== 'string') {
      this.at++;
      return;
    }
    const end = column.indexOf('\0', this.pos);
    this.pos = (end < 0 ? column.length : end) + 1;
  }

  next(): string {
    if (this.refs !== undefined) return this.dictionary![this.refs.uint()]!;
    const column = this.plain!;
    if (typeof column !== 'string') return column[this.at++]!;
    // One slice call whether or not this is the column's last value, and the length read
    // before the branch: a property read first reached at the end of the first column
    // deoptimized every decoder that had inlined this ("insufficient type feedback").
    const pos = this.pos;
    const length = this.plainLength;
    let end = column.indexOf('\0', pos);
    if (end < 0) end = length;
    this.pos = end + 1;
    return column.slice(pos, end);
  }
}

/** Name/value pairs of a header, cookie or query map, values grouped per name. */
class PairEncoder {
  private readonly nameIndex = new Map<string, number>();
  readonly names: string[] = [];
  readonly counts = new VarintWriter();
  readonly nameRefs = new VarintWriter();
  readonly values: StringColumnBuilder[] = [];
  /** Only Set-Cookie pairs have attributes. */
  attributes: StringColumnBuilder[] | undefined;

  private ref(name: string): number {
    let idx = this.nameIndex.get(name);
    if (idx === undefined) {
      idx = this.names.length;
      this.nameIndex.set(name, idx);
      this.names.push(name);
      this.values.push(new StringColumnBuilder());
      this.attributes?.push(new StringColumnBuilder());
    }
    this.nameRefs.uint(idx);
    return idx;
  }

  add(map: Record<string, MultiValueEntry>): void {
    let pairs = 0;
    for (const name in map) {
      const entry = map[name]!;
      if (entry.multiValue === undefined) {
        this.values[this.ref(name)]!.add(entry.value);
        pairs++;
      } else {
        for (const item of entry.multiValue) {
          this.values[this.ref(name)]!.add(item.value);
          pairs++;
        }
      }
    }
    this.counts.uint(pairs);
  }

  addSetCookies(map: SetCookieMap): void {
    const attributes = (this.attributes ??= this.values.map(() => new StringColumnBuilder()));
    let pairs = 0;
    for (const name in map) {
      const entry = map[name]!;
      const items = entry.multiValue ?? [entry];
      for (const item of items) {
        const idx = this.ref(name);
        this.values[idx]!.add(item.value);
        attributes[idx]!.add(item.attributes);
        pairs++;
      }
    }
    this.counts.uint(pairs);
  }

  finish(withAttributes = false): PairColumns {
    const out: PairColumns = {
      n: this.names,
      c: this.counts.finish(),
      r: this.nameRefs.finish(),
      v: this.values.map((b) => b.finish()),
    };
    if (withAttributes) out.a = (this.attributes ?? this.values.map(() => new StringColumnBuilder())).map((b) => b.finish());
    return out;
  }
}

interface PairColumns {
  n: string[];
  c: Uint8Array;
  r: Uint8Array;
  v: StringColumn[];
  a?: StringColumn[];
}

class PairDecoder {
  private readonly counts: VarintReader;
  private readonly refs: VarintReader;
  private readonly values: StringColumnReader[];
  private readonly attrs: StringColumnReader[] | undefined;
  private readonly names: string[];

  constructor(cols: PairColumns) {
    this.names = cols.n;
    this.counts = new VarintReader(cols.c);
    this.refs = new VarintReader(cols.r);
    this.values = cols.v.map((c) => new StringColumnReader(c));
    this.attrs = cols.a?.map((c) => new StringColumnReader(c));
  }

  /**
   * The encoder writes all values of a name one after the other, so a repeat
   * of the previous name is a multiValue continuation and any other name is
   * new to the map: no lookup of a missing key on the fresh object.
   */
  next(): Record<string, MultiValueEntry> {
    const out: Record<string, MultiValueEntry> = {};
    const pairs = this.counts.uint();
    const names = this.names;
    const values = this.values;
    let prevIdx = -1;
    let prev: MultiValueEntry | undefined;
    for (let i = 0; i < pairs; i++) {
      const idx = this.refs.uint();
      const value = values[idx]!.next();
      if (idx !== prevIdx) {
        prev = { value };
        ownSet(out, names[idx]!, prev);
        prevIdx = idx;
      } else if (prev!.multiValue === undefined) prev!.multiValue = [{ value: prev!.value }, { value }];
      else prev!.multiValue.push({ value });
    }
    return out;
  }

  /** Move past the next map (with its Set-Cookie attributes, if any) without making it. */
  skip(): void {
    const pairs = this.counts.uint();
    const values = this.values;
    const attrs = this.attrs;
    for (let i = 0; i < pairs; i++) {
      const idx = this.refs.uint();
      values[idx]!.skip();
      if (attrs !== undefined) attrs[idx]!.skip();
    }
  }

  nextSetCookies(): SetCookieMap {
    const out: SetCookieMap = {};
    const pairs = this.counts.uint();
    const names = this.names;
    let prevIdx = -1;
    let prev: SetCookieEntry | undefined;
    for (let i = 0; i < pairs; i++) {
      const idx = this.refs.uint();
      const value = this.values[idx]!.next();
      const attributes = this.attrs![idx]!.next();
      if (idx !== prevIdx) {
        prev = { value, attributes };
        ownSet(out, names[idx]!, prev);
        prevIdx = idx;
      } else if (prev!.multiValue === undefined) {
        prev!.multiValue = [{ value: prev!.value, attributes: prev!.attributes }, { value, attributes }];
      } else prev!.multiValue.push({ value, attributes });
    }
    return out;
  }
}

/** Small dictionary for low-cardinality strings (methods, files, distributions). */
class DictEncoder {
  private readonly index = new Map<string, number>();
  readonly values: string[] = [];
  readonly refs = new VarintWriter();

  add(value: string): void {
    let idx = this.index.get(value);
    if (idx === undefined) {
      idx = this.values.length;
      this.index.set(value, idx);
      this.values.push(value);
    }
    this.refs.uint(idx);
  }
}

// ---------------------------------------------------------------------------
// Shape checks: a record goes into the columns only if they reproduce it exactly.

function countKeys(o: object): number {
  let n = 0;
  for (const _ in o) n++;
  return n;
}

function isValueMap(map: unknown): map is Record<string, MultiValueEntry> {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return false;
  for (const name in map) {
    const entry = (map as Record<string, unknown>)[name] as Record<string, unknown> | undefined;
    if (typeof entry !== 'object' || entry === null || typeof entry['value'] !== 'string') return false;
    const mv = entry['multiValue'];
    if (mv === undefined) {
      if (countKeys(entry) !== 1) return false;
      continue;
    }
    if (countKeys(entry) !== 2 || !Array.isArray(mv) || mv.length < 2) return false;
    for (const item of mv as unknown[]) {
      if (typeof item !== 'object' || item === null) return false;
      if (typeof (item as { value?: unknown }).value !== 'string' || countKeys(item) !== 1) return false;
    }
    if ((mv[0] as { value: string }).value !== entry['value']) return false;
  }
  return true;
}

function isSetCookieMap(map: unknown): map is SetCookieMap {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return false;
  const isItem = (item: unknown): boolean =>
    typeof item === 'object' &&
    item !== null &&
    typeof (item as SetCookieEntry).value === 'string' &&
    typeof (item as SetCookieEntry).attributes === 'string';
  for (const name in map) {
    const entry = (map as Record<string, unknown>)[name] as SetCookieEntry;
    if (!isItem(entry)) return false;
    if (entry.multiValue === undefined) {
      if (countKeys(entry) !== 2) return false;
      continue;
    }
    const mv = entry.multiValue;
    if (countKeys(entry) !== 3 || !Array.isArray(mv) || mv.length < 2) return false;
    for (const item of mv) if (!isItem(item) || countKeys(item) !== 2) return false;
    if (mv[0]!.value !== entry.value || mv[0]!.attributes !== entry.attributes) return false;
  }
  return true;
}

const RECORD_KEYS = new Set([
  'id', 'time', 'source', 'distributionDomainName', 'distributionId', 'viewerIp', 'request', 'rawQuery', 'response',
]);

function fitsColumns(r: RecordedExchange): boolean {
  for (const key in r) if (!RECORD_KEYS.has(key)) return false;
  if (typeof r.id !== 'string' || typeof r.time !== 'number' || !Number.isFinite(r.time)) return false;
  if (typeof r.distributionDomainName !== 'string' || typeof r.distributionId !== 'string') return false;
  if (typeof r.viewerIp !== 'string') return false;
  const src = r.source;
  if (typeof src !== 'object' || src === null || countKeys(src) !== 2) return false;
  if (typeof src.file !== 'string' || !Number.isSafeInteger(src.entry)) return false;
  if (r.rawQuery !== undefined && typeof r.rawQuery !== 'string') return false;
  const q = r.request;
  if (typeof q !== 'object' || q === null || countKeys(q) !== 5) return false;
  if (typeof q.method !== 'string' || typeof q.uri !== 'string') return false;
  if (!isValueMap(q.querystring) || !isValueMap(q.headers) || !isValueMap(q.cookies)) return false;
  const s = r.response;
  if (s !== undefined) {
    if (typeof s !== 'object' || s === null) return false;
    const keys = countKeys(s);
    if (keys !== (s.statusDescription === undefined ? 3 : 4)) return false;
    if (!Number.isSafeInteger(s.statusCode) || s.statusCode < 0) return false;
    if (s.statusDescription !== undefined && typeof s.statusDescription !== 'string') return false;
    if (!isValueMap(s.headers) || !isSetCookieMap(s.cookies)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------

interface ChunkColumns {
  v: number;
  n: number;
  /** Times: zigzag deltas when all are safe integers, else raw float64s. */
  t?: Uint8Array;
  tf?: Uint8Array;
  /** Id kinds per record (0 seed, 1 verbatim), seeds as varints, verbatim ids. */
  ik: Uint8Array;
  is: Uint8Array;
  iv: StringColumn;
  sf: string[];
  sfr: Uint8Array;
  se: Uint8Array;
  dd: string[];
  ddr: Uint8Array;
  di: string[];
  dir: Uint8Array;
  ip: StringColumn;
  m: string[];
  mr: Uint8Array;
  u: StringColumn;
  /** Raw query presence per record, then values of those present. */
  rqp: Uint8Array;
  rq: StringColumn;
  /** Querystring: 1 = derived from the raw query, 0 = explicit pairs in qs. */
  qd: Uint8Array;
  qs: PairColumns;
  h: PairColumns;
  c: PairColumns;
  /** Response presence, status, description (presence + values), headers, cookies. */
  rp: Uint8Array;
  rs: Uint8Array;
  rdp: Uint8Array;
  rd: StringColumn;
  rh: PairColumns;
  rc: PairColumns;
  /** Verbatim records (exchanges the columns cannot express exactly, and connection records) and their positions. */
  x: CorpusRecord[];
  /** 1 when the verbatim records' keys were escaped (src/store/verbatim-keys.ts): a `__proto__` key survives msgpackr. */
  xe?: number;
  xp: Uint8Array;
}

// Plain maps, not msgpackr records: the container is one object per chunk,
// and plain maps keep chunks self-describing for any msgpack reader.
const packr = new Packr({ useRecords: false, moreTypes: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

/** The columns only a response is built from: the response part of a layout-2 chunk. */
const RESPONSE_COLUMNS = ['rp', 'rs', 'rdp', 'rd', 'rh', 'rc'] as const satisfies readonly (keyof ChunkColumns)[];

/** A chunk's columns as the two msgpack containers of layout 2 (ColumnsEncoder.finishParts). */
export interface ColumnParts {
  request: Uint8Array;
  response: Uint8Array;
}

/**
 * What a cursor reads: one container (layout 1), or the two parts of layout 2, the response
 * part left undefined when it was not decompressed (only for a request-only cursor).
 */
export type ColumnsPayload = Uint8Array | { request: Uint8Array; response: Uint8Array | undefined };

/**
 * The response columns of a chunk whose response part was not decompressed (a request-only
 * cursor never reads them): empty columns of the right types, so the cursor's readers build.
 */
const NO_RESPONSE_COLUMNS: Pick<ChunkColumns, (typeof RESPONSE_COLUMNS)[number]> = {
  rp: new Uint8Array(0),
  rs: new Uint8Array(0),
  rdp: new Uint8Array(0),
  rd: '',
  rh: { n: [], c: new Uint8Array(0), r: new Uint8Array(0), v: [] },
  rc: { n: [], c: new Uint8Array(0), r: new Uint8Array(0), v: [], a: [] },
};

function unpackContainer(bytes: Uint8Array): Record<string, unknown> {
  const value: unknown = unpackr.unpack(bytes);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ColumnsFormatError('the columns are not a map');
  return value as Record<string, unknown>;
}

/** The columns of one chunk, from its one container or its two parts (see ColumnsPayload). */
function unpackColumns(payload: ColumnsPayload): ChunkColumns {
  if (payload instanceof Uint8Array) return unpackContainer(payload) as unknown as ChunkColumns;
  const cols = unpackContainer(payload.request);
  const response = payload.response === undefined ? NO_RESPONSE_COLUMNS : unpackContainer(payload.response);
  for (const key of RESPONSE_COLUMNS) {
    if (!Object.hasOwn(response, key)) throw new ColumnsFormatError(`the response part has no column ${key}`);
    cols[key] = (response as Record<string, unknown>)[key];
  }
  return cols as unknown as ChunkColumns;
}

/**
 * Builds the columns of one chunk record by record. Adding each record as it
 * is written (rather than holding a chunk of records and encoding them at
 * the end) lets the record objects die young: only the column values stay,
 * and a chunk's worth of records is never promoted to the old generation
 * (that promotion was most of the recorders' GC time).
 */
export class ColumnsEncoder {
  /** Records added (column and verbatim). */
  count = 0;
  /** Time range of every record added, as the chunk header stores it. */
  minTime = Infinity;
  maxTime = -Infinity;
  private n = 0;
  private readonly verbatim: CorpusRecord[] = [];
  private readonly verbatimPos = new VarintWriter(16);
  private lastVerbatim = 0;
  private hasConnections = false;
  /** Times are written at finish: deltas when all are safe integers, else float64s. */
  /** Off the JS heap (see StringColumnBuilder.refs). */
  private times = new Float64Array(256);
  private intTimes = true;
  private readonly idKinds = new VarintWriter();
  private readonly seeds = new VarintWriter();
  private readonly verbatimIds = new StringColumnBuilder();
  private readonly files = new DictEncoder();
  private readonly entries = new VarintWriter();
  private prevEntry = -1;
  private readonly domains = new DictEncoder();
  private readonly distributions = new DictEncoder();
  private readonly ips = new StringColumnBuilder();
  private readonly methods = new DictEncoder();
  private readonly uris = new StringColumnBuilder();
  /** Per-record 0/1 flags, one byte each (a varint of 0 or 1 is that byte). */
  private readonly rawQueryPresent = new VarintWriter();
  private readonly rawQueries = new StringColumnBuilder();
  private readonly queryDerived = new VarintWriter();
  private readonly query = new PairEncoder();
  private readonly headers = new PairEncoder();
  private readonly cookies = new PairEncoder();
  private readonly responsePresent = new VarintWriter();
  private readonly statuses = new VarintWriter();
  private readonly descPresent = new VarintWriter();
  private readonly descriptions = new StringColumnBuilder();
  private readonly responseHeaders = new PairEncoder();
  private readonly setCookies = new PairEncoder();

  add(r: CorpusRecord): void {
    const i = this.count++;
    if (r.time < this.minTime) this.minTime = r.time;
    if (r.time > this.maxTime) this.maxTime = r.time;
    const connection = isRecordedConnection(r);
    if (connection) this.hasConnections = true;
    if (connection || !fitsColumns(r)) {
      this.verbatim.push(r);
      this.verbatimPos.uint(i - this.lastVerbatim);
      this.lastVerbatim = i;
      return;
    }
    this.n++;
    if (this.n > this.times.length) {
      const grown = new Float64Array(this.times.length * 2);
      grown.set(this.times);
      this.times = grown;
    }
    this.times[this.n - 1] = r.time;
    if (!Number.isSafeInteger(r.time)) this.intTimes = false;
    const seed = seedOfRequestId(r.id);
    if (seed !== undefined) {
      this.idKinds.uint(0);
      this.seeds.uint(seed);
    } else {
      this.idKinds.uint(1);
      this.verbatimIds.add(r.id);
    }
    this.files.add(r.source.file);
    this.entries.int(r.source.entry - this.prevEntry - 1);
    this.prevEntry = r.source.entry;
    this.domains.add(r.distributionDomainName);
    this.distributions.add(r.distributionId);
    this.ips.add(r.viewerIp);
    this.methods.add(r.request.method);
    this.uris.add(r.request.uri);
    if (r.rawQuery === undefined) this.rawQueryPresent.uint(0);
    else {
      this.rawQueryPresent.uint(1);
      this.rawQueries.add(r.rawQuery);
    }
    if (queryMatchesRaw(r.rawQuery, r.request.querystring)) this.queryDerived.uint(1);
    else {
      this.queryDerived.uint(0);
      this.query.add(r.request.querystring);
    }
    this.headers.add(r.request.headers);
    this.cookies.add(r.request.cookies);
    const s = r.response;
    if (s === undefined) {
      this.responsePresent.uint(0);
      // Indexed by record like the other flags; 0 rather than the uninitialised byte an allocUnsafe column used to leave here.
      this.descPresent.uint(0);
      return;
    }
    this.responsePresent.uint(1);
    this.statuses.uint(s.statusCode);
    if (s.statusDescription === undefined) this.descPresent.uint(0);
    else {
      this.descPresent.uint(1);
      this.descriptions.add(s.statusDescription);
    }
    this.responseHeaders.add(s.headers);
    this.setCookies.addSetCookies(s.cookies);
  }

  /** The chunk's columns as one container (a chunk of layout 1: encodeColumns). Call once (this or finishParts). */
  finish(): Buffer {
    return packr.pack(this.columns());
  }

  /**
   * The chunk's columns as two containers, the request part and the response part (a chunk
   * of layout 2, store/format.ts): a reader that needs no response decompresses the first only.
   */
  finishParts(): ColumnParts {
    const cols = this.columns();
    const response: Partial<ChunkColumns> = {};
    for (const key of RESPONSE_COLUMNS) {
      (response as Record<string, unknown>)[key] = cols[key];
      delete (cols as Partial<ChunkColumns>)[key];
    }
    return { request: packr.pack(cols), response: packr.pack(response) };
  }

  private columns(): ChunkColumns {
    const n = this.n;
    const cols: ChunkColumns = {
      v: this.hasConnections ? COLUMNS_VERSION : COLUMNS_VERSION_HTTP_ONLY,
      n,
      ik: this.idKinds.finish(),
      is: this.seeds.finish(),
      iv: this.verbatimIds.finish(),
      sf: this.files.values,
      sfr: this.files.refs.finish(),
      se: this.entries.finish(),
      dd: this.domains.values,
      ddr: this.domains.refs.finish(),
      di: this.distributions.values,
      dir: this.distributions.refs.finish(),
      ip: this.ips.finish(),
      m: this.methods.values,
      mr: this.methods.refs.finish(),
      u: this.uris.finish(),
      rqp: this.rawQueryPresent.finish(),
      rq: this.rawQueries.finish(),
      qd: this.queryDerived.finish(),
      qs: this.query.finish(),
      h: this.headers.finish(),
      c: this.cookies.finish(),
      rp: this.responsePresent.finish(),
      rs: this.statuses.finish(),
      rdp: this.descPresent.finish(),
      rd: this.descriptions.finish(),
      rh: this.responseHeaders.finish(),
      rc: this.setCookies.finish(true),
      x: this.verbatim,
      xp: this.verbatimPos.finish(),
    };
    if (this.verbatim.some(hasEscapableKey)) {
      cols.x = this.verbatim.map((r) => escapeKeys(r) as CorpusRecord);
      cols.xe = 1;
    }
    const times = this.times;
    if (this.intTimes) {
      const deltas = new VarintWriter(n * 2 + 8);
      let prev = 0;
      for (let i = 0; i < n; i++) {
        deltas.int(times[i]! - prev);
        prev = times[i]!;
      }
      cols.t = deltas.finish();
    } else {
      const floats = Buffer.allocUnsafe(n * 8);
      for (let i = 0; i < n; i++) floats.writeDoubleLE(times[i]!, i * 8);
      cols.tf = floats;
    }
    return cols;
  }
}

export function encodeColumns(records: readonly CorpusRecord[]): Buffer {
  const encoder = new ColumnsEncoder();
  for (const r of records) encoder.add(r);
  return encoder.finish();
}

export class ColumnsFormatError extends Error {}

/**
 * Reads the records of one chunk one at a time, so a consumer that handles
 * each record and drops it keeps allocations short-lived (cheap for V8's
 * young generation) instead of holding a whole decoded chunk.
 */
export class ColumnsCursor {
  /** Number of records in the chunk. */
  readonly count: number;
  /**
   * The columns next() reads, as fields: msgpackr builds the container key by
   * key, and with ~30 keys V8 keeps it as a dictionary (a hash lookup per
   * `cols.x`, ~8 per record).
   */
  private readonly n: number;
  private readonly verbatim: CorpusRecord[];
  private readonly idKinds: Uint8Array;
  private readonly rawQueryPresent: Uint8Array;
  private readonly queryDerived: Uint8Array;
  private readonly responsePresent: Uint8Array;
  private readonly descPresent: Uint8Array;
  private readonly methods: string[];
  private readonly files: string[];
  private readonly domains: string[];
  private readonly distributions: string[];
  private readonly times: VarintReader | undefined;
  private readonly timesFloat: Buffer | undefined;
  /**
   * The seeds of the chunk's generated ids (all read when the chunk opens, so
   * a short column is found then), and the ids made from them a block at a
   * time (see requestIdsFromSeeds): the current block, where its next id
   * starts, and the seed the next block starts at.
   */
  private readonly seeds: Float64Array;
  private idBlock = '';
  private idBlockStart = 0;
  /** Generated ids handed out (or skipped) so far. */
  private idsUsed = 0;
  private readonly verbatimIds: StringColumnReader;
  private readonly fileRefs: VarintReader;
  private readonly entries: VarintReader;
  private readonly domainRefs: VarintReader;
  private readonly distRefs: VarintReader;
  private readonly ips: StringColumnReader;
  private readonly methodRefs: VarintReader;
  private readonly uris: StringColumnReader;
  private readonly rawQueries: StringColumnReader;
  private readonly query: PairDecoder;
  private readonly headers: PairDecoder;
  private readonly cookies: PairDecoder;
  private readonly statuses: VarintReader;
  private readonly descriptions: StringColumnReader;
  private readonly responseHeaders: PairDecoder;
  private readonly setCookies: PairDecoder;
  private readonly verbatimPos: VarintReader;
  private nextVerbatimAt: number;
  private verbatimAt = 0;
  private slot = 0;
  private i = 0;
  private time = 0;
  private entry = -1;

  /**
   * `payload`: the chunk's columns (see ColumnsPayload).
   * `requestOnly`: leave the response columns alone (records come without
   * `response`, except verbatim ones). A viewer-request replay never reads the
   * response, and the columns are separate streams, so skipping them costs
   * nothing and saves building every response's headers and cookies.
   */
  constructor(
    payload: ColumnsPayload,
    private readonly requestOnly = false,
  ) {
    if (!(payload instanceof Uint8Array) && payload.response === undefined && !requestOnly) {
      throw new ColumnsFormatError('the response part is needed to read whole records');
    }
    const cols = unpackColumns(payload);
    if (cols.v !== COLUMNS_VERSION && cols.v !== COLUMNS_VERSION_HTTP_ONLY) {
      throw new ColumnsFormatError(`unknown column layout version ${String(cols.v)}`);
    }
    if (cols.xe === 1) cols.x = cols.x.map((r) => unescapeKeys(r) as CorpusRecord);
    const n = cols.n;
    this.n = n;
    this.verbatim = cols.x;
    this.idKinds = cols.ik;
    this.rawQueryPresent = cols.rqp;
    this.queryDerived = cols.qd;
    this.responsePresent = cols.rp;
    this.descPresent = cols.rdp;
    this.methods = cols.m;
    this.files = cols.sf;
    this.domains = cols.dd;
    this.distributions = cols.di;
    this.count = n + cols.x.length;
    this.times = cols.t !== undefined ? new VarintReader(cols.t) : undefined;
    // The first time is the chunk's absolute time (~1.7e12), the others small deltas: read here,
    // by the general path, so int() in next() only meets small values (once per chunk a large
    // one deoptimized it: the first call of all ran before V8 kept type feedback for it).
    if (this.times !== undefined && n > 0) this.time = this.times.intAnySize();
    this.timesFloat = cols.tf !== undefined ? Buffer.from(cols.tf.buffer, cols.tf.byteOffset, cols.tf.byteLength) : undefined;
    this.seeds = generatedIdSeeds(cols);
    this.verbatimIds = new StringColumnReader(cols.iv);
    this.fileRefs = new VarintReader(cols.sfr);
    this.entries = new VarintReader(cols.se);
    this.domainRefs = new VarintReader(cols.ddr);
    this.distRefs = new VarintReader(cols.dir);
    this.ips = new StringColumnReader(cols.ip);
    this.methodRefs = new VarintReader(cols.mr);
    this.uris = new StringColumnReader(cols.u);
    this.rawQueries = new StringColumnReader(cols.rq);
    this.query = new PairDecoder(cols.qs);
    this.headers = new PairDecoder(cols.h);
    this.cookies = new PairDecoder(cols.c);
    this.statuses = new VarintReader(cols.rs);
    this.descriptions = new StringColumnReader(cols.rd);
    this.responseHeaders = new PairDecoder(cols.rh);
    this.setCookies = new PairDecoder(cols.rc);
    this.verbatimPos = new VarintReader(cols.xp);
    this.nextVerbatimAt = cols.x.length > 0 ? this.verbatimPos.uint() : -1;
  }

  private nextGeneratedId(): string {
    const k = this.idsUsed++;
    let at = (k - this.idBlockStart) * REQUEST_ID_LENGTH;
    if (at >= this.idBlock.length) {
      this.idBlock = requestIdsFromSeeds(this.seeds, k, Math.min(this.seeds.length, k + REQUEST_ID_BLOCK));
      this.idBlockStart = k;
      at = 0;
    }
    return this.idBlock.slice(at, at + REQUEST_ID_LENGTH);
  }

  /**
   * Move past the next `count` records without making them (a replay of part
   * of a chunk starts at its first record): each column is read past, no
   * object or string is built. Returns how many records were passed (fewer
   * when the chunk ends first); next() then gives the record after them,
   * exactly as if they had been read.
   */
  skip(count: number): number {
    let done = 0;
    for (; done < count; done++) {
      if (this.slot === this.nextVerbatimAt) {
        this.verbatimAt++;
        this.slot++;
        this.nextVerbatimAt = this.verbatimAt < this.verbatim.length ? this.nextVerbatimAt + this.verbatimPos.uint() : -1;
        continue;
      }
      const i = this.i;
      if (i >= this.n) break;
      this.i++;
      this.slot++;
      if (this.times !== undefined) {
        if (i > 0) this.time += this.times.int();
      } else this.time = this.timesFloat!.readDoubleLE(i * 8);
      if (this.idKinds[i] === 0) this.idsUsed++;
      else this.verbatimIds.skip();
      this.entry += this.entries.int() + 1;
      if (this.rawQueryPresent[i] === 1) this.rawQueries.skip();
      this.methodRefs.uint();
      this.uris.skip();
      if (this.queryDerived[i] !== 1) this.query.skip();
      this.headers.skip();
      this.cookies.skip();
      this.fileRefs.uint();
      this.domainRefs.uint();
      this.distRefs.uint();
      this.ips.skip();
      if (!this.requestOnly && this.responsePresent[i] === 1) {
        this.statuses.uint();
        if (this.descPresent[i] === 1) this.descriptions.skip();
        this.responseHeaders.skip();
        this.setCookies.skip();
      }
    }
    return done;
  }

  next(): CorpusRecord | undefined {
    if (this.slot === this.nextVerbatimAt) {
      const record = this.verbatim[this.verbatimAt++]!;
      this.slot++;
      this.nextVerbatimAt = this.verbatimAt < this.verbatim.length ? this.nextVerbatimAt + this.verbatimPos.uint() : -1;
      return record;
    }
    const i = this.i;
    if (i >= this.n) return undefined;
    this.i++;
    this.slot++;
    if (this.times !== undefined) {
      if (i > 0) this.time += this.times.int();
    } else this.time = this.timesFloat!.readDoubleLE(i * 8);
    let id: string;
    if (this.idKinds[i] === 0) id = this.nextGeneratedId();
    else id = this.verbatimIds.next();
    this.entry += this.entries.int() + 1;
    const rawQuery = this.rawQueryPresent[i] === 1 ? this.rawQueries.next() : undefined;
    const request: CfRequest = {
      method: this.methods[this.methodRefs.uint()]!,
      uri: this.uris.next(),
      querystring: this.queryDerived[i] === 1 ? parseRawQuery(rawQuery) : this.query.next(),
      headers: this.headers.next(),
      cookies: this.cookies.next(),
    };
    const record: RecordedExchange = {
      id,
      time: this.time,
      source: { file: this.files[this.fileRefs.uint()]!, entry: this.entry },
      distributionDomainName: this.domains[this.domainRefs.uint()]!,
      distributionId: this.distributions[this.distRefs.uint()]!,
      viewerIp: this.ips.next(),
      request,
    };
    if (rawQuery !== undefined) record.rawQuery = rawQuery;
    if (!this.requestOnly && this.responsePresent[i] === 1) {
      const statusCode = this.statuses.uint();
      const response: CfResponse =
        this.descPresent[i] === 1
          ? {
              statusCode,
              statusDescription: this.descriptions.next(),
              headers: this.responseHeaders.next(),
              cookies: this.setCookies.nextSetCookies(),
            }
          : { statusCode, headers: this.responseHeaders.next(), cookies: this.setCookies.nextSetCookies() };
      record.response = response;
    }
    return record;
  }
}

/**
 * The seeds of a chunk's generated ids, in record order (records whose id kind is 0). One
 * loop per function: code compiled on-stack in the first loop (OSR) deoptimized on reaching
 * what came after it, on every chunk ("insufficient type feedback for construct").
 */
function generatedIdSeeds(cols: ChunkColumns): Float64Array {
  const seeds = new Float64Array(countZeros(cols.ik, cols.n));
  readUints(new VarintReader(cols.is), seeds);
  return seeds;
}

function countZeros(bytes: Uint8Array, n: number): number {
  let count = 0;
  for (let i = 0; i < n; i++) if (bytes[i] === 0) count++;
  return count;
}

function readUints(reader: VarintReader, into: Float64Array): void {
  for (let k = 0; k < into.length; k++) into[k] = reader.uint();
}

/** The records a cursor has left, as an array. */
export function remainingRecords(cursor: ColumnsCursor): CorpusRecord[] {
  const out: CorpusRecord[] = [];
  for (let r = cursor.next(); r !== undefined; r = cursor.next()) out.push(r);
  return out;
}

export function decodeColumns(payload: Uint8Array): CorpusRecord[] {
  return remainingRecords(new ColumnsCursor(payload));
}

/**
 * What `cfreplay inspect` reports about a corpus: the traffic it holds and the
 * health of the file. Computed in one streaming pass.
 */
import type { RecordedExchange } from '../event/types.js';
import { isRecordedConnection, type CorpusRecord } from '../event/connection.js';
import { viewerResponseSkipReason } from '../event/views.js';
import type { Corpus } from '../store/corpus.js';
import { CorruptChunkError } from '../store/errors.js';
import { CHUNK_HEADER_SIZE, readChunkHeader } from '../store/format.js';

export interface CorpusStats {
  corpus: string;
  complete: boolean;
  chunks: number;
  fileBytes: number;
  /** Events in readable chunks. */
  records: number;
  events: { 'viewer-request': number; 'viewer-response': number; connection: number };
  viewerResponseNotProduced: Record<string, number>;
  methods: Record<string, number>;
  hosts: Record<string, number>;
  statusClasses: Record<string, number>;
  topUris: { uri: string; count: number }[];
  timeRange: { first: string; last: string } | null;
  bytesPerEvent: number;
  /** Uncompressed column bytes / compressed bytes. */
  compressionRatio: number;
  /** The corpus format version (file header or Redis meta) and its chunks by layout (store/format.ts): what a cfreplay needs to read it. */
  format: { version: number; chunkLayouts: Record<string, number> };
  /** problems: one line each; damage: the same, structured (kind, byte offset, chunk, events lost when known). */
  integrity: { ok: boolean; problems: string[]; damage: { kind: string; offset: number; chunk?: number; lostEvents?: number }[] };
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function top(map: Map<string, number>, n: number): [string, number][] {
  return [...map.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
}

/** Counters are capped so a corpus with millions of distinct URIs keeps bounded memory. */
const MAX_DISTINCT_URIS = 200_000;

export async function corpusStats(corpus: Corpus, topN = 10): Promise<CorpusStats> {
  const methods = new Map<string, number>();
  const hosts = new Map<string, number>();
  const statuses = new Map<string, number>();
  const uris = new Map<string, number>();
  const notProduced = new Map<string, number>();
  let records = 0;
  let viewerResponse = 0;
  let connections = 0;
  let minTime = Infinity;
  let maxTime = -Infinity;
  let rawBytes = 0;
  let compressedBytes = 0;
  const layouts = new Map<string, number>();
  const summary = corpus.summary();
  const structural = summary.problems;
  const problems: string[] = structural.map((p) => `byte ${p.offset}: ${p.message}`);
  const damage: CorpusStats['integrity']['damage'] = structural.map((p) => ({ kind: p.kind, offset: p.offset, ...(p.lostEvents !== undefined ? { lostEvents: p.lostEvents } : {}) }));

  const visit = (r: RecordedExchange): void => {
    records++;
    bump(methods, r.request.method);
    bump(hosts, r.request.headers['host']?.value ?? '(no host)');
    const status = r.response?.statusCode;
    bump(statuses, status === undefined ? 'no response' : `${Math.floor(status / 100)}xx`);
    if (uris.size < MAX_DISTINCT_URIS || uris.has(r.request.uri)) bump(uris, r.request.uri);
    const skip = viewerResponseSkipReason(r);
    if (skip === undefined) viewerResponse++;
    else bump(notProduced, skip);
    if (r.time < minTime) minTime = r.time;
    if (r.time > maxTime) maxTime = r.time;
  };

  for (const chunk of corpus.chunks) {
    const framed = await corpus.readFramedChunk(chunk.index);
    // The header read once, by the store's own reader: a damaged one (its checksum fails) gives
    // no raw length and no layout to count (the chunk is reported below, when it is opened).
    const header = readChunkHeader(framed);
    if (typeof header !== 'string') {
      rawBytes += header.rawLength;
      bump(layouts, String(header.layout));
    }
    compressedBytes += framed.length - CHUNK_HEADER_SIZE;
    try {
      const cursor = await corpus.openChunk(chunk.index);
      for (let r: CorpusRecord | undefined = cursor.next(); r !== undefined; r = cursor.next()) {
        if (!isRecordedConnection(r)) visit(r);
        else {
          // A TLS handshake: counted, and in the time range; not an HTTP request.
          records++;
          connections++;
          if (r.time < minTime) minTime = r.time;
          if (r.time > maxTime) maxTime = r.time;
        }
      }
    } catch (e) {
      if (e instanceof CorruptChunkError) {
        problems.push(e.message);
        damage.push({ kind: 'corrupt-chunk', offset: e.offset, chunk: e.chunk, lostEvents: chunk.events });
      }
      else throw e;
    }
  }
  const fileBytes = summary.fileBytes;
  return {
    corpus: corpus.path,
    complete: corpus.complete,
    chunks: corpus.chunks.length,
    fileBytes,
    records,
    events: { 'viewer-request': records - connections, 'viewer-response': viewerResponse, connection: connections },
    viewerResponseNotProduced: Object.fromEntries(notProduced),
    methods: Object.fromEntries(top(methods, 50)),
    hosts: Object.fromEntries(top(hosts, topN)),
    statusClasses: Object.fromEntries(top(statuses, 10)),
    topUris: top(uris, topN).map(([uri, count]) => ({ uri, count })),
    timeRange: records === 0 ? null : { first: new Date(minTime).toISOString(), last: new Date(maxTime).toISOString() },
    bytesPerEvent: records === 0 ? 0 : fileBytes / records,
    compressionRatio: compressedBytes === 0 ? 0 : rawBytes / compressedBytes,
    format: { version: summary.formatVersion, chunkLayouts: Object.fromEntries([...layouts].sort()) },
    integrity: { ok: problems.length === 0, problems, damage },
  };
}

export function formatCorpusStats(s: CorpusStats): string {
  const lines: string[] = [];
  const pct = (n: number) => (s.records === 0 ? '0%' : `${((n / s.records) * 100).toFixed(1)}%`);
  const table = (title: string, m: Record<string, number>) => {
    lines.push(`${title}:`);
    for (const [k, v] of Object.entries(m)) lines.push(`  ${k.padEnd(28)} ${String(v).padStart(10)}  ${pct(v)}`);
  };
  lines.push(`corpus       ${s.corpus}${s.complete ? '' : `  (${describeIncomplete(s)})`}`);
  lines.push(`events       ${s.events['viewer-request']} viewer-request, ${s.events['viewer-response']} viewer-response${s.events.connection > 0 ? `, ${s.events.connection} connection (mTLS)` : ''}`);
  for (const [reason, n] of Object.entries(s.viewerResponseNotProduced)) {
    lines.push(`             ${n} without viewer-response event: ${reason}`);
  }
  lines.push(`time range   ${s.timeRange ? `${s.timeRange.first} .. ${s.timeRange.last}` : '-'}`);
  lines.push(`size         ${s.fileBytes} bytes in ${s.chunks} chunks, ${s.bytesPerEvent.toFixed(1)} bytes/event, compression ${s.compressionRatio.toFixed(1)}x`);
  const layouts = Object.entries(s.format.chunkLayouts).map(([layout, n]) => `${n} of layout ${layout}`);
  lines.push(`format       version ${s.format.version}${layouts.length > 0 ? `, chunks: ${layouts.join(', ')}` : ''}`);
  table('methods', s.methods);
  table('hosts', s.hosts);
  table('status', s.statusClasses);
  lines.push('top URIs:');
  for (const { uri, count } of s.topUris) lines.push(`  ${String(count).padStart(10)}  ${uri}`);
  lines.push(`integrity    ${s.integrity.ok ? 'ok (every chunk checksum verified)' : `${s.integrity.problems.length} problem(s)`}`);
  for (const p of s.integrity.problems) lines.push(`  ! ${p}`);
  return lines.join('\n');
}

const DAMAGE_LABEL: Record<string, string> = {
  unfinished: 'UNFINISHED recording: no index, recovered by scanning',
  'cut-short': 'CUT SHORT: the last chunk is incomplete',
  unreadable: 'DAMAGED: unreadable bytes',
  appended: 'GARBAGE APPENDED after the end',
  'damaged-index': 'DAMAGED INDEX',
  'damaged-trailer': 'DAMAGED TRAILER',
  incomplete: 'NOT COMPLETE: a recording is writing it or did not finish',
  'damaged-index-entry': 'DAMAGED INDEX',
};

function describeIncomplete(s: CorpusStats): string {
  const labels = [...new Set(s.integrity.damage.map((d) => DAMAGE_LABEL[d.kind]).filter((l) => l !== undefined))];
  return labels.length > 0 ? labels.join('; ') : 'not complete';
}

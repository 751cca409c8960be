/**
 * The end-of-recording summary every recorder prints: what was read, what was
 * written, and every entry that was not recorded with the reason (never a
 * silent drop). `formatSummary` renders it for people (stderr); the object
 * itself is the `--json-summary` output.
 */
import type { EventSource, RecordedExchange } from '../event/index.js';
import { viewerResponseSkipReason } from '../event/index.js';
import type { SinkCloseResult, SourceReport } from './types.js';

export interface ReasonCount {
  reason: string;
  count: number;
  /** Where the first occurrence was, to go and look. */
  first: { file: string; entry: number; detail?: string };
}

export interface SourceSummary {
  label: string;
  entriesRead: number;
  recordsWritten: number;
  skipped: number;
  filtered: number;
  bytesRead: number;
  info: Record<string, string>;
}

export interface RecordSummary {
  output?: string;
  append: boolean;
  sources: SourceSummary[];
  /** Entries/records/lines the sources read (recorded or not). */
  entriesRead: number;
  /** Records stored: exchanges (each one viewer-request event) and connection (mTLS) events. */
  recordsWritten: number;
  viewerRequestEvents: number;
  /** Stored connection events (one per TLS handshake that presented a client certificate). */
  connectionEvents: number;
  /** Stored exchanges that also give a viewer-response event. */
  viewerResponseEvents: number;
  skipped: { total: number; reasons: ReasonCount[] };
  filtered: { total: number; reasons: ReasonCount[] };
  /** Stored exchanges that give no viewer-response event, and why. */
  noViewerResponse: { total: number; reasons: ReasonCount[] };
  /** Per-entry observations ("Cookie header rebuilt from request.cookies[]"). */
  notes: { note: string; count: number }[];
  warnings: string[];
  bytesWritten: number;
  fileBytes?: number;
  chunks?: number;
  /** Records in the whole output after closing (appending: old + new). */
  totalRecords?: number;
  /** bytesWritten / recordsWritten (0 when nothing was written). */
  bytesPerRecord: number;
  inputBytes: number;
  durationMs: number;
  /** Input MB (10^6 bytes) per second. */
  inputMBps: number;
}

class ReasonTable {
  private readonly map = new Map<string, ReasonCount>();
  total = 0;

  add(reason: string, source: EventSource, detail?: string): void {
    this.total++;
    const existing = this.map.get(reason);
    if (existing !== undefined) {
      existing.count++;
      return;
    }
    const first: ReasonCount['first'] = { file: source.file, entry: source.entry };
    if (detail !== undefined) first.detail = detail;
    this.map.set(reason, { reason, count: 1, first });
  }

  list(): ReasonCount[] {
    return [...this.map.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason));
  }

  /** The reasons in the order they were first seen. */
  inOrder(): ReasonCount[] {
    return [...this.map.values()];
  }

  /** Add counts taken after this table's own (a later batch): its first occurrences only count for new reasons. */
  merge(later: readonly ReasonCount[]): number {
    let added = 0;
    for (const r of later) {
      added += r.count;
      const existing = this.map.get(r.reason);
      if (existing !== undefined) existing.count += r.count;
      else this.map.set(r.reason, { reason: r.reason, count: r.count, first: { ...r.first } });
    }
    this.total += added;
    return added;
  }
}

/**
 * What counting one batch of items added to a summary, first occurrences in
 * the order seen. Batches counted separately (in recording workers) and
 * merged in input order give exactly the summary of counting item by item.
 */
export interface SummaryDelta {
  entries: number;
  written: number;
  viewerResponse: number;
  connections: number;
  skipped: ReasonCount[];
  filtered: ReasonCount[];
  noViewerResponse: ReasonCount[];
  notes: [note: string, count: number][];
}

export class SummaryBuilder {
  private readonly started = performance.now();
  private readonly sources: SourceSummary[] = [];
  private current: SourceSummary | undefined;
  private readonly skipped = new ReasonTable();
  private readonly filtered = new ReasonTable();
  private readonly noViewerResponse = new ReasonTable();
  private readonly notes = new Map<string, number>();
  private readonly warnings: string[] = [];
  entriesRead = 0;
  recordsWritten = 0;
  private viewerResponseEvents = 0;
  private connectionEvents = 0;

  constructor(
    private readonly output: string | undefined,
    private readonly append: boolean,
  ) {}

  beginSource(label: string): void {
    this.current = { label, entriesRead: 0, recordsWritten: 0, skipped: 0, filtered: 0, bytesRead: 0, info: {} };
    this.sources.push(this.current);
  }

  endSource(bytesRead: number, report: SourceReport | undefined): void {
    const s = this.current;
    if (s === undefined) return;
    s.bytesRead = bytesRead;
    if (report !== undefined) {
      s.info = report.info;
      this.warnings.push(...report.warnings);
    }
    this.current = undefined;
  }

  entry(): void {
    this.entriesRead++;
    if (this.current) this.current.entriesRead++;
  }

  skip(reason: string, source: EventSource, detail?: string): void {
    this.skipped.add(reason, source, detail);
    if (this.current) this.current.skipped++;
  }

  filter(reason: string, source: EventSource): void {
    this.filtered.add(reason, source);
    if (this.current) this.current.filtered++;
  }

  note(note: string): void {
    this.notes.set(note, (this.notes.get(note) ?? 0) + 1);
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  written(record: RecordedExchange, responseNote: string | undefined): void {
    this.recordsWritten++;
    if (this.current) this.current.recordsWritten++;
    const why = viewerResponseSkipReason(record);
    if (why === undefined) this.viewerResponseEvents++;
    else this.noViewerResponse.add(why === 'no response captured' && responseNote !== undefined ? responseNote : why, record.source);
  }

  /** A connection event stored (it gives no viewer event). */
  connectionWritten(): void {
    this.recordsWritten++;
    this.connectionEvents++;
    if (this.current) this.current.recordsWritten++;
  }

  /** The counts so far, for merging into another summary (see SummaryDelta). */
  delta(): SummaryDelta {
    return {
      entries: this.entriesRead,
      written: this.recordsWritten,
      viewerResponse: this.viewerResponseEvents,
      connections: this.connectionEvents,
      skipped: this.skipped.inOrder(),
      filtered: this.filtered.inOrder(),
      noViewerResponse: this.noViewerResponse.inOrder(),
      notes: [...this.notes],
    };
  }

  /** Add a batch counted elsewhere, as if its items had been counted here (batches merged in input order). */
  merge(d: SummaryDelta): void {
    this.entriesRead += d.entries;
    this.recordsWritten += d.written;
    this.viewerResponseEvents += d.viewerResponse;
    this.connectionEvents += d.connections;
    const skipped = this.skipped.merge(d.skipped);
    const filtered = this.filtered.merge(d.filtered);
    this.noViewerResponse.merge(d.noViewerResponse);
    for (const [note, count] of d.notes) this.notes.set(note, (this.notes.get(note) ?? 0) + count);
    const s = this.current;
    if (s !== undefined) {
      s.entriesRead += d.entries;
      s.recordsWritten += d.written;
      s.skipped += skipped;
      s.filtered += filtered;
    }
  }

  finish(closed: SinkCloseResult | undefined): RecordSummary {
    const durationMs = performance.now() - this.started;
    const inputBytes = this.sources.reduce((n, s) => n + s.bytesRead, 0);
    const bytesWritten = closed?.bytesWritten ?? 0;
    const summary: RecordSummary = {
      append: this.append,
      sources: this.sources,
      entriesRead: this.entriesRead,
      recordsWritten: this.recordsWritten,
      viewerRequestEvents: this.recordsWritten - this.connectionEvents,
      connectionEvents: this.connectionEvents,
      viewerResponseEvents: this.viewerResponseEvents,
      skipped: { total: this.skipped.total, reasons: this.skipped.list() },
      filtered: { total: this.filtered.total, reasons: this.filtered.list() },
      noViewerResponse: { total: this.noViewerResponse.total, reasons: this.noViewerResponse.list() },
      notes: [...this.notes].map(([note, count]) => ({ note, count })).sort((a, b) => b.count - a.count),
      warnings: this.warnings,
      bytesWritten,
      bytesPerRecord: this.recordsWritten > 0 ? bytesWritten / this.recordsWritten : 0,
      inputBytes,
      durationMs,
      inputMBps: durationMs > 0 ? inputBytes / 1e6 / (durationMs / 1000) : 0,
    };
    if (this.output !== undefined) summary.output = this.output;
    if (closed?.fileBytes !== undefined) summary.fileBytes = closed.fileBytes;
    if (closed?.chunks !== undefined) summary.chunks = closed.chunks;
    if (closed?.totalEvents !== undefined) summary.totalRecords = closed.totalEvents;
    return summary;
  }
}

const int = (n: number): string => n.toLocaleString('en-US');

/** Up to this many inputs get a line each in the summary; more get one line together. */
const MAX_SOURCE_LINES = 3;

/**
 * What a recording stored, in the words of the first summary line:
 * exchanges (each a viewer-request event), connection (mTLS) events, or
 * both ("12 exchanges and 3 connection events").
 */
function recordedWhat(s: RecordSummary): string {
  if (s.connectionEvents === 0) return plural(s.recordsWritten, 'exchange');
  const connections = plural(s.connectionEvents, 'connection event');
  return s.viewerRequestEvents > 0 ? `${plural(s.viewerRequestEvents, 'exchange')} and ${connections}` : connections;
}

function plural(n: number, word: string): string {
  return `${int(n)} ${word}${n === 1 ? '' : 's'}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

function reasonLines(reasons: ReasonCount[], indent: string): string[] {
  const width = Math.min(70, Math.max(...reasons.map((r) => r.reason.length)));
  return reasons.map((r) => {
    const where = `${r.first.file} entry ${r.first.entry}${r.first.detail !== undefined ? `: ${r.first.detail}` : ''}`;
    return `${indent}${r.reason.padEnd(width)}  ${int(r.count).padStart(8)}   (first: ${where})`;
  });
}

/** The human-readable summary (several lines, no trailing newline). */
export function formatSummary(s: RecordSummary): string {
  const lines: string[] = [];
  const dest = s.output !== undefined ? ` ${s.append ? 'appended to' : 'into'} ${s.output}` : '';
  lines.push(`cfreplay: recorded ${recordedWhat(s)} from ${plural(s.sources.length, 'input')}${dest}`);
  if (s.sources.length > MAX_SOURCE_LINES) {
    // Many inputs (a directory of event files): one line for all of them, not one per file.
    const sum = (f: (x: RecordSummary['sources'][number]) => number) => s.sources.reduce((n, x) => n + f(x), 0);
    lines.push(
      `  ${int(s.sources.length)} inputs: ${int(sum((x) => x.entriesRead))} entries, ${int(sum((x) => x.recordsWritten))} recorded, ${int(sum((x) => x.skipped))} skipped, ${int(sum((x) => x.filtered))} filtered`,
    );
  } else if (s.sources.length > 1 || Object.keys(s.sources[0]?.info ?? {}).length > 0) {
    for (const src of s.sources) {
      const info = Object.entries(src.info)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ');
      lines.push(
        `  ${src.label}: ${int(src.entriesRead)} entries, ${int(src.recordsWritten)} recorded, ${int(src.skipped)} skipped, ${int(src.filtered)} filtered${info ? ` (${info})` : ''}`,
      );
    }
  }
  lines.push(`  entries read          ${int(s.entriesRead).padStart(12)}`);
  const connections = s.connectionEvents > 0;
  if (!connections || s.viewerRequestEvents > 0) {
    lines.push(`  exchanges recorded    ${int(s.viewerRequestEvents).padStart(12)}`);
    lines.push(`    viewer-request events  ${int(s.viewerRequestEvents).padStart(9)}`);
    lines.push(`    viewer-response events ${int(s.viewerResponseEvents).padStart(9)}`);
    if (s.noViewerResponse.total > 0) {
      lines.push(`    no viewer-response event for ${int(s.noViewerResponse.total)}:`);
      lines.push(...reasonLines(s.noViewerResponse.reasons, '      '));
    }
  }
  if (connections) lines.push(`  connection events     ${int(s.connectionEvents).padStart(12)}`);
  lines.push(`  skipped               ${int(s.skipped.total).padStart(12)}`);
  if (s.skipped.total > 0) lines.push(...reasonLines(s.skipped.reasons, '    '));
  if (s.filtered.total > 0) {
    lines.push(`  filtered out          ${int(s.filtered.total).padStart(12)}`);
    lines.push(...reasonLines(s.filtered.reasons, '    '));
  }
  const unit = connections ? 'record' : 'exchange';
  const perRecord = s.recordsWritten > 0 ? ` (${s.bytesPerRecord.toFixed(1)} bytes per ${unit})` : '';
  lines.push(`  bytes written         ${int(s.bytesWritten).padStart(12)}${perRecord}`);
  if (s.fileBytes !== undefined) {
    // The corpus appended to may hold connection events from earlier runs: records (exchanges and connection events).
    const total = s.append && s.totalRecords !== undefined ? `, ${plural(s.totalRecords, 'record')} in all` : '';
    lines.push(`  corpus file size      ${int(s.fileBytes).padStart(12)}${s.chunks !== undefined ? ` (${plural(s.chunks, 'chunk')} written${total})` : ''}`);
  }
  const secs = s.durationMs / 1000;
  lines.push(`  input                 ${formatBytes(s.inputBytes).padStart(12)} in ${secs.toFixed(2)} s (${s.inputMBps.toFixed(1)} MB/s)`);
  for (const n of s.notes) lines.push(`  note: ${n.note}: ${int(n.count)}`);
  for (const w of s.warnings) lines.push(`  warning: ${w}`);
  return lines.join('\n');
}

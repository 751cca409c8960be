/**
 * CloudFront access logs as a RecordSource: standard logs (W3C, tab
 * separated, `#Version` / `#Fields` lines, often .gz) and real-time logs
 * (Kinesis records, the field order of the log configuration: from a
 * `#Fields` line when the file has one, else `--fields`).
 *
 * What a line gives: the time (date + time, or timestamp), the viewer IP
 * (c-ip), method, Host (x-host-header, else cs(Host)), path and raw query
 * (decoded once: CloudFront URL-encodes the fields), User-Agent, Referer,
 * Cookie when logged, Accept / Accept-Encoding / every header when a
 * real-time log has them, and the response status with its content type and
 * length. Bad lines are counted and skipped; RTMP logs are refused.
 */
import { workerScript } from '../../util/worker-scripts.js';
import { InputError } from '../errors.js';
import { FileInput, FileRecordSource } from '../file-input.js';
import type { BatchJob } from '../parallel/batch-recorder.js';
import { cutLineBatches } from '../parallel/line-batches.js';
import type { BatchedSource } from '../parallel/record-in-workers.js';
import type { SourceItem, SourceReport } from '../types.js';
import { CflogJsonSource } from './cflog-json.js';
import { CflogLines, type CflogLineState } from './cflog-lines.js';
import { CflogParquetSource, PARQUET_MAGIC } from './cflog-parquet.js';
import { lastFieldsLine, layoutOf, loggedHeadersWarning, RtmpLogError, rtmpMessage, splitFieldList, type FieldLayout } from './fields.js';

export { CFLOG_NOTES, CFLOG_SKIP } from './cflog-lines.js';

export interface CflogSourceOptions {
  /** Field order for files without a `#Fields` line (real-time logs). */
  fields?: string[];
}

/** Gzip-compressed logs hold about this many times their size in text (for the choice of worker threads only). */
const GZIP_RATIO_GUESS = 8;

let nextSourceId = 0;

let lineParserUrl: string | undefined;

/** The module the recording workers load to parse this source's lines (it exports `lineParser`). */
function cflogLineParser(): string {
  lineParserUrl ??= workerScript('cflog-lines').href;
  return lineParserUrl;
}

export class CflogSource extends FileRecordSource implements BatchedSource {
  /** The layout found by check() (head or --fields); the line parser follows later #Fields lines. */
  private layout: FieldLayout | undefined;
  /** What was parsed: the layout in force at the end and the data lines (on this thread, or counted by the workers). */
  private parsed: { layout: FieldLayout | undefined; lines: number } | undefined;
  private readonly id = nextSourceId++;
  /** The field list in force after the last batch given to the workers. */
  private finalFields: string[] | undefined;
  private fieldsFrom: 'header' | '--fields' | undefined;
  private ignoredFieldsOption = false;
  /** Tab, or space for v2 plain/W3C logs written with a space delimiter (found from the first data line). */
  private delimiter: '\t' | ' ' = '\t';

  constructor(
    input: FileInput,
    private readonly options: CflogSourceOptions = {},
  ) {
    super(input);
  }

  /** Read the first lines: refuse RTMP logs and files whose field order is unknown, before any output exists. */
  async check(): Promise<void> {
    const head = (await this.input.head()).toString('utf8');
    const lines = head.split('\n').slice(0, 200);
    let fields: string[] | undefined;
    let fieldsLine = 0;
    let firstData: string | undefined;
    const data: string[] = [];
    lines.forEach((raw, i) => {
      const line = raw.replace(/\r$/, '').replace(/^\uFEFF/, '');
      if (line.startsWith('#Fields:')) {
        if (fields === undefined) {
          fields = splitFieldList(line.slice(8));
          fieldsLine = i + 1;
        }
      } else if (!line.startsWith('#') && line.trim() !== '') {
        firstData ??= line;
        if (i < lines.length - 1) data.push(line); // the last piece of the head may be a cut line
      }
    });
    if (firstData !== undefined && firstData.split(/[\t ]/).some((f) => f.startsWith('rtmp://'))) throw new RtmpLogError(rtmpMessage(this.input.path));
    if (fields !== undefined) {
      this.layout = layoutOf(fields, `${this.input.path}: line ${fieldsLine} (#Fields)`);
      this.fieldsFrom = 'header';
      if (this.options.fields !== undefined) this.ignoredFieldsOption = true;
    } else if (this.options.fields !== undefined) {
      this.layout = layoutOf(this.options.fields, this.input.path);
      this.fieldsFrom = '--fields';
      checkFieldsMatch(this.input.path, this.layout.names.length, data);
    }
    if (this.layout !== undefined) {
      if (firstData !== undefined) this.delimiter = delimiterOf(firstData, this.layout.names.length);
      return;
    }
    if (firstData === undefined) return; // empty file: nothing to record
    const realTime = /^\d{9,11}(\.\d+)?\t/.test(firstData);
    throw new InputError(
      realTime
        ? `${this.input.path}: a CloudFront real-time log without a #Fields line: give the field order of its log configuration with --fields (a comma separated list, or a file holding it)`
        : `${this.input.path}: no #Fields line: not a CloudFront access log, or a headerless one (give the field order with --fields)`,
    );
  }

  async *items(): AsyncGenerator<SourceItem> {
    for await (const batch of this.itemBatches()) yield* batch;
  }

  /** One batch per chunk of the file read; its items are parsed as they are taken. */
  async *itemBatches(): AsyncGenerator<Iterable<SourceItem>> {
    if (this.layout === undefined && this.fieldsFrom === undefined) await this.check();
    const lines = new CflogLines(this.input.path, this.file, this.layout);
    lines.useDelimiter(this.delimiter);
    this.parsed = lines;
    let firstLine = 0;
    for await (const batch of this.input.lineBatches()) {
      yield itemsOf(lines, batch, firstLine);
      firstLine += batch.length;
    }
  }

  get textBytes(): number {
    return this.input.totalBytes * (this.input.gzip ? GZIP_RATIO_GUESS : 1);
  }

  /** The lines as batches for the recording workers, each with the field list in force where it starts. */
  async *workerBatches(targetLines: () => number, maxBytes: number): AsyncGenerator<BatchJob> {
    if (this.layout === undefined && this.fieldsFrom === undefined) await this.check();
    let fields = this.layout?.names;
    for await (const batch of cutLineBatches(this.input.chunks(), targetLines, maxBytes)) {
      // Read before the batch is handed over: its bytes are transferred to a worker.
      const next = lastFieldsLine(batch.bytes, batch.first) ?? fields;
      const state: CflogLineState = { path: this.input.path, file: this.file, fields, delimiter: this.delimiter };
      yield { ...batch, parser: { module: cflogLineParser(), source: this.id, state } };
      fields = next;
    }
    this.finalFields = fields;
  }

  parsedInWorkers(lines: number): void {
    let layout = this.layout;
    try {
      if (this.finalFields !== undefined) layout = layoutOf(this.finalFields, this.input.path);
    } catch {
      /* a bad field list stopped the workers first; the layout is only for report() */
    }
    this.parsed = { layout, lines };
  }

  /**
   * What the summary calls the file. A log is named v2 when only v2 writes
   * it so: space separated, a plain-text file (no #Fields line) with date
   * and time, or the v2 field `timestamp(ms)`; a tab-separated W3C v2 log
   * is the legacy format itself.
   */
  private formatName(layout: FieldLayout): string {
    const space = this.delimiter === ' ';
    const v2 = space || (this.fieldsFrom === '--fields' && layout.kind === 'standard') || layout.names.includes('timestamp(ms)');
    if (!v2) return layout.kind === 'standard' ? 'CloudFront standard access log' : 'CloudFront real-time log';
    return `CloudFront standard log v2 (${this.fieldsFrom === 'header' ? 'W3C' : 'plain text'}${space ? ', space separated' : ''})`;
  }

  report(): SourceReport {
    const info: Record<string, string> = {};
    const warnings: string[] = [];
    const layout = this.parsed?.layout ?? this.layout;
    if (layout !== undefined) info.format = this.formatName(layout);
    if (this.fieldsFrom !== undefined) info.fields = this.fieldsFrom === 'header' ? '#Fields line' : '--fields';
    if (this.input.gzip) info.compression = 'gzip';
    if (this.ignoredFieldsOption) warnings.push(`${this.input.path}: has its own #Fields line: --fields was not used for it`);
    if (layout !== undefined && (this.parsed?.lines ?? 0) > 0) {
      const w = loggedHeadersWarning(this.input.path, layout);
      if (w !== undefined) warnings.push(w);
    }
    return { warnings, info };
  }
}

/**
 * The field separator of a text log: CloudFront URL-encodes tabs and spaces
 * in values, so the one that cuts the first data line into as many fields as
 * the field list names is the one (v2 plain text and W3C logs may use a
 * space; legacy and real-time logs use a tab). Tab when neither fits (the
 * lines are then counted as malformed, as before).
 */
export function delimiterOf(line: string, fields: number): '\t' | ' ' {
  const fits = (d: string) => {
    const parts = line.split(d);
    return parts.length === fields || (parts.length === fields + 1 && parts[fields]!.trim() === '');
  };
  if (fits('\t')) return '\t';
  return fits(' ') ? ' ' : '\t';
}

function* itemsOf(lines: CflogLines, batch: readonly string[], firstLine: number): Generator<SourceItem> {
  for (let i = 0; i < batch.length; i++) {
    const item = lines.item(batch[i]!, firstLine + i);
    if (item !== undefined) yield item;
  }
}

/** A CloudFront log of any kind, told from its content (not its name): Parquet, v2 JSON, or text (legacy, real-time, v2 plain/W3C). */
export type AnyCflogSource = CflogSource | CflogJsonSource | CflogParquetSource;

/**
 * A --fields list no line of the file's head matches would skip every line:
 * refuse it at once, saying how many fields the list names and the lines have.
 */
function checkFieldsMatch(path: string, expected: number, lines: readonly string[]): void {
  if (lines.length === 0) return;
  const found = new Map<number, number>();
  for (const line of lines) {
    const tabs = line.split('\t').length;
    const spaces = line.split(' ').length;
    if (tabs === expected || spaces === expected || tabs === expected + 1) return;
    found.set(tabs, (found.get(tabs) ?? 0) + 1);
  }
  const counts = [...found.entries()].sort((a, b) => b[1] - a[1]).map(([n, lines]) => `${n} on ${lines} line${lines === 1 ? '' : 's'}`).join(', ');
  throw new InputError(`${path}: --fields names ${expected} fields but none of the first ${lines.length} lines has ${expected} (tab-separated fields found: ${counts}); give the field list of this log's configuration`);
}

export async function openCflogSource(path: string, options: CflogSourceOptions = {}): Promise<AnyCflogSource> {
  const input = await FileInput.open(path, 'CloudFront log file');
  const head = await input.head();
  if (head.subarray(0, 4).equals(PARQUET_MAGIC)) return CflogParquetSource.open(input);
  if (firstNonBlank(head) === 0x7b /* { */) return new CflogJsonSource(input);
  const source = new CflogSource(input, options);
  await source.check();
  return source;
}

/** The first byte that is not white space (or a byte order mark), -1 for none. */
function firstNonBlank(head: Buffer): number {
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  for (; i < head.length; i++) {
    const c = head[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return c;
  }
  return -1;
}

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
import { InputError } from '../errors.js';
import { FileInput, FileRecordSource } from '../file-input.js';
import type { BatchJob } from '../parallel/batch-recorder.js';
import { cutLineBatches } from '../parallel/line-batches.js';
import type { BatchedSource } from '../parallel/record-in-workers.js';
import type { SourceItem, SourceReport } from '../types.js';
import { CflogLines } from './cflog-lines.js';
import { lastFieldsLine, layoutOf, RtmpLogError, rtmpMessage, splitFieldList, type FieldLayout } from './fields.js';

export { CFLOG_NOTES, CFLOG_SKIP } from './cflog-lines.js';

export interface CflogSourceOptions {
  /** Field order for files without a `#Fields` line (real-time logs). */
  fields?: string[];
}

/** Gzip-compressed logs hold about this many times their size in text (for the choice of worker threads only). */
const GZIP_RATIO_GUESS = 8;

let nextSourceId = 0;

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
    let firstData: string | undefined;
    for (const raw of lines) {
      const line = raw.replace(/\r$/, '');
      if (line.startsWith('#Fields:')) {
        fields ??= splitFieldList(line.slice(8));
      } else if (!line.startsWith('#') && line.trim() !== '' && firstData === undefined) {
        firstData = line;
      }
    }
    if (firstData !== undefined && firstData.split('\t').some((f) => f.startsWith('rtmp://'))) throw new RtmpLogError(rtmpMessage(this.input.path));
    if (fields !== undefined) {
      this.layout = layoutOf(fields, this.input.path);
      this.fieldsFrom = 'header';
      if (this.options.fields !== undefined) this.ignoredFieldsOption = true;
      return;
    }
    if (this.options.fields !== undefined) {
      this.layout = layoutOf(this.options.fields, this.input.path);
      this.fieldsFrom = '--fields';
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
      yield { ...batch, parser: { kind: 'cflog', source: this.id, path: this.input.path, file: this.file, fields } };
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

  report(): SourceReport {
    const info: Record<string, string> = {};
    const warnings: string[] = [];
    const layout = this.parsed?.layout ?? this.layout;
    if (layout !== undefined) info.format = layout.kind === 'standard' ? 'CloudFront standard access log' : 'CloudFront real-time log';
    if (this.fieldsFrom !== undefined) info.fields = this.fieldsFrom === 'header' ? '#Fields line' : '--fields';
    if (this.input.gzip) info.compression = 'gzip';
    if (this.ignoredFieldsOption) warnings.push(`${this.input.path}: has its own #Fields line: --fields was not used for it`);
    const l = layout;
    if (l !== undefined && (this.parsed?.lines ?? 0) > 0) {
      if (l.headers < 0) {
        const logged = [
          l.host >= 0 || l.hostHeader >= 0 ? 'Host' : '',
          l.userAgent >= 0 ? 'User-Agent' : '',
          l.accept >= 0 ? 'Accept' : '',
          l.acceptEncoding >= 0 ? 'Accept-Encoding' : '',
          l.referer >= 0 ? 'Referer' : '',
          l.cookie >= 0 ? 'Cookie' : '',
          l.forwardedFor >= 0 ? 'X-Forwarded-For' : '',
        ].filter((h) => h !== '');
        warnings.push(
          `${this.input.path}: the events hold only the headers this log has (${logged.join(', ') || 'none'})` +
            `${l.cookie < 0 ? '; cookies are not logged, so functions that read cookies will see none' : ''}`,
        );
      }
    }
    return { warnings, info };
  }
}

function* itemsOf(lines: CflogLines, batch: readonly string[], firstLine: number): Generator<SourceItem> {
  for (let i = 0; i < batch.length; i++) {
    const item = lines.item(batch[i]!, firstLine + i);
    if (item !== undefined) yield item;
  }
}

export async function openCflogSource(path: string, options: CflogSourceOptions = {}): Promise<CflogSource> {
  const source = new CflogSource(await FileInput.open(path, 'a CloudFront log file'), options);
  await source.check();
  return source;
}

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
import { isIP } from 'node:net';
import type { CapturedResponse, HttpHeader, NormalizedExchange } from '../../event/index.js';
import { InputError } from '../errors.js';
import { FileInput, FileRecordSource } from '../file-input.js';
import type { RecordSource, SourceItem, SourceReport } from '../types.js';
import { normalizeIp } from '../viewer-ip.js';
import { DecodeCache, decodeLogField, looksEncodedTwice } from './decode.js';
import { layoutOf, RtmpLogError, rtmpMessage, splitFieldList, type FieldLayout } from './fields.js';

export const CFLOG_SKIP = {
  fieldCount: 'malformed log line (wrong number of fields)',
  badTime: 'malformed log line (bad date/time)',
  rtmpLine: 'RTMP stream event (rtmp:// URL), not an HTTP request',
} as const;

export const CFLOG_NOTES = {
  methodAssumed: 'method not logged: GET assumed',
  noHost: 'host not logged: the events have no Host header',
  uaTwice: 'User-Agent URL-encoded twice in the log (decoded twice)',
  headersTruncated: 'cs-headers truncated by CloudFront: some request headers are missing',
  badIp: 'c-ip is not an address (default viewer IP used)',
} as const;

const STATUS_000 = 'status 000 in the log: the viewer left before CloudFront answered';

export interface CflogSourceOptions {
  /** Field order for files without a `#Fields` line (real-time logs). */
  fields?: string[];
}

function present(v: string | undefined): v is string {
  return v !== undefined && v !== '-' && v !== '';
}

export class CflogSource extends FileRecordSource implements RecordSource {
  private layout: FieldLayout | undefined;
  private readonly decode = new DecodeCache();
  private lastTimeKey = '';
  private lastTime = Number.NaN;
  private counts = { lines: 0, directives: 0 };
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

  private timeOf(line: string, l: FieldLayout): number {
    if (l.kind === 'standard') {
      const key = `${this.field(line, l.date)}T${this.field(line, l.time)}`;
      if (key !== this.lastTimeKey) {
        this.lastTimeKey = key;
        this.lastTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$/.test(key) ? Date.parse(`${key}Z`) : Number.NaN;
      }
      return this.lastTime;
    }
    const ts = this.field(line, l.timestamp);
    if (ts === undefined || !/^\d+(\.\d+)?$/.test(ts)) return Number.NaN;
    // Seconds with a fraction (Kinesis), or milliseconds (13 digits).
    const n = Number(ts);
    return ts.indexOf('.') < 0 && ts.length >= 13 ? n : Math.round(n * 1000);
  }

  /** Tab positions of the current line: field i is line[starts[i], ends[i]). Only the fields used are sliced. */
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);

  /** Cut the line at tabs; returns the number of fields. */
  private scan(line: string): number {
    let n = 0;
    let from = 0;
    for (;;) {
      if (n >= this.starts.length) {
        const grow = (a: Int32Array) => {
          const b = new Int32Array(a.length * 2);
          b.set(a);
          return b;
        };
        this.starts = grow(this.starts);
        this.ends = grow(this.ends);
      }
      const tab = line.indexOf('\t', from);
      this.starts[n] = from;
      if (tab < 0) {
        this.ends[n++] = line.length;
        return n;
      }
      this.ends[n++] = tab;
      from = tab + 1;
    }
  }

  /** Field i of the scanned line, undefined when the layout lacks it. */
  private field(line: string, i: number): string | undefined {
    return i >= 0 ? line.slice(this.starts[i]!, this.ends[i]!) : undefined;
  }

  private validIp(ip: string): boolean {
    if (ip === this.lastIp) return this.lastIpValid;
    this.lastIp = ip;
    this.lastIpValid = isIP(ip) !== 0;
    return this.lastIpValid;
  }

  private lastIp = '';
  private lastIpValid = false;

  /** One data line to an item. */
  lineToItem(line: string, lineIndex: number): SourceItem {
    const l = this.layout!;
    const source = { file: this.file, entry: lineIndex };
    let count = this.scan(line);
    // A trailing tab (seen in real files) is not a field.
    if (count === l.names.length + 1 && line.slice(this.starts[count - 1]!).trim() === '') count--;
    if (count !== l.names.length) {
      return { kind: 'skip', reason: CFLOG_SKIP.fieldCount, source, detail: `line ${lineIndex + 1}: ${count} fields, expected ${l.names.length}` };
    }
    const time = this.timeOf(line, l);
    if (Number.isNaN(time)) return { kind: 'skip', reason: CFLOG_SKIP.badTime, source, detail: `line ${lineIndex + 1}` };
    let notes: string[] | undefined;
    const decode = this.decode;

    let method = this.field(line, l.method);
    if (!present(method)) {
      method = 'GET';
      (notes ??= []).push(CFLOG_NOTES.methodAssumed);
    }
    const hostHeaderRaw = this.field(line, l.hostHeader);
    const hostRaw = present(hostHeaderRaw) ? hostHeaderRaw : this.field(line, l.host);
    const host = present(hostRaw) ? decode.get(hostRaw) : undefined;
    const proto = this.field(line, l.protocol);
    const scheme = proto === 'http' || proto === 'https' || proto === 'ws' || proto === 'wss' ? proto : 'https';
    const stemRaw = this.field(line, l.stem)!;
    if (stemRaw.startsWith('rtmp://')) return { kind: 'skip', reason: CFLOG_SKIP.rtmpLine, source };
    let path = present(stemRaw) ? decodeLogField(stemRaw) : '/';
    let query: string | undefined;
    const q = path.indexOf('?');
    if (q >= 0) {
      // Some real-time logs carry the query in cs-uri-stem too.
      query = path.slice(q + 1);
      path = path.slice(0, q);
    }
    const queryRaw = this.field(line, l.query);
    if (present(queryRaw)) query = decodeLogField(queryRaw);
    const target = query !== undefined ? `${path}?${query}` : path;

    const headers: HttpHeader[] = [];
    const allHeaders = this.field(line, l.headers);
    const fromList = present(allHeaders);
    if (fromList) {
      const text = decodeLogField(allHeaders);
      for (const part of text.split('\n')) {
        if (part === '') continue;
        const colon = part.indexOf(':');
        if (colon <= 0) continue;
        headers.push({ name: part.slice(0, colon), value: part.slice(colon + 1).trimStart() });
      }
      const count = this.field(line, l.headersCount);
      if (present(count) && Number(count) > headers.length) (notes ??= []).push(CFLOG_NOTES.headersTruncated);
    }
    // Individual fields fill in what cs-headers (when logged) does not have.
    const missing = (lower: string) => !fromList || !headers.some((h) => h.name.toLowerCase() === lower);
    if (host !== undefined) {
      if (missing('host')) headers.unshift({ name: 'Host', value: host });
    } else if (missing('host')) (notes ??= []).push(CFLOG_NOTES.noHost);
    const uaRaw = this.field(line, l.userAgent);
    if (present(uaRaw) && missing('user-agent')) {
      let ua = decode.get(uaRaw);
      if (looksEncodedTwice(ua)) {
        ua = decodeLogField(ua);
        (notes ??= []).push(CFLOG_NOTES.uaTwice);
      }
      headers.push({ name: 'User-Agent', value: ua });
    }
    for (const [name, lower, index] of this.simpleHeaders) {
      const raw = this.field(line, index);
      if (present(raw) && missing(lower)) headers.push({ name, value: decode.get(raw) });
    }

    const exchange: NormalizedExchange = {
      time,
      method,
      url: host !== undefined ? `${scheme}://${host}${target}` : target,
      headers,
      source,
    };
    const ipRaw = this.field(line, l.clientIp);
    if (present(ipRaw)) {
      const ip = ipRaw.startsWith('::ffff:') ? normalizeIp(ipRaw) : ipRaw;
      if (this.validIp(ip)) exchange.viewerIp = ip;
      else (notes ??= []).push(CFLOG_NOTES.badIp);
    }
    let responseNote: string | undefined;
    const status = this.field(line, l.status);
    if (present(status)) {
      if (status === '000') responseNote = STATUS_000;
      else if (status.length === 3 && /^\d{3}$/.test(status)) {
        const response: CapturedResponse = { status: Number(status), headers: [] };
        const type = this.field(line, l.contentType);
        if (present(type)) response.headers.push({ name: 'Content-Type', value: decode.get(type) });
        const len = this.field(line, l.contentLength);
        if (present(len) && /^\d+$/.test(len)) response.headers.push({ name: 'Content-Length', value: len });
        exchange.response = response;
      }
    }
    const item: SourceItem = { kind: 'exchange', exchange };
    if (responseNote !== undefined) item.responseNote = responseNote;
    if (notes !== undefined) item.notes = notes;
    return item;
  }

  /** Logged request headers copied as they are (after URL-decoding), in this order. */
  private get simpleHeaders(): [string, string, number][] {
    const l = this.layout!;
    if (this.simpleFor !== l) {
      this.simpleFor = l;
      this.simple = (
        [
          ['Accept', 'accept', l.accept],
          ['Accept-Encoding', 'accept-encoding', l.acceptEncoding],
          ['Referer', 'referer', l.referer],
          ['Cookie', 'cookie', l.cookie],
          ['X-Forwarded-For', 'x-forwarded-for', l.forwardedFor],
        ] as [string, string, number][]
      ).filter((h) => h[2] >= 0);
    }
    return this.simple;
  }

  private simpleFor: FieldLayout | undefined;
  private simple: [string, string, number][] = [];

  async *items(): AsyncGenerator<SourceItem> {
    if (this.layout === undefined && this.fieldsFrom === undefined) await this.check();
    let lineIndex = -1;
    for await (const batch of this.input.lineBatches()) {
      for (const line of batch) {
        lineIndex++;
        if (line === '') continue;
        if (line.charCodeAt(0) === 35 /* # */) {
          this.counts.directives++;
          if (line.startsWith('#Fields:')) {
            // Concatenated logs repeat the header; a different field list applies from here on.
            this.layout = layoutOf(splitFieldList(line.slice(8)), this.input.path);
          }
          continue;
        }
        if (this.layout === undefined) throw new InputError(`${this.input.path}: line ${lineIndex + 1}: a log line before any #Fields line`);
        this.counts.lines++;
        yield this.lineToItem(line, lineIndex);
      }
    }
  }

  report(): SourceReport {
    const info: Record<string, string> = {};
    const warnings: string[] = [];
    if (this.layout !== undefined) info.format = this.layout.kind === 'standard' ? 'CloudFront standard access log' : 'CloudFront real-time log';
    if (this.fieldsFrom !== undefined) info.fields = this.fieldsFrom === 'header' ? '#Fields line' : '--fields';
    if (this.input.gzip) info.compression = 'gzip';
    if (this.ignoredFieldsOption) warnings.push(`${this.input.path}: has its own #Fields line: --fields was not used for it`);
    const l = this.layout;
    if (l !== undefined && this.counts.lines > 0) {
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

export async function openCflogSource(path: string, options: CflogSourceOptions = {}): Promise<CflogSource> {
  const source = new CflogSource(await FileInput.open(path, 'a CloudFront log file'), options);
  await source.check();
  return source;
}

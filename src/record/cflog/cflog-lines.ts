/**
 * One CloudFront log line to a source item: the per-line work of the cflog
 * source, without any I/O, so the same code runs on the main thread and in
 * the recording workers (src/record/parallel/). Hot: ~10^5 lines/s, hence
 * tab positions instead of split(), slices of only the fields used, memos
 * for the fields that repeat, and no regular expression per line.
 */
import { isIP } from 'node:net';
import type { CapturedResponse, HttpHeader, NormalizedExchange } from '../../event/index.js';
import { InputError } from '../errors.js';
import type { LineParser, LineParserFactory } from '../parallel/line-parsers.js';
import type { SourceItem } from '../types.js';
import { normalizeIp } from '../viewer-ip.js';
import { DecodeCache, decodeLogField, lenientDecodeCount, looksEncodedTwice } from './decode.js';
import { layoutOf, splitFieldList, type FieldLayout } from './fields.js';

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
  badPercent: 'invalid percent-encoding in a field (kept as written)',
} as const;

const STATUS_000 = 'status 000 in the log: the viewer left before CloudFront answered';

function present(v: string | undefined): v is string {
  return v !== undefined && v !== '-' && v !== '';
}

function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Dotted-quad IPv4 exactly as net.isIP accepts it (0-255, no leading zero),
 * without its regular expression; anything else is left to net.isIP.
 */
export function isPlainIpv4(s: string): boolean {
  let parts = 0;
  let digits = 0;
  let value = 0;
  let leadingZero = false;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46; /* . */
    if (c === 46) {
      if (digits === 0 || value > 255 || (leadingZero && digits > 1)) return false;
      parts++;
      digits = 0;
      value = 0;
      continue;
    }
    if (c < 48 || c > 57 || digits === 3) return false;
    if (digits === 0) leadingZero = c === 48;
    value = value * 10 + (c - 48);
    digits++;
  }
  return parts === 4;
}

/** A header copied from its own field (after URL-decoding), in this order. */
interface SimpleHeader {
  name: string;
  lower: string;
  index: number;
  /** Own memo: a field of many distinct values (cookies) must not evict the ones that repeat (Accept). */
  decode: DecodeCache;
}

function simpleHeaders(l: FieldLayout): SimpleHeader[] {
  const list: [string, string, number][] = [
    ['Accept', 'accept', l.accept],
    ['Accept-Encoding', 'accept-encoding', l.acceptEncoding],
    ['Referer', 'referer', l.referer],
    ['Cookie', 'cookie', l.cookie],
    ['X-Forwarded-For', 'x-forwarded-for', l.forwardedFor],
  ];
  return list.filter((h) => h[2] >= 0).map(([name, lower, index]) => ({ name, lower, index, decode: new DecodeCache() }));
}

/** Where a batch of a text log starts, for a recording worker (see ../parallel/line-parsers.ts). */
export interface CflogLineState {
  path: string;
  file: string;
  /** The field list in force where the batch starts (undefined before any). */
  fields: string[] | undefined;
  delimiter: '\t' | ' ';
}

export class CflogLines implements LineParser<CflogLineState> {
  /** The field layout in force (the last `#Fields` line, or the one given). */
  layout: FieldLayout | undefined;
  /** Data lines and directive lines seen. */
  lines = 0;
  directives = 0;
  private simple: SimpleHeader[] = [];
  private readonly hostDecode = new DecodeCache();
  private readonly uaDecode = new DecodeCache();
  private readonly typeDecode = new DecodeCache();
  private lastTimeKey = '';
  private lastTime = Number.NaN;
  private lastIp = '';
  private lastIpValid = false;
  /** Tab positions of the current line: field i is line[starts[i], ends[i]). Only the fields used are sliced. */
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  /** The field separator of text lines: a tab (legacy logs, real-time logs) or a space (some v2 plain/W3C logs). */
  private delimiter = '\t';
  /** The fields of the current record when it came as separate values (v2 JSON and Parquet), not as one line. */
  private values: readonly (string | undefined)[] | undefined;
  /** What one input record is called in messages: a line, or a row (Parquet). */
  private unit = 'line';

  /**
   * `path` names the file in messages, `file` goes into each item's source.
   * `layout`: the field layout known before the first line (from the head or --fields).
   */
  constructor(
    private readonly path: string,
    private readonly file: string,
    layout: FieldLayout | undefined,
  ) {
    if (layout !== undefined) this.setLayout(layout);
  }

  /** Take the field list and delimiter in force where a worker's batch starts. */
  resume(state: CflogLineState): void {
    if (state.fields !== undefined) this.useFields(state.fields);
    this.useDelimiter(state.delimiter);
  }

  /** Fields separated by spaces instead of tabs (v2 plain text and W3C logs may be): CloudFront URL-encodes spaces in values. */
  useDelimiter(delimiter: '\t' | ' '): void {
    this.delimiter = delimiter;
  }

  setLayout(layout: FieldLayout): void {
    if (layout === this.layout) return;
    this.layout = layout;
    this.simple = simpleHeaders(layout);
  }

  /** The field list in force from here on (a worker's batch starts mid-file); the memos stay when it is unchanged. */
  useFields(names: readonly string[]): void {
    const current = this.layout?.names;
    if (current !== undefined && current.length === names.length && current.every((n, i) => n === names[i])) return;
    this.setLayout(layoutOf(names, this.path));
  }

  /**
   * One line of the file (without its line break) to an item; undefined for
   * blank lines and `#` directives (a `#Fields` line changes the layout).
   */
  item(line: string, lineIndex: number): SourceItem | undefined {
    if (line === '') return undefined;
    if (line.charCodeAt(0) === 35 /* # */) {
      this.directives++;
      // Concatenated logs repeat the header; a different field list applies from here on.
      if (line.startsWith('#Fields:')) this.setLayout(layoutOf(splitFieldList(line.slice(8)), `${this.path}: line ${lineIndex + 1} (#Fields)`));
      return undefined;
    }
    if (this.layout === undefined) throw new InputError(`${this.path}: line ${lineIndex + 1}: a log line before any #Fields line`);
    this.lines++;
    return this.lineToItem(line, lineIndex, this.layout);
  }

  /**
   * One record given as its values in the order of `layout` (undefined or
   * "-" for a field the record lacks): a v2 JSON object or a Parquet row.
   * Built exactly as the same record written as a log line.
   */
  valuesToItem(values: readonly (string | undefined)[], index: number, layout: FieldLayout, unit: 'line' | 'row'): SourceItem {
    this.setLayout(layout);
    this.lines++;
    this.values = values;
    this.unit = unit;
    try {
      return this.lineToItem('', index, layout);
    } finally {
      this.values = undefined;
      this.unit = 'line';
    }
  }

  private timeOf(line: string, l: FieldLayout): number {
    if (l.kind === 'standard') {
      // Lines of one second share date and time: compare their raw text (one
      // slice when the fields are adjacent, as in every standard log), parse on change.
      const key = l.time === l.date + 1 && this.values === undefined ? line.slice(this.starts[l.date]!, this.ends[l.time]!) : `${this.field(line, l.date)}\t${this.field(line, l.time)}`;
      if (key !== this.lastTimeKey) {
        this.lastTimeKey = key;
        const iso = `${this.field(line, l.date)}T${this.field(line, l.time)}`;
        this.lastTime = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$/.test(iso) ? Date.parse(`${iso}Z`) : Number.NaN;
      }
      return this.lastTime;
    }
    const ts = this.field(line, l.timestamp);
    if (ts === undefined || !/^\d+(\.\d+)?$/.test(ts)) return Number.NaN;
    // Seconds with a fraction (Kinesis), or milliseconds (13 digits).
    const n = Number(ts);
    return ts.indexOf('.') < 0 && ts.length >= 13 ? n : Math.round(n * 1000);
  }

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
      const tab = line.indexOf(this.delimiter, from);
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
    if (i < 0) return undefined;
    const values = this.values;
    return values === undefined ? line.slice(this.starts[i]!, this.ends[i]!) : values[i];
  }

  private validIp(ip: string): boolean {
    if (ip === this.lastIp) return this.lastIpValid;
    this.lastIp = ip;
    this.lastIpValid = isPlainIpv4(ip) || isIP(ip) !== 0;
    return this.lastIpValid;
  }

  /** With cs-headers logged, an individual field only fills in a header that list lacks. */
  private static missing(headers: readonly HttpHeader[], fromList: boolean, lower: string): boolean {
    if (!fromList) return true;
    for (const h of headers) if (h.name.toLowerCase() === lower) return false;
    return true;
  }

  private lineToItem(line: string, lineIndex: number, l: FieldLayout): SourceItem {
    const source = { file: this.file, entry: lineIndex };
    if (this.values === undefined) {
      let count = this.scan(line);
      // A trailing tab (seen in real files) is not a field.
      if (count === l.names.length + 1 && line.slice(this.starts[count - 1]!).trim() === '') count--;
      if (count !== l.names.length) {
        return { kind: 'skip', reason: CFLOG_SKIP.fieldCount, source, detail: `line ${lineIndex + 1}: ${count} fields, expected ${l.names.length}` };
      }
    }
    const time = this.timeOf(line, l);
    if (Number.isNaN(time)) return { kind: 'skip', reason: CFLOG_SKIP.badTime, source, detail: `${this.unit} ${lineIndex + 1}` };
    let notes: string[] | undefined;
    const lenientBefore = lenientDecodeCount();

    let method = this.field(line, l.method);
    if (!present(method)) {
      method = 'GET';
      (notes ??= []).push(CFLOG_NOTES.methodAssumed);
    }
    const hostHeaderRaw = this.field(line, l.hostHeader);
    const hostRaw = present(hostHeaderRaw) ? hostHeaderRaw : this.field(line, l.host);
    const host = present(hostRaw) ? this.hostDecode.get(hostRaw) : undefined;
    const proto = this.field(line, l.protocol);
    const scheme = proto === 'http' || proto === 'https' || proto === 'ws' || proto === 'wss' ? proto : 'https';
    const stemRaw = this.field(line, l.stem) ?? '-';
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
    const missing = CflogLines.missing;
    if (host !== undefined) {
      if (missing(headers, fromList, 'host')) headers.unshift({ name: 'Host', value: host });
    } else if (missing(headers, fromList, 'host')) (notes ??= []).push(CFLOG_NOTES.noHost);
    const uaRaw = this.field(line, l.userAgent);
    if (present(uaRaw) && missing(headers, fromList, 'user-agent')) {
      let ua = this.uaDecode.get(uaRaw);
      if (looksEncodedTwice(ua)) {
        ua = decodeLogField(ua);
        (notes ??= []).push(CFLOG_NOTES.uaTwice);
      }
      headers.push({ name: 'User-Agent', value: ua });
    }
    for (const h of this.simple) {
      const raw = this.field(line, h.index);
      if (present(raw) && missing(headers, fromList, h.lower)) headers.push({ name: h.name, value: h.decode.get(raw) });
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
      else if (status.length === 3 && isDigits(status)) {
        const response: CapturedResponse = { status: Number(status), headers: [] };
        const type = this.field(line, l.contentType);
        if (present(type)) response.headers.push({ name: 'Content-Type', value: this.typeDecode.get(type) });
        const len = this.field(line, l.contentLength);
        if (present(len) && isDigits(len)) response.headers.push({ name: 'Content-Length', value: len });
        exchange.response = response;
      }
    }
    if (lenientDecodeCount() !== lenientBefore) (notes ??= []).push(CFLOG_NOTES.badPercent);
    const item: SourceItem = { kind: 'exchange', exchange };
    if (responseNote !== undefined) item.responseNote = responseNote;
    if (notes !== undefined) item.notes = notes;
    return item;
  }
}

/** The recording workers' parser of text logs (this module is named by the batches: cflogLineParser() in cflog-source.ts). */
export const lineParser: LineParserFactory<CflogLineState> = {
  create: (state) => new CflogLines(state.path, state.file, undefined),
};

/**
 * Field layouts of CloudFront logs. Standard access logs (W3C, `#Fields:`
 * line) and real-time logs (Kinesis, field order chosen in the log
 * configuration, usually no header) name the same facts differently; both
 * map to one `FieldLayout` of column indexes.
 */
import { readFile, stat } from 'node:fs/promises';
import { InputError } from '../errors.js';

export interface FieldLayout {
  names: string[];
  kind: 'standard' | 'real-time';
  date: number;
  time: number;
  /** Real-time: epoch seconds with milliseconds. */
  timestamp: number;
  clientIp: number;
  method: number;
  host: number;
  hostHeader: number;
  protocol: number;
  stem: number;
  query: number;
  status: number;
  referer: number;
  userAgent: number;
  cookie: number;
  forwardedFor: number;
  accept: number;
  acceptEncoding: number;
  /** Real-time `cs-headers`: every request header, "Name:value\n" URL-encoded. */
  headers: number;
  headersCount: number;
  contentType: number;
  contentLength: number;
}

/** Each fact and the names it has in either kind of log. */
const NAMES: Record<Exclude<keyof FieldLayout, 'names' | 'kind'>, string[]> = {
  date: ['date'],
  time: ['time'],
  timestamp: ['timestamp', 'timestamp(ms)'],
  clientIp: ['c-ip'],
  method: ['cs-method'],
  host: ['cs(host)', 'cs-host'],
  hostHeader: ['x-host-header'],
  protocol: ['cs-protocol'],
  stem: ['cs-uri-stem'],
  query: ['cs-uri-query'],
  status: ['sc-status'],
  referer: ['cs(referer)', 'cs-referer'],
  userAgent: ['cs(user-agent)', 'cs-user-agent'],
  cookie: ['cs(cookie)', 'cs-cookie'],
  forwardedFor: ['x-forwarded-for'],
  accept: ['cs-accept'],
  acceptEncoding: ['cs-accept-encoding'],
  headers: ['cs-headers'],
  headersCount: ['cs-headers-count'],
  contentType: ['sc-content-type'],
  contentLength: ['sc-content-len'],
};

/** Fields only RTMP (streaming distribution) logs have. */
const RTMP_FIELDS = new Set(['x-event', 'x-sname', 'x-sname-query', 'x-cf-status', 'x-cf-client-id', 'x-page-url', 'x-sid']);

export class RtmpLogError extends InputError {}

export function rtmpMessage(path: string): string {
  return (
    `${path}: this is a CloudFront RTMP (streaming distribution) access log: it holds stream events (connect, play, stop), ` +
    'not HTTP requests, and CloudFront Functions never run on RTMP distributions (retired in 2020). Nothing to record.'
  );
}

export function isRtmpFieldList(names: readonly string[]): boolean {
  // The RTMP header is known to carry a zero-width space in "x-page-url​": compare cleaned names.
  return names.some((n) => RTMP_FIELDS.has(n));
}

/** Lowercase, without zero-width characters and surrounding spaces. */
export function cleanFieldName(n: string): string {
  return n.replace(/[\u200B-\u200D\uFEFF]/g, '').trim().toLowerCase();
}

export function splitFieldList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map(cleanFieldName)
    .filter((n) => n !== '');
}

const FIELDS_DIRECTIVE = Buffer.from('#Fields:');
const BOM = [0xef, 0xbb, 0xbf];

/**
 * The field list of the last `#Fields:` line in a batch of whole lines
 * (bytes), or undefined when it has none: what the next batch starts with.
 * `first`: the batch starts the file, where a byte order mark may precede it.
 */
export function lastFieldsLine(bytes: Uint8Array, first: boolean): string[] | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const startsLine = (i: number) => i === 0 || buf[i - 1] === 10 || (first && i === 3 && BOM.every((b, k) => buf[k] === b));
  // Searched forwards: a backward search of a batch took 15 times as long (~2 ms per 3 MB).
  let at = -1;
  for (let i = buf.indexOf(FIELDS_DIRECTIVE); i >= 0; i = buf.indexOf(FIELDS_DIRECTIVE, i + 1)) if (startsLine(i)) at = i;
  if (at < 0) return undefined;
  const nl = buf.indexOf(10, at);
  // The line as the parser sees it (UTF-8: the RTMP header carries a zero-width space); splitFieldList drops a "\r".
  return splitFieldList(buf.toString('utf8', at + FIELDS_DIRECTIVE.length, nl < 0 ? buf.length : nl));
}

export function layoutOf(rawNames: readonly string[], path: string): FieldLayout {
  const names = rawNames.map(cleanFieldName);
  if (isRtmpFieldList(names)) throw new RtmpLogError(rtmpMessage(path));
  const layout = { names } as FieldLayout;
  for (const [key, aliases] of Object.entries(NAMES) as [keyof typeof NAMES, string[]][]) {
    let at = -1;
    for (const a of aliases) {
      at = names.indexOf(a);
      if (at >= 0) break;
    }
    layout[key] = at;
  }
  layout.kind = layout.date >= 0 && layout.time >= 0 ? 'standard' : 'real-time';
  if (layout.stem < 0) throw new InputError(`${path}: the field list has no cs-uri-stem, so no request can be rebuilt (fields: ${names.join(' ')})`);
  if (layout.kind === 'real-time' && layout.timestamp < 0) {
    throw new InputError(`${path}: the field list has neither date and time nor timestamp: the request time cannot be known`);
  }
  return layout;
}

/**
 * `--fields`: a comma/space separated list, or the path of a file holding it
 * (lines starting with "#" are comments).
 */
export async function readFieldsOption(value: string): Promise<string[]> {
  const v = value.trim();
  let text = v;
  if (!/[,\s]/.test(v)) {
    try {
      if ((await stat(v)).isFile()) {
        text = (await readFile(v, 'utf8'))
          .split('\n')
          .filter((l) => !l.trimStart().startsWith('#'))
          .join(' ');
      }
    } catch {
      /* not a file: a one-field list */
    }
  }
  const names = splitFieldList(text);
  if (names.length < 2) throw new InputError(`--fields: "${value}" is neither a field list (e.g. timestamp,c-ip,cs-method,cs-host,cs-uri-stem) nor a file holding one`);
  return names;
}

/**
 * When the log has no cs-headers (every standard log), the events hold only
 * the headers it logs: said once per file in the summary.
 */
export function loggedHeadersWarning(path: string, l: FieldLayout): string | undefined {
  if (l.headers >= 0) return undefined;
  const logged = [
    l.host >= 0 || l.hostHeader >= 0 ? 'Host' : '',
    l.userAgent >= 0 ? 'User-Agent' : '',
    l.accept >= 0 ? 'Accept' : '',
    l.acceptEncoding >= 0 ? 'Accept-Encoding' : '',
    l.referer >= 0 ? 'Referer' : '',
    l.cookie >= 0 ? 'Cookie' : '',
    l.forwardedFor >= 0 ? 'X-Forwarded-For' : '',
  ].filter((h) => h !== '');
  return (
    `${path}: the events hold only the headers this log has (${logged.join(', ') || 'none'})` +
    `${l.cookie < 0 ? '; cookies are not logged, so functions that read cookies will see none' : ''}`
  );
}

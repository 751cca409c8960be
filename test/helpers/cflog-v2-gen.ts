/**
 * The same generated CloudFront requests written as a legacy standard log
 * and in each standard logging v2 output format (JSON lines, plain text, W3C
 * with a tab or space delimiter, Parquet), with any selection and order of
 * fields: what a v2 reader must turn into the same events as the legacy one.
 * Values are written as CloudFront logs them (URL-encoded, "-" for empty).
 */
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';

export const LEGACY_FIELDS = [
  'date', 'time', 'x-edge-location', 'sc-bytes', 'c-ip', 'cs-method', 'cs(Host)', 'cs-uri-stem', 'sc-status', 'cs(Referer)',
  'cs(User-Agent)', 'cs-uri-query', 'cs(Cookie)', 'x-edge-result-type', 'x-edge-request-id', 'x-host-header', 'cs-protocol',
  'cs-bytes', 'time-taken', 'x-forwarded-for', 'ssl-protocol', 'ssl-cipher', 'x-edge-response-result-type', 'cs-protocol-version',
  'fle-status', 'fle-encrypted-fields', 'c-port', 'time-to-first-byte', 'x-edge-detailed-result-type', 'sc-content-type',
  'sc-content-len', 'sc-range-start', 'sc-range-end',
] as const;

/** Every field the event builder reads from a standard log (time from date and time). */
export const EVENT_FIELDS = [
  'date', 'time', 'c-ip', 'cs-method', 'cs(Host)', 'cs-uri-stem', 'sc-status', 'cs(Referer)', 'cs(User-Agent)', 'cs-uri-query',
  'cs(Cookie)', 'x-host-header', 'cs-protocol', 'x-forwarded-for', 'sc-content-type', 'sc-content-len',
];

/** One request: each legacy field's text as logged. */
export type LoggedRequest = Record<string, string>;

export function generateRequests(count: number, seed = 11): LoggedRequest[] {
  let rnd = seed;
  const next = (n: number) => {
    rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0;
    return (rnd >>> 8) % n;
  };
  const pick = <T>(list: readonly T[]): T => list[next(list.length)]!;
  const out: LoggedRequest[] = [];
  for (let i = 0; i < count; i++) {
    const t = new Date(Date.UTC(2025, 0, 15, 9, 0, 0) + i * 1000).toISOString();
    out.push({
      date: t.slice(0, 10),
      time: t.slice(11, 19),
      'x-edge-location': 'FRA56-P1',
      'sc-bytes': String(1000 + next(5000)),
      'c-ip': pick(['198.51.100.1', '::ffff:10.0.0.1', '2001:db8::1', 'not-an-ip', '-', '10.1.2.3']),
      'cs-method': pick(['GET', 'POST', 'HEAD', '-', 'OPTIONS']),
      'cs(Host)': pick(['d111111abcdef8.cloudfront.net', '-']),
      'cs-uri-stem': pick(['/', '/a%20b', '/p/%E2%82%AC', '/index.html', '-', `/item/${i}`]),
      'sc-status': pick(['200', '404', '000', '301', '-', '304']),
      'cs(Referer)': pick(['-', 'https://ref.example/', 'https%3A%2F%2Fe.com%2F']),
      'cs(User-Agent)': pick(['Mozilla/5.0%20(X11)', 'Mozilla%252F5.0%2520(Windows)', 'curl/8.0', '-', 'caf%C3%A9%20agent']),
      'cs-uri-query': pick(['-', 'a=1&b=2', 'a&a=&a=3', 'x=%2520y', 'q=caf%C3%A9']),
      'cs(Cookie)': pick(['-', 'a=1;%20b=2', `session=s${next(50)};%20theme=dark`]),
      'x-edge-result-type': 'Hit',
      'x-edge-request-id': `req${i}abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN==`,
      'x-host-header': pick(['www.example.com', '-', 'EXAMPLE.com:8443']),
      'cs-protocol': pick(['https', 'http', 'wss']),
      'cs-bytes': String(100 + next(900)),
      'time-taken': '0.001',
      'x-forwarded-for': pick(['-', '1.2.3.4', '1.2.3.4,%205.6.7.8']),
      'ssl-protocol': 'TLSv1.3',
      'ssl-cipher': 'TLS_AES_128_GCM_SHA256',
      'x-edge-response-result-type': 'Hit',
      'cs-protocol-version': 'HTTP/2.0',
      'fle-status': '-',
      'fle-encrypted-fields': '-',
      'c-port': String(40000 + next(20000)),
      'time-to-first-byte': '0.001',
      'x-edge-detailed-result-type': 'Hit',
      'sc-content-type': pick(['-', 'text/html;%20charset=utf-8', 'image/png']),
      'sc-content-len': pick(['-', '123', '0', '98765']),
      'sc-range-start': '-',
      'sc-range-end': '-',
    });
  }
  return out;
}

/** A legacy standard log (W3C, tab separated, every field). */
export function legacyLog(requests: readonly LoggedRequest[]): string {
  const lines = ['#Version: 1.0', `#Fields: ${LEGACY_FIELDS.join(' ')}`];
  for (const r of requests) lines.push(LEGACY_FIELDS.map((f) => r[f]).join('\t'));
  return `${lines.join('\n')}\n`;
}

/** The fields in another order (a seeded shuffle), as a v2 log configuration may list them. */
export function shuffled(fields: readonly string[], seed: number): string[] {
  const out = [...fields];
  let rnd = seed;
  for (let i = out.length - 1; i > 0; i--) {
    rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0;
    const j = (rnd >>> 8) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const NUMERIC = new Set(['sc-status', 'sc-bytes', 'cs-bytes', 'c-port', 'sc-content-len']);

/** v2 JSON: one object per line; "-" written as null, numeric fields as JSON numbers. */
export function v2Json(requests: readonly LoggedRequest[], fields: readonly string[]): string {
  let out = '';
  for (const r of requests) {
    const o: Record<string, string | number | null> = {};
    for (const f of fields) {
      const v = r[f]!;
      o[f] = v === '-' ? null : NUMERIC.has(f) && /^\d+$/.test(v) ? Number(v) : v;
    }
    out += `${JSON.stringify(o)}\n`;
  }
  return out;
}

/** v2 plain text (no header) or W3C (with #Version and #Fields lines), fields cut by `delimiter`. */
export function v2Text(requests: readonly LoggedRequest[], fields: readonly string[], delimiter: '\t' | ' ', header: boolean): string {
  const lines = header ? ['#Version: 1.0', `#Fields: ${fields.join(' ')}`] : [];
  for (const r of requests) lines.push(fields.map((f) => r[f]).join(delimiter));
  return `${lines.join('\n')}\n`;
}

/**
 * v2 Parquet: one column per field; sc-status as INT32 and sc-content-len as
 * INT64, the rest strings ("-" as null). `timestampMs`: a `timestamp(ms)`
 * TIMESTAMP column instead of date and time.
 */
export function v2Parquet(
  requests: readonly LoggedRequest[],
  fields: readonly string[],
  options: { rowGroupSize?: number; codec?: 'SNAPPY' | 'GZIP' | 'UNCOMPRESSED'; timestampMs?: boolean } = {},
): Uint8Array {
  const columns = fields.flatMap((f) => {
    if (options.timestampMs && f === 'time') return [];
    if (options.timestampMs && f === 'date') {
      return [{ name: 'timestamp(ms)', type: 'TIMESTAMP' as const, data: requests.map((r) => new Date(`${r.date}T${r.time}Z`)) }];
    }
    const raw = requests.map((r) => r[f]!);
    if (f === 'sc-status') return [{ name: f, type: 'INT32' as const, data: raw.map((v) => (/^\d+$/.test(v) ? Number(v) : null)) }];
    if (f === 'sc-content-len') return [{ name: f, type: 'INT64' as const, data: raw.map((v) => (/^\d+$/.test(v) ? BigInt(v) : null)) }];
    return [{ name: f, type: 'STRING' as const, data: raw.map((v) => (v === '-' ? null : v)) }];
  });
  const buffer = parquetWriteBuffer({
    columnData: columns,
    codec: options.codec ?? 'SNAPPY',
    compressors: { GZIP: (input: Uint8Array) => gzipSync(input) },
    ...(options.rowGroupSize !== undefined ? { rowGroupSize: options.rowGroupSize } : {}),
  });
  return new Uint8Array(buffer);
}

/**
 * Checks every source shares, run by the pipeline before filters and the
 * event builder: an exchange CloudFront would never hand a function is
 * skipped with a counted reason, never silently dropped.
 */
import { InvalidUrlError, splitRawUrl, type NormalizedExchange, type RawUrlParts } from '../event/index.js';

/** CloudFront limits (reference §6). */
export const MAX_URL_BYTES = 8192;
export const MAX_REQUEST_BYTES_WITHOUT_BODY = 20480;

export const SKIP = {
  dataUrl: 'data: URL (never sent over the network)',
  blobUrl: 'blob: URL (never sent over the network)',
  nonHttpUrl: 'non-HTTP URL',
  invalidUrl: 'invalid URL',
  noMethod: 'request method missing',
  badMethod: 'invalid request method',
  badTime: 'capture time missing or invalid',
  urlTooLong: `URL over ${MAX_URL_BYTES.toLocaleString('en-US')} bytes (CloudFront rejects it)`,
  requestTooLarge: `request over ${MAX_REQUEST_BYTES_WITHOUT_BODY.toLocaleString('en-US')} bytes without body (CloudFront rejects it)`,
} as const;

const HTTP_SCHEMES = new Set(['http', 'https', 'ws', 'wss']);
/** RFC 9110 token. */
const METHOD_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** What the filters and the summary need to know about an accepted exchange. */
export interface ExchangeView {
  exchange: NormalizedExchange;
  url: RawUrlParts;
  /** Lowercased host without port ("" when the capture has none). */
  host: string;
  /** `scheme://host/path?query` (origin-form URLs get `http://` + Host). */
  absoluteUrl: string;
  method: string;
}

export type CheckResult = { ok: true; view: ExchangeView } | { ok: false; reason: string; detail?: string };

function byteLength(s: string): number {
  // Fast path: ASCII strings are their length in bytes.
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

function hostOf(exchange: NormalizedExchange, url: RawUrlParts): string {
  let host: string | undefined;
  let authority: string | undefined;
  for (const h of exchange.headers) {
    const n = h.name;
    if (n.length === 4 && n.toLowerCase() === 'host') {
      host = h.value;
      break;
    }
    if (n === ':authority') authority = h.value;
  }
  const raw = (host ?? authority ?? url.authority).trim().toLowerCase();
  if (raw.startsWith('[')) {
    const end = raw.indexOf(']');
    return end >= 0 ? raw.slice(0, end + 1) : raw;
  }
  const colon = raw.indexOf(':');
  return colon >= 0 ? raw.slice(0, colon) : raw;
}

function shorten(s: string, max = 120): string {
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

/**
 * The CloudFront size limits, in UTF-8 bytes. A UTF-16 unit is at most 3
 * bytes, so the exact byte counts (a loop over every character) are only
 * needed when 3 bytes per character could pass a limit: rarely.
 */
function sizeProblem(exchange: NormalizedExchange, method: string, url: RawUrlParts, rawUrl: string): CheckResult | undefined {
  const query = url.query;
  const targetChars = url.path.length + (query === undefined ? 0 : 1 + query.length);
  // Request line + header lines as on the wire (HTTP/1.1 form; pseudo-headers are not lines).
  let headerChars = 0;
  for (const h of exchange.headers) {
    if (h.name.charCodeAt(0) === 58 /* : */) continue;
    headerChars += h.name.length + h.value.length;
  }
  if (targetChars * 3 <= MAX_URL_BYTES && method.length + 1 + targetChars * 3 + 11 + headerChars * 3 + exchange.headers.length * 4 + 2 <= MAX_REQUEST_BYTES_WITHOUT_BODY) {
    return undefined;
  }
  const target = query === undefined ? url.path : `${url.path}?${query}`;
  const targetBytes = byteLength(target);
  if (targetBytes > MAX_URL_BYTES) {
    return { ok: false, reason: SKIP.urlTooLong, detail: `${targetBytes} bytes: ${shorten(rawUrl, 80)}` };
  }
  let size = method.length + 1 + targetBytes + 11; // "GET " + target + " HTTP/1.1\r\n"
  for (const h of exchange.headers) {
    if (h.name.charCodeAt(0) === 58 /* : */) continue;
    size += byteLength(h.name) + 2 + byteLength(h.value) + 2;
  }
  size += 2;
  if (size > MAX_REQUEST_BYTES_WITHOUT_BODY) {
    return { ok: false, reason: SKIP.requestTooLarge, detail: `${size} bytes: ${shorten(rawUrl, 80)}` };
  }
  return undefined;
}

export function checkExchange(exchange: NormalizedExchange): CheckResult {
  const rawUrl = exchange.url;
  let url: RawUrlParts;
  try {
    url = splitRawUrl(rawUrl);
  } catch (e) {
    if (e instanceof InvalidUrlError) return { ok: false, reason: SKIP.invalidUrl, detail: e.message };
    throw e;
  }
  if (url.scheme !== '' && !HTTP_SCHEMES.has(url.scheme)) {
    if (url.scheme === 'data') return { ok: false, reason: SKIP.dataUrl, detail: shorten(rawUrl, 60) };
    if (url.scheme === 'blob') return { ok: false, reason: SKIP.blobUrl, detail: shorten(rawUrl, 60) };
    return { ok: false, reason: SKIP.nonHttpUrl, detail: `${url.scheme}: ${shorten(rawUrl, 60)}` };
  }
  if (url.scheme !== '' && url.authority === '') {
    return { ok: false, reason: SKIP.invalidUrl, detail: `no host: ${shorten(rawUrl)}` };
  }
  const method = exchange.method;
  if (method === '') return { ok: false, reason: SKIP.noMethod, detail: shorten(rawUrl) };
  if (!METHOD_RE.test(method)) return { ok: false, reason: SKIP.badMethod, detail: shorten(method, 40) };
  if (!Number.isFinite(exchange.time)) return { ok: false, reason: SKIP.badTime, detail: shorten(rawUrl) };

  const tooLarge = sizeProblem(exchange, method, url, rawUrl);
  if (tooLarge !== undefined) return tooLarge;

  const host = hostOf(exchange, url);
  const absoluteUrl = url.scheme !== '' ? rawUrl : `http://${host}${rawUrl}`;
  return { ok: true, view: { exchange, url, host, absoluteUrl, method: method.toUpperCase() } };
}

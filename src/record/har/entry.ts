/**
 * One HAR entry (already JSON.parse'd, bodies elided) to a normalized
 * exchange. Only HAR-specific knowledge lives here; the checks every source
 * shares (URL scheme, size limits, method, time) run in the pipeline.
 *
 * Producers and their quirks handled:
 * - Chrome / WebInspector: `_fromCache` ("disk"|"memory"), `_fetchedViaServiceWorker`,
 *   HTTP/2 and HTTP/3 pseudo-headers, status 0 with `_error` for failed or
 *   blocked requests, sanitized exports (no Cookie / Set-Cookie / Authorization).
 * - Firefox, Safari, Firebug, Fiddler, Charles, mitmproxy, Playwright, Insomnia:
 *   standard HAR 1.1/1.2, sometimes with Set-Cookie lines joined by '\n',
 *   cookies only in `cookies[]`, negative or missing sizes (never used here).
 * - The query is always taken from `request.url` as written, never from the
 *   producer-decoded `queryString[]`.
 */
import type { EventSource, HttpHeader, NormalizedExchange } from '../../event/index.js';
import type { SourceItem } from '../types.js';

export const HAR_SKIP = {
  notObject: 'entry is not a JSON object',
  noRequest: 'entry has no request object',
  noUrl: 'request.url missing',
  fromCache: 'served from the browser cache (_fromCache), never reached the CDN',
  serviceWorker: 'answered by a service worker, never reached the CDN',
  tooLarge: 'entry too large (over 64 MiB without bodies)',
  headersNotList: 'headers is not a list of {name, value} (HAR 1.2 requires an array)',
} as const;

export const HAR_NOTES = {
  cookieRebuilt: 'Cookie header rebuilt from request.cookies[]',
  setCookieRebuilt: 'Set-Cookie rebuilt from response.cookies[]',
  badHeaderLine: 'malformed header lines ignored',
  provisionalDropped: 'Chrome provisional request headers dropped (the headers actually sent are kept)',
} as const;

/** Facts gathered over a whole file (for the "looks sanitized" warning). */
export interface HarFileStats {
  exchanges: number;
  /** Saw a Cookie, Set-Cookie or Authorization header, or a non-empty cookies[]. */
  sensitiveSeen: boolean;
}

type Json = Record<string, unknown>;

const NETWORK_URL_RE = /^(?:https?|wss?):\/\//i;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** HAR `headers[]` to ordered header lines; counts lines that are not {name, value}. */
function readHeaders(list: unknown, notes: { bad: number }): HttpHeader[] {
  if (!Array.isArray(list)) return [];
  const out: HttpHeader[] = [];
  for (const h of list) {
    if (!isObject(h) || typeof h.name !== 'string' || h.name === '') {
      notes.bad++;
      continue;
    }
    const v = h.value;
    if (typeof v === 'string') out.push({ name: h.name, value: v });
    else if (typeof v === 'number' || typeof v === 'boolean') out.push({ name: h.name, value: String(v) });
    else if (v === undefined || v === null) out.push({ name: h.name, value: '' });
    else notes.bad++;
  }
  return out;
}

/**
 * Chrome exports made by chrome-har list the provisional request headers
 * (what DevTools shows before the request is sent: `Upgrade-Insecure-Requests`,
 * `User-Agent`, `sec-ch-ua`...) and then the HTTP/2 headers actually sent,
 * after the pseudo-headers (`:authority`, `:method`...). On the wire only the
 * second set exists: keeping both would turn every header into a multiValue.
 * When pseudo-headers are followed by regular headers, everything before the
 * first pseudo-header is the provisional set and is dropped whole (it can even
 * hold headers never sent, e.g. an empty `Referer` the referrer policy removed).
 * Returns the headers to use (the same array when nothing was dropped).
 */
export function dropProvisionalHeaders(headers: HttpHeader[]): HttpHeader[] {
  let firstPseudo = -1;
  for (let i = 0; i < headers.length; i++) {
    if (headers[i]!.name.charCodeAt(0) === 58 /* : */) {
      firstPseudo = i;
      break;
    }
  }
  if (firstPseudo > 0) {
    for (let i = firstPseudo + 1; i < headers.length; i++) {
      if (headers[i]!.name.charCodeAt(0) !== 58) return headers.slice(firstPseudo);
    }
    return headers;
  }
  if (firstPseudo === 0) return headers;
  return dropProvisionalHttp1(headers);
}

/**
 * The same quirk on HTTP/1.1 entries, without pseudo-headers to mark the
 * split: the provisional set comes first, then the headers sent, which
 * always include Host (the provisional set never does). The split is the
 * first position where the rest has Host, no repeated name, and repeats every
 * earlier header with the same value (an earlier empty value may be missing:
 * a Referer the referrer policy removed). A list without repeated names, or
 * with genuine repeats (different values), is left alone.
 */
function dropProvisionalHttp1(headers: HttpHeader[]): HttpHeader[] {
  const n = headers.length;
  if (n < 3) return headers;
  const lower = headers.map((h) => h.name.toLowerCase());
  if (new Set(lower).size === n) return headers;
  for (let k = 1; k < n - 1; k++) {
    const rest = new Map<string, string>();
    let unique = true;
    for (let i = k; i < n; i++) {
      if (rest.has(lower[i]!)) {
        unique = false;
        break;
      }
      rest.set(lower[i]!, headers[i]!.value);
    }
    if (!unique || !rest.has('host')) continue;
    let covered = true;
    for (let i = 0; i < k; i++) {
      const v = headers[i]!.value;
      const again = rest.get(lower[i]!);
      if (again === v || (again === undefined && v === '')) continue;
      covered = false;
      break;
    }
    if (covered) return headers.slice(k);
  }
  return headers;
}

function hasHeader(headers: HttpHeader[], lowerName: string): boolean {
  for (const h of headers) if (h.name.length === lowerName.length && h.name.toLowerCase() === lowerName) return true;
  return false;
}

interface HarCookie {
  name: string;
  value: string;
  path?: unknown;
  domain?: unknown;
  expires?: unknown;
  httpOnly?: unknown;
  secure?: unknown;
  sameSite?: unknown;
}

function readCookies(list: unknown): HarCookie[] {
  if (!Array.isArray(list)) return [];
  const out: HarCookie[] = [];
  for (const c of list) {
    if (isObject(c) && typeof c.name === 'string' && c.name !== '') {
      out.push({ ...c, name: c.name, value: typeof c.value === 'string' ? c.value : String(c.value ?? '') });
    }
  }
  return out;
}

function setCookieLine(c: HarCookie): string {
  let line = `${c.name}=${c.value}`;
  if (typeof c.expires === 'string' && c.expires !== '') {
    const t = Date.parse(c.expires);
    line += `; Expires=${Number.isNaN(t) ? c.expires : new Date(t).toUTCString()}`;
  }
  if (typeof c.domain === 'string' && c.domain !== '') line += `; Domain=${c.domain}`;
  if (typeof c.path === 'string' && c.path !== '') line += `; Path=${c.path}`;
  if (c.secure === true) line += '; Secure';
  if (c.httpOnly === true) line += '; HttpOnly';
  if (typeof c.sameSite === 'string' && c.sameSite !== '') line += `; SameSite=${c.sameSite}`;
  return line;
}

function truthyFlag(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false && v !== '' && v !== 0;
}

/** Convert one parsed HAR entry. `stats` is updated for the file-level warnings. */
export function harEntryToItem(entry: unknown, source: EventSource, stats: HarFileStats): SourceItem {
  if (!isObject(entry)) return { kind: 'skip', reason: HAR_SKIP.notObject, source };
  const request = entry.request;
  if (!isObject(request)) return { kind: 'skip', reason: HAR_SKIP.noRequest, source };
  const url = request.url;
  if (typeof url !== 'string' || url === '') return { kind: 'skip', reason: HAR_SKIP.noUrl, source };
  const response = isObject(entry.response) ? entry.response : undefined;
  if (truthyFlag(entry._fromCache) || (response !== undefined && truthyFlag(response._fromCache))) {
    return { kind: 'skip', reason: HAR_SKIP.fromCache, source, detail: url };
  }
  if (response !== undefined && response._fetchedViaServiceWorker === true) {
    return { kind: 'skip', reason: HAR_SKIP.serviceWorker, source, detail: url };
  }

  // Headers given in another shape (an object of name: value) would silently become "no headers".
  for (const [where, list] of [['request', request.headers], ['response', response?.headers]] as const) {
    if (list !== undefined && list !== null && !Array.isArray(list)) {
      return { kind: 'skip', reason: HAR_SKIP.headersNotList, source, detail: `${where}.headers is ${typeof list === 'object' ? 'an object' : typeof list}: ${url}` };
    }
  }
  const bad = { bad: 0 };
  const notes: string[] = [];
  const listed = readHeaders(request.headers, bad);
  const headers = dropProvisionalHeaders(listed);
  if (headers !== listed) notes.push(HAR_NOTES.provisionalDropped);
  const requestCookies = readCookies(request.cookies);
  if (hasHeader(headers, 'cookie') || hasHeader(headers, 'authorization') || requestCookies.length > 0) stats.sensitiveSeen = true;
  if (requestCookies.length > 0 && !hasHeader(headers, 'cookie')) {
    headers.push({ name: 'Cookie', value: requestCookies.map((c) => `${c.name}=${c.value}`).join('; ') });
    notes.push(HAR_NOTES.cookieRebuilt);
  }

  const started = entry.startedDateTime;
  const exchange: NormalizedExchange = {
    time: typeof started === 'string' ? Date.parse(started) : typeof started === 'number' ? started : Number.NaN,
    method: typeof request.method === 'string' ? request.method : '',
    url,
    headers,
    source,
  };

  let responseNote: string | undefined;
  if (response !== undefined) {
    const rawStatus = response.status;
    const status = typeof rawStatus === 'number' ? rawStatus : typeof rawStatus === 'string' ? Number(rawStatus) : Number.NaN;
    if (Number.isInteger(status) && status >= 100 && status <= 999) {
      const responseHeaders = readHeaders(response.headers, bad);
      const responseCookies = readCookies(response.cookies);
      if (hasHeader(responseHeaders, 'set-cookie') || responseCookies.length > 0) stats.sensitiveSeen = true;
      if (responseCookies.length > 0 && !hasHeader(responseHeaders, 'set-cookie')) {
        for (const c of responseCookies) responseHeaders.push({ name: 'Set-Cookie', value: setCookieLine(c) });
        notes.push(HAR_NOTES.setCookieRebuilt);
      }
      exchange.response = { status, headers: responseHeaders };
      if (typeof response.statusText === 'string') exchange.response.statusText = response.statusText;
    } else if (status === 0 || status === -1) {
      responseNote = 'request failed, aborted or blocked (HAR status 0)';
    } else {
      responseNote = 'HAR response status missing or invalid';
    }
  }
  if (bad.bad > 0) notes.push(HAR_NOTES.badHeaderLine);
  if (NETWORK_URL_RE.test(url)) stats.exchanges++;
  const item: SourceItem = { kind: 'exchange', exchange };
  if (responseNote !== undefined) item.responseNote = responseNote;
  if (notes.length > 0) item.notes = notes;
  return item;
}

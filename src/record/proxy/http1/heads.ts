/**
 * HTTP/1.x message heads as the recording proxy reads them (RFC 9112 §2-5):
 * the start line and the header fields, names in the sender's case and in
 * the sender's order, values with surrounding blanks removed, both as latin1
 * text (what Node's own parser gives in rawHeaders). The proxy parses only
 * heads; bodies pass through untouched and body-framing.ts finds their ends.
 *
 * Strict where leniency would let a request mean one thing to the proxy and
 * another to the origin (request smuggling): no obsolete line folding, no
 * blank before the colon, no bare CR or LF in a line, one Content-Length
 * value.
 */

/** Longest head accepted (start line and headers). CloudFront's own limit on all request headers is 20 KB. */
export const MAX_HEAD_BYTES = 64 * 1024;

/** The end of a head. */
export const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

export interface RequestHead {
  method: string;
  /** The request-target as sent (origin-form `/path?query` in practice). */
  target: string;
  /** "HTTP/1.1" or "HTTP/1.0". */
  version: string;
  /** [name, value, name, value, ...]. */
  raw: string[];
}

export interface ResponseHead {
  version: string;
  status: number;
  /** The reason phrase, possibly empty. */
  reason: string;
  raw: string[];
}

/** A head that is not HTTP/1.x: `status` is what a server answers to it. */
export class HeadError extends Error {
  constructor(
    readonly status: 400 | 431 | 505,
    message: string,
  ) {
    super(message);
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Request-target: visible ASCII and obs-text, no blanks or controls.
const TARGET = /^[\x21-\x7e\x80-\xff]+$/;
// Field values: no controls other than HTAB (so no bare CR or LF and no NUL).
const BAD_VALUE = /[\x00-\x08\x0a-\x1f\x7f]/;

function trimBlanks(s: string, from: number): string {
  let a = from;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
  return s.slice(a, b);
}

/** The header lines after the start line (`lines[1..]`) as a raw list. */
function parseFields(lines: string[]): string[] {
  const raw: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HeadError(400, line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9 ? 'obsolete line folding in a header' : `header line without a name: "${line.slice(0, 40)}"`);
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) throw new HeadError(400, `invalid header name "${name.slice(0, 40)}"`);
    const value = trimBlanks(line, colon + 1);
    if (BAD_VALUE.test(value)) throw new HeadError(400, `control character in the value of ${name}`);
    raw.push(name, value);
  }
  return raw;
}

/** `text`: the head without its final CRLFCRLF, as latin1. */
export function parseRequestHead(text: string): RequestHead {
  const lines = text.split('\r\n');
  const line = lines[0]!;
  const sp1 = line.indexOf(' ');
  const sp2 = line.lastIndexOf(' ');
  if (sp1 <= 0 || sp2 === sp1) throw new HeadError(400, 'the request line is not "METHOD target HTTP/1.1"');
  const method = line.slice(0, sp1);
  const target = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (!TOKEN.test(method)) throw new HeadError(400, `invalid method "${method.slice(0, 40)}"`);
  if (!TARGET.test(target)) throw new HeadError(400, 'invalid request target');
  if (version !== 'HTTP/1.1' && version !== 'HTTP/1.0') {
    if (/^HTTP\/\d\.\d$/.test(version)) throw new HeadError(505, `${version} is not supported (HTTP/1.0 and HTTP/1.1 are)`);
    throw new HeadError(400, 'the request line is not "METHOD target HTTP/1.1"');
  }
  return { method, target, version, raw: parseFields(lines) };
}

/** `text`: the head without its final CRLFCRLF, as latin1. */
export function parseResponseHead(text: string): ResponseHead {
  const lines = text.split('\r\n');
  const line = lines[0]!;
  const m = /^(HTTP\/1\.[01]) (\d{3})(?: ([^\r\n]*))?$/.exec(line);
  if (m === null) throw new HeadError(400, `the status line is not "HTTP/1.1 <status> <reason>": "${line.slice(0, 60)}"`);
  return { version: m[1]!, status: Number(m[2]), reason: m[3] ?? '', raw: parseFields(lines) };
}

/** What the proxy needs to know from a head's fields to forward it and find the end of its body. */
export interface FieldFacts {
  /** Content-Length; NaN when invalid or given twice with different values. */
  contentLength: number | undefined;
  /** Transfer-Encoding values, joined; undefined when absent. */
  transferEncoding: string | undefined;
  /** Connection tokens in lower case; undefined when absent. */
  connection: Set<string> | undefined;
  upgrade: string | undefined;
  /** The first X-Forwarded-For value. */
  forwardedFor: string | undefined;
  hasHost: boolean;
}

/** One walk over the fields; names compared by length first (most headers are none of these). */
export function fieldFacts(raw: readonly string[]): FieldFacts {
  const facts: FieldFacts = { contentLength: undefined, transferEncoding: undefined, connection: undefined, upgrade: undefined, forwardedFor: undefined, hasHost: false };
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') facts.hasHost = true;
        break;
      case 7:
        if (facts.upgrade === undefined && name.toLowerCase() === 'upgrade') facts.upgrade = raw[i + 1]!;
        break;
      case 10:
        if (name.toLowerCase() === 'connection') {
          for (const t of raw[i + 1]!.split(',')) {
            const token = t.trim().toLowerCase();
            if (token !== '') (facts.connection ??= new Set()).add(token);
          }
        }
        break;
      case 14:
        if (name.toLowerCase() === 'content-length') {
          const value = raw[i + 1]!;
          const n = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
          facts.contentLength = facts.contentLength === undefined || facts.contentLength === n ? n : NaN;
        }
        break;
      case 15:
        if (facts.forwardedFor === undefined && name.toLowerCase() === 'x-forwarded-for') facts.forwardedFor = raw[i + 1]!;
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') facts.transferEncoding = facts.transferEncoding === undefined ? raw[i + 1]! : `${facts.transferEncoding}, ${raw[i + 1]!}`;
        break;
    }
  }
  return facts;
}

/** Is `chunked` the last transfer coding (the only way a message with Transfer-Encoding has a delimited body)? */
export function isChunkedLast(transferEncoding: string): boolean {
  const last = transferEncoding.slice(transferEncoding.lastIndexOf(',') + 1);
  return trimBlanks(last, 0).toLowerCase() === 'chunked';
}

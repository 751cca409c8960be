/**
 * GoReplay file format (`gor --output-file`): records separated by the line
 * "🐵🙈🙉", each one
 *
 *   <type> <id> <timestamp_ns>[ <latency_ns>]\n<raw HTTP/1.x message>
 *
 * type 1 = request, 2 = the original response, 3 = a response to a replayed
 * request (not what the origin answered the viewer: ignored). A request and
 * its response share the id. Old files have 3-field headers (no latency).
 */
import type { HttpHeader } from '../../event/index.js';

export const GOR_SEPARATOR = Buffer.from('\n🐵🙈🙉\n', 'utf8');

/** Cuts a byte stream into records at the separator. */
export class GorSplitter {
  private buf: Buffer = Buffer.alloc(0);
  /** Records cut so far (the index of the next record). */
  count = 0;

  push(chunk: Buffer): Buffer[] {
    const from = Math.max(0, this.buf.length - GOR_SEPARATOR.length + 1);
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Buffer[] = [];
    let start = 0;
    let at = this.buf.indexOf(GOR_SEPARATOR, from);
    while (at >= 0) {
      out.push(this.buf.subarray(start, at));
      start = at + GOR_SEPARATOR.length;
      at = this.buf.indexOf(GOR_SEPARATOR, start);
    }
    if (start > 0) this.buf = Buffer.from(this.buf.subarray(start));
    this.count += out.length;
    return out;
  }

  /** What is left after the last separator (a final record without one), if anything but whitespace. */
  end(): Buffer | undefined {
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    // A file may also end with the separator minus its final "\n".
    let text = rest;
    const bare = GOR_SEPARATOR.subarray(0, GOR_SEPARATOR.length - 1);
    if (text.length >= bare.length && text.subarray(text.length - bare.length).equals(bare)) text = text.subarray(0, text.length - bare.length);
    if (text.toString('latin1').trim() === '') return undefined;
    this.count++;
    return text;
  }
}

export interface GorHead {
  type: 1 | 2 | 3;
  id: string;
  /** Epoch milliseconds (from the nanosecond timestamp). */
  time: number;
}

export interface HttpRequestHead {
  method: string;
  target: string;
  version: string;
  headers: HttpHeader[];
}

export interface HttpResponseHead {
  version: string;
  status: number;
  statusText: string;
  headers: HttpHeader[];
}

export type GorRecord =
  | { ok: true; head: GorHead; request: HttpRequestHead; badHeaderLines: number }
  | { ok: true; head: GorHead; response: HttpResponseHead; badHeaderLines: number }
  | { ok: false; problem: string; id?: string };

const TYPE_RE = /^[123]$/;
const ID_RE = /^[0-9A-Za-z]+$/;
const NS_RE = /^\d{1,20}$/;
const METHOD_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const VERSION_RE = /^HTTP\/\d(?:\.\d)?$/;

/** Nanoseconds (decimal text) to epoch milliseconds, without losing the millisecond digits. */
function nsToMs(ns: string): number {
  if (ns.length <= 6) return 0;
  return Number(ns.slice(0, ns.length - 6));
}

function parseHeaderLines(lines: string[], from: number): { headers: HttpHeader[]; bad: number } {
  const headers: HttpHeader[] = [];
  let bad = 0;
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const first = line.charCodeAt(0);
    if ((first === 32 || first === 9) && headers.length > 0) {
      // obs-fold: a continuation of the previous header value.
      const prev = headers[headers.length - 1]!;
      prev.value = `${prev.value} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) {
      bad++;
      continue;
    }
    headers.push({ name: line.slice(0, colon), value: line.slice(colon + 1).trim() });
  }
  return { headers, bad };
}

/** Parse one record (the bytes between two separators). */
export function parseGorRecord(record: Buffer): GorRecord {
  let start = 0;
  // Tolerate blank lines before the header line.
  while (start < record.length && (record[start] === 10 || record[start] === 13)) start++;
  const nl = record.indexOf(10, start);
  if (nl < 0) return { ok: false, problem: 'no payload after the header line' };
  const headerLine = record.toString('latin1', start, nl).trim();
  const fields = headerLine.split(' ');
  if (fields.length < 3 || fields.length > 4 || !TYPE_RE.test(fields[0]!) || !ID_RE.test(fields[1]!) || !NS_RE.test(fields[2]!)) {
    return { ok: false, problem: `bad record header "${headerLine.slice(0, 60)}"` };
  }
  if (fields.length === 4 && !/^-?\d+$/.test(fields[3]!)) return { ok: false, problem: `bad latency in "${headerLine.slice(0, 60)}"`, id: fields[1]! };
  const head: GorHead = { type: Number(fields[0]) as 1 | 2 | 3, id: fields[1]!, time: nsToMs(fields[2]!) };
  const payloadStart = nl + 1;
  let end = record.indexOf('\r\n\r\n', payloadStart, 'latin1');
  if (end < 0) end = record.indexOf('\n\n', payloadStart, 'latin1');
  if (end < 0) end = record.length;
  const text = record.toString('utf8', payloadStart, end);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.endsWith('\r')) lines[i] = l.slice(0, -1);
  }
  const startLine = lines[0] ?? '';
  if (head.type === 1) {
    const parts = startLine.split(' ');
    if (parts.length !== 3 || !METHOD_RE.test(parts[0]!) || parts[1] === '' || !VERSION_RE.test(parts[2]!)) {
      return { ok: false, problem: `bad request line "${startLine.slice(0, 80)}"`, id: head.id };
    }
    const { headers, bad } = parseHeaderLines(lines, 1);
    return { ok: true, head, request: { method: parts[0]!, target: parts[1]!, version: parts[2]!, headers }, badHeaderLines: bad };
  }
  const m = /^(HTTP\/\d(?:\.\d)?) (\d{3})(?: (.*))?$/.exec(startLine);
  if (m === null) return { ok: false, problem: `bad status line "${startLine.slice(0, 80)}"`, id: head.id };
  const { headers, bad } = parseHeaderLines(lines, 1);
  return { ok: true, head, response: { version: m[1]!, status: Number(m[2]), statusText: m[3] ?? '', headers }, badHeaderLines: bad };
}

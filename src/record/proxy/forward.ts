import type { FieldFacts } from './http1/heads.js';

/**
 * Header rules of the recording proxy's forwarding (RFC 9110 §7.6.1): what
 * goes to the origin. The recorded exchange keeps the headers exactly as the
 * viewer sent them; only the forwarded copy changes. Answers go back to the
 * viewer byte for byte (the proxy relays one origin connection per viewer
 * connection, so the origin's connection headers are still true for the
 * viewer's).
 */

/**
 * Hop-by-hop headers never forwarded (plus any named in Connection); the
 * proxy states its own Connection for the origin. Transfer-Encoding and
 * Trailer stay: a chunked body is relayed with its framing untouched. Expect
 * stays: the origin decides on "100 Continue", and the proxy relays it.
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

export interface ForwardRequestOptions {
  /** Host header for the origin; undefined keeps the viewer's. */
  host: string | undefined;
  /** Appended to X-Forwarded-For. */
  clientIp: string | undefined;
  /**
   * From the request's fields: its Connection tokens (the headers they name
   * are hop-by-hop too) and Transfer-Encoding (a body it frames loses any
   * Content-Length beside it, RFC 9112 §6.3: the two together are how
   * requests get smuggled).
   */
  facts: Pick<FieldFacts, 'connection' | 'transferEncoding'>;
}

/** The request headers for the origin, as a raw [name, value, ...] list in the viewer's order. */
export function forwardRequestHeaders(raw: readonly string[], options: ForwardRequestOptions): string[] {
  const extra = options.facts.connection;
  const chunked = options.facts.transferEncoding !== undefined;
  const out: string[] = [];
  let hostSeen = false;
  let xffAt = -1;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || extra?.has(lower) || (chunked && lower === 'content-length')) continue;
    if (lower === 'host') {
      if (hostSeen) continue;
      hostSeen = true;
      out.push(name, options.host ?? raw[i + 1]!);
      continue;
    }
    if (lower === 'x-forwarded-for' && xffAt < 0) xffAt = out.length;
    out.push(name, raw[i + 1]!);
  }
  if (!hostSeen && options.host !== undefined) out.unshift('Host', options.host);
  if (options.clientIp !== undefined) {
    if (xffAt >= 0) {
      const at = xffAt + (!hostSeen && options.host !== undefined ? 2 : 0);
      out[at + 1] = `${out[at + 1]}, ${options.clientIp}`;
    } else {
      out.push('X-Forwarded-For', options.clientIp);
    }
  }
  return out;
}

/** A request head for the origin as written on the wire (`headers` from forwardRequestHeaders). */
export function requestHeadText(method: string, target: string, version: string, headers: readonly string[]): string {
  let head = `${method} ${target} ${version}\r\n`;
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]!}: ${headers[i + 1]!}\r\n`;
  return `${head}\r\n`;
}

/** `rawHeaders` ([name, value, ...]) as recorded header lines. */
export function headerLines(raw: readonly string[]): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (let i = 0; i < raw.length; i += 2) out.push({ name: raw[i]!, value: raw[i + 1]! });
  return out;
}

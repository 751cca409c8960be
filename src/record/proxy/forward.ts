/**
 * Header rules of the recording proxy's forwarding (RFC 9110 §7.6.1): what
 * goes to the origin and back to the viewer. The recorded exchange keeps the
 * headers exactly as the viewer sent them; only the forwarded copy changes.
 */

/** Hop-by-hop headers never forwarded (plus any named in Connection). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-authorization',
  'proxy-authenticate',
  // The proxy answers "100 Continue" itself; the origin gets the body as it streams.
  'expect',
]);

function connectionTokens(raw: readonly string[]): Set<string> | undefined {
  let out: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 10 && raw[i]!.toLowerCase() === 'connection') {
      for (const t of raw[i + 1]!.split(',')) {
        const n = t.trim().toLowerCase();
        if (n !== '') (out ??= new Set()).add(n);
      }
    }
  }
  return out;
}

export interface ForwardRequestOptions {
  /** Host header for the origin; undefined keeps the viewer's. */
  host: string | undefined;
  /** Appended to X-Forwarded-For. */
  clientIp: string | undefined;
}

/** The request headers for the origin, as a raw [name, value, ...] list in the viewer's order. */
export function forwardRequestHeaders(raw: readonly string[], options: ForwardRequestOptions): string[] {
  const extra = connectionTokens(raw);
  const out: string[] = [];
  let hostSeen = false;
  let xffAt = -1;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || extra?.has(lower)) continue;
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

/** The origin's response headers for the viewer (hop-by-hop removed; Node frames the body). */
export function forwardResponseHeaders(raw: readonly string[]): string[] {
  const extra = connectionTokens(raw);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(lower) || extra?.has(lower)) continue;
    out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

/** `rawHeaders` ([name, value, ...]) as recorded header lines. */
export function headerLines(raw: readonly string[]): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (let i = 0; i < raw.length; i += 2) out.push({ name: raw[i]!, value: raw[i + 1]! });
  return out;
}

/** Viewer addresses as CloudFront would put them in `viewer.ip`. */
import { isIP } from 'node:net';

/** `::ffff:127.0.0.1` (an IPv4 client on a dual-stack socket) is 127.0.0.1 to CloudFront. */
export function normalizeIp(ip: string): string {
  if (ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4) return ip.slice(7);
  return ip;
}

/**
 * The first hop of an X-Forwarded-For value (the original client, when the
 * proxies in front can be trusted), or undefined when it is not an address.
 * Accepts `1.2.3.4:5678` and `[::1]:5678` forms some proxies write.
 */
export function firstForwardedHop(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const comma = value.indexOf(',');
  let hop = (comma >= 0 ? value.slice(0, comma) : value).trim();
  if (hop.startsWith('[')) {
    const end = hop.indexOf(']');
    if (end > 0) hop = hop.slice(1, end);
  } else if (isIP(hop) === 0) {
    const colon = hop.lastIndexOf(':');
    if (colon > 0 && hop.indexOf(':') === colon) hop = hop.slice(0, colon);
  }
  return isIP(hop) !== 0 ? normalizeIp(hop) : undefined;
}

/** The value of the first header with this (lowercase) name in a header list. */
export function headerValue(headers: readonly { name: string; value: string }[], lowerName: string): string | undefined {
  for (const h of headers) if (h.name.length === lowerName.length && h.name.toLowerCase() === lowerName) return h.value;
  return undefined;
}

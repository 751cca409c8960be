/**
 * CloudFront writes log fields URL-encoded (a space is `%20`, a `%` the
 * viewer sent is `%25`) and `-` for an empty field. Decoding once gives the
 * bytes the viewer sent: `u=http%253A` in the log was `u=http%3A` on the wire.
 */
import { detached } from '../../util/detached.js';

/** Fields decoded leniently so far (a `%` not followed by two hex digits, or escapes that are not UTF-8): callers count them. */
let lenientDecodes = 0;
export function lenientDecodeCount(): number {
  return lenientDecodes;
}

/** Decode %XX once; malformed sequences are kept as written (never throws) and counted (lenientDecodeCount). */
export function decodeLogField(s: string): string {
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    lenientDecodes++;
    return decodeLenient(s);
  }
}

/** Byte-wise decoding that keeps malformed escapes and replaces invalid UTF-8. */
function decodeLenient(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 37 /* % */ && i + 2 < s.length && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
      continue;
    }
    if (c < 0x80) bytes.push(c);
    else for (const b of Buffer.from(s[i]!, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Lookups after which a memo that mostly misses stops memoising. */
const TRIAL_LOOKUPS = 4096;

/**
 * A small memo for fields that repeat (user agents, referers, hosts). A
 * field whose values mostly differ (session cookies) would only pay for the
 * lookups and the churn: after a trial the memo stops when it hit less
 * than half the time.
 */
export class DecodeCache {
  private map = new Map<string, string>();
  /** Memoised fields whose decoding was lenient: a hit counts again. */
  private lenient = new Set<string>();
  private lookups = 0;
  private hits = 0;
  private memoise = true;
  constructor(private readonly max = 2048) {}

  get(s: string): string {
    if (s.indexOf('%') < 0) return s;
    if (!this.memoise) return decodeLogField(s);
    let out = this.map.get(s);
    if (out !== undefined) {
      this.hits++;
      if (this.lenient.size > 0 && this.lenient.has(s)) lenientDecodes++;
    } else {
      const before = lenientDecodes;
      out = decodeLogField(s);
      if (this.map.size >= this.max) {
        this.map.clear();
        this.lenient.clear();
      }
      const key = detached(s);
      this.map.set(key, out);
      if (lenientDecodes !== before) this.lenient.add(key);
    }
    if (++this.lookups === TRIAL_LOOKUPS && this.hits * 2 < TRIAL_LOOKUPS) {
      this.memoise = false;
      this.map.clear();
      this.lenient.clear();
    }
    return out;
  }
}

/**
 * Some CloudFront standard logs (e.g. AWS's own documentation examples, and
 * older distributions) encode the user agent twice (`%2520`). A user agent
 * without any space that still holds `%20` after one decoding was encoded
 * twice: decode it once more.
 */
export function looksEncodedTwice(decoded: string): boolean {
  return decoded.indexOf(' ') < 0 && decoded.indexOf('%20') >= 0;
}

/**
 * routeOf: a URI templated into a route for grouping (`/products/123` ->
 * `/products/:id`). The query is left out. Per path segment:
 * - digits only -> `:id`;
 * - a UUID -> `:uuid`;
 * - 8+ hex characters with a digit and a letter -> `:hex`;
 * - 16+ word characters (`[A-Za-z0-9_]`) with a digit and a letter -> `:token`;
 * - 8+ characters of words and digits joined by `-` (`bags-guide-17`) -> `:slug`;
 * - a hashed asset name keeps its name and extension: `app.3f9a2b1c.js` ->
 *   `app.:hash.js`, `main-3f9a2b1c.css` -> `main-:hash.css`, where the hash
 *   is 6+ hex characters with a digit, or 8+ letters and digits with both;
 * - anything else stays as it is.
 * Allocation-free when no segment changes (the common static path).
 */

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const DIGITS = /^\d+$/;
const HEX = /^[0-9a-fA-F]+$/;
const ALNUM = /^[A-Za-z0-9]+$/;
const HAS_DIGIT = /\d/;
const HAS_LETTER = /[A-Za-z]/;

function isHash(s: string): boolean {
  if (!HAS_DIGIT.test(s)) return false;
  if (s.length >= 6 && HEX.test(s)) return !DIGITS.test(s) || s.length >= 8;
  return s.length >= 8 && ALNUM.test(s) && HAS_LETTER.test(s);
}

/** `name-hash` -> `name-:hash`, or undefined. */
function dashHash(s: string): string | undefined {
  const i = s.lastIndexOf('-');
  if (i <= 0) return undefined;
  return isHash(s.slice(i + 1)) ? `${s.slice(0, i)}-:hash` : undefined;
}

/** The templated segment, or undefined when it stays as it is. */
function segment(path: string, from: number, to: number): string | undefined {
  // One pass of character classes; most segments have no digit and stop here.
  let digits = 0;
  let letters = 0;
  let nonHexLetters = 0;
  let others = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = path.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if ((c >= 97 && c <= 102) || (c >= 65 && c <= 70)) letters++;
    else if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) {
      letters++;
      nonHexLetters++;
    } else if (c === 46) dots++;
    else if (c !== 45 && c !== 95) others++;
  }
  if (digits === 0) return undefined;
  const n = to - from;
  if (digits === n) return ':id';
  const seg = path.slice(from, to);
  if (n === 36 && UUID.test(seg)) return ':uuid';
  if (n >= 8 && nonHexLetters === 0 && digits + letters === n) return ':hex';
  if (n >= 16 && others === 0 && dots === 0 && letters > 0 && !seg.includes('-')) return ':token';
  if (dots === 0) return n >= 8 && others === 0 && letters > 0 && seg.includes('-') ? ':slug' : undefined;
  // Asset names: the hash is one of the dot-separated parts before the extension.
  const parts = seg.split('.');
  let changed = false;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i]!;
    if (isHash(part)) {
      parts[i] = ':hash';
      changed = true;
    } else {
      const d = dashHash(part);
      if (d !== undefined) {
        parts[i] = d;
        changed = true;
      }
    }
  }
  return changed ? parts.join('.') : undefined;
}

export function routeOf(uri: string): string {
  const q = uri.indexOf('?');
  const path = q < 0 ? uri : uri.slice(0, q);
  let out: string | undefined;
  let start = 0;
  let done = 0;
  for (let i = 0; i <= path.length; i++) {
    if (i < path.length && path.charCodeAt(i) !== 47) continue;
    if (i > start) {
      const r = segment(path, start, i);
      if (r !== undefined) {
        out = (out ?? '') + path.slice(done, start) + r;
        done = i;
      }
    }
    start = i + 1;
  }
  return out === undefined ? path : out + path.slice(done);
}

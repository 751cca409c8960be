/**
 * Value templating: replace the event-specific parts of a string (ids,
 * hashes, tokens, numbers) with placeholders, so the same change on
 * different events reads the same.
 *
 * Within runs of word characters (`[A-Za-z0-9_-]`):
 * - a UUID -> `{uuid}`;
 * - a run of digits only -> `{n}` (digits inside a word, like `v2`, stay);
 * - 8+ hex characters with a digit and a letter -> `{hex}`;
 * - 16+ characters with a digit and a letter (and, if it has `-`, both
 *   cases: base64url-ish) -> `{token}`;
 * - otherwise the `-`-separated pieces are templated on their own.
 */

const UUID_G = /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/g;
const RUN_G = /[A-Za-z0-9_-]+/g;
const DIGITS = /^\d+$/;
const HEX = /^[0-9a-fA-F]+$/;
const HAS_DIGIT = /\d/;
const HAS_LETTER = /[A-Za-z]/;
const HAS_UPPER = /[A-Z]/;
const HAS_LOWER = /[a-z]/;

function piece(s: string): string {
  if (s === '') return s;
  if (DIGITS.test(s)) return '{n}';
  const digit = HAS_DIGIT.test(s);
  if (!digit) return s;
  if (s.length >= 8 && HEX.test(s) && HAS_LETTER.test(s)) return '{hex}';
  if (s.length >= 16 && HAS_LETTER.test(s)) return '{token}';
  return s;
}

function run(s: string): string {
  if (!s.includes('-')) return piece(s);
  if (s.length >= 16 && HAS_DIGIT.test(s) && HAS_UPPER.test(s) && HAS_LOWER.test(s)) return '{token}';
  return s.split('-').map(piece).join('-');
}

/** Input longer than this is cut before templating (bodies can be megabytes). */
const SCAN_LIMIT = 2000;

/** Short inputs repeat (the same appended suffix on every event): cache them. */
const cache = new Map<string, string>();
const CACHE_LIMIT = 10_000;
const CACHE_MAX_LENGTH = 200;

export function templateValue(s: string): string {
  const cacheable = s.length <= CACHE_MAX_LENGTH;
  if (cacheable) {
    const hit = cache.get(s);
    if (hit !== undefined) return hit;
  }
  const t = s.length > SCAN_LIMIT ? s.slice(0, SCAN_LIMIT) : s;
  const r = t.replace(UUID_G, '{uuid}').replace(RUN_G, run) + (t === s ? '' : '…');
  if (cacheable) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(s, r);
  }
  return r;
}

export const MAX_PIECE = 120;

/** At most MAX_PIECE characters, with an ellipsis when cut. */
export function truncate(s: string, max = MAX_PIECE): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** JSON-quoted, truncated (quotes and control characters escaped). */
export function quote(s: string): string {
  return JSON.stringify(truncate(s));
}

/**
 * Object keys of the records a chunk keeps verbatim (connection events, and
 * exchanges the columns cannot express), made safe for msgpackr: its decoder
 * renames every key `__proto__` to `__proto_` (a guard against prototype
 * pollution), so such a key in a recorded event (a certificate field, a
 * header of an unusual exchange) would come back under another name. Before
 * packing, `__proto__` is written `\0__proto__` and a key that starts with
 * `\0` gets one more `\0`; after unpacking the first `\0` is taken off again
 * and `__proto__` is defined as an own property (never the prototype). A
 * chunk says it used the escape (`xe: 1`), so chunks written before are read
 * exactly as they were.
 */
import { ownSet } from '../util/own-keys.js';

const ESC = '\u0000';

function needsEscape(key: string): boolean {
  return key === '__proto__' || key.startsWith(ESC);
}

/** True when some key in `value` (deeply) needs the escape. */
export function hasEscapableKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasEscapableKey);
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return false;
  for (const key of Object.keys(value)) {
    if (needsEscape(key) || hasEscapableKey((value as Record<string, unknown>)[key])) return true;
  }
  return false;
}

/** A copy of `value` with its keys escaped (values that are not plain objects or arrays are shared). */
export function escapeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(escapeKeys);
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[needsEscape(key) ? ESC + key : key] = escapeKeys((value as Record<string, unknown>)[key]);
  return out;
}

/** The inverse of escapeKeys, building own properties only. */
export function unescapeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unescapeKeys);
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) ownSet(out, key.startsWith(ESC) ? key.slice(1) : key, unescapeKeys((value as Record<string, unknown>)[key]));
  return out;
}

/**
 * What JSON.stringify then JSON.parse would make of a result, made host-side without running any
 * of the function's code: own enumerable data properties only (an accessor is left out: no
 * getter runs), undefined, functions and symbols dropped (null in an array), numbers that are
 * not finite null. loader.ts uses it when a result failed validation and the call cannot have
 * made its result differ from its JSON in any other way: then `headers['x-a'] = undefined`, a
 * usual way to take a header out, is no header, as njs (and CloudFront's test API, whose output
 * is the result's JSON) reads it, instead of an invalid one. Objects that are neither plain nor
 * arrays (a Date, a boxed string) are kept as they are: their JSON needs their methods; so is
 * what lies deeper than MAX_DEPTH (a cycle: njs's JSON fails on it, this leaves it to validation).
 */
const MAX_DEPTH = 32;
const getProto = Object.getPrototypeOf;
const ownNames = Object.getOwnPropertyNames;
const ownDesc = Object.getOwnPropertyDescriptor;

/** A plain object (of any realm: its prototype is a realm's Object.prototype, or none). */
function isPlain(v: object): boolean {
  const p = getProto(v) as object | null;
  return p === null || getProto(p) === null;
}

/** The value as an array element (undefined: null) or a property (undefined: left out). */
function jsonValue(v: unknown, depth: number): unknown {
  if (typeof v === 'function' || typeof v === 'symbol' || v === undefined) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'object' || v === null || depth >= MAX_DEPTH) return v;
  if (Array.isArray(v)) {
    const a: unknown[] = [];
    for (let i = 0; i < v.length; i++) {
      const d = ownDesc(v, String(i));
      const x = d === undefined || !('value' in d) ? undefined : jsonValue(d.value, depth + 1);
      a.push(x === undefined ? null : x);
    }
    return a;
  }
  if (!isPlain(v)) return v;
  const o: Record<string, unknown> = {};
  for (const k of ownNames(v)) {
    const d = ownDesc(v, k)!;
    if (!d.enumerable || !('value' in d)) continue;
    const x = jsonValue(d.value, depth + 1);
    if (x !== undefined) Object.defineProperty(o, k, { value: x, writable: true, enumerable: true, configurable: true });
  }
  return o;
}

export function jsonLike(v: unknown): unknown {
  return jsonValue(v, 0);
}

/**
 * What JSON.stringify then JSON.parse would make of a result, made host-side without running any
 * of the function's code: own enumerable data properties only (an accessor is left out: no
 * getter runs), undefined, functions and symbols dropped (null in an array), numbers that are
 * not finite null, -0 0. loader.ts uses it when a result failed validation and the call cannot have
 * made its result differ from its JSON in any other way: then `headers['x-a'] = undefined`, a
 * usual way to take a header out, is no header, as njs (and CloudFront's test API, whose output
 * is the result's JSON) reads it, instead of an invalid one. A Date or a boxed primitive
 * becomes its JSON when it has no property of its own (see builtInJson); other objects that are
 * neither plain nor arrays are kept as they are, and so is what lies deeper than MAX_DEPTH (a
 * cycle: njs's JSON fails on it, this leaves it to validation).
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

const getTime = Date.prototype.getTime;
const toISO = Date.prototype.toISOString;
const unboxers: ((this: unknown) => unknown)[] = [String.prototype.valueOf, Number.prototype.valueOf, Boolean.prototype.valueOf];

/**
 * A Date or a boxed primitive with no property of its own (so nothing the function set, a
 * toJSON say, can change its JSON): what JSON gives for it, found with this realm's built-ins
 * (they read the internal slot of another realm's object too; no function code runs); the
 * object itself otherwise.
 */
function builtInJson(v: object): unknown {
  const own = Reflect.ownKeys(v);
  try {
    const t = getTime.call(v) as number;
    return own.length === 0 ? (Number.isFinite(t) ? toISO.call(v) : null) : v;
  } catch {
    /* not a Date */
  }
  for (const unbox of unboxers) {
    try {
      const p = unbox.call(v);
      // A boxed string's own names are its indices and length.
      if (typeof p === 'string' ? own.length === p.length + 1 : own.length === 0) return typeof p === 'number' ? jsonValue(p, 0) : p;
      return v;
    } catch {
      /* not this kind */
    }
  }
  return v;
}

/** The value as an array element (undefined: null) or a property (undefined: left out). */
function jsonValue(v: unknown, depth: number): unknown {
  if (typeof v === 'function' || typeof v === 'symbol' || v === undefined) return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? (v === 0 ? 0 : v) : null;
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
  if (!isPlain(v)) return builtInJson(v);
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

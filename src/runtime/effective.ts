/**
 * Effective form of a function's output: what CloudFront would actually
 * forward or send (types.ts documents the shape). Assumes the value passed
 * validate.ts; tolerant of odd shapes anyway (never throws on bad input).
 */
import { wireHeaderName } from '../event/header-policy.js';
import { ownGet, ownSet } from '../util/own-keys.js';
import type { EffectiveBody, EffectiveRequest, EffectiveResponse } from './types.js';

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Values of an array the function returned, by index. Never a method of the
 * array (`map`, an iterator): the function could have replaced it, and host
 * code must not hand it a host function (whose constructor compiles host code).
 */
function mapReturned<T>(list: unknown[], f: (x: unknown) => T): T[] {
  const out: T[] = [];
  const n = list.length;
  for (let i = 0; i < n; i++) out.push(f(list[i]));
  return out;
}

function strValues(list: unknown): string[] | undefined {
  if (!Array.isArray(list) || list.length === 0) return undefined;
  return mapReturned(list, (x) => (isObj(x) ? String(x.value) : String(x)));
}

function sameArr(a: readonly string[], b: readonly string[] | undefined): boolean {
  if (!b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Values CloudFront uses for one `{value, multiValue?}` entry given the
 * entry the function received under the same name (reference §2): a
 * multiValue that exists and differs from the input's wins (value ignored);
 * otherwise the (possibly changed) value replaces the first value and the
 * later values stay.
 */
export function effectiveValues(out: unknown, input: unknown): string[] {
  if (!isObj(out)) return [];
  const value = String(out.value);
  return valuesOf(value, out.multiValue, input);
}

/** effectiveValues from the entry's value (converted first) and multiValue (read once). */
export function valuesOf(value: string, mvList: unknown, input: unknown): string[] {
  const mv = strValues(mvList);
  if (!mv) return [value];
  const inMv = isObj(input) ? strValues(input.multiValue) : undefined;
  if (!sameArr(mv, inMv)) return mv;
  mv[0] = value;
  return mv;
}

const wireCache = new Map<string, string>();
/** wireHeaderName with a cache (header names repeat across millions of events). */
export function wire(name: string): string {
  let w = wireCache.get(name);
  if (w === undefined) {
    w = wireHeaderName(name);
    if (wireCache.size < 10_000) wireCache.set(name, w);
  }
  return w;
}

/** Map of `{value, multiValue?}` entries -> name: values. `wire` applies header capitalisation. */
export function effectiveMap(out: unknown, input: unknown, wireNames: boolean): Record<string, string[]> {
  const res: Record<string, string[]> = {};
  if (!isObj(out)) return res;
  const inp = isObj(input) ? input : undefined;
  for (const name in out) {
    const e = out[name];
    const key = wireNames ? wire(name) : name;
    if (!isObj(e)) {
      ownSet(res, key, []);
      continue;
    }
    // The input entry only matters when there is a multiValue (nearly never): looked up lazily.
    const value = String(e.value);
    const mvList = e.multiValue;
    // ownSet: a name like __proto__ stays a key of the map (assigning it would replace the map's prototype).
    ownSet(res, key, mvList === undefined ? [value] : valuesOf(value, mvList, inp ? ownGet(inp, name) : undefined));
  }
  return res;
}

/** Parse a returned string querystring (no percent-decoding, like the event's own form). */
export function parseQueryString(qs: string): Record<string, string[]> {
  const res: Record<string, string[]> = {};
  const s = qs.startsWith('?') ? qs.slice(1) : qs;
  if (s === '') return res;
  for (const part of s.split('&')) {
    if (part === '') continue;
    const i = part.indexOf('=');
    const k = i < 0 ? part : part.slice(0, i);
    const v = i < 0 ? '' : part.slice(i + 1);
    const have = ownGet(res, k);
    if (have === undefined) ownSet(res, k, [v]);
    else have.push(v);
  }
  return res;
}

export function effectiveQuery(out: unknown, input: unknown): Record<string, string[]> {
  if (typeof out === 'string') return parseQueryString(out);
  return effectiveMap(out, input, false);
}

/** Length in bytes of the query as CloudFront would serialize it (for the 8,192 limit). */
export function queryLength(q: unknown, eff: Record<string, string[]>): number {
  if (typeof q === 'string') return Buffer.byteLength(q, 'utf8');
  let n = 0;
  let first = true;
  for (const k in eff) {
    for (const v of eff[k]!) {
      n += (first ? 0 : 1) + Buffer.byteLength(k, 'utf8') + 1 + Buffer.byteLength(v, 'utf8');
      first = false;
    }
  }
  return n;
}

/** The effective request of a validated returned request (`input`: the event's request). */
export function effectiveRequest(out: Obj, input: Obj): EffectiveRequest {
  const q = out.querystring;
  return {
    method: String(input.method),
    uri: String(out.uri),
    querystring: effectiveQuery(q ?? {}, input.querystring),
    headers: effectiveMap(out.headers, input.headers, true),
    cookies: effectiveMap(out.cookies, input.cookies, false),
  };
}

function setCookieValues(out: unknown, input: unknown): { value: string; attributes: string }[] {
  if (!isObj(out)) return [];
  const one = (x: unknown) => (isObj(x) ? { value: String(x.value), attributes: x.attributes === undefined ? '' : String(x.attributes) } : { value: String(x), attributes: '' });
  const first = one(out);
  if (!Array.isArray(out.multiValue) || out.multiValue.length === 0) return [first];
  const mv = mapReturned(out.multiValue, one);
  const inMv = isObj(input) && Array.isArray(input.multiValue) ? mapReturned(input.multiValue, one) : undefined;
  const same =
    inMv !== undefined &&
    inMv.length === mv.length &&
    mv.every((m, i) => m.value === inMv[i]!.value && m.attributes === inMv[i]!.attributes);
  if (!same) return mv;
  mv[0] = first;
  return mv;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Normalize a body (validated): text stays text; base64 whose bytes are UTF-8 becomes text; empty = null. */
export function effectiveBody(body: unknown, viewerResponse: boolean): EffectiveBody {
  if (body === undefined) return viewerResponse ? 'origin' : null;
  if (body === null) return null;
  let encoding = 'text';
  let data: string;
  if (typeof body === 'string') data = body;
  else if (isObj(body)) {
    if (body.encoding !== undefined) encoding = String(body.encoding);
    data = body.data === undefined ? '' : String(body.data);
  } else data = String(body);
  if (encoding === 'base64') {
    const bytes = Buffer.from(data, 'base64');
    if (bytes.length === 0) return null;
    try {
      return { encoding: 'text', data: UTF8.decode(bytes) };
    } catch {
      return { encoding: 'base64', data: bytes.toString('base64') };
    }
  }
  return data === '' ? null : { encoding: 'text', data };
}

/** The effective response of a validated returned response (`inputResponse`: the event's, for viewer-response). */
export function effectiveResponse(out: Obj, inputResponse: Obj | undefined): EffectiveResponse {
  const res: EffectiveResponse = {
    statusCode: Number(out.statusCode),
    headers: effectiveMap(out.headers, inputResponse?.headers, true),
    cookies: {},
    body: effectiveBody(out.body, inputResponse !== undefined),
  };
  const desc = out.statusDescription ?? inputResponse?.statusDescription;
  if (desc !== undefined) res.statusDescription = String(desc);
  if (isObj(out.cookies)) {
    const inC = isObj(inputResponse?.cookies) ? inputResponse.cookies : undefined;
    for (const name in out.cookies) ownSet(res.cookies, name, setCookieValues(out.cookies[name], inC === undefined ? undefined : ownGet(inC, name)));
  }
  return res;
}

/**
 * True when two validated outputs returned for the SAME input certainly have
 * the same effective form; false means "build both and compare", not
 * "different". Reads exactly the fields the effective functions above read
 * (uri, querystring, headers, cookies; status, description, body), so a
 * function that leaves other keys around (`method`, extra entry keys) still
 * compares equal, as its effective form does. Much cheaper than building the
 * two effective forms: no allocation, one pass per map.
 *
 * `b` need not have been validated: maps and entries must be objects as validation wants them
 * (not arrays), so "same as a valid `a`" also means "passes every check validation makes of
 * these fields" (validate.ts passesLike relies on it).
 */
export function sameEffectiveOutput(a: Obj, b: Obj, response: boolean): boolean {
  if (response) {
    return (
      a.statusCode === b.statusCode &&
      a.statusDescription === b.statusDescription &&
      sameEntries(a.headers, b.headers, false) &&
      sameEntries(a.cookies, b.cookies, true) &&
      sameBody(a.body, b.body)
    );
  }
  const qa = a.querystring;
  const qb = b.querystring;
  return (
    a.uri === b.uri &&
    (qa === qb || (isObj(qa) && isObj(qb) && sameEntries(qa, qb, false))) &&
    sameEntries(a.headers, b.headers, false) &&
    sameEntries(a.cookies, b.cookies, false)
  );
}

/**
 * The for-in keys of the map a comparison walked first (noteKey), so that the other map can be
 * checked to enumerate the very same keys (sameKeysAsNoted). Counting the other map's keys is not
 * enough: `y[k]` also finds a key y does not enumerate (a non-enumerable or inherited property),
 * and the effective form (and validation) only see what for-in lists. Reused: no allocation.
 */
const noted: string[] = [];

export function noteKey(i: number, k: string): void {
  noted[i] = k;
}

/** `y` enumerates exactly the `n` keys last noted, in any order (usually the same order: checked first). */
export function sameKeysAsNoted(y: object, n: number): boolean {
  let i = 0;
  for (const k in y) {
    if (i >= n) return false;
    if (noted[i] !== k && !notedHas(k, n)) return false;
    i++;
  }
  return i === n;
}

function notedHas(k: string, n: number): boolean {
  for (let j = 0; j < n; j++) if (noted[j] === k) return true;
  return false;
}

/** Maps of validated `{ value, attributes?, multiValue? }` entries (any key order). */
function sameEntries(x: unknown, y: unknown, attributes: boolean): boolean {
  if (x === y) return true;
  if (!isObj(x) || !isObj(y)) return false;
  const xm = x as Record<string, Obj>;
  const ym = y as Record<string, unknown>;
  let keys = 0;
  for (const k in xm) {
    const ex = xm[k]!;
    const ey = ym[k];
    if (!isObj(ey) || ex.value !== ey.value) return false;
    if (attributes && ex.attributes !== ey.attributes) return false;
    if ((ex.multiValue !== undefined || ey.multiValue !== undefined) && !sameMultiValue(ex.multiValue, ey.multiValue, attributes)) return false;
    noteKey(keys++, k);
  }
  return sameKeysAsNoted(ym, keys);
}

function sameMultiValue(x: unknown, y: unknown, attributes: boolean): boolean {
  if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    const a: unknown = x[i];
    const b: unknown = y[i];
    if (!isObj(a) || !isObj(b) || a.value !== b.value || (attributes && a.attributes !== b.attributes)) return false;
  }
  return true;
}

function sameBody(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  return isObj(x) && isObj(y) && x.encoding === y.encoding && x.data === y.data;
}

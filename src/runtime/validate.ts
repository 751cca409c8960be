/**
 * Validation of what a function returned, listing EVERY rule broken (CloudFront
 * answers 502 FunctionValidationError on any of them; TestFunction does not
 * check these).
 *
 * Unconfirmed choices:
 * - A returned request without `method` keeps the original method; a
 *   different method is "method-changed".
 * - Missing `headers` / `querystring` / `cookies` on a returned request mean
 *   "none" (so a missing read-only Host is reported as removed).
 * - Returning nothing (or a non-object) is a validation error ("invalid-return").
 * - A returned object with `statusCode` is a generated response; one that has
 *   `request` but no `uri` is the event itself ("returned-event").
 * - statusCode must be an integer from 100 to 599; base64 bodies must be
 *   canonical padded base64 (no whitespace); a body object without
 *   `encoding` is text.
 * - Read-only header rules apply to forwarded requests (viewer-request) and
 *   modified responses (viewer-response), not to generated responses.
 */
import { isDisallowedHeader, READ_ONLY_REQUEST_HEADERS, READ_ONLY_RESPONSE_HEADERS } from '../event/header-policy.js';
import type { ValidationProblem } from './types.js';
import { effectiveQuery, effectiveValues, isObj, noteKey, queryLength, sameEffectiveOutput, sameKeysAsNoted, type Obj } from './effective.js';

export const MAX_URI_AND_QUERY = 8192;
const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const isEnumerableOwn = (o: object, k: string): boolean => Object.prototype.propertyIsEnumerable.call(o, k);
const NO_PROBLEMS: ValidationProblem[] = Object.freeze([]) as unknown as ValidationProblem[];
const EMPTY: Obj = Object.freeze({}) as Obj;

// Problems found by the validation in progress (validations are synchronous
// and never nested). The array, paths and messages are only allocated when a
// rule is broken: validating a valid return allocates nothing.
let found: ValidationProblem[] | null = null;

function add(rule: string, path: string, message: string): void {
  (found ??= []).push({ rule, path, message });
}

function begin(): void {
  found = null;
}

function end(): ValidationProblem[] {
  const out = found ?? NO_PROBLEMS;
  found = null;
  return out;
}

/**
 * Reads the entry's properties exactly as often and in the same order as
 * before paths became lazy (a returned object may have getters).
 */
function checkEntry(e: unknown, base: string, name: string, setCookie: boolean): void {
  if (!isObj(e)) {
    const path = `${base}.${name}`;
    add('value-invalid', path, `${path} must be an object { value: string }`);
    return;
  }
  if (typeof e.value !== 'string') add('value-not-string', `${base}.${name}.value`, `${base}.${name}.value must be a string`);
  if (setCookie && e.attributes !== undefined && typeof e.attributes !== 'string')
    add('value-not-string', `${base}.${name}.attributes`, `${base}.${name}.attributes must be a string`);
  if (e.multiValue !== undefined) checkMultiValue(e.multiValue, `${base}.${name}`);
}

function checkMultiValue(mv: unknown, path: string): void {
  if (!Array.isArray(mv)) add('value-invalid', `${path}.multiValue`, `${path}.multiValue must be an array`);
  else
    for (let i = 0; i < mv.length; i++) {
      const m: unknown = mv[i];
      if (!isObj(m) || typeof m.value !== 'string') add('value-not-string', `${path}.multiValue[${i}]`, `${path}.multiValue[${i}] must be { value: string }`);
    }
}

function checkMap(m: unknown, path: string, setCookie = false): void {
  if (m === undefined) return;
  if (!isObj(m)) {
    add('shape', path, `${path} must be an object`);
    return;
  }
  for (const k in m) checkEntry(m[k], path, k, setCookie);
}

function sameEntry(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isObj(a) || !isObj(b)) return false;
  if (a.multiValue === undefined && b.multiValue === undefined) return a.value === b.value;
  return sameValues(effectiveValues(a, a), effectiveValues(b, a));
}

/**
 * Loops, not every() with a closure: a closure capturing a local makes each call of the
 * function allocate a context, on its fast paths too (sameEntry runs on every validation).
 */
function sameValues(x: readonly string[], y: readonly string[] | undefined): boolean {
  if (y === undefined || x.length !== y.length) return false;
  for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return false;
  return true;
}

const NAME_OK = 0;
const NAME_UPPERCASE = 1;
const NAME_DISALLOWED = 2;
/** Read-only in a request (READ_ONLY_REQUEST_HEADERS) / in a response (READ_ONLY_RESPONSE_HEADERS). */
const NAME_RO_REQUEST = 4;
const NAME_RO_RESPONSE = 8;
const RO_REQUEST = new Set(READ_ONLY_REQUEST_HEADERS);
const RO_RESPONSE = new Set(READ_ONLY_RESPONSE_HEADERS);
const verdicts = new Map<string, number>();
/**
 * Name rules for a returned header name, cached: functions return the same
 * few names (the event's own, security headers, CORS, ...) on every event.
 * NAME_OK: lowercase, allowed, read-only in neither list.
 */
function nameVerdict(name: string): number {
  let v = verdicts.get(name);
  if (v === undefined) {
    const lower = name.toLowerCase();
    v =
      (name !== lower ? NAME_UPPERCASE : 0) |
      (isDisallowedHeader(lower) ? NAME_DISALLOWED : 0) |
      (RO_REQUEST.has(name) ? NAME_RO_REQUEST : 0) |
      (RO_RESPONSE.has(name) ? NAME_RO_RESPONSE : 0);
    if (verdicts.size < 10_000) verdicts.set(name, v);
  }
  return v;
}

/** `readOnly` with the verdict bit of its names (NAME_RO_REQUEST for READ_ONLY_REQUEST_HEADERS, ...). */
interface ReadOnlyRule {
  names: readonly string[];
  bit: number;
}
const RO_REQUEST_RULE: ReadOnlyRule = { names: READ_ONLY_REQUEST_HEADERS, bit: NAME_RO_REQUEST };
const RO_RESPONSE_RULE: ReadOnlyRule = { names: READ_ONLY_RESPONSE_HEADERS, bit: NAME_RO_RESPONSE };

/** How many of `rule`'s read-only names the input headers have. */
function readOnlyCount(i: Obj, rule: ReadOnlyRule): number {
  let count = 0;
  for (let k = 0; k < rule.names.length; k++) if (hasOwn(i, rule.names[k]!)) count++;
  return count;
}

function checkHeaders(out: unknown, input: unknown, path: string, readOnly: ReadOnlyRule | null): void {
  if (out === undefined) {
    /* no headers */
  } else if (!isObj(out)) {
    add('shape', path, `${path} must be an object`);
    return;
  }
  const o = (out ?? EMPTY) as Obj;
  const i = isObj(input) ? input : EMPTY;
  const roBit = readOnly === null ? 0 : readOnly.bit;
  // Read-only names returned unchanged from the input (any other read-only return breaks a rule).
  let roKept = 0;
  let roBroken = false;
  for (const name in o) {
    const e = o[name];
    checkEntry(e, path, name, false);
    const v = nameVerdict(name);
    // The usual case, decided without looking the name up in the input.
    if (v === NAME_OK) continue;
    // The input's own names only: `in` would also find Object.prototype's (`toString`, `valueOf`...), and an
    // uppercase header so named would pass as "present in the input".
    const had = hasOwn(i, name);
    if ((v & roBit) !== 0) {
      if (had && sameEntry(i[name], e)) roKept++;
      else roBroken = true;
    }
    if (had || (v & (NAME_UPPERCASE | NAME_DISALLOWED)) === 0) continue; // present in the input: lowercase, allowed
    if ((v & NAME_UPPERCASE) !== 0) add('header-name-uppercase', `${path}.${name}`, `header name "${name}" must be lowercase`);
    if ((v & NAME_DISALLOWED) !== 0)
      add('header-disallowed', `${path}.${name}`, `header "${name}" is not allowed (CloudFront never lets a function set it)`);
  }
  if (readOnly === null) return;
  const ro = readOnly.names;
  if (!roBroken) {
    // Every read-only name the loop saw is the input's, unchanged: a rule is broken only if one the input had is gone.
    if (readOnlyCount(i, readOnly) === roKept) return;
  }
  // Some read-only rule is broken: each one, in the list's order. A header is an own enumerable name, as
  // for-in lists it above (a result's maps with another prototype were copied to own names when the call
  // ended): njs reads what a function returned that way, and a name defined not enumerable is no header.
  for (let k = 0; k < ro.length; k++) {
    const name = ro[k]!;
    const had = hasOwn(i, name);
    const has = isEnumerableOwn(o, name);
    if (had && !has) add('header-read-only', `${path}.${name}`, `read-only header "${name}" was removed`);
    else if (!had && has) add('header-read-only', `${path}.${name}`, `read-only header "${name}" was added`);
    else if (had && has && !sameEntry(i[name], o[name])) add('header-read-only', `${path}.${name}`, `read-only header "${name}" was changed`);
  }
}

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function checkBody(body: unknown, path: string): void {
  if (body === undefined || body === null || typeof body === 'string') return;
  if (!isObj(body)) {
    add('body-invalid', path, `${path} must be a string or { encoding, data }`);
    return;
  }
  const enc = body.encoding === undefined ? 'text' : body.encoding;
  if (enc !== 'text' && enc !== 'base64') add('body-encoding', `${path}.encoding`, `${path}.encoding must be "text" or "base64" (got ${JSON.stringify(enc)})`);
  if (typeof body.data !== 'string') add('body-invalid', `${path}.data`, `${path}.data must be a string`);
  else if (enc === 'base64' && !B64.test(body.data)) add('body-base64', `${path}.data`, `${path}.data is not valid base64`);
}

/** Upper bound of URI+query bytes without allocating (3 bytes per UTF-16 unit at most). */
function roughLength(uriBound: number, q: unknown): number {
  if (typeof q === 'string') return uriBound + 1 + 3 * q.length;
  let n = uriBound + 1;
  if (isObj(q)) {
    for (const k in q) {
      const e = q[k];
      if (!isObj(e)) continue;
      n += 3 * (k.length + 2 + String(e.value).length);
      if (Array.isArray(e.multiValue)) for (const m of e.multiValue) n += 3 * (k.length + 2 + String(isObj(m) ? m.value : m).length);
    }
  }
  return n;
}

/** Every rule a returned (forwarded) request breaks; empty when valid. */
export function validateRequest(out: Obj, input: Obj): ValidationProblem[] {
  begin();
  if (out.uri === undefined && isObj(out.request))
    add('returned-event', '', 'the function returned the event object; return event.request (or a response)');
  if (out.method !== undefined && out.method !== input.method)
    add('method-changed', 'request.method', `request.method is read-only (changed from ${JSON.stringify(input.method)} to ${JSON.stringify(out.method)})`);
  const uri = out.uri;
  const uriOk = typeof uri === 'string' && uri.startsWith('/');
  if (!uriOk) add('uri-invalid', 'request.uri', `request.uri must be a string starting with "/" (got ${JSON.stringify(uri)})`);
  const q = out.querystring;
  if (typeof q !== 'string') checkMap(q, 'request.querystring');
  // The exact byte count (UTF-8 encoding of the URI and query) only when the cheap upper bound is over the limit.
  if ((typeof q === 'string' || isObj(q) || q === undefined) && roughLength(uriOk ? 3 * uri.length : 0, q) > MAX_URI_AND_QUERY) {
    const uriLen = uriOk ? Buffer.byteLength(uri, 'utf8') : 0;
    const eff = effectiveQuery(q ?? {}, input.querystring);
    const total = uriLen + (Object.keys(eff).length > 0 || (typeof q === 'string' && q !== '') ? 1 + queryLength(q, eff) : 0);
    if (total > MAX_URI_AND_QUERY) add('uri-too-long', 'request.uri', `URI and query string are ${total} bytes (max ${MAX_URI_AND_QUERY})`);
  }
  checkHeaders(out.headers, input.headers, 'request.headers', RO_REQUEST_RULE);
  checkMap(out.cookies, 'request.cookies');
  return end();
}

/**
 * `inputResponse` is set for viewer-response (read-only rules apply), undefined
 * for a generated response.
 */
export function validateResponse(out: Obj, inputResponse: Obj | undefined): ValidationProblem[] {
  begin();
  const sc = out.statusCode;
  if (typeof sc !== 'number' || !Number.isInteger(sc) || sc < 100 || sc > 599)
    add('status-code', 'response.statusCode', `response.statusCode must be an integer from 100 to 599 (got ${JSON.stringify(sc)})`);
  if (out.statusDescription !== undefined && typeof out.statusDescription !== 'string')
    add('value-not-string', 'response.statusDescription', 'response.statusDescription must be a string');
  checkHeaders(out.headers, inputResponse?.headers, 'response.headers', inputResponse ? RO_RESPONSE_RULE : null);
  checkMap(out.cookies, 'response.cookies', true);
  checkBody(out.body, 'response.body');
  return end();
}

/** Viewer-response: the query string is read-only (compared in effective form). */
export function validateQueryUnchanged(after: unknown, input: unknown): ValidationProblem[] {
  if (isObj(after) && isObj(input)) {
    // Fast path, no allocation: the same names (as for-in lists them) with the same single values.
    let same = true;
    let n = 0;
    for (const k in after) {
      const a = after[k];
      const b = input[k];
      if (!isObj(a) || !isObj(b) || a.value !== b.value || a.multiValue !== undefined || b.multiValue !== undefined) {
        same = false;
        break;
      }
      noteKey(n++, k);
    }
    if (same && sameKeysAsNoted(input, n)) return NO_PROBLEMS;
  }
  const a = effectiveQuery(after ?? {}, input);
  const b = effectiveQuery(input ?? {}, input);
  const ka = Object.keys(a);
  let same = ka.length === Object.keys(b).length;
  for (let k = 0; same && k < ka.length; k++) same = sameValues(a[ka[k]!]!, b[ka[k]!]);
  if (same) return [];
  return [{ rule: 'querystring-read-only', path: 'request.querystring', message: 'the query string is read-only in viewer-response functions' }];
}

/**
 * A replay calls OLD and NEW on the very same event, and nearly always both return the same
 * thing: the second output need not be validated again when it certainly gets the verdict the
 * first one got. True when `out` passes validation because `valid` (returned for the same
 * `event` and event type, outcome `kind`, no problems) did:
 * - sameEffectiveOutput: every field and map entry validation reads, with the shapes it wants
 *   (maps and entries objects, not arrays), the same for-in names (so the same name rules apply);
 * - what validation reads beyond the effective form: a request's method, whether a returned
 *   object is a response (`statusCode` found by `in`), and in viewer-response the query string of
 *   the function's own copy of the request after the call.
 * False means "validate it", not "invalid".
 */
export function passesLike(valid: Obj, out: Obj, event: Obj, kind: 'forward' | 'response' | 'modified-response', requestAfter: unknown): boolean {
  const inReq = isObj(event.request) ? event.request : EMPTY;
  if (kind === 'forward') {
    return !('statusCode' in out) && out.method === valid.method && sameEffectiveOutput(valid, out, false);
  }
  if (!sameEffectiveOutput(valid, out, true)) return false;
  if (kind === 'response') return true;
  return !isObj(requestAfter) || validateQueryUnchanged(requestAfter.querystring, inReq.querystring).length === 0;
}

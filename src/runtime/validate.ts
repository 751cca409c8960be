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
import { effectiveQuery, effectiveValues, isObj, queryLength, type Obj } from './effective.js';

export const MAX_URI_AND_QUERY = 8192;
const NO_PROBLEMS: ValidationProblem[] = [];

type Add = (rule: string, path: string, message: string) => void;

function checkEntry(e: unknown, path: string, add: Add, setCookie: boolean): void {
  if (!isObj(e)) {
    add('value-invalid', path, `${path} must be an object { value: string }`);
    return;
  }
  if (typeof e.value !== 'string') add('value-not-string', `${path}.value`, `${path}.value must be a string`);
  if (setCookie && e.attributes !== undefined && typeof e.attributes !== 'string')
    add('value-not-string', `${path}.attributes`, `${path}.attributes must be a string`);
  if (e.multiValue !== undefined) {
    if (!Array.isArray(e.multiValue)) add('value-invalid', `${path}.multiValue`, `${path}.multiValue must be an array`);
    else
      e.multiValue.forEach((m, i) => {
        if (!isObj(m) || typeof m.value !== 'string')
          add('value-not-string', `${path}.multiValue[${i}]`, `${path}.multiValue[${i}] must be { value: string }`);
      });
  }
}

function checkMap(m: unknown, path: string, add: Add, setCookie = false): m is Obj | undefined {
  if (m === undefined) return true;
  if (!isObj(m)) {
    add('shape', path, `${path} must be an object`);
    return false;
  }
  for (const k in m) checkEntry(m[k], `${path}.${k}`, add, setCookie);
  return true;
}

function sameEntry(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isObj(a) || !isObj(b)) return false;
  if (a.multiValue === undefined && b.multiValue === undefined) return a.value === b.value;
  const x = effectiveValues(a, a);
  const y = effectiveValues(b, a);
  return x.length === y.length && x.every((v, k) => v === y[k]);
}

function checkHeaders(out: unknown, input: unknown, path: string, readOnly: readonly string[] | null, add: Add): void {
  if (out === undefined) {
    /* no headers */
  } else if (!isObj(out)) {
    add('shape', path, `${path} must be an object`);
    return;
  }
  const o = (out ?? {}) as Obj;
  const i = isObj(input) ? input : {};
  for (const name in o) {
    checkEntry(o[name], `${path}.${name}`, add, false);
    if (name in i) continue; // present in the input: lowercase, allowed
    const lower = name.toLowerCase();
    if (name !== lower) add('header-name-uppercase', `${path}.${name}`, `header name "${name}" must be lowercase`);
    if (isDisallowedHeader(lower))
      add('header-disallowed', `${path}.${name}`, `header "${name}" is not allowed (CloudFront never lets a function set it)`);
  }
  if (!readOnly) return;
  for (const ro of readOnly) {
    const had = ro in i;
    const has = ro in o;
    if (had && !has) add('header-read-only', `${path}.${ro}`, `read-only header "${ro}" was removed`);
    else if (!had && has) add('header-read-only', `${path}.${ro}`, `read-only header "${ro}" was added`);
    else if (had && has && !sameEntry(i[ro], o[ro]))
      add('header-read-only', `${path}.${ro}`, `read-only header "${ro}" was changed`);
  }
}

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function checkBody(body: unknown, add: Add, path: string): void {
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
function roughLength(uriLen: number, q: unknown): number {
  if (typeof q === 'string') return uriLen + 1 + 3 * q.length;
  let n = uriLen + 1;
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

export function validateRequest(out: Obj, input: Obj): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const add: Add = (rule, path, message) => problems.push({ rule, path, message });
  if (out.uri === undefined && isObj(out.request))
    add('returned-event', '', 'the function returned the event object; return event.request (or a response)');
  if (out.method !== undefined && out.method !== input.method)
    add('method-changed', 'request.method', `request.method is read-only (changed from ${JSON.stringify(input.method)} to ${JSON.stringify(out.method)})`);
  let uriLen = 0;
  if (typeof out.uri !== 'string' || !out.uri.startsWith('/'))
    add('uri-invalid', 'request.uri', `request.uri must be a string starting with "/" (got ${JSON.stringify(out.uri)})`);
  else uriLen = Buffer.byteLength(out.uri, 'utf8');
  const q = out.querystring;
  if (typeof q !== 'string' && checkMap(q, 'request.querystring', add)) {
    /* checked */
  }
  if ((typeof q === 'string' || isObj(q) || q === undefined) && roughLength(uriLen, q) > MAX_URI_AND_QUERY) {
    const eff = effectiveQuery(q ?? {}, input.querystring);
    const total = uriLen + (Object.keys(eff).length > 0 || (typeof q === 'string' && q !== '') ? 1 + queryLength(q, eff) : 0);
    if (total > MAX_URI_AND_QUERY)
      add('uri-too-long', 'request.uri', `URI and query string are ${total} bytes (max ${MAX_URI_AND_QUERY})`);
  }
  checkHeaders(out.headers, input.headers, 'request.headers', READ_ONLY_REQUEST_HEADERS, add);
  checkMap(out.cookies, 'request.cookies', add);
  return problems;
}

/** `inputResponse` is set for viewer-response (read-only rules apply), undefined for a generated response. */
export function validateResponse(out: Obj, inputResponse: Obj | undefined): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const add: Add = (rule, path, message) => problems.push({ rule, path, message });
  const sc = out.statusCode;
  if (typeof sc !== 'number' || !Number.isInteger(sc) || sc < 100 || sc > 599)
    add('status-code', 'response.statusCode', `response.statusCode must be an integer from 100 to 599 (got ${JSON.stringify(sc)})`);
  if (out.statusDescription !== undefined && typeof out.statusDescription !== 'string')
    add('value-not-string', 'response.statusDescription', 'response.statusDescription must be a string');
  checkHeaders(out.headers, inputResponse?.headers, 'response.headers', inputResponse ? READ_ONLY_RESPONSE_HEADERS : null, add);
  checkMap(out.cookies, 'response.cookies', add, true);
  checkBody(out.body, add, 'response.body');
  return problems;
}

/** Viewer-response: the query string is read-only (compared in effective form). */
export function validateQueryUnchanged(after: unknown, input: unknown): ValidationProblem[] {
  if (isObj(after) && isObj(input)) {
    // Fast path, no allocation: same names with the same single values.
    let same = true;
    let n = 0;
    for (const k in after) {
      n++;
      const a = after[k];
      const b = input[k];
      if (!isObj(a) || !isObj(b) || a.value !== b.value || a.multiValue !== undefined || b.multiValue !== undefined) {
        same = false;
        break;
      }
    }
    if (same) {
      for (const _k in input) n--;
      if (n === 0) return NO_PROBLEMS;
    }
  }
  const a = effectiveQuery(after ?? {}, input);
  const b = effectiveQuery(input ?? {}, input);
  const ka = Object.keys(a);
  const same =
    ka.length === Object.keys(b).length &&
    ka.every((k) => {
      const x = a[k]!;
      const y = b[k];
      return y !== undefined && x.length === y.length && x.every((v, i) => v === y[i]);
    });
  if (same) return [];
  return [{ rule: 'querystring-read-only', path: 'request.querystring', message: 'the query string is read-only in viewer-response functions' }];
}

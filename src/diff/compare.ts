/**
 * diffRuns: field-by-field comparison of two effective outputs.
 *
 * Hot path: runs on every replayed event. When the outputs are equal it
 * allocates nothing (it returns the shared frozen EMPTY array) and only walks
 * the maps with for-in; every string (paths, values) is built only once a
 * difference is found, and an ignored path is dropped before its values are
 * formatted.
 */
import type { DiffKind } from './types.js';
import type { EffectiveBody, EffectiveRequest, EffectiveResponse, OriginChange } from '../runtime/types.js';
import { sameOutput } from '../runtime/run-result.js';
import { outcomeDetail, outcomeLabel, errorText, sameError, sameProblems, validationText } from './outcome.js';
import {
  FAMILIES,
  P_BODY,
  P_ERROR,
  P_METHOD,
  P_ORIGIN,
  P_OUTCOME,
  P_CUSTOM_DATA,
  P_STATUS,
  P_STATUS_DESCRIPTION,
  P_URI,
  P_VALIDATION,
  fieldPath,
  formatBody,
  formatSetCookie,
  formatSetCookies,
  formatValues,
  type FamilyPrefix,
  type SetCookie,
} from './paths.js';
import type { DiffEntry, IgnoreMatcher, RunView } from './types.js';

/** Returned when nothing differs: shared and frozen, never push to it. */
export const EMPTY: readonly DiffEntry[] = Object.freeze([]);

type Out = DiffEntry[] | undefined;
type Ignore = IgnoreMatcher | undefined;

function push(out: Out, path: string, kind: DiffKind, oldV: string | undefined, newV: string | undefined): DiffEntry[] {
  const e: DiffEntry = { path, kind };
  if (oldV !== undefined) e.old = oldV;
  if (newV !== undefined) e.new = newV;
  if (out === undefined) return [e];
  out.push(e);
  return out;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameCookies(a: readonly SetCookie[], b: readonly SetCookie[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.value !== b[i]!.value || a[i]!.attributes !== b[i]!.attributes) return false;
  return true;
}

/** Same values in another order (only called once the arrays differ). */
function isReordering(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length || a.length < 2) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return sameStrings(x, y);
}

/** How one family of maps compares and prints the values stored under a name. */
interface ValuesKind<T> {
  same(a: readonly T[], b: readonly T[]): boolean;
  /** Same values in another order (asked only once they differ). */
  reordered(a: readonly T[], b: readonly T[]): boolean;
  format(values: readonly T[]): string;
}

const STRING_VALUES: ValuesKind<string> = { same: sameStrings, reordered: isReordering, format: formatValues };
const SET_COOKIE_VALUES: ValuesKind<SetCookie> = {
  same: sameCookies,
  reordered: (a, b) => isReordering(a.map(formatSetCookie), b.map(formatSetCookie)),
  format: formatSetCookies,
};

/** A map of name -> values (query, headers, request cookies; response cookies with attributes). */
function diffMap<T>(out: Out, prefix: FamilyPrefix, a: Record<string, T[]>, b: Record<string, T[]>, kind: ValuesKind<T>, ignore: Ignore): Out {
  let matched = 0;
  for (const name in a) {
    const bv = b[name];
    // Array.isArray also rejects inherited members (`constructor`, `toString`) of a plain object.
    if (!Array.isArray(bv)) {
      const path = fieldPath(prefix, name);
      if (ignore === undefined || !ignore(path)) out = push(out, path, 'removed', kind.format(a[name]!), undefined);
      continue;
    }
    matched++;
    const av = a[name]!;
    if (kind.same(av, bv)) continue;
    const path = fieldPath(prefix, name);
    if (ignore !== undefined && ignore(path)) continue;
    out = push(out, path, kind.reordered(av, bv) ? 'ordering' : 'changed', kind.format(av), kind.format(bv));
  }
  let nb = 0;
  for (const _ in b) nb++;
  if (nb !== matched) {
    for (const name in b) {
      if (Array.isArray(a[name])) continue;
      const path = fieldPath(prefix, name);
      if (ignore === undefined || !ignore(path)) out = push(out, path, 'added', undefined, kind.format(b[name]!));
    }
  }
  return out;
}

function value(out: Out, path: string, a: string | undefined, b: string | undefined, ignore: Ignore): Out {
  if (a === b || (ignore !== undefined && ignore(path))) return out;
  return push(out, path, a === undefined ? 'added' : b === undefined ? 'removed' : 'changed', a, b);
}

/** Deep equality of JSON-like values (origin calls are deep copies of plain data), without allocating. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    if (!sameJson(x[k], y[k])) return false;
    n++;
  }
  for (const k in y) if (y[k] !== undefined) n--;
  return n === 0;
}

function originJson(o: readonly OriginChange[] | undefined): string | undefined {
  return o === undefined || o.length === 0 ? undefined : JSON.stringify(o);
}

function diffRequest(out: Out, a: EffectiveRequest, b: EffectiveRequest, ao: OriginChange[] | undefined, bo: OriginChange[] | undefined, ignore: Ignore): Out {
  if (a.method !== b.method) out = value(out, P_METHOD, a.method, b.method, ignore);
  if (a.uri !== b.uri) out = value(out, P_URI, a.uri, b.uri, ignore);
  out = diffMap(out, FAMILIES.query, a.querystring, b.querystring, STRING_VALUES, ignore);
  out = diffMap(out, FAMILIES.reqHeaders, a.headers, b.headers, STRING_VALUES, ignore);
  out = diffMap(out, FAMILIES.reqCookies, a.cookies, b.cookies, STRING_VALUES, ignore);
  if (ao !== bo && !sameJson(ao?.length === 0 ? undefined : ao, bo?.length === 0 ? undefined : bo)) {
    out = value(out, P_ORIGIN, originJson(ao), originJson(bo), ignore);
  }
  return out;
}

function sameBody(a: EffectiveBody, b: EffectiveBody): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === 'origin' || b === 'origin') return false;
  return a.encoding === b.encoding && a.data === b.data;
}

function diffResponse(out: Out, a: EffectiveResponse, b: EffectiveResponse, ignore: Ignore): Out {
  if (a.statusCode !== b.statusCode) out = value(out, P_STATUS, String(a.statusCode), String(b.statusCode), ignore);
  if (a.statusDescription !== b.statusDescription) out = value(out, P_STATUS_DESCRIPTION, a.statusDescription, b.statusDescription, ignore);
  out = diffMap(out, FAMILIES.resHeaders, a.headers, b.headers, STRING_VALUES, ignore);
  out = diffMap(out, FAMILIES.resCookies, a.cookies, b.cookies, SET_COOKIE_VALUES, ignore);
  if (!sameBody(a.body, b.body)) out = value(out, P_BODY, formatBody(a.body), formatBody(b.body), ignore);
  return out;
}

/**
 * Every difference between OLD and NEW, in a stable order (request fields,
 * then origin; or response fields). When the outcome labels differ only the
 * `outcome` entry is returned (old/new = outcomeDetail), and it is never
 * ignored: an outcome change means the rest was not even comparable, and
 * hiding it would hide everything the event did (gate on it with
 * --max-diff-rate instead). Entries whose path `ignore` matches are dropped.
 *
 * Returns the shared frozen EMPTY array when nothing differs: copy before
 * pushing to the result.
 */
export function diffRuns(oldRun: RunView, newRun: RunView, ignore?: IgnoreMatcher): DiffEntry[] {
  const ao = oldRun.outcome;
  const bo = newRun.outcome;
  if (outcomeLabel(ao) !== outcomeLabel(bo)) return [{ path: P_OUTCOME, kind: 'outcome', old: outcomeDetail(oldRun), new: outcomeDetail(newRun) }];
  let out: Out;
  if (ao.kind === 'execution-error' && bo.kind === 'execution-error') {
    if (!sameError(ao.error, bo.error)) out = value(out, P_ERROR, errorText(ao.error), errorText(bo.error), ignore);
  } else if (ao.kind === 'validation-error' && bo.kind === 'validation-error') {
    if (!sameProblems(ao.problems, bo.problems)) out = value(out, P_VALIDATION, validationText(ao.problems), validationText(bo.problems), ignore);
  } else if (ao.kind === 'connection-allow' || ao.kind === 'connection-deny') {
    // A connection function's decision is its outcome (compared above); what else it tells is its custom log data.
    out = value(out, P_CUSTOM_DATA, oldRun.sideEffects?.customData, newRun.sideEffects?.customData, ignore);
  } else {
    // Same returned value for the same event: equal effective forms, without building them.
    if (sameOutput(oldRun, newRun)) return EMPTY as DiffEntry[];
    const ea = oldRun.effective;
    const eb = newRun.effective;
    if ('request' in ea && 'request' in eb) out = diffRequest(out, ea.request, eb.request, ea.origin, eb.origin, ignore);
    else if ('response' in ea && 'response' in eb) out = diffResponse(out, ea.response, eb.response, ignore);
  }
  return out ?? (EMPTY as DiffEntry[]);
}

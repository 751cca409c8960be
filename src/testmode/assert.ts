/**
 * What a test case asserts, checked against one run.
 *
 * Whole output (cftest): the FunctionOutput object (`{"request": ...}` or
 * `{"response": ...}`, what TestFunction returns; null when there is none)
 * must deep-equal `output` (key order does not matter), and the
 * FunctionErrorMessage must equal `error` ("" when absent).
 *
 * Partial (`expect`): each path (the --ignore path syntax: `outcome`,
 * `error`, `request.uri`, `request.headers.<name>`, `response.statusCode`,
 * `response.headers.<name>`, `response.cookies.<name>`, `response.body`, ...)
 * must hold the value given, compared in the diff's string form: a number
 * is its decimal string, an array of strings is several values, null means
 * absent, and a body given without `text:` / `base64:` is text.
 */
import type { RunResult } from '../runtime/types.js';
import { functionErrorMessageOf, functionOutputOf } from '../runtime/function-output.js';
import { valueAt } from '../diff/index.js';
import { formatValues, isHeaderFamily, P_BODY, P_ERROR, P_METHOD, P_ORIGIN, P_OUTCOME, P_STATUS, P_STATUS_DESCRIPTION, P_URI, P_VALIDATION, splitFieldPath } from '../diff/paths.js';
import { CaseFileError, type TestCase } from './cases.js';

/** One asserted field that does not hold: values as JSON text, or `(absent)`. */
export interface Mismatch {
  path: string;
  expected: string;
  actual: string;
}

export const ABSENT = '(absent)';

function show(v: unknown): string {
  return v === undefined ? ABSENT : JSON.stringify(v);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every path where two JSON values differ (`response.headers.location.value`, `x[2]`). */
export function jsonDiff(actual: unknown, expected: unknown, path = '', out: Mismatch[] = []): Mismatch[] {
  if (isObj(actual) && isObj(expected)) {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const k of keys) jsonDiff(actual[k], expected[k], path === '' ? k : `${path}.${k}`, out);
    return out;
  }
  if (Array.isArray(actual) && Array.isArray(expected) && actual.length === expected.length) {
    for (let i = 0; i < actual.length; i++) jsonDiff(actual[i], expected[i], `${path}[${i}]`, out);
    return out;
  }
  if (JSON.stringify(actual) !== JSON.stringify(expected)) out.push({ path: path === '' ? 'output' : path, expected: show(expected), actual: show(actual) });
  return out;
}

/** Normalise JSON the way the function output travels (drops undefined, keeps key order irrelevant for jsonDiff). */
function plain(v: unknown): unknown {
  return v === undefined ? null : (JSON.parse(JSON.stringify(v)) as unknown);
}

export function compareWhole(r: RunResult, whole: NonNullable<TestCase['whole']>): Mismatch[] {
  const out: Mismatch[] = [];
  const error = functionErrorMessageOf(r);
  if (error !== whole.error) out.push({ path: 'error', expected: JSON.stringify(whole.error), actual: JSON.stringify(error) });
  let output = plain(functionOutputOf(r));
  if (isObj(output) && Object.keys(output).length === 0) output = null; // cftest: {} is no output
  jsonDiff(output, plain(whole.output), '', out);
  return out;
}

const FIXED_PATHS = new Set([P_OUTCOME, P_ERROR, P_VALIDATION, P_ORIGIN, P_METHOD, P_URI, P_STATUS, P_STATUS_DESCRIPTION, P_BODY]);

/** The path as valueAt looks it up, or a CaseFileError naming the case. */
function lookupPath(path: string, c: TestCase): string {
  if (FIXED_PATHS.has(path)) return path;
  const f = splitFieldPath(path);
  if (f !== undefined && f.name !== '') return f.prefix + (isHeaderFamily(f.prefix) ? f.name.toLowerCase() : f.name);
  throw new CaseFileError(
    `${c.label}: expect: unknown path "${path}" (expected outcome, error, request.uri, request.method, request.headers.<name>, request.querystring.<name>, request.cookies.<name>, response.statusCode, response.headers.<name>, response.cookies.<name>, response.body, origin)`,
  );
}

/** The expected value in the diff's string form (undefined = absent), or a CaseFileError. */
function expectedValue(path: string, v: unknown, c: TestCase): string | undefined {
  if (v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string') return path === P_BODY && !/^(text:|base64:|none$|origin$)/.test(v) ? `text:${v}` : v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return formatValues(v as string[]);
  throw new CaseFileError(`${c.label}: expect.${path}: expected a string, a number, an array of strings or null (absent), got ${JSON.stringify(v)}`);
}

/** Throws CaseFileError when the case's `expect` has an unknown path or a value of the wrong kind (checked before anything runs). */
export function checkExpect(c: TestCase): void {
  for (const [path, v] of Object.entries(c.expect ?? {})) expectedValue(lookupPath(path, c), v, c);
}

export function compareExpect(r: RunResult, c: TestCase): Mismatch[] {
  const out: Mismatch[] = [];
  for (const [path, v] of Object.entries(c.expect ?? {})) {
    const key = lookupPath(path, c);
    const expected = expectedValue(key, v, c);
    const actual = valueAt(r, key);
    if (expected !== actual) out.push({ path, expected: show(expected), actual: show(actual) });
  }
  return out;
}

/** The current value at each of the case's expect paths, in the form a case file holds (for --update). */
export function currentExpect(r: RunResult, c: TestCase): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, old] of Object.entries(c.expect ?? {})) {
    const key = lookupPath(path, c);
    const actual = valueAt(r, key);
    if (actual === undefined) out[path] = null;
    else if (typeof old === 'number' && /^-?\d+(\.\d+)?$/.test(actual)) out[path] = Number(actual);
    else if (Array.isArray(old) && actual.startsWith('[')) out[path] = JSON.parse(actual) as unknown;
    else if (key === P_BODY && actual.startsWith('text:') && typeof old === 'string' && !old.startsWith('text:')) out[path] = actual.slice(5);
    else out[path] = actual;
  }
  return out;
}

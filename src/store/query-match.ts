/**
 * Is a record's querystring map exactly what parseRawQuery gives for its raw
 * query? Then the columns store only the raw query. Hot (every record with
 * a query), so the raw query is walked against the map in place: the old
 * check parsed it a second time and compared key lists, ~1 KB of garbage
 * per record with two or more parameters.
 */
import { parseRawQuery } from '../event/build.js';
import type { MultiValueEntry } from '../event/types.js';

type QueryMap = Record<string, MultiValueEntry>;

/** Queries with more parameters than this take the parse-and-compare path (the walk is quadratic). */
const MAX_WALKED = 32;

/** Parameter i is raw[start, end), its name raw[start, eq) (eq === end: no "="). Reused: no allocation per call. */
const starts = new Int32Array(MAX_WALKED);
const eqs = new Int32Array(MAX_WALKED);
const ends = new Int32Array(MAX_WALKED);

export function queryMatchesRaw(raw: string | undefined, map: QueryMap): boolean {
  let names = 0;
  for (const _ in map) names++;
  if (raw === undefined || raw === '') return names === 0;
  const count = cutParams(raw);
  if (count < 0) return sameQuery(parseRawQuery(raw), map);
  let distinct = 0;
  for (let i = 0; i < count; i++) if (firstOf(raw, i) === i) distinct++;
  if (distinct !== names) return false;
  // The map's names, in order, are the first occurrences in the raw query, in order.
  let at = 0;
  for (const name in map) {
    while (at < count && firstOf(raw, at) !== at) at++;
    if (at === count || !nameIs(raw, at, name) || !valuesMatch(raw, at, count, map[name]!)) return false;
    at++;
  }
  return true;
}

/** Cut the raw query into parameters (empty ones skipped, as parseRawQuery does); -1 when the walk does not apply. */
function cutParams(raw: string): number {
  const len = raw.length;
  let count = 0;
  let start = 0;
  while (start <= len) {
    let end = raw.indexOf('&', start);
    if (end < 0) end = len;
    if (end > start) {
      if (count === MAX_WALKED) return -1;
      let eq = raw.indexOf('=', start);
      if (eq < 0 || eq > end) eq = end;
      // Names that are array indexes ("1", "20") come first in an object's key order, whatever the query order.
      if (allDigits(raw, start, eq)) return -1;
      starts[count] = start;
      eqs[count] = eq;
      ends[count] = end;
      count++;
    }
    start = end + 1;
  }
  return count;
}

function allDigits(raw: string, from: number, to: number): boolean {
  if (to === from) return false;
  for (let i = from; i < to; i++) {
    const c = raw.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Same name for parameters i and j? */
function sameName(raw: string, i: number, j: number): boolean {
  const len = eqs[i]! - starts[i]!;
  if (eqs[j]! - starts[j]! !== len) return false;
  const a = starts[i]!;
  const b = starts[j]!;
  for (let k = 0; k < len; k++) if (raw.charCodeAt(a + k) !== raw.charCodeAt(b + k)) return false;
  return true;
}

/** Index of the first parameter with parameter i's name. */
function firstOf(raw: string, i: number): number {
  for (let j = 0; j < i; j++) if (sameName(raw, j, i)) return j;
  return i;
}

function nameIs(raw: string, i: number, name: string): boolean {
  return eqs[i]! - starts[i]! === name.length && raw.startsWith(name, starts[i]!);
}

function valueIs(raw: string, i: number, value: string): boolean {
  const eq = eqs[i]!;
  const end = ends[i]!;
  if (eq === end) return value === '';
  return end - eq - 1 === value.length && raw.startsWith(value, eq + 1);
}

/** The entry holds the values of every parameter named like parameter `first`, in order, folded as parseRawQuery folds them. */
function valuesMatch(raw: string, first: number, count: number, entry: MultiValueEntry): boolean {
  if (!valueIs(raw, first, entry.value)) return false;
  const multi = entry.multiValue;
  let seen = 1;
  for (let j = first + 1; j < count; j++) {
    if (!sameName(raw, first, j)) continue;
    if (multi === undefined || seen >= multi.length || !valueIs(raw, j, multi[seen]!.value)) return false;
    seen++;
  }
  if (multi === undefined) return true;
  return seen > 1 && seen === multi.length && multi[0]!.value === entry.value;
}

/** The general comparison: the same names in the same order, the same values and repeats. */
function sameQuery(a: QueryMap, b: QueryMap): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    const name = ka[i]!;
    if (name !== kb[i]) return false;
    const x = a[name]!;
    const y = b[name]!;
    if (x.value !== y.value) return false;
    const mx = x.multiValue;
    const my = y.multiValue;
    if ((mx === undefined) !== (my === undefined)) return false;
    if (mx !== undefined && my !== undefined) {
      if (mx.length !== my.length) return false;
      for (let j = 0; j < mx.length; j++) if (mx[j]!.value !== my[j]!.value) return false;
    }
  }
  return true;
}

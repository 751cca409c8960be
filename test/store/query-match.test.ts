// queryMatchesRaw walks the raw query against the map; it must answer
// exactly what parsing the raw query and comparing the maps answers.
import { describe, expect, it } from 'vitest';
import { parseRawQuery } from '../../src/event/build.js';
import type { MultiValueEntry } from '../../src/event/types.js';
import { queryMatchesRaw } from '../../src/store/query-match.js';

type QueryMap = Record<string, MultiValueEntry>;

function reference(raw: string | undefined, map: QueryMap): boolean {
  return JSON.stringify(parseRawQuery(raw)) === JSON.stringify(map);
}

/** Maps near the parse of `raw`: the parse itself, and small edits of it. */
function variants(raw: string): QueryMap[] {
  const parsed = (): QueryMap => parseRawQuery(raw);
  const out: QueryMap[] = [parsed(), {}];
  const keys = Object.keys(parsed());
  if (keys.length > 0) {
    const changed = parsed();
    changed[keys[0]!]!.value += 'x';
    const dropped = parsed();
    delete dropped[keys[keys.length - 1]!];
    const extra = parsed();
    extra['zz'] = { value: '' };
    const reordered: QueryMap = {};
    const p = parsed();
    for (const k of [...keys].reverse()) reordered[k] = p[k]!;
    const multi = parsed();
    const first = multi[keys[0]!]!;
    if (first.multiValue === undefined) first.multiValue = [{ value: first.value }, { value: 'more' }];
    else first.multiValue.pop();
    const lastValue = parsed();
    const mv = lastValue[keys[0]!]!.multiValue;
    if (mv !== undefined) mv[mv.length - 1]!.value += '!';
    out.push(changed, dropped, extra, reordered, multi, lastValue);
  }
  return out;
}

describe('queryMatchesRaw', () => {
  it('agrees with parse-and-compare on every query built from tricky pieces, and on maps near its parse', () => {
    const pieces = ['a', 'b', '=', '&', '1', 'a=', '=x', 'é', '&&', 'a=1', 'b=2', 'a=3'];
    let queries = [''];
    for (let depth = 0; depth < 4; depth++) queries = queries.flatMap((q) => pieces.map((p) => q + p));
    queries.push('x=' + Array.from({ length: 40 }, (_, i) => `p${i}=${i}`).join('&')); // beyond the walked length
    let checked = 0;
    for (const raw of [undefined, ...queries]) {
      for (const map of variants(raw ?? '')) {
        expect(queryMatchesRaw(raw, map), `${raw} vs ${JSON.stringify(map)}`).toBe(reference(raw, map));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100_000);
  });
});

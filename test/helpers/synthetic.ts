import type { RecordedExchange } from '../../src/event/types.js';
// The generator is plain JS shared with the benchmarks (it builds records through dist/).
// @ts-expect-error -- untyped .mjs module
import { syntheticRecords as generate } from '../../bench/synthetic.mjs';

export function syntheticRecords(count: number, seed = 42): RecordedExchange[] {
  return [...(generate(count, seed) as Iterable<RecordedExchange>)];
}

/**
 * `count` synthetic records in which only the first `searches` with uri /search keep it (the
 * others become /searched): a fixture that hangs on /search then hangs exactly that often,
 * so a test can give the other calls a large time budget without waiting long for the hangs.
 */
export function syntheticRecordsWithSearches(count: number, searches: number, seed = 42): RecordedExchange[] {
  let kept = 0;
  return syntheticRecords(count, seed).map((r) => (r.request.uri === '/search' && kept++ >= searches ? { ...r, request: { ...r.request, uri: '/searched' } } : r));
}

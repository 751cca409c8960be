import type { RecordedExchange } from '../../src/event/types.js';
// The generator is plain JS shared with the benchmarks (it builds records through dist/).
// @ts-expect-error -- untyped .mjs module
import { syntheticRecords as generate } from '../../bench/synthetic.mjs';

export function syntheticRecords(count: number, seed = 42): RecordedExchange[] {
  return [...(generate(count, seed) as Iterable<RecordedExchange>)];
}

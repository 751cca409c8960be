/**
 * Which chunks a local replay hands out in parts so its workers finish together.
 *
 * Workers take the next chunk when they free up, so they all stay busy until the
 * chunks run out; then each finishes what it holds, and one that just took a
 * whole chunk keeps the run going while the others idle (the shipped sample:
 * 5 chunks of 2,000 events on 2 workers were 6,000 events on one, 4,000 on the
 * other). The last chunks (one per worker) are therefore handed out in parts,
 * one per worker: the tail is a fraction of a chunk. A part costs its worker the
 * decoding of the whole chunk (records before it are read and dropped), which
 * is why only the tail is split, and no part is smaller than MIN_PART_RECORDS.
 *
 * The report is the same whichever way chunks are split, but for what is counted
 * per chunk and now per part: the first NOISE_CHECKS occurrences of a change are
 * checked against a rerun of OLD in each part (chunk-processor.ts).
 */
import type { ChunkPart } from '../results/chunk-result.js';

/** Fewer records in a part would cost more (the chunk's decoding, once more) than the idle time they save. */
export const MIN_PART_RECORDS = 500;

/**
 * For each chunk (by its position in `records`, the chunks' record counts in replay
 * order), the parts to hand out, or undefined: the chunk goes whole.
 */
export function splitPlan(records: readonly number[], workers: number): (ChunkPart[] | undefined)[] {
  const plan: (ChunkPart[] | undefined)[] = records.map(() => undefined);
  if (workers < 2) return plan;
  for (let i = Math.max(0, records.length - workers); i < records.length; i++) {
    const n = records[i]!;
    const of = Math.min(workers, Math.floor(n / MIN_PART_RECORDS));
    if (of < 2) continue;
    const parts: ChunkPart[] = [];
    for (let p = 0; p < of; p++) parts.push({ index: p, of, from: Math.floor((n * p) / of), to: Math.floor((n * (p + 1)) / of) });
    plan[i] = parts;
  }
  return plan;
}

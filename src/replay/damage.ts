/**
 * What a replay could not read: corpus damage found when opening (an
 * unfinished recording, a chunk cut short, unreadable bytes, a damaged index
 * or trailer, appended bytes) and chunks that turned out corrupt or missing
 * while replaying. Local and distributed runs fill the same ledger; the
 * report's `run.damage` and the `completed` gate check come from it.
 */
import type { CorpusProblem } from '../store/corpus.js';
import type { CorpusDamage, RunDamage } from '../results/types.js';
import type { RunAccumulator } from '../results/run-accumulator.js';

export class DamageLedger {
  private readonly regions: CorpusDamage[] = [];

  constructor(private readonly where: string) {}

  /** Problems the corpus reported when it was opened. */
  addCorpusProblems(problems: readonly CorpusProblem[]): void {
    for (const p of problems) {
      this.regions.push({ kind: p.kind, offset: p.offset, message: `${this.where}: byte ${p.offset}: ${p.message}`, ...(p.lostEvents !== undefined ? { lostEvents: p.lostEvents } : {}) });
    }
  }

  /**
   * A chunk that could not be replayed (corrupt or missing): its events count
   * as skipped under `reason` and as lost here. Ignored when the chunk was
   * already merged or skipped (a late duplicate).
   */
  chunkLost(acc: RunAccumulator, chunk: { index: number; offset?: number; events?: number }, reason: 'corrupt chunk' | 'missing chunk', detail: string): boolean {
    if (acc.seen.has(chunk.index)) return false;
    acc.skipChunk(chunk.index, chunk.events ?? 0, reason);
    const at = chunk.offset !== undefined ? ` at byte ${chunk.offset}` : '';
    const n = chunk.events !== undefined ? `its ${chunk.events} events were not replayed` : 'its events were not replayed';
    this.regions.push({
      kind: reason === 'corrupt chunk' ? 'corrupt-chunk' : 'missing-chunk',
      chunk: chunk.index,
      ...(chunk.offset !== undefined ? { offset: chunk.offset } : {}),
      message: `${this.where}: chunk ${chunk.index}${at} is ${reason === 'corrupt chunk' ? 'corrupt' : 'missing'} (${detail}); ${n}`,
      ...(chunk.events !== undefined ? { lostEvents: chunk.events } : {}),
    });
    return true;
  }

  /** The report's `run.damage`, or undefined when the corpus was read whole. */
  summary(): RunDamage | undefined {
    if (this.regions.length === 0) return undefined;
    return {
      lostEvents: this.regions.reduce((n, r) => n + (r.lostEvents ?? 0), 0),
      lostEventsKnown: this.regions.every((r) => r.lostEvents !== undefined),
      regions: [...this.regions],
    };
  }
}

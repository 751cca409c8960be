/**
 * The cost of a call on the njs engine: the instructions (njs VM opcodes) it
 * executed, top-level code included (RunResult.steps). Unlike wall time it is
 * exact and the same on every machine and every run, so OLD and NEW compare
 * without statistics. Recorded per version in HDR histograms (the same
 * mergeable form as latency: values up to 2,047 exact, above that within
 * 0.1%), plus the calls that came near the instruction budget.
 *
 * It is not AWS's compute utilization (a percentage of a time budget AWS
 * meters its own way and does not publish).
 */
import type { CostExample, DiffExample } from './types.js';
import { DEFAULT_STEP_LIMIT } from '../runtime/limits.js';
import { EXAMPLES_PER_GROUP, type CheckedVersion, type CostPartial, type ExactCost, type NearBudgetPartial } from './chunk-result.js';
import { addChunkHistogram, histogramCounts, newHistogram, type LatencyHistogram } from './latency.js';

/** A call that used this share of the instruction budget or more is flagged. */
export const NEAR_BUDGET_SHARE = 0.8;

function emptyExact(): ExactCost {
  return { count: 0, min: 0, max: 0, sum: 0 };
}

function addExact(into: ExactCost, more: ExactCost): void {
  if (more.count === 0) return;
  into.min = into.count === 0 ? more.min : Math.min(into.min, more.min);
  into.max = Math.max(into.max, more.max);
  into.count += more.count;
  into.sum += more.sum;
}

function emptyNear(): NearBudgetPartial {
  return { count: 0, max: 0, examples: [] };
}

/** Examples with the most instructions first (ties: lowest corpus position): the same whatever the merge order. */
function mergeCostExamples(into: CostExample[], more: readonly CostExample[]): CostExample[] {
  if (more.length === 0) return into;
  const all = into.concat(more).sort((a, b) => b.steps - a.steps || a.position - b.position);
  const out: CostExample[] = [];
  for (const e of all) {
    if (out.some((o) => o.position === e.position)) continue;
    out.push(e);
    if (out.length >= EXAMPLES_PER_GROUP) break;
  }
  return out;
}

export class CostTally {
  readonly old: LatencyHistogram = newHistogram();
  readonly new: LatencyHistogram = newHistogram();
  readonly exact = { old: emptyExact(), new: emptyExact() };
  readonly near = { old: emptyNear(), new: emptyNear() };

  constructor(readonly budget: number = DEFAULT_STEP_LIMIT) {}

  /** True once a call has been recorded. */
  get used(): boolean {
    return this.old.totalCount + this.new.totalCount > 0;
  }

  record(version: CheckedVersion, steps: number, example: () => DiffExample): void {
    (version === 'old' ? this.old : this.new).recordValue(Math.max(1, steps));
    addExact(this.exact[version], { count: 1, min: steps, max: steps, sum: steps });
    if (this.budget > 0 && steps >= this.budget * NEAR_BUDGET_SHARE) {
      const n = this.near[version];
      n.count++;
      if (steps > n.max) n.max = steps;
      n.examples = mergeCostExamples(n.examples, [{ ...example(), steps }]);
    }
  }

  merge(p: CostPartial): void {
    addChunkHistogram(this.old, p.histograms.old);
    addChunkHistogram(this.new, p.histograms.new);
    for (const v of ['old', 'new'] as const) {
      addExact(this.exact[v], p.exact[v]);
      const have = this.near[v];
      const more = p.near[v];
      have.count += more.count;
      have.max = Math.max(have.max, more.max);
      have.examples = mergeCostExamples(have.examples, more.examples);
    }
  }

  partial(): CostPartial {
    return {
      budget: this.budget,
      histograms: { old: histogramCounts(this.old), new: histogramCounts(this.new) },
      exact: { old: { ...this.exact.old }, new: { ...this.exact.new } },
      near: { old: { ...this.near.old }, new: { ...this.near.new } },
    };
  }
}

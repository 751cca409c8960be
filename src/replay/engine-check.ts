/**
 * `--cross-check`: every event also runs on the other engine (OLD on both,
 * NEW on both), and each version's two results are compared like OLD and NEW
 * are (effective output, outcome, error name and message, validation;
 * `--ignore` applies). A disagreement means the local result of that event
 * cannot be trusted: one of the engines is not CloudFront there.
 *
 * Seed-dependent values are not disagreements. Both engines run the same
 * seeded Math.random, but they print numbers differently (njs's dtoa is not
 * V8's shortest round-trip: `String(Math.random())` differs in the last
 * digits), so a value built from random numbers differs between the engines
 * though on CloudFront it is random anyway. Such a disagreement is told apart
 * the way noise is: the primary engine runs that version again with the same
 * clock and another seed; where its own value moves with the seed, the
 * disagreement is counted as seed-dependent, not reported as one. The clock
 * is kept, so date formatting (deterministic under the frozen clock, and a
 * real engine difference) is still reported.
 *
 * The comparison is here; what it accumulates (EngineCheckTally) is in
 * results/engine-tally.ts.
 */
import type { Engine } from '../runtime/engines.js';
import { diffRuns, isNoisyDiff, type DiffEntry, type IgnoreMatcher, type RunView } from '../diff/index.js';

/** Salt of the seed of the rerun that tells seed-dependent values apart (same clock, another seed). */
export const CROSS_SEED_SALT = 0x2545f491;

/** The seed of that rerun, for a call whose seed was `seed`. */
export function crossSeed(seed: number): number {
  return seed ^ CROSS_SEED_SALT;
}

/** One version's run on the primary engine compared with its run on the other: empty when they agree. */
export function engineDiffs(primary: RunView, other: RunView, ignore?: IgnoreMatcher): readonly DiffEntry[] {
  return diffRuns(primary, other, ignore);
}

/**
 * Split the differences between the engines into real disagreements and
 * seed-dependent ones, given the primary engine's rerun with another seed
 * (same clock): a path whose value moved with the seed is seed-dependent.
 */
export function splitBySeed(diffs: readonly DiffEntry[], primary: RunView, reseeded: RunView): { real: DiffEntry[]; seedDependent: DiffEntry[] } {
  const real: DiffEntry[] = [];
  const seedDependent: DiffEntry[] = [];
  for (const d of diffs) (isNoisyDiff(d, primary, reseeded) ? seedDependent : real).push(d);
  return { real, seedDependent };
}

/** The engine a --cross-check compares the primary one with. */
export function otherEngine(e: Engine): Engine {
  return e === 'v8' ? 'njs' : 'v8';
}

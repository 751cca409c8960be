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

/** The engine a --cross-check compares the primary one with. */
export function otherEngine(e: Engine): Engine {
  return e === 'v8' ? 'njs' : 'v8';
}

/**
 * Types of the behavioural diff: what is compared (a RunView: a RunResult
 * satisfies it), what comes out (DiffEntry, one per differing path), and the
 * vocabulary results and reports count in (DiffKind, Risk, OutcomeLabel).
 */
import type { EffectiveOutput, Outcome } from '../runtime/types.js';

/** How a field differs between OLD and NEW. */
export type DiffKind = 'added' | 'removed' | 'changed' | 'ordering' | 'outcome';

/**
 * high: outcome, status, location, uri or origin changed, new errors or
 * validation failures; medium: other values changed or removed; low: additions
 * and ordering-only changes.
 */
export type Risk = 'high' | 'medium' | 'low';

/**
 * Outcome labels used in counts: the runtime's outcome kinds, with execution
 * errors split by reason so a timeout is visible as such:
 * forward, response, modified-response, connection-allow, connection-deny,
 * execution-error (thrown), timeout, memory, never-settled, crash,
 * validation-error.
 */
export type OutcomeLabel = string;

/** The part of a run the diff looks at. A RunResult satisfies it. */
export interface RunView {
  outcome: Outcome;
  effective: EffectiveOutput;
  /** Compared for connection functions: their custom log data. */
  sideEffects?: { customData?: string };
}

/**
 * One difference between OLD and NEW at one path (see paths.ts for the
 * paths and the string form of values). `old` is absent for `added`, `new`
 * for `removed`.
 */
export interface DiffEntry {
  path: string;
  kind: DiffKind;
  old?: string;
  new?: string;
}

/** True when a path is to be left out (see ignore.ts for the pattern syntax). */
export type IgnoreMatcher = (path: string) => boolean;

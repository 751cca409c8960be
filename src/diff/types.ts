/**
 * Types of the behavioural diff: what is compared (a RunView: a RunResult
 * satisfies it) and what comes out (DiffEntry, one per differing path).
 */
import type { DiffKind } from '../report/types.js';
import type { EffectiveOutput, Outcome } from '../runtime/types.js';

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

// Typed face of bench/report-fixtures.mjs, the generator of realistic replay reports shared
// with the report benchmark (plain JS over dist/, like bench/synthetic.mjs).
import type { ReplayReport } from '../../src/results/types.js';
// @ts-expect-error -- untyped .mjs module
import { generateReport as generate, HOSTILE as hostile } from '../../bench/report-fixtures.mjs';

export interface ReportFixtureOptions {
  seed?: number;
  /** Events replayed. Default 20,000. */
  events?: number;
  /** Diff groups. Default 40. */
  groups?: number;
  /** Examples kept per group (fewer when a group has fewer events). Default 8. */
  examplesPerGroup?: number;
  /** How many groups get a full sample (event and both outputs) for their first example. Default 24. */
  samples?: number;
  /** Share of events that changed. Default 0.08. */
  changeRate?: number;
  /** Latency draws per version (weighted up to `events` calls). Default 20,000. */
  latencyDraws?: number;
  /** NEW's median latency relative to OLD's. Default 1.08. */
  slowdown?: number;
  /** Include values that try to break out of HTML/XML/Markdown. Default true. */
  hostile?: boolean;
  /** Gate limits. Defaults 0.01 and 1.2. */
  maxDiffRate?: number;
  maxLatencyRatio?: number;
  createdAt?: string;
}

/** Strings the renderers must show as text, never interpret. */
export const HOSTILE = hostile as { readonly uri: string; readonly value: string; readonly signature: string };

/** A report for these options; the same options always give the same report, byte for byte. */
export function generateReport(options: ReportFixtureOptions = {}): ReplayReport {
  return generate(options) as ReplayReport;
}

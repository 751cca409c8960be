/**
 * The JSON report of a replay (`cfreplay replay --json report.json`), schema
 * "cfreplay-report/1". Everything a person or a CI system sees (terminal,
 * HTML, Markdown, JUnit) is rendered from this one object. Documented field
 * by field in the README; keep both in step.
 */
import type { ReplayEventType } from '../event/connection.js';
import type { DiffKind, OutcomeLabel, Risk } from '../diff/types.js';

export const REPORT_SCHEMA = 'cfreplay-report/1';

export interface FunctionInfo {
  path: string;
  /** sha256 of the source, hex. */
  sha256: string;
  runtime: string;
  /** How the runtime was chosen: `--runtime`, or `detected: <why>` (e.g. `detected: no 2.0 syntax`). */
  runtimeNote?: string;
  bytes: number;
  /**
   * Load notes: code CloudFront may treat differently without refusing it
   * (e.g. async closures AWS documents as unsupported), `file:line:col: text`.
   */
  notes?: string[];
  /** The engine that ran it when not the default V8 one ('njs'). */
  engine?: string;
  /** Deploy transforms applied before running (strip-export, define, prepend), one line each. */
  transforms?: string[];
}

export interface DiffExample {
  /** context.requestId of the event. */
  eventId: string;
  /** Position of the record in the corpus (0-based), for `cfreplay show`. */
  position: number;
  /** Where the event came from: test case name, file and line or entry index (see event/source-label.ts). */
  source?: string;
  method: string;
  uri: string;
  /** The route the event was counted under (templated uri, as in DiffGroup.routes). */
  route?: string;
  /** The value at the path in OLD / NEW (absent when the field is absent). */
  old?: string;
  new?: string;
}

export interface RouteCount {
  /** Templated path, e.g. "/products/:id". "(other)" collects the rest past the cap. */
  route: string;
  count: number;
}

export interface DiffGroup {
  /** Stable short id of (path, kind, signature). */
  id: string;
  /** e.g. "request.uri", "request.headers.x-foo", "response.statusCode", "origin", "outcome". */
  path: string;
  kind: DiffKind;
  risk: Risk;
  /** The change, value-independent where possible, e.g. `append "/index.html"` or `"HIT" -> "MISS"`. */
  signature: string;
  /** Events in this group. */
  count: number;
  /** count / events replayed. */
  share: number;
  routes: RouteCount[];
  examples: DiffExample[];
}

export interface NoiseGroup {
  path: string;
  kind: DiffKind;
  /** Events where OLD and NEW differed at this path. */
  count: number;
  /** Of those, events where two runs of OLD (different clock and seed) differed too. */
  noisyCount: number;
  examples: DiffExample[];
}

export interface ErrorGroup {
  /** Outcome label (execution-error, timeout, memory, validation-error, ...). */
  outcome: OutcomeLabel;
  /** Error message, or the broken validation rules joined. */
  message: string;
  count: number;
  examples: DiffExample[];
}

/** Latency of one version's function calls, in nanoseconds. */
export interface LatencyStats {
  count: number;
  min: number;
  mean: number;
  stddev: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface PercentileComparison {
  old: number;
  new: number;
  /** new / old. */
  ratio: number;
  /** False renders as `~`: the change is not statistically significant. */
  significant: boolean;
}

export interface LatencyComparison {
  /** Mann-Whitney U test over the two distributions (from the histograms). */
  test: 'mann-whitney-u';
  pValue: number;
  /** Probability that a NEW call is slower than an OLD call (0.5 = no difference). */
  probabilityNewSlower: number;
  p50: PercentileComparison;
  p90: PercentileComparison;
  p99: PercentileComparison;
  p999: PercentileComparison;
  max: PercentileComparison;
  mean: PercentileComparison;
}

export interface GateCheck {
  /** 'behaviour' | 'diff-rate' | 'latency-ratio' | 'old-errors' | 'completed', or a check added by another rule. */
  name: string;
  passed: boolean;
  /** Human-readable: what was measured against what. */
  message: string;
  actual?: number;
  limit?: number;
}

/** Full inputs and outputs of a few example events, for side-by-side views. */
export interface EventSample {
  eventId: string;
  position: number;
  /** The event object exactly as both functions received it. */
  event: unknown;
  old: SampleRun;
  new: SampleRun;
}

export interface SampleRun {
  outcome: OutcomeLabel;
  /** Effective output (what CloudFront would forward or send). */
  effective: unknown;
  error?: string;
  logs: string[];
  durationNs: number;
}

/** `--cross-check`: disagreements of the two engines on one version, at one path, with one change. */
export interface EngineGroup {
  /** Stable short id of (version, path, kind, signature). */
  id: string;
  /** Which function disagreed: OLD or NEW. */
  version: 'old' | 'new';
  path: string;
  kind: DiffKind;
  /** The change from the primary engine's value to the other engine's. */
  signature: string;
  /** Events in this group. */
  count: number;
  /** count / events checked. */
  share: number;
  routes: RouteCount[];
  /** `old` = the primary engine's value, `new` = the other engine's. */
  examples: DiffExample[];
  /** The first example in full: `old` = the primary engine's output, `new` = the other engine's. */
  sample?: EventSample;
}

/** `--cross-check`: every event ran on both engines (OLD and NEW); where they disagree. */
export interface EngineCheckReport {
  /** The engine the replay's own results (diffs, outcomes, latency) come from. */
  primary: string;
  other: string;
  /** Events run on both engines. */
  checked: number;
  /** Events where the engines disagree on OLD or NEW: the local result cannot be trusted there. */
  disagreeing: number;
  /** Events whose only disagreements moved with the Math.random seed (not counted as disagreeing; see README). */
  seedDependent: number;
  /** Sorted by count. */
  groups: EngineGroup[];
}

/** Instructions per call of one version on the njs engine. */
export interface CostStats {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** A call that used a large share of the instruction budget. */
export interface CostExample extends DiffExample {
  steps: number;
}

/**
 * What calls cost on the njs engine: njs VM instructions per call (exact,
 * deterministic), OLD vs NEW per percentile. Not AWS's compute utilization.
 */
export interface CostReport {
  unit: 'njs-instructions';
  /** The instruction budget per call (past it: a `timeout` outcome). */
  budget: number;
  /** Calls at or above this share of the budget are flagged. */
  nearBudgetShare: number;
  old: CostStats;
  new: CostStats;
  /** new / old per statistic (1 when both are 0). */
  ratio: { p50: number; p90: number; p99: number; max: number; mean: number };
  nearBudget: { old: { count: number; max: number; examples: CostExample[] }; new: { count: number; max: number; examples: CostExample[] } };
  histograms: { old: string; new: string };
}

export interface ReplayReport {
  schema: typeof REPORT_SCHEMA;
  tool: { name: 'cfreplay'; version: string };
  createdAt: string;
  corpus: { name: string; location: string; records: number };
  /** viewer-request, viewer-response, or connection (a connection function over the mTLS connection events). */
  eventType: ReplayEventType;
  functions: { old: FunctionInfo; new: FunctionInfo };
  options: {
    workers: number;
    ignore: string[];
    timeoutMs: number;
    maxDiffRate?: number;
    maxLatencyRatio?: number;
    /** Share of events OLD may fail on before the `old-errors` check fails (default 0.01). */
    maxOldErrorRate?: number;
    /** `--allow-incomplete`: corpus damage is reported but does not fail the `completed` check. */
    allowIncomplete?: boolean;
    /** `--cross-check`: every event also ran on the other engine. */
    crossCheck?: boolean;
  };
  /** Events replayed through both versions. */
  events: number;
  /** Events with at least one difference that is neither noise nor ignored. */
  changed: number;
  unchanged: number;
  /** Events whose only differences were noise. */
  noiseOnly: number;
  /** Records not replayed, by reason (e.g. "viewer-response: origin status >= 400", "corrupt chunk"). */
  skipped: Record<string, number>;
  outcomes: { old: Record<OutcomeLabel, number>; new: Record<OutcomeLabel, number> };
  /** Outcome changes, e.g. { from: "forward", to: "response", count }. */
  outcomeTransitions: { from: OutcomeLabel; to: OutcomeLabel; count: number }[];
  /** Sorted by risk (high first), then count. */
  diffs: DiffGroup[];
  /** Groups past the cap, merged: how many groups and events were folded away. */
  diffsTruncated?: { groups: number; events: number };
  noise: NoiseGroup[];
  errors: { old: ErrorGroup[]; new: ErrorGroup[] };
  latency: {
    unit: 'ns';
    old: LatencyStats;
    new: LatencyStats;
    comparison: LatencyComparison;
    /** HDR histograms, compressed base64 (hdr-histogram-js encodeIntoCompressedBase64). */
    histograms: { old: string; new: string };
  };
  samples: EventSample[];
  /** `--cross-check` only. */
  engines?: EngineCheckReport;
  /** When the njs engine ran (`--engine njs`, or `--cross-check`). */
  cost?: CostReport;
  gate: { passed: boolean; checks: GateCheck[] };
  run: {
    durationMs: number;
    eventsPerSecond: number;
    /**
     * The start-up budget: ms from the start of the replay (functions checked, corpus opened,
     * workers spawned) to its first function call; durationMs counts from the same start.
     */
    firstEventMs?: number;
    /** ms from the process start to the start of the replay (node, module loading, argument checks); set by the CLI. */
    startupMs?: number;
    /** Set when the run stopped before the end of the corpus. */
    stoppedEarly?: string;
    problems: string[];
    /** What could not be read from the corpus; fails the `completed` check unless options.allowIncomplete. */
    damage?: RunDamage;
  };
}

/** One damaged place of a corpus (see CorpusProblemKind, plus corrupt-chunk and missing-chunk found while replaying). */
export interface CorpusDamage {
  kind: string;
  chunk?: number;
  /** Byte offset in the file (or in the Redis corpus's chunk sequence). */
  offset?: number;
  /** One line naming the corpus, the place and what was lost. */
  message: string;
  /** Events lost there, when the index or a chunk header tells; absent when unknown. */
  lostEvents?: number;
}

export interface RunDamage {
  /** Sum of the known losses. */
  lostEvents: number;
  /** False when some region lost an unknown number of events (lostEvents is then a lower bound). */
  lostEventsKnown: boolean;
  regions: CorpusDamage[];
}

/**
 * Build the JSON report from a run's merged state, and decide the CI gate.
 */
import { createHash } from 'node:crypto';
import type { ReplayEventType } from '../event/connection.js';
import type { RunAccumulator } from './run-accumulator.js';
import { compareGroups } from './run-accumulator.js';
import { encodeHistogram, latencyReport } from './latency.js';
import {
  REPORT_SCHEMA,
  type DiffGroup,
  type ErrorGroup,
  type FunctionInfo,
  type GateCheck,
  type NoiseGroup,
  type ReplayReport,
  type RunDamage,
} from './types.js';
import { copyGroup, groupKey, mergeGroupInto, type ErrorPartial, type GroupPartial } from './chunk-result.js';
import { isPrefixRemoval, setSignature } from '../diff/index.js';
import { costReport, engineCheckReport, enginesAgreeRule } from './engine-sections.js';

export interface ReportMeta {
  toolVersion: string;
  corpus: { name: string; location: string; records: number };
  eventType: ReplayEventType;
  functions: { old: FunctionInfo; new: FunctionInfo };
  options: ReplayReport['options'];
  durationMs: number;
  /** See ReplayReport['run'].firstEventMs and startupMs. */
  firstEventMs?: number;
  startupMs?: number;
  stoppedEarly?: string;
  problems: string[];
  damage?: RunDamage;
}

export function groupId(path: string, kind: string, signature: string): string {
  return createHash('sha256').update(`${path}\u0000${kind}\u0000${signature}`).digest('hex').slice(0, 12);
}

function errorGroups(map: Map<string, ErrorPartial>): ErrorGroup[] {
  return [...map.values()].sort((a, b) => b.count - a.count).map((e) => ({ ...e }));
}

/** What the gate rules read from a report. */
export type GateInput = Pick<ReplayReport, 'events' | 'changed' | 'latency' | 'run'> & Partial<Pick<ReplayReport, 'outcomes' | 'errors' | 'skipped' | 'engines'>>;

export interface GateLimits {
  maxDiffRate?: number;
  maxLatencyRatio?: number;
  /** Share of events on which OLD may fail (errors, 502/503) before the gate fails; default DEFAULT_MAX_OLD_ERROR_RATE. */
  maxOldErrorRate?: number;
  /** `--allow-incomplete`: corpus damage is reported but does not fail the `completed` check. */
  allowIncomplete?: boolean;
}

/** One gate rule: a check, or undefined when it does not apply to this run. Rules are independent; add one to GATE_RULES. */
export type GateRule = (r: GateInput, limits: GateLimits) => GateCheck | undefined;

/**
 * A replay in which the live function (OLD) itself fails on more than this
 * share of events proves nothing about NEW: most likely the corpus does not
 * fit the function, or it needs a store or option it did not get.
 */
export const DEFAULT_MAX_OLD_ERROR_RATE = 0.01;

/** Outcome labels that are not failures; every other label (execution-error, timeout, memory, never-settled, crash, validation-error) is one. */
const RAN_OUTCOMES = new Set(['forward', 'response', 'modified-response', 'connection-allow', 'connection-deny']);

function percent(x: number): string {
  return `${(x * 100).toFixed(3)}%`;
}

export const behaviourRule: GateRule = (r, limits) => {
  const rate = r.events === 0 ? 0 : r.changed / r.events;
  if (limits.maxDiffRate === undefined) {
    return {
      name: 'behaviour',
      passed: r.changed === 0,
      actual: r.changed,
      limit: 0,
      message: r.changed === 0 ? 'no behavioural difference' : `${r.changed} of ${r.events} events behave differently`,
    };
  }
  return {
    name: 'diff-rate',
    passed: rate <= limits.maxDiffRate,
    actual: rate,
    limit: limits.maxDiffRate,
    message: `${percent(rate)} of events changed (limit ${percent(limits.maxDiffRate)})`,
  };
};

export const latencyRule: GateRule = (r, limits) => {
  if (limits.maxLatencyRatio === undefined) return undefined;
  const p99 = r.latency.comparison.p99;
  const exceeded = p99.significant && p99.ratio > limits.maxLatencyRatio;
  return {
    name: 'latency-ratio',
    passed: !exceeded,
    actual: p99.ratio,
    limit: limits.maxLatencyRatio,
    message: `p99 new/old = ${p99.ratio.toFixed(3)}${p99.significant ? '' : ' (~, not significant)'} (limit ${limits.maxLatencyRatio})`,
  };
};

/** OLD must mostly work on the corpus, or "no difference" means nothing. */
export const oldErrorsRule: GateRule = (r, limits) => {
  if (r.outcomes === undefined || r.events === 0) return undefined;
  let failed = 0;
  for (const [label, n] of Object.entries(r.outcomes.old)) if (!RAN_OUTCOMES.has(label)) failed += n;
  const limit = limits.maxOldErrorRate ?? DEFAULT_MAX_OLD_ERROR_RATE;
  const rate = failed / r.events;
  const passed = rate <= limit;
  return {
    name: 'old-errors',
    passed,
    actual: rate,
    limit,
    message: passed
      ? `OLD failed on ${failed} of ${r.events} events (${percent(rate)}, limit ${percent(limit)})`
      : `OLD itself failed (errors, 502/503) on ${failed} of ${r.events} events (${percent(rate)}, limit ${percent(limit)}): the replay proves nothing about NEW; check the corpus, --kvs and --event-type, or raise --max-old-error-rate`,
  };
};

/**
 * The whole corpus was replayed: a run that stopped early fails; a damaged
 * corpus (events not replayed, or damage that may hide lost events) fails
 * unless `--allow-incomplete` accepted it.
 */
export const completedRule: GateRule = (r, limits) => {
  const parts: string[] = [];
  if (r.run.stoppedEarly !== undefined) parts.push(`run stopped early: ${r.run.stoppedEarly}`);
  const d = r.run.damage;
  let damageFails = false;
  if (d !== undefined) {
    const lost = !d.lostEventsKnown
      ? d.lostEvents > 0 ? `at least ${d.lostEvents} events lost` : 'an unknown number of events lost'
      : d.lostEvents > 0 ? `${d.lostEvents} events lost` : 'no event lost';
    damageFails = limits.allowIncomplete !== true;
    parts.push(`damaged corpus: ${d.regions.length} damaged region(s), ${lost}${damageFails ? ' (--allow-incomplete accepts this)' : ' (accepted by --allow-incomplete)'}`);
  }
  if (parts.length === 0) return undefined;
  const failed = r.run.stoppedEarly !== undefined || damageFails;
  return { name: 'completed', passed: !failed, ...(d !== undefined ? { actual: d.lostEvents } : {}), message: parts.join('; ') };
};

/** The rules every replay applies, in the order their checks are listed. */
export const GATE_RULES: readonly GateRule[] = [behaviourRule, latencyRule, oldErrorsRule, completedRule, enginesAgreeRule];

export function gateChecks(r: GateInput, limits: GateLimits, rules: readonly GateRule[] = GATE_RULES): GateCheck[] {
  const checks: GateCheck[] = [];
  for (const rule of rules) {
    const c = rule(r, limits);
    if (c !== undefined) checks.push(c);
  }
  return checks;
}

/**
 * A prefix removal on a request field whose every occurrence produced the
 * same NEW value (`/search/index.html` -> `/index.html`, `/cart/index.html`
 * -> `/index.html`) is one change, "set to that value", seen on different
 * paths: merge those groups into the `set` group. On real traffic this turned
 * 84 groups of an SPA fallback into a handful.
 */
export function mergeConstantSets(groups: Iterable<GroupPartial>): GroupPartial[] {
  const byKey = new Map<string, GroupPartial>();
  const candidates: GroupPartial[] = [];
  for (const g of groups) {
    if (g.kind === 'changed' && typeof g.sameNew === 'string' && isPrefixRemoval(g.path, g.signature)) candidates.push(g);
    else byKey.set(groupKey(g.path, g.kind, g.signature), g);
  }
  // Largest first, so the merged group keeps the examples and routes of the biggest contributors.
  candidates.sort((a, b) => b.count - a.count || (a.signature < b.signature ? -1 : 1));
  for (const g of candidates) {
    const signature = setSignature(g.sameNew!);
    const key = groupKey(g.path, g.kind, signature);
    const target = byKey.get(key);
    if (target === undefined) byKey.set(key, copyGroup(g, signature));
    else mergeGroupInto(target, g);
  }
  return [...byKey.values()];
}

export function buildReport(acc: RunAccumulator, meta: ReportMeta): ReplayReport {
  const events = acc.events;
  const groups = mergeConstantSets(acc.groups.values()).sort(compareGroups);
  const diffs: DiffGroup[] = groups.map((g) => ({
    id: groupId(g.path, g.kind, g.signature),
    path: g.path,
    kind: g.kind,
    risk: g.risk,
    signature: g.signature,
    count: g.count,
    share: events === 0 ? 0 : g.count / events,
    routes: Object.entries(g.routes)
      .map(([route, count]) => ({ route, count }))
      .sort((a, b) => b.count - a.count || (a.route < b.route ? -1 : 1)),
    examples: g.examples,
  }));
  const noise: NoiseGroup[] = [...acc.noise.values()]
    .filter((n) => n.noisyCount > 0)
    .sort((a, b) => b.noisyCount - a.noisyCount)
    .map((n) => ({ ...n }));
  const latencyOf = latencyReport(acc.histOld, acc.histNew);
  const eventsPerSecond = meta.durationMs > 0 ? Math.round(events / (meta.durationMs / 1000)) : 0;
  const run: ReplayReport['run'] = { durationMs: Math.round(meta.durationMs), eventsPerSecond, problems: meta.problems };
  if (meta.firstEventMs !== undefined) run.firstEventMs = Math.round(meta.firstEventMs);
  if (meta.startupMs !== undefined) run.startupMs = Math.round(meta.startupMs);
  if (meta.stoppedEarly !== undefined) run.stoppedEarly = meta.stoppedEarly;
  if (meta.damage !== undefined) run.damage = meta.damage;
  const latency: ReplayReport['latency'] = {
    unit: 'ns',
    old: latencyOf.old,
    new: latencyOf.new,
    comparison: latencyOf.comparison,
    histograms: { old: encodeHistogram(acc.histOld), new: encodeHistogram(acc.histNew) },
  };
  const transitions = Object.entries(acc.transitions)
    .map(([key, count]) => {
      const [from, to] = key.split(' -> ') as [string, string];
      return { from, to, count };
    })
    .sort((a, b) => b.count - a.count);
  const outcomes = { old: { ...acc.outcomesOld }, new: { ...acc.outcomesNew } };
  const errors = { old: errorGroups(acc.errorsOld), new: errorGroups(acc.errorsNew) };
  const skipped = { ...acc.skipped };
  const engines = acc.engines !== undefined ? engineCheckReport(acc.engines) : undefined;
  const cost = acc.cost !== undefined ? costReport(acc.cost) : undefined;
  const checks = gateChecks({ events, changed: acc.changed, latency, run, outcomes, errors, skipped, ...(engines !== undefined ? { engines } : {}) }, meta.options);
  const report: ReplayReport = {
    schema: REPORT_SCHEMA,
    tool: { name: 'cfreplay', version: meta.toolVersion },
    createdAt: new Date().toISOString(),
    corpus: meta.corpus,
    eventType: meta.eventType,
    functions: meta.functions,
    options: meta.options,
    events,
    changed: acc.changed,
    unchanged: events - acc.changed - acc.noiseOnly,
    noiseOnly: acc.noiseOnly,
    skipped,
    outcomes,
    outcomeTransitions: transitions,
    diffs,
    noise,
    errors,
    latency,
    samples: acc.keptSamples(),
    ...(engines !== undefined ? { engines } : {}),
    ...(cost !== undefined ? { cost } : {}),
    gate: { passed: checks.every((c) => c.passed), checks },
    run,
  };
  if (acc.foldedGroups > 0) report.diffsTruncated = { groups: acc.foldedGroups, events: acc.foldedEvents };
  return report;
}

/**
 * The report sections that exist only when a second engine or the njs engine
 * ran: `engines` (--cross-check: where the two engines disagree) and `cost`
 * (njs instructions per call, OLD vs NEW), and the gate rule `engines-agree`.
 */
import { createHash } from 'node:crypto';
import type { EngineCheckTally } from './engine-tally.js';
import type { CostTally } from './cost.js';
import { NEAR_BUDGET_SHARE } from './cost.js';
import type { LatencyHistogram } from './latency.js';
import type { ExactCost } from './chunk-result.js';
import { encodeHistogram } from './latency.js';
import type { CostReport, CostStats, EngineCheckReport, EngineGroup, GateCheck, ReplayReport } from './types.js';

function engineGroupId(version: string, path: string, kind: string, signature: string): string {
  return createHash('sha256').update(`engines\u0000${version}\u0000${path}\u0000${kind}\u0000${signature}`).digest('hex').slice(0, 12);
}

export function engineCheckReport(t: EngineCheckTally): EngineCheckReport {
  const groups: EngineGroup[] = [...t.groups.values()]
    .sort((a, b) => b.count - a.count || (a.version < b.version ? -1 : a.version > b.version ? 1 : 0) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) || (a.signature < b.signature ? -1 : 1))
    .map((g) => ({
      id: engineGroupId(g.version, g.path, g.kind, g.signature),
      version: g.version,
      path: g.path,
      kind: g.kind,
      signature: g.signature,
      count: g.count,
      share: t.checked === 0 ? 0 : g.count / t.checked,
      routes: Object.entries(g.routes)
        .map(([route, count]) => ({ route, count }))
        .sort((a, b) => b.count - a.count || (a.route < b.route ? -1 : 1)),
      examples: g.examples,
      ...(g.sample !== undefined ? { sample: g.sample } : {}),
    }));
  return { primary: t.primary, other: t.other, checked: t.checked, disagreeing: t.disagreeing, seedDependent: t.seedDependent, groups };
}

/** Count, min, max and mean exact; percentiles from the histogram (exact up to 2,047, then within 0.1%), never above the exact max. */
function costStats(h: LatencyHistogram, exact: ExactCost): CostStats {
  if (exact.count === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };
  const at = (p: number) => Math.max(exact.min, Math.min(exact.max, h.getValueAtPercentile(p)));
  return { count: exact.count, min: exact.min, mean: Math.round(exact.sum / exact.count), p50: at(50), p90: at(90), p99: at(99), max: exact.max };
}

function ratio(o: number, n: number): number {
  if (o === 0) return n === 0 ? 1 : Number.POSITIVE_INFINITY;
  return n / o;
}

export function costReport(t: CostTally): CostReport {
  const old = costStats(t.old, t.exact.old);
  const nu = costStats(t.new, t.exact.new);
  return {
    unit: 'njs-instructions',
    budget: t.budget,
    nearBudgetShare: NEAR_BUDGET_SHARE,
    old,
    new: nu,
    ratio: { p50: ratio(old.p50, nu.p50), p90: ratio(old.p90, nu.p90), p99: ratio(old.p99, nu.p99), max: ratio(old.max, nu.max), mean: ratio(old.mean, nu.mean) },
    nearBudget: { old: { ...t.near.old }, new: { ...t.near.new } },
    histograms: { old: encodeHistogram(t.old), new: encodeHistogram(t.new) },
  };
}

/**
 * With --cross-check, an event on which the engines disagree fails the gate:
 * the local result of that event (whichever engine) cannot be trusted to be
 * CloudFront's. Seed-dependent disagreements do not count.
 */
export function enginesAgreeRule(r: Pick<ReplayReport, 'engines'>): GateCheck | undefined {
  const e = r.engines;
  if (e === undefined) return undefined;
  const passed = e.disagreeing === 0;
  const seed = e.seedDependent > 0 ? `; ${e.seedDependent} more differ only in values that move with the Math.random seed (not counted)` : '';
  return {
    name: 'engines-agree',
    passed,
    actual: e.disagreeing,
    limit: 0,
    message: passed
      ? `${e.primary} and ${e.other} agree on all ${e.checked} events${seed}`
      : `${e.primary} and ${e.other} disagree on ${e.disagreeing} of ${e.checked} events: the local result of those events cannot be trusted${seed}`,
  };
}

/**
 * The terminal summary of a replay: what a person reads in ten seconds.
 * Colour only when the output is a TTY.
 */
import { histogramToRead, recordedBins, valueAtPercentile, type Bin, type LatencyHistogram } from '../results/latency.js';
import type { CostReport, EngineCheckReport, PercentileComparison, ReplayReport } from '../results/types.js';
import { groupDigits } from '../util/group-digits.js';

export interface TerminalOptions {
  color: boolean;
  /** Diff groups listed (default 10). */
  topGroups?: number;
  /** Width of the histogram bars (default 40). */
  barWidth?: number;
}

type Paint = (s: string) => string;

function painter(color: boolean) {
  const wrap = (code: string): Paint => (color ? (s) => `\u001b[${code}m${s}\u001b[0m` : (s) => s);
  return { red: wrap('31'), green: wrap('32'), yellow: wrap('33'), dim: wrap('2'), bold: wrap('1'), cyan: wrap('36') };
}

const int = (n: number) => groupDigits(Math.round(n));
const pct = (n: number, of: number) => (of === 0 ? '0%' : `${((n / of) * 100).toFixed(n / of < 0.001 && n > 0 ? 4 : 2)}%`);

export function formatNs(ns: number): string {
  if (ns < 1_000) return `${Math.round(ns)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(ns < 10_000 ? 2 : 1)} µs`;
  if (ns < 1_000_000_000) return `${(ns / 1_000_000).toFixed(2)} ms`;
  return `${(ns / 1_000_000_000).toFixed(2)} s`;
}

function ratio(c: PercentileComparison): string {
  if (!Number.isFinite(c.ratio)) return 'n/a';
  return c.significant ? `${c.ratio.toFixed(2)}x` : '~';
}

function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Log-scaled buckets covering both versions; bars side by side. */
export function asciiHistogram(oldH: LatencyHistogram, newH: LatencyHistogram, width = 40, rows = 12): string[] {
  if (oldH.totalCount === 0 && newH.totalCount === 0) return ['  (no calls timed)'];
  // Each histogram walked once: its bins give the percentiles (getValueAtPercentile walks it again per call).
  const oldBins = recordedBins(oldH);
  const newBins = recordedBins(newH);
  const at = (bins: readonly Bin[], h: LatencyHistogram, p: number) => valueAtPercentile(bins, h.totalCount, p);
  const lo = Math.max(1, Math.min(at(oldBins, oldH, 0.1), at(newBins, newH, 0.1)));
  const hi = Math.max(lo * 1.01, Math.max(at(oldBins, oldH, 99.9), at(newBins, newH, 99.9)));
  const step = Math.log(hi / lo) / rows;
  const bucket = (h: LatencyHistogram, bins: readonly Bin[]): number[] => {
    const counts = new Array<number>(rows).fill(0);
    // An index loop: this runs once per run, uncompiled, where for-of's iterator steps cost ~1 us a bin.
    for (let k = 0; k < bins.length; k++) {
      const v = bins[k]!;
      const i = Math.min(rows - 1, Math.max(0, Math.floor(Math.log(Math.max(v.value, lo) / lo) / step)));
      counts[i]! += v.count;
    }
    return counts.map((c) => (h.totalCount === 0 ? 0 : c / h.totalCount));
  };
  const o = bucket(oldH, oldBins);
  const n = bucket(newH, newBins);
  const peak = Math.max(...o, ...n, 1e-9);
  const bar = (share: number, ch: string) => ch.repeat(Math.round((share / peak) * width));
  const lines = [`  ${'upper bound'.padStart(11)}  ${'OLD'.padEnd(width)}  NEW`];
  for (let i = 0; i < rows; i++) {
    const upper = lo * Math.exp(step * (i + 1));
    const label = i === rows - 1 ? `> ${formatNs(lo * Math.exp(step * i))}` : formatNs(upper);
    lines.push(`  ${label.padStart(11)}  ${bar(o[i]!, '█').padEnd(width)}  ${bar(n[i]!, '▒')}`);
  }
  lines.push(`  ${''.padStart(11)}  ${'(share of calls, log-scaled time; 0.1%..99.9%)'}`);
  return lines;
}

/** --cross-check: where the engines disagree, grouped, with an example and the two values. */
function engineLines(e: EngineCheckReport, p: ReturnType<typeof painter>, top: number): string[] {
  const out: string[] = [];
  const head = `engines: ${e.primary} vs ${e.other} on ${int(e.checked)} events: `;
  if (e.disagreeing === 0) out.push(p.green(`${head}agree`));
  else out.push(p.red(p.bold(`${head}disagree on ${int(e.disagreeing)} (${pct(e.disagreeing, e.checked)}): the local result of those events cannot be trusted`)));
  if (e.seedDependent > 0) out.push(p.dim(`  ${int(e.seedDependent)} more differ only in values that move with the Math.random seed (not counted)`));
  for (const g of e.groups.slice(0, top)) {
    out.push(`  ${g.version.toUpperCase()} ${p.bold(g.path)} ${g.kind}: ${truncate(g.signature, 70)}  ${p.cyan(`${int(g.count)} events`)}`);
    const ex = g.examples[0];
    if (ex !== undefined) {
      out.push(p.dim(`         e.g. ${ex.method} ${truncate(ex.uri, 50)}  [cfreplay show <report> ${ex.eventId}]${ex.source !== undefined ? ` from ${truncate(ex.source, 80)}` : ''}`));
      out.push(p.dim(`         ${e.primary}: ${truncate(ex.old ?? '(absent)', 70)}`));
      out.push(p.dim(`         ${e.other}: ${truncate(ex.new ?? '(absent)', 70)}`));
    }
  }
  if (e.groups.length > top) out.push(p.dim(`  ${int(e.groups.length - top)} more groups in the JSON/HTML report`));
  return out;
}

/** njs instructions per call, OLD vs NEW, and the calls near the budget. */
function costLines(c: CostReport, p: ReturnType<typeof painter>): string[] {
  const out: string[] = [];
  out.push(p.bold('cost per call (njs instructions)') + p.dim(`  (exact, the same on every machine; budget ${int(c.budget)} per call; not AWS's compute utilization)`));
  const cols = ['p50', 'p90', 'p99', 'max', 'mean'] as const;
  out.push(`  ${''.padEnd(8)}${cols.map((k) => k.padStart(12)).join('')}`);
  out.push(`  ${'OLD'.padEnd(8)}${cols.map((k) => int(c.old[k]).padStart(12)).join('')}`);
  out.push(`  ${'NEW'.padEnd(8)}${cols.map((k) => int(c.new[k]).padStart(12)).join('')}`);
  out.push(`  ${'new/old'.padEnd(8)}${cols.map((k) => (Number.isFinite(c.ratio[k]) ? `${c.ratio[k].toFixed(2)}x` : 'n/a').padStart(12)).join('')}`);
  for (const v of ['old', 'new'] as const) {
    const n = c.nearBudget[v];
    if (n.count === 0) continue;
    const ex = n.examples[0];
    const line = `  ! ${v.toUpperCase()}: ${int(n.count)} call${n.count === 1 ? '' : 's'} at >= ${Math.round(c.nearBudgetShare * 100)}% of the instruction budget (max ${int(n.max)} of ${int(c.budget)})`;
    out.push(v === 'new' ? p.red(line) : p.yellow(line));
    if (ex !== undefined) out.push(p.dim(`         e.g. ${ex.method} ${truncate(ex.uri, 50)}: ${int(ex.steps)} instructions  [cfreplay show <report> ${ex.eventId}]`));
  }
  return out;
}

export function formatTerminalReport(r: ReplayReport, opts: TerminalOptions): string {
  const p = painter(opts.color);
  const out: string[] = [];
  const top = opts.topGroups ?? 10;
  out.push(p.bold(`cfreplay replay: ${r.corpus.location} (${r.eventType})`));
  for (const [label, f] of [['OLD', r.functions.old], ['NEW', r.functions.new]] as const) {
    const runtime = f.runtimeNote !== undefined ? `${f.runtime} (${f.runtimeNote})` : f.runtime;
    out.push(`  ${label} ${f.path}  ${p.dim(`${runtime}, sha256 ${f.sha256.slice(0, 12)}`)}`);
    if (f.transforms !== undefined && f.transforms.length > 0) out.push(p.dim(`      transforms: ${f.transforms.join('; ')}`));
  }
  for (const note of [...(r.functions.old.notes ?? []), ...(r.functions.new.notes ?? [])]) out.push(`  ${p.dim(`note: ${note}`)}`);
  out.push('');
  const changedText = `${int(r.changed)} changed (${pct(r.changed, r.events)})`;
  out.push(
    `events   ${int(r.events)} replayed   ${r.changed > 0 ? p.red(changedText) : p.green(changedText)}   ${int(r.unchanged)} unchanged` +
      (r.noiseOnly > 0 ? `   ${int(r.noiseOnly)} noise only` : ''),
  );
  for (const [reason, n] of Object.entries(r.skipped)) out.push(p.dim(`         ${int(n)} not replayed: ${reason}`));

  const labels = [...new Set([...Object.keys(r.outcomes.old), ...Object.keys(r.outcomes.new)])];
  out.push('');
  out.push(`${'outcome'.padEnd(20)} ${'OLD'.padStart(12)} ${'NEW'.padStart(12)}`);
  for (const l of labels) {
    const a = r.outcomes.old[l] ?? 0;
    const b = r.outcomes.new[l] ?? 0;
    const line = `  ${l.padEnd(18)} ${int(a).padStart(12)} ${int(b).padStart(12)}`;
    out.push(a !== b ? p.yellow(line) : line);
  }
  for (const t of r.outcomeTransitions.slice(0, 5)) out.push(p.dim(`  ${t.from} -> ${t.to}: ${int(t.count)} events`));

  out.push('');
  if (r.diffs.length === 0) out.push(p.green('differences: none'));
  else {
    out.push(p.bold(`differences: ${r.diffs.length} group${r.diffs.length === 1 ? '' : 's'}${r.diffs.length > top ? ` (top ${top})` : ''}`));
    for (const g of r.diffs.slice(0, top)) {
      const risk = g.risk === 'high' ? p.red('HIGH  ') : g.risk === 'medium' ? p.yellow('MEDIUM') : p.dim('LOW   ');
      const kind = g.kind === g.path ? '' : ` ${g.kind}`;
      out.push(`  ${risk} ${p.bold(g.path)}${kind}: ${truncate(g.signature, 70)}  ${p.cyan(`${int(g.count)} events (${pct(g.count, r.events)})`)}`);
      const routes = g.routes.slice(0, 3).map((x) => `${x.route} (${int(x.count)})`).join(', ');
      if (routes) out.push(p.dim(`         routes: ${routes}${g.routes.length > 3 ? ', …' : ''}`));
      const ex = g.examples[0];
      if (ex !== undefined) {
        const values = ex.old !== undefined || ex.new !== undefined ? `: ${truncate(ex.old ?? '(absent)', 40)} -> ${truncate(ex.new ?? '(absent)', 40)}` : '';
        out.push(p.dim(`         e.g. ${ex.method} ${truncate(ex.uri, 50)}${values}  [cfreplay show <report> ${ex.eventId}]${ex.source !== undefined ? ` from ${truncate(ex.source, 80)}` : ''}`));
      }
    }
    if (r.diffsTruncated) out.push(p.dim(`  ${int(r.diffsTruncated.groups)} more groups (${int(r.diffsTruncated.events)} events) folded into "(other changes)"`));
  }
  if (r.noise.length > 0) {
    out.push(p.dim(`noise (differs between two runs of OLD too; not counted as changes):`));
    for (const n of r.noise.slice(0, 5)) out.push(p.dim(`  ${n.path} ${n.kind}: ${int(n.noisyCount)} of ${int(n.count)} differing events`));
  }
  for (const side of ['old', 'new'] as const) {
    const errs = r.errors[side];
    if (errs.length === 0) continue;
    out.push(`errors in ${side.toUpperCase()}:`);
    for (const e of errs.slice(0, 5)) {
      const line = `  ${int(e.count)} ${e.outcome}: ${truncate(e.message, 90)}`;
      out.push(side === 'new' ? p.red(line) : p.yellow(line));
    }
  }

  if (r.engines !== undefined) out.push('', ...engineLines(r.engines, p, top));

  out.push('');
  const l = r.latency;
  const c = l.comparison;
  out.push(p.bold('latency per call') + p.dim(`  (Mann-Whitney p=${c.pValue < 0.0001 ? c.pValue.toExponential(1) : c.pValue.toFixed(4)}; ~ = not significant)`));
  const cols = ['p50', 'p90', 'p99', 'p999', 'max', 'mean'] as const;
  out.push(`  ${''.padEnd(8)}${cols.map((k) => (k === 'p999' ? 'p99.9' : k).padStart(11)).join('')}`);
  out.push(`  ${'OLD'.padEnd(8)}${cols.map((k) => formatNs(l.old[k]).padStart(11)).join('')}`);
  out.push(`  ${'NEW'.padEnd(8)}${cols.map((k) => formatNs(l.new[k]).padStart(11)).join('')}`);
  out.push(`  ${'new/old'.padEnd(8)}${cols.map((k) => ratio(c[k]).padStart(11)).join('')}`);
  out.push(...asciiHistogram(histogramToRead(l.histograms.old), histogramToRead(l.histograms.new), opts.barWidth ?? 40));
  if (r.cost !== undefined) out.push('', ...costLines(r.cost, p));

  out.push('');
  for (const check of r.gate.checks) out.push(`  ${check.passed ? p.green('pass') : p.red('FAIL')} ${check.name}: ${check.message}`);
  for (const problem of r.run.problems) out.push(p.yellow(`  ! ${problem}`));
  if (r.run.stoppedEarly) out.push(p.red(`  ! stopped early: ${r.run.stoppedEarly}`));
  out.push(
    `${r.gate.passed ? p.green(p.bold('PASSED')) : p.red(p.bold('FAILED'))}  ${int(r.events)} events in ${(r.run.durationMs / 1000).toFixed(1)} s (${int(r.run.eventsPerSecond)} events/s, ${r.options.workers} workers${r.run.firstEventMs !== undefined ? `, first call after ${int(r.run.firstEventMs)} ms` : ''})`,
  );
  return out.join('\n');
}

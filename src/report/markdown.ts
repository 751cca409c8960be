/**
 * The Markdown summary of a replay, for a pull-request comment: verdict and
 * counts first, the riskiest difference groups in a table, everything else in
 * collapsed `<details>` sections. Deterministic (no clock, no locale) so it
 * can be compared with a recorded example, and bounded in size (a GitHub
 * comment holds 65,536 characters) however large the report is.
 *
 * Every value from the report goes out either in a code span (backtick fence
 * longer than any run of backticks in it) or as escaped text, so HTML, links
 * or table pipes in recorded traffic cannot change the rendering.
 */
import type { CostReport, DiffExample, DiffGroup, EngineCheckReport, ReplayReport } from '../results/types.js';
import {
  compareGroups,
  formatCount,
  formatNs,
  formatPercent,
  formatPValue,
  formatRatio,
  outcomeLabels,
  shortSha,
  signedCount,
  sumCounts,
  truncate,
} from './html/format.js';

export interface MarkdownOptions {
  /** Groups in the main table (default 10); up to `moreGroups` more go in a collapsed section. */
  topGroups?: number;
  moreGroups?: number;
  /** Link to the full (HTML) report, shown at the end. */
  link?: string;
}

/** GitHub's limit for a comment body. */
export const MARKDOWN_MAX_CHARS = 65_536;

// Characters XML/Markdown viewers choke on: C0 controls except tab/newline, DEL..C1, lone surrogates, U+FFFE/FFFF.
const BAD_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function clean(s: string): string {
  return s.replace(BAD_CHARS, '\uFFFD').replace(/\r\n|\r|\n/g, '⏎').replace(/\t/g, ' ');
}

/** A value in a code span; pipes escaped for a table cell (GitHub splits cells before code spans). */
function code(value: string, max = 60, inTable = true): string {
  const s = clean(truncate(value, max));
  if (s === '') return '*(empty)*';
  let longest = 0;
  for (const m of s.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') || (s.startsWith(' ') && s.endsWith(' ')) ? ' ' : '';
  const span = `${fence}${pad}${s}${pad}${fence}`;
  return inTable ? span.replace(/\|/g, '\\|') : span;
}

/** A code span outside tables. */
function inline(value: string, max = 60): string {
  return code(value, max, false);
}

/** Plain text with Markdown and HTML syntax escaped, safe inside a table cell. */
function text(value: string, max = 200): string {
  return clean(truncate(value, max))
    .replace(/[\\`*_[\]<>|~#!]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;');
}

function optionalValue(v: string | undefined): string {
  return v === undefined ? '*(absent)*' : inline(v);
}

const RISK_LABEL: Record<string, string> = { high: '🔴 high', medium: '🟠 medium', low: '🟡 low' };

function groupRow(g: DiffGroup): string {
  const routes = g.routes
    .slice(0, 3)
    .map((r) => `${code(r.route, 40)} ${formatCount(r.count)}`)
    .join(', ');
  const more = g.routes.length > 3 ? `, +${g.routes.length - 3}` : '';
  return `| ${RISK_LABEL[g.risk] ?? text(g.risk)} | ${code(g.path, 50)} | ${text(g.kind)} | ${code(g.signature, 60)} | ${formatCount(g.count)} | ${formatPercent(g.share)} | ${routes}${more} |`;
}

const GROUP_HEADER = ['| Risk | Path | Kind | Change | Events | Share | Top routes |', '|---|---|---|---|---:|---:|---|'];

function exampleLine(path: string, e: DiffExample): string {
  return `- ${inline(path, 50)} on ${inline(`${e.method} ${e.uri}`, 80)}: ${optionalValue(e.old)} → ${optionalValue(e.new)} (event ${inline(e.eventId, 60)}${e.source !== undefined ? ` from ${inline(e.source, 80)}` : ''}, record ${e.position})`;
}

/** --cross-check: the groups of events where the engines disagree, one example each. */
function engineSection(e: EngineCheckReport, top: number): string[] {
  const out: string[] = [];
  const verdict = e.disagreeing === 0 ? '✅ agree' : `❌ disagree on ${formatCount(e.disagreeing)} of ${formatCount(e.checked)} events`;
  out.push(`### Engines: ${text(e.primary)} vs ${text(e.other)}: ${verdict}`, '');
  if (e.disagreeing > 0) out.push('On these events one of the engines is not CloudFront: their local result cannot be trusted.', '');
  if (e.seedDependent > 0) out.push(`${formatCount(e.seedDependent)} more events differ only in values that move with the \`Math.random\` seed (not counted).`, '');
  if (e.groups.length > 0) {
    out.push(`| Version | Path | Kind | Change | Events | Example | ${text(e.primary)} | ${text(e.other)} |`, '|---|---|---|---|---:|---|---|---|');
    for (const g of e.groups.slice(0, top)) {
      const ex = g.examples[0];
      const where = ex === undefined ? '' : `${code(`${ex.method} ${ex.uri}`, 50)} ${code(ex.eventId, 40)}`;
      const val = (v: string | undefined) => (v === undefined ? '*(absent)*' : code(v, 60));
      out.push(`| ${g.version.toUpperCase()} | ${code(g.path, 50)} | ${text(g.kind)} | ${code(g.signature, 60)} | ${formatCount(g.count)} | ${where} | ${val(ex?.old)} | ${val(ex?.new)} |`);
    }
    if (e.groups.length > top) out.push('', `…and ${formatCount(e.groups.length - top)} more groups in the HTML report.`);
    out.push('');
  }
  return out;
}

/** njs instructions per call, OLD vs NEW, and the calls near the budget. */
function costSection(c: CostReport): string[] {
  const out: string[] = ['### Cost per call (njs instructions)', ''];
  out.push(`Instructions of njs's VM per call: exact and the same on every machine (budget ${formatCount(c.budget)} per call). Not AWS's compute utilization.`, '');
  out.push('| | OLD | NEW | NEW/OLD |', '|---|---:|---:|---:|');
  for (const k of ['p50', 'p90', 'p99', 'max', 'mean'] as const) {
    const r = c.ratio[k];
    out.push(`| ${k} | ${formatCount(c.old[k])} | ${formatCount(c.new[k])} | ${Number.isFinite(r) ? `${r.toFixed(2)}x` : 'n/a'} |`);
  }
  out.push('');
  for (const v of ['old', 'new'] as const) {
    const n = c.nearBudget[v];
    if (n.count === 0) continue;
    const ex = n.examples[0];
    const example = ex === undefined ? '' : `, e.g. ${inline(`${ex.method} ${ex.uri}`, 80)} (event ${inline(ex.eventId, 60)}, ${formatCount(ex.steps)} instructions)`;
    out.push(`> [!WARNING]\n> ${v.toUpperCase()}: ${formatCount(n.count)} call${n.count === 1 ? '' : 's'} at ≥ ${Math.round(c.nearBudgetShare * 100)}% of the instruction budget (max ${formatCount(n.max)})${example}`, '');
  }
  return out;
}

export function renderMarkdown(report: ReplayReport, options: MarkdownOptions = {}): string {
  const top = options.topGroups ?? 10;
  const moreMax = options.moreGroups ?? 50;
  const out: string[] = [];
  const verdict = report.gate.passed ? '✅ passed' : '❌ failed';
  const changedShare = report.events === 0 ? 0 : report.changed / report.events;
  out.push(`## cfreplay: ${verdict} · ${formatCount(report.changed)} of ${formatCount(report.events)} events changed (${formatPercent(changedShare)})`);
  out.push('');
  const f = report.functions;
  out.push(
    `OLD ${inline(f.old.path, 80)} (${inline(shortSha(f.old.sha256))}) → NEW ${inline(f.new.path, 80)} (${inline(shortSha(f.new.sha256))}) · ${text(report.eventType)} · corpus ${inline(report.corpus.name, 80)} (${formatCount(report.corpus.records)} records) · cfreplay ${text(report.tool.version)}`,
  );
  out.push('');
  if (report.run.stoppedEarly !== undefined) out.push(`> [!WARNING]\n> The run stopped early: ${text(report.run.stoppedEarly)}`, '');
  const skipped = sumCounts(report.skipped);
  const newErrors = report.errors.new.reduce((a, e) => a + e.count, 0);
  out.push('| Events | Changed | Unchanged | Noise only | Skipped | Errors (NEW) |', '|---:|---:|---:|---:|---:|---:|');
  out.push(`| ${formatCount(report.events)} | ${formatCount(report.changed)} (${formatPercent(changedShare)}) | ${formatCount(report.unchanged)} | ${formatCount(report.noiseOnly)} | ${formatCount(skipped)} | ${formatCount(newErrors)} |`);
  out.push('');

  out.push(`### Gate: ${verdict}`, '', '| Check | Result | Details |', '|---|---|---|');
  for (const c of report.gate.checks) out.push(`| ${text(c.name)} | ${c.passed ? '✅ pass' : '❌ fail'} | ${text(c.message)} |`);
  out.push('');

  const groups = [...report.diffs].sort(compareGroups);
  const truncated = report.diffsTruncated;
  const groupTotal = groups.length + (truncated?.groups ?? 0);
  out.push(`### Differences: ${formatCount(groupTotal)} group${groupTotal === 1 ? '' : 's'}`);
  out.push('');
  if (groups.length === 0) {
    out.push('No behavioural difference.', '');
  } else {
    const byRisk = (r: string) => groups.filter((g) => g.risk === r).length;
    out.push(`🔴 ${formatCount(byRisk('high'))} high · 🟠 ${formatCount(byRisk('medium'))} medium · 🟡 ${formatCount(byRisk('low'))} low`, '');
    out.push(...GROUP_HEADER);
    for (const g of groups.slice(0, top)) out.push(groupRow(g));
    out.push('');
    const rest = groups.slice(top, top + moreMax);
    if (rest.length > 0) {
      out.push(`<details><summary>${formatCount(groups.length - top)} more group${groups.length - top === 1 ? '' : 's'}</summary>`, '');
      out.push(...GROUP_HEADER);
      for (const g of rest) out.push(groupRow(g));
      out.push('');
      const unshown = groups.length - top - rest.length;
      if (unshown > 0) out.push(`…and ${formatCount(unshown)} more in the HTML report.`, '');
      out.push('</details>', '');
    }
    if (truncated !== undefined && truncated.groups > 0) {
      out.push(`${formatCount(truncated.groups)} smaller groups (${formatCount(truncated.events)} events) were folded away by the group cap.`, '');
    }
    const withExamples = groups.slice(0, top).filter((g) => g.examples.length > 0);
    if (withExamples.length > 0) {
      out.push(`<details><summary>Examples (one per group above)</summary>`, '');
      for (const g of withExamples) out.push(exampleLine(g.path, g.examples[0] as DiffExample));
      out.push('', '</details>', '');
    }
  }

  if (report.engines !== undefined) out.push(...engineSection(report.engines, top));

  out.push('### Outcomes', '', '| Outcome | OLD | NEW | Δ |', '|---|---:|---:|---:|');
  for (const label of outcomeLabels(report.outcomes.old, report.outcomes.new)) {
    const o = report.outcomes.old[label] ?? 0;
    const n = report.outcomes.new[label] ?? 0;
    out.push(`| ${code(label)} | ${formatCount(o)} | ${formatCount(n)} | ${signedCount(n - o)} |`);
  }
  out.push('');
  const transitions = [...report.outcomeTransitions].sort((a, b) => b.count - a.count || (a.from + a.to < b.from + b.to ? -1 : 1));
  if (transitions.length > 0) {
    out.push(`<details><summary>Outcome changes (${formatCount(transitions.length)})</summary>`, '', '| OLD | NEW | Events |', '|---|---|---:|');
    for (const t of transitions.slice(0, 30)) out.push(`| ${code(t.from)} | ${code(t.to)} | ${formatCount(t.count)} |`);
    out.push('', '</details>', '');
  }

  const errorSides = (['old', 'new'] as const).filter((s) => report.errors[s].length > 0);
  if (errorSides.length > 0) {
    out.push(`<details><summary>Errors: OLD ${formatCount(report.errors.old.reduce((a, e) => a + e.count, 0))}, NEW ${formatCount(newErrors)}</summary>`, '', '| Version | Outcome | Message | Events |', '|---|---|---|---:|');
    for (const s of errorSides) for (const e of report.errors[s].slice(0, 20)) out.push(`| ${s.toUpperCase()} | ${code(e.outcome)} | ${code(e.message, 100)} | ${formatCount(e.count)} |`);
    out.push('', '</details>', '');
  }

  const lat = report.latency;
  const cmp = lat.comparison;
  out.push(`### Latency`, '');
  out.push(`Mann-Whitney U ${formatPValue(cmp.pValue)}; P(NEW call slower) = ${cmp.probabilityNewSlower.toFixed(3)}. \`~\` = no significant change.`, '');
  out.push('| | OLD | NEW | NEW/OLD |', '|---|---:|---:|---:|');
  const rows: [string, keyof typeof cmp][] = [['p50', 'p50'], ['p90', 'p90'], ['p99', 'p99'], ['p99.9', 'p999'], ['max', 'max'], ['mean', 'mean']];
  for (const [label, key] of rows) {
    const c = cmp[key];
    if (typeof c !== 'object') continue;
    out.push(`| ${label} | ${formatNs(c.old)} | ${formatNs(c.new)} | ${formatRatio(c.ratio, c.significant)} |`);
  }
  out.push('');
  if (report.cost !== undefined) out.push(...costSection(report.cost));

  if (report.noise.length > 0) {
    const noise = [...report.noise].sort((a, b) => b.count - a.count || (a.path < b.path ? -1 : 1));
    out.push(`<details><summary>Noise: ${formatCount(noise.length)} path${noise.length === 1 ? '' : 's'} differ between two runs of OLD too (not counted as changes)</summary>`, '', '| Path | Kind | Events | Also between OLD runs |', '|---|---|---:|---:|');
    for (const n of noise.slice(0, 30)) out.push(`| ${code(n.path, 60)} | ${text(n.kind)} | ${formatCount(n.count)} | ${formatCount(n.noisyCount)} |`);
    out.push('', '</details>', '');
  }

  const notes: string[] = [];
  if (skipped > 0) notes.push(`skipped ${formatCount(skipped)} records (${Object.keys(report.skipped).sort().map((k) => `${text(k, 80)}: ${formatCount(report.skipped[k] ?? 0)}`).join('; ')})`);
  for (const p of report.run.problems.slice(0, 10)) notes.push(text(p));
  if (report.options.ignore.length > 0) notes.push(`ignored paths: ${report.options.ignore.slice(0, 20).map((p) => inline(p, 60)).join(', ')}`);
  out.push(`<sub>${formatCount(report.events)} events in ${formatCount(report.run.durationMs)} ms (${formatCount(report.run.eventsPerSecond)} events/s)${notes.length > 0 ? ` · ${notes.join(' · ')}` : ''}</sub>`);
  if (options.link !== undefined) out.push('', `[Full report](${options.link.replace(/[()\s<>]/g, encodeURIComponent)})`);
  let md = `${out.join('\n')}\n`;
  if (md.length > MARKDOWN_MAX_CHARS) {
    // Only reachable with absurd option values; cut at a line and say so.
    const cut = md.lastIndexOf('\n', MARKDOWN_MAX_CHARS - 200);
    md = `${md.slice(0, cut)}\n\n…(cut to fit a comment; see the HTML report)\n`;
  }
  return md;
}

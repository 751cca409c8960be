/**
 * The HTML report: one self-contained file (inline CSS, inline script, data
 * embedded as JSON, charts as inline SVG; no network, no external asset) that
 * opens from disk or from CI artifact storage.
 *
 * The summary, gate, outcomes, errors, noise and latency parts are rendered
 * here as static HTML (readable even with scripts off); the difference
 * groups, which can number in the tens of thousands with 100,000 examples,
 * are drawn by the page's script a page at a time, and a group's examples
 * only when it is expanded.
 */
import type { ErrorGroup, DiffExample, ReplayReport, SampleRun } from '../../results/types.js';
import { CLIENT_JS } from './client.js';
import { renderLatencyCharts } from './chart.js';
import { pageData } from './data.js';
import { esc, scriptJson } from './escape.js';
import {
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
} from './format.js';
import { CSS } from './style.js';

export { esc, scriptJson } from './escape.js';

const ERROR_OUTCOMES = new Set(['execution-error', 'timeout', 'memory', 'never-settled', 'crash', 'validation-error']);

function card(key: string, label: string, value: string, sub = '', cls = ''): string {
  return `<div class="card ${cls}" data-k="${esc(key)}"><div class="card-label">${esc(label)}</div><div class="card-value">${esc(value)}</div>${sub === '' ? '' : `<div class="card-sub">${esc(sub)}</div>`}</div>`;
}

function exampleList(examples: DiffExample[], max: number): string {
  if (examples.length === 0) return '';
  const rows = examples
    .slice(0, max)
    .map(
      (e) =>
        `<tr><td class="num">${e.position}</td><td class="mono small">${esc(e.eventId)}${e.source !== undefined ? `<br><span class="muted">${esc(truncate(e.source, 120))}</span>` : ''}</td><td class="mono">${esc(e.method)} ${esc(truncate(e.uri, 200))}</td>${
          e.old !== undefined || e.new !== undefined ? `<td class="mono val-old">${e.old === undefined ? '<i>absent</i>' : esc(truncate(e.old, 200))}</td><td class="mono val-new">${e.new === undefined ? '<i>absent</i>' : esc(truncate(e.new, 200))}</td>` : ''
        }</tr>`,
    )
    .join('');
  const hasValues = examples.some((e) => e.old !== undefined || e.new !== undefined);
  return `<table class="tbl ex-tbl"><thead><tr><th>Record</th><th>Event id</th><th>Request</th>${hasValues ? '<th>OLD</th><th>NEW</th>' : ''}</tr></thead><tbody>${rows}</tbody></table>${examples.length > max ? `<p class="muted">${formatCount(examples.length - max)} more in the JSON report.</p>` : ''}`;
}

function errorTable(side: string, groups: ErrorGroup[]): string {
  if (groups.length === 0) return `<p class="muted">No errors in ${side}.</p>`;
  return groups
    .slice(0, 200)
    .map(
      (g) =>
        `<details class="sub"><summary><span class="pill pill-err">${esc(g.outcome)}</span> <span class="mono">${esc(truncate(g.message, 300))}</span> <span class="count">${formatCount(g.count)} events</span></summary>${exampleList(g.examples, 20)}</details>`,
    )
    .join('');
}

function header(r: ReplayReport): string {
  const f = r.functions;
  const fn = (label: string, x: typeof f.old) =>
    `<div class="fn"><span class="fn-tag fn-${label.toLowerCase()}">${label}</span><span class="mono">${esc(x.path)}</span> <span class="muted mono small" title="sha256 ${esc(x.sha256)}">${esc(shortSha(x.sha256))}</span> <span class="muted small">${esc(x.runtime)} · ${formatCount(x.bytes)} B</span></div>`;
  return `<header class="top"><div class="wrap"><div class="brand">cfreplay <span class="muted">report</span></div><div class="meta"><div class="fns">${fn('OLD', f.old)}${fn('NEW', f.new)}</div><div class="muted small">${esc(r.eventType)} · corpus <span class="mono">${esc(r.corpus.name)}</span> (${formatCount(r.corpus.records)} records) · ${esc(r.createdAt)} · cfreplay ${esc(r.tool.version)}</div></div></div></header>`;
}

function summary(r: ReplayReport): string {
  const share = r.events === 0 ? 0 : r.changed / r.events;
  const skipped = sumCounts(r.skipped);
  const errOld = r.errors.old.reduce((a, e) => a + e.count, 0);
  const errNew = r.errors.new.reduce((a, e) => a + e.count, 0);
  const verdict = r.gate.passed ? 'Passed' : 'Failed';
  const checks = r.gate.checks
    .map(
      (c) =>
        `<li class="check ${c.passed ? 'ok' : 'bad'}" data-check="${esc(c.name)}"><span class="check-icon" aria-hidden="true">${c.passed ? '✓' : '✗'}</span><span class="check-name">${esc(c.name)}</span><span class="check-msg">${esc(c.message)}</span></li>`,
    )
    .join('');
  const warnings: string[] = [];
  if (r.run.stoppedEarly !== undefined) warnings.push(`The run stopped early: ${r.run.stoppedEarly}`);
  for (const p of r.run.problems) warnings.push(p);
  if (r.diffsTruncated !== undefined && r.diffsTruncated.groups > 0) warnings.push(`${formatCount(r.diffsTruncated.groups)} smaller difference groups (${formatCount(r.diffsTruncated.events)} events) were folded away by the group cap.`);
  return `<section id="summary" class="section">
<div class="gate ${r.gate.passed ? 'gate-ok' : 'gate-bad'}" data-k="gate"><div class="gate-verdict"><span class="gate-icon" aria-hidden="true">${r.gate.passed ? '✓' : '✗'}</span> Gate <strong data-k="verdict">${verdict}</strong></div><ul class="checks">${checks}</ul></div>
${warnings.length > 0 ? `<div class="warn">${warnings.map((w) => `<div>⚠ ${esc(w)}</div>`).join('')}</div>` : ''}
<div class="cards">
${card('events', 'Events replayed', formatCount(r.events))}
${card('changed', 'Changed', formatCount(r.changed), `${formatPercent(share)} of events`, r.changed > 0 ? 'card-bad' : 'card-ok')}
${card('unchanged', 'Unchanged', formatCount(r.unchanged))}
${card('noise', 'Noise only', formatCount(r.noiseOnly), 'differed only where OLD differs from itself')}
${card('skipped', 'Skipped', formatCount(skipped), Object.keys(r.skipped).length > 0 ? Object.entries(r.skipped).map(([k, v]) => `${k}: ${formatCount(v)}`).join('; ') : 'records not replayed')}
${card('errors', 'Errors OLD → NEW', `${formatCount(errOld)} → ${formatCount(errNew)}`, 'execution and validation errors', errNew > errOld ? 'card-bad' : '')}
</div>
${outcomes(r)}
</section>`;
}

function outcomes(r: ReplayReport): string {
  const labels = outcomeLabels(r.outcomes.old, r.outcomes.new);
  const max = Math.max(1, ...labels.map((l) => Math.max(r.outcomes.old[l] ?? 0, r.outcomes.new[l] ?? 0)));
  const bar = (v: number, side: string) => `<span class="bar bar-${side}" style="width:${((v / max) * 100).toFixed(2)}%"></span>`;
  const rows = labels
    .map((l) => {
      const o = r.outcomes.old[l] ?? 0;
      const n = r.outcomes.new[l] ?? 0;
      const d = n - o;
      const cls = d === 0 ? '' : ERROR_OUTCOMES.has(l) ? (d > 0 ? 'delta-bad' : 'delta-good') : 'delta-chg';
      return `<tr data-outcome="${esc(l)}"><td><span class="pill ${ERROR_OUTCOMES.has(l) ? 'pill-err' : ''}">${esc(l)}</span></td><td class="num" data-side="old">${formatCount(o)}</td><td class="num" data-side="new">${formatCount(n)}</td><td class="num ${cls}">${signedCount(d)}</td><td class="bars">${bar(o, 'old')}${bar(n, 'new')}</td></tr>`;
    })
    .join('');
  const tr = [...r.outcomeTransitions].sort((a, b) => b.count - a.count);
  const trRows = tr
    .slice(0, 100)
    .map((t) => `<tr><td><span class="pill">${esc(t.from)}</span></td><td class="arrow">→</td><td><span class="pill ${ERROR_OUTCOMES.has(t.to) ? 'pill-err' : ''}">${esc(t.to)}</span></td><td class="num">${formatCount(t.count)}</td></tr>`)
    .join('');
  return `<div class="two"><div><h3>Outcomes</h3><table class="tbl outcomes" id="outcomes"><thead><tr><th>Outcome</th><th class="num">OLD</th><th class="num">NEW</th><th class="num">Δ</th><th class="bars-h"><span class="key key-old"></span>OLD <span class="key key-new"></span>NEW</th></tr></thead><tbody>${rows}</tbody></table></div>
<div><h3>Outcome changes</h3>${tr.length === 0 ? '<p class="muted">No event changed outcome.</p>' : `<table class="tbl"><thead><tr><th>OLD</th><th></th><th>NEW</th><th class="num">Events</th></tr></thead><tbody>${trRows}</tbody></table>`}</div></div>`;
}

function diffsSection(r: ReplayReport): string {
  const total = r.diffs.length;
  return `<section id="diffs" class="section">
<h2>Differences <span class="h-count" data-k="groups">${formatCount(total)}</span> <span class="h-sub">groups, by risk then events</span></h2>
<div class="filters" role="search">
  <div class="risk-toggles" role="group" aria-label="Risk"><span class="flabel">Risk</span>
    <label class="rt rt-high"><input type="checkbox" data-risk="high" checked> High <span data-riskcount="high"></span></label>
    <label class="rt rt-medium"><input type="checkbox" data-risk="medium" checked> Medium <span data-riskcount="medium"></span></label>
    <label class="rt rt-low"><input type="checkbox" data-risk="low" checked> Low <span data-riskcount="low"></span></label>
  </div>
  <label class="f"><span class="flabel">Kind</span><select id="f-kind"><option value="">all</option><option>changed</option><option>added</option><option>removed</option><option>ordering</option><option>outcome</option></select></label>
  <label class="f"><span class="flabel">Route</span><input id="f-route" list="routes-list" placeholder="e.g. /products/:id" autocomplete="off" spellcheck="false"></label>
  <label class="f"><span class="flabel">Path</span><input id="f-path" list="paths-list" placeholder="e.g. request.uri" autocomplete="off" spellcheck="false"></label>
  <label class="f f-grow"><span class="flabel">Search</span><input id="f-q" type="search" placeholder="path, change or group id" autocomplete="off" spellcheck="false"></label>
  <button type="button" id="f-reset" class="btn">Reset</button>
  <datalist id="routes-list"></datalist><datalist id="paths-list"></datalist>
</div>
<div class="list-head"><span id="shown" aria-live="polite"></span><span class="pager" id="pager-top"></span></div>
<div id="groups" class="groups"><noscript><p class="muted">The difference groups are drawn by the page's script; enable scripts, or read the JSON or Markdown report.</p></noscript></div>
<div class="list-foot"><span class="pager" id="pager-bottom"></span></div>
</section>`;
}

function errorsSection(r: ReplayReport): string {
  if (r.errors.old.length === 0 && r.errors.new.length === 0) return '';
  return `<section id="errors" class="section"><h2>Errors</h2><div class="two"><div><h3>OLD</h3>${errorTable('OLD', r.errors.old)}</div><div><h3>NEW</h3>${errorTable('NEW', r.errors.new)}</div></div></section>`;
}

function noiseSection(r: ReplayReport): string {
  const noise = [...r.noise].sort((a, b) => b.count - a.count);
  const body =
    noise.length === 0
      ? '<p class="muted">No noisy path.</p>'
      : `<table class="tbl" id="noise-table"><thead><tr><th>Path</th><th>Kind</th><th class="num">Events OLD ≠ NEW</th><th class="num">Also OLD ≠ OLD</th><th>Examples</th></tr></thead><tbody>${noise
          .slice(0, 500)
          .map(
            (n) =>
              `<tr><td class="mono">${esc(n.path)}</td><td>${esc(n.kind)}</td><td class="num">${formatCount(n.count)}</td><td class="num">${formatCount(n.noisyCount)}</td><td>${n.examples.length === 0 ? '' : `<details class="sub"><summary>${formatCount(n.examples.length)}</summary>${exampleList(n.examples, 10)}</details>`}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  return `<section id="noise" class="section"><h2>Noise <span class="h-count">${formatCount(noise.length)}</span> <span class="h-sub">paths that also differ between two runs of OLD (other clock and seed); not counted as changes</span></h2>${body}</section>`;
}

/** A sample's output, as JSON text. */
function outputText(s: SampleRun): string {
  const lines = [`outcome: ${s.outcome}`];
  if (s.error !== undefined) lines.push(`error: ${s.error}`);
  // Keys sorted: the engines build objects in different orders, which the diff ignores too.
  lines.push(JSON.stringify(s.effective, (_k, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v), 2));
  return truncate(lines.join('\n'), 20_000);
}

/** --cross-check: the events where the two engines disagree, grouped, each with an example and both outputs. */
function enginesSection(r: ReplayReport): string {
  const e = r.engines;
  if (e === undefined) return '';
  const verdict =
    e.disagreeing === 0
      ? `<p class="ok-text" data-k="engines-verdict">${esc(e.primary)} and ${esc(e.other)} agree on all ${formatCount(e.checked)} events.</p>`
      : `<p class="bad-text" data-k="engines-verdict">${esc(e.primary)} and ${esc(e.other)} disagree on ${formatCount(e.disagreeing)} of ${formatCount(e.checked)} events: on those one engine is not CloudFront, and the local result cannot be trusted.</p>`;
  const seed = e.seedDependent > 0 ? `<p class="muted small">${formatCount(e.seedDependent)} more events differ only in values that move with the Math.random seed (the engines print numbers differently); not counted.</p>` : '';
  const groups = e.groups
    .slice(0, 200)
    .map((g) => {
      const examples = g.examples
        .map(
          (x) =>
            `<tr><td class="num">${x.position}</td><td class="mono small">${esc(x.eventId)}${x.source !== undefined ? `<br><span class="muted">${esc(truncate(x.source, 120))}</span>` : ''}</td><td class="mono">${esc(x.method)} ${esc(truncate(x.uri, 200))}</td><td class="mono val-old">${x.old === undefined ? '<i>absent</i>' : esc(truncate(x.old, 200))}</td><td class="mono val-new">${x.new === undefined ? '<i>absent</i>' : esc(truncate(x.new, 200))}</td></tr>`,
        )
        .join('');
      const sample =
        g.sample === undefined
          ? ''
          : `<div class="two engine-sample"><div><h4>${esc(e.primary)}</h4><pre class="mono small" data-engine="primary">${esc(outputText(g.sample.old))}</pre></div><div><h4>${esc(e.other)}</h4><pre class="mono small" data-engine="other">${esc(outputText(g.sample.new))}</pre></div></div>`;
      return `<details class="sub engine-group" data-group="${esc(g.id)}"><summary><span class="fn-tag fn-${g.version}">${g.version.toUpperCase()}</span> <span class="mono">${esc(g.path)}</span> ${esc(g.kind)}: <span class="mono">${esc(truncate(g.signature, 200))}</span> <span class="count">${formatCount(g.count)} events</span></summary><table class="tbl ex-tbl"><thead><tr><th>Record</th><th>Event id</th><th>Request</th><th>${esc(e.primary)}</th><th>${esc(e.other)}</th></tr></thead><tbody>${examples}</tbody></table>${sample}</details>`;
    })
    .join('');
  const more = e.groups.length > 200 ? `<p class="muted">${formatCount(e.groups.length - 200)} more groups in the JSON report.</p>` : '';
  return `<section id="engines" class="section"><h2>Engines <span class="h-count" data-k="engine-groups">${formatCount(e.groups.length)}</span> <span class="h-sub">every event also ran on ${esc(e.other)} (OLD and NEW); where the engines disagree</span></h2>${verdict}${seed}${groups}${more}</section>`;
}

/** njs instructions per call, OLD vs NEW, and the calls that came near the budget. */
function costSection(r: ReplayReport): string {
  const c = r.cost;
  if (c === undefined) return '';
  const rows = (['p50', 'p90', 'p99', 'max', 'mean'] as const)
    .map((k) => {
      const ratio = c.ratio[k];
      const cls = ratio > 1 ? 'slower' : ratio < 1 ? 'faster' : 'ns';
      return `<tr data-pct="${k}"><td>${k}</td><td class="num">${formatCount(c.old[k])}</td><td class="num">${formatCount(c.new[k])}</td><td class="num ratio ${cls}">${Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'n/a'}</td></tr>`;
    })
    .join('');
  const near = (['old', 'new'] as const)
    .filter((v) => c.nearBudget[v].count > 0)
    .map((v) => {
      const n = c.nearBudget[v];
      const ex = n.examples
        .map((x) => `<tr><td class="num">${x.position}</td><td class="mono small">${esc(x.eventId)}</td><td class="mono">${esc(x.method)} ${esc(truncate(x.uri, 200))}</td><td class="num">${formatCount(x.steps)}</td></tr>`)
        .join('');
      return `<div class="warn" data-near="${v}"><div>⚠ ${v.toUpperCase()}: ${formatCount(n.count)} call${n.count === 1 ? '' : 's'} at ≥ ${Math.round(c.nearBudgetShare * 100)}% of the instruction budget (max ${formatCount(n.max)} of ${formatCount(c.budget)})</div><table class="tbl ex-tbl"><thead><tr><th>Record</th><th>Event id</th><th>Request</th><th class="num">Instructions</th></tr></thead><tbody>${ex}</tbody></table></div>`;
    })
    .join('');
  return `<section id="cost" class="section"><h2>Cost <span class="h-sub">njs instructions per call: ${formatCount(c.old.count)} OLD and ${formatCount(c.new.count)} NEW calls</span></h2>
<table class="tbl" id="cost-table"><thead><tr><th></th><th class="num">OLD</th><th class="num">NEW</th><th class="num">NEW/OLD</th></tr></thead><tbody>${rows}</tbody></table>
<p class="small muted">Instructions executed by njs's VM (the engine family CloudFront runs), top-level code included: exact and the same on every machine, so no significance test is needed. Budget ${formatCount(c.budget)} per call (past it: a timeout). Not AWS's compute utilization, which AWS meters its own way and whose budget it does not publish.</p>${near}</section>`;
}

function latencySection(r: ReplayReport): string {
  const l = r.latency;
  const c = l.comparison;
  const rows: [string, keyof typeof c][] = [['p50', 'p50'], ['p90', 'p90'], ['p99', 'p99'], ['p99.9', 'p999'], ['max', 'max'], ['mean', 'mean']];
  const trs = rows
    .map(([label, key]) => {
      const p = c[key];
      if (typeof p !== 'object') return '';
      const cls = !p.significant ? 'ns' : p.ratio > 1 ? 'slower' : 'faster';
      return `<tr data-pct="${label}"><td>${label}</td><td class="num">${esc(formatNs(p.old))}</td><td class="num">${esc(formatNs(p.new))}</td><td class="num ratio ${cls}">${esc(formatRatio(p.ratio, p.significant))}</td></tr>`;
    })
    .join('');
  const verdict = c.pValue < 0.05 ? (c.probabilityNewSlower > 0.5 ? 'NEW is slower' : 'NEW is faster') : 'no significant difference';
  return `<section id="latency" class="section"><h2>Latency <span class="h-sub">${formatCount(l.old.count)} OLD and ${formatCount(l.new.count)} NEW calls</span></h2>
<div class="lat"><div class="lat-charts"><div class="legend"><span class="key key-old"></span>OLD <span class="key key-new"></span>NEW <span class="muted small">dashed lines: p50, p99, p99.9</span></div>${renderLatencyCharts(l)}</div>
<div class="lat-table"><table class="tbl" id="pct-table"><thead><tr><th></th><th class="num">OLD</th><th class="num">NEW</th><th class="num">NEW/OLD</th></tr></thead><tbody>${trs}</tbody></table>
<div class="lat-note"><p><strong data-k="lat-verdict">${esc(verdict)}</strong></p><p class="small">Mann-Whitney U test over all calls: ${esc(formatPValue(c.pValue))}; probability that a NEW call is slower than an OLD one: ${c.probabilityNewSlower.toFixed(3)} (0.5 = no difference).</p><p class="small muted"><span class="mono">~</span> marks a ratio that is not statistically significant. Min ${esc(formatNs(l.old.min))} / ${esc(formatNs(l.new.min))}; standard deviation ${esc(formatNs(l.old.stddev))} / ${esc(formatNs(l.new.stddev))} (OLD / NEW).</p></div></div></div></section>`;
}

function runSection(r: ReplayReport): string {
  const o = r.options;
  const item = (k: string, v: string) => `<div><dt>${esc(k)}</dt><dd>${v}</dd></div>`;
  return `<section id="run" class="section"><h2>Run</h2><dl class="dl">
${item('Duration', `${formatCount(r.run.durationMs)} ms (${formatCount(r.run.eventsPerSecond)} events/s)`)}
${item('Workers', formatCount(o.workers))}
${item('Timeout', `${o.timeoutMs} ms`)}
${item('Gate limits', `diff rate ${o.maxDiffRate === undefined ? 'none' : formatPercent(o.maxDiffRate)}, latency ratio ${o.maxLatencyRatio === undefined ? 'none' : esc(String(o.maxLatencyRatio))}`)}
${item('Ignored paths', o.ignore.length === 0 ? 'none' : o.ignore.map((p) => `<span class="mono">${esc(p)}</span>`).join(', '))}
${item('Corpus', `<span class="mono">${esc(r.corpus.location)}</span>`)}
</dl></section>`;
}

export function renderHtml(report: ReplayReport): string {
  const page = pageData(report);
  const title = `cfreplay: ${report.gate.passed ? 'passed' : 'FAILED'} · ${formatCount(report.changed)} of ${formatCount(report.events)} changed · ${report.functions.new.path}`;
  const nav = [
    ['summary', 'Summary'],
    ['diffs', `Differences (${formatCount(report.diffs.length)})`],
    ...(report.errors.old.length + report.errors.new.length > 0 ? [['errors', 'Errors']] : []),
    ['noise', `Noise (${formatCount(report.noise.length)})`],
    ...(report.engines !== undefined ? [['engines', `Engines (${formatCount(report.engines.disagreeing)})`]] : []),
    ['latency', 'Latency'],
    ...(report.cost !== undefined ? [['cost', 'Cost']] : []),
    ['run', 'Run'],
  ]
    .map(([id, label]) => `<a href="#${id}">${esc(label ?? '')}</a>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="cfreplay ${esc(report.tool.version)}">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head><body>
${header(report)}
<nav class="nav"><div class="wrap">${nav}</div></nav>
<main class="wrap">
${summary(report)}
${diffsSection(report)}
${errorsSection(report)}
${noiseSection(report)}
${enginesSection(report)}
${latencySection(report)}
${costSection(report)}
${runSection(report)}
</main>
<footer class="wrap muted small">Generated by cfreplay ${esc(report.tool.version)} from a ${esc(report.schema)} report. This file is self-contained: it loads nothing from the network.</footer>
<script type="application/json" id="cfr-data">${scriptJson(page.data)}</script>
<script>${CLIENT_JS}</script>
<script type="application/json" id="cfr-examples">${scriptJson(page.examples)}</script>
</body></html>
`;
}

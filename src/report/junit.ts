/**
 * JUnit XML for CI test viewers (GitHub/GitLab/Jenkins/Azure test tabs):
 *
 *   <testsuites name="cfreplay" tests failures errors="0" skipped="0" time>
 *     <testsuite name="cfreplay.gate">   one testcase per gate check, passed or failed
 *     <testsuite name="cfreplay.diffs">  one failed testcase per diff group (examples in
 *                                        the failure body); one passed case when there is
 *                                        no difference, so the suite is never empty
 *
 * Everything from the report is escaped, and characters XML 1.0 forbids
 * (most C0 controls, lone surrogates, U+FFFE/U+FFFF) are replaced by U+FFFD,
 * since recorded traffic can contain anything.
 */
import type { DiffGroup, ReplayReport } from '../results/types.js';
import { compareGroups, formatCount, formatNs, formatPercent, formatRatio, truncate } from './html/format.js';

export interface JunitOptions {
  /** Examples written in each failure body (default 20). */
  examplesPerGroup?: number;
  /** At most this many diff-group test cases (default 5,000); the rest are summed in one more case. */
  maxGroups?: number;
}

const XML_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text content: forbidden characters replaced, & < > escaped. */
export function xmlText(s: string): string {
  return s.replace(XML_FORBIDDEN, '\uFFFD').replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/** Attribute value (double-quoted): also quotes, and whitespace kept through attribute normalisation. */
export function xmlAttr(s: string): string {
  return xmlText(s).replace(/["\t\n\r]/g, (c) => (c === '"' ? '&quot;' : c === '\t' ? '&#9;' : c === '\n' ? '&#10;' : '&#13;'));
}

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/** JUnit's (Ant schema) timestamp: ISO 8601 without zone. createdAt is UTC. */
function timestamp(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '1970-01-01T00:00:00';
  return d.toISOString().slice(0, 19);
}

function groupName(g: DiffGroup): string {
  return `[${g.risk}] ${g.path} ${g.kind}: ${truncate(g.signature, 120)}`;
}

function value(v: string | undefined): string {
  return v === undefined ? '(absent)' : JSON.stringify(truncate(v, 300));
}

function failureBody(g: DiffGroup, max: number): string {
  const lines: string[] = [];
  lines.push(`${formatCount(g.count)} events (${formatPercent(g.share)}) differ at ${g.path} (${g.kind}, risk ${g.risk}): ${g.signature}`);
  lines.push(`group id: ${g.id}`);
  if (g.routes.length > 0) lines.push(`routes: ${g.routes.map((r) => `${r.route} (${formatCount(r.count)})`).join(', ')}`);
  if (g.examples.length > 0) {
    lines.push('', `examples (${Math.min(max, g.examples.length)} of ${formatCount(g.count)}):`);
    for (const e of g.examples.slice(0, max)) {
      lines.push(`  record ${e.position} event ${e.eventId}${e.source !== undefined ? ` (${truncate(e.source, 200)})` : ''}: ${e.method} ${truncate(e.uri, 300)}`);
      lines.push(`    OLD ${value(e.old)}`);
      lines.push(`    NEW ${value(e.new)}`);
    }
  }
  return lines.join('\n');
}

export function renderJunit(report: ReplayReport, options: JunitOptions = {}): string {
  const perGroup = options.examplesPerGroup ?? 20;
  const maxGroups = options.maxGroups ?? 5_000;
  const time = seconds(report.run.durationMs);
  const ts = timestamp(report.createdAt);
  const props: [string, string][] = [
    ['corpus', report.corpus.location],
    ['eventType', report.eventType],
    ['old', `${report.functions.old.path} sha256:${report.functions.old.sha256}`],
    ['new', `${report.functions.new.path} sha256:${report.functions.new.sha256}`],
    ['events', String(report.events)],
    ['changed', String(report.changed)],
    ['gate', report.gate.passed ? 'passed' : 'failed'],
    ['cfreplay', report.tool.version],
  ];
  const properties = ['    <properties>', ...props.map(([k, v]) => `      <property name="${xmlAttr(k)}" value="${xmlAttr(v)}"/>`), '    </properties>'];

  // Gate suite.
  const gateCases: string[] = [];
  let gateFailures = 0;
  for (const c of report.gate.checks) {
    const name = xmlAttr(`gate: ${c.name}`);
    if (c.passed) {
      gateCases.push(`    <testcase classname="cfreplay.gate" name="${name}" time="0.000"/>`);
    } else {
      gateFailures++;
      const detail = [c.message, c.actual !== undefined ? `actual: ${c.actual}` : '', c.limit !== undefined ? `limit: ${c.limit}` : ''].filter((s) => s !== '').join('\n');
      gateCases.push(`    <testcase classname="cfreplay.gate" name="${name}" time="0.000">`, `      <failure message="${xmlAttr(c.message)}" type="gate.${xmlAttr(c.name)}">${xmlText(detail)}</failure>`, '    </testcase>');
    }
  }
  const gateTests = report.gate.checks.length;

  // Diff suite.
  const groups = [...report.diffs].sort(compareGroups);
  const shown = groups.slice(0, maxGroups);
  const diffCases: string[] = [];
  for (const g of shown) {
    const msg = `${formatCount(g.count)} events (${formatPercent(g.share)}) ${g.kind} at ${g.path}: ${truncate(g.signature, 200)}`;
    diffCases.push(
      `    <testcase classname="cfreplay.diff.${g.risk}" name="${xmlAttr(groupName(g))}" time="0.000">`,
      `      <failure message="${xmlAttr(msg)}" type="diff.${xmlAttr(g.kind)}">${xmlText(failureBody(g, perGroup))}</failure>`,
      '    </testcase>',
    );
  }
  const foldedGroups = groups.length - shown.length + (report.diffsTruncated?.groups ?? 0);
  const foldedEvents = groups.slice(maxGroups).reduce((a, g) => a + g.count, 0) + (report.diffsTruncated?.events ?? 0);
  let diffTests = shown.length;
  let diffFailures = shown.length;
  if (foldedGroups > 0) {
    diffTests++;
    diffFailures++;
    const msg = `${formatCount(foldedGroups)} more difference groups (${formatCount(foldedEvents)} events) not listed one by one`;
    diffCases.push(`    <testcase classname="cfreplay.diff" name="${xmlAttr(`more groups (${foldedGroups})`)}" time="0.000">`, `      <failure message="${xmlAttr(msg)}" type="diff.folded">${xmlText(msg)}</failure>`, '    </testcase>');
  }
  if (diffTests === 0) {
    diffTests = 1;
    diffCases.push(`    <testcase classname="cfreplay.diff" name="no behavioural difference" time="0.000"/>`);
  }

  const l = report.latency.comparison;
  const summary = [
    `cfreplay ${report.tool.version}: ${formatCount(report.events)} events, ${formatCount(report.changed)} changed (${formatPercent(report.events === 0 ? 0 : report.changed / report.events)}), gate ${report.gate.passed ? 'passed' : 'failed'}`,
    `latency p50 ${formatNs(l.p50.old)} -> ${formatNs(l.p50.new)} (${formatRatio(l.p50.ratio, l.p50.significant)}), p99 ${formatNs(l.p99.old)} -> ${formatNs(l.p99.new)} (${formatRatio(l.p99.ratio, l.p99.significant)})`,
  ].join('\n');

  const suite = (name: string, tests: number, failures: number, cases: string[]): string[] => [
    `  <testsuite name="${name}" tests="${tests}" failures="${failures}" errors="0" skipped="0" time="${time}" timestamp="${ts}" hostname="localhost">`,
    ...properties,
    ...cases,
    `    <system-out>${xmlText(summary)}</system-out>`,
    '  </testsuite>',
  ];
  const tests = gateTests + diffTests;
  const failures = gateFailures + diffFailures;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="cfreplay" tests="${tests}" failures="${failures}" errors="0" skipped="0" time="${time}">`,
    ...suite('cfreplay.gate', gateTests, gateFailures, gateCases),
    ...suite('cfreplay.diffs', diffTests, diffFailures, diffCases),
    '</testsuites>',
    '',
  ].join('\n');
}

// The Markdown PR summary: byte for byte against a recorded example rendered
// from a fixed report (test/report/fixtures/report-small.json), plus the
// properties the example cannot show: tables stay tables whatever the values,
// no live HTML from the data, bounded size for huge reports.
// Rewrite the recorded example after an intended change with
//   CFREPLAY_UPDATE_FIXTURES=1 npx vitest run test/report/markdown.test.ts
// and review the diff.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateReport, HOSTILE } from '../helpers/report-fixtures.js';
import { MARKDOWN_MAX_CHARS, renderMarkdown } from '../../src/report/markdown.js';
import { validateReport } from '../../src/results/read.js';

const fixtures = new URL('./fixtures/', import.meta.url).pathname;
const update = process.env.CFREPLAY_UPDATE_FIXTURES === '1';

function withoutCodeSpans(md: string): string {
  return md.replace(/(`+)[\s\S]*?\1/g, '');
}

/** Unescaped pipes outside code spans... GitHub splits table cells on every unescaped pipe, code spans included. */
function cells(row: string): number {
  return row.replace(/\\\|/g, '').split('|').length;
}

function checkTables(md: string): void {
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^\|[-:|]+\|$/.test(lines[i + 1] ?? '') || !lines[i]!.startsWith('|')) continue;
    const n = cells(lines[i]!);
    expect(cells(lines[i + 1]!), `delimiter row of the table at line ${i + 1}`).toBe(n);
    for (let j = i + 2; j < lines.length && lines[j]!.startsWith('|'); j++) expect(cells(lines[j]!), `line ${j + 1}: ${lines[j]}`).toBe(n);
  }
}

describe('renderMarkdown', () => {
  it('matches the recorded example', () => {
    if (update) {
      const r = generateReport({ seed: 7, events: 5000, groups: 14, examplesPerGroup: 3, samples: 2, latencyDraws: 2000 });
      r.latency.comparison.p999.significant = false; // show a `~`
      writeFileSync(`${fixtures}report-small.json`, `${JSON.stringify(r, null, 2)}\n`);
    }
    const report = validateReport(JSON.parse(readFileSync(`${fixtures}report-small.json`, 'utf8')), 'report-small.json');
    const md = renderMarkdown(report);
    if (update) writeFileSync(`${fixtures}summary.md`, md);
    expect(md).toBe(readFileSync(`${fixtures}summary.md`, 'utf8'));
    expect(md).toContain('| p99.9 |');
    expect(md).toMatch(/\| p99\.9 \| [^|]+ \| [^|]+ \| ~ \|/);
    checkTables(md);
  });

  it('is deterministic and shows the numbers of the report', () => {
    const report = generateReport({ seed: 11, groups: 12 });
    const md = renderMarkdown(report);
    expect(renderMarkdown(structuredClone(report))).toBe(md);
    expect(md).toContain(`${report.changed.toLocaleString('en-US')} of ${report.events.toLocaleString('en-US')} events changed`);
    expect(md).toContain(report.gate.passed ? '✅ passed' : '❌ failed');
    for (const c of report.gate.checks) expect(md).toContain(`| ${c.name.replace(/-/g, '-')} | ${c.passed ? '✅ pass' : '❌ fail'} |`);
    for (const [label, n] of Object.entries(report.outcomes.new)) expect(md).toMatch(new RegExp(`\\| \`${label}\` \\| [\\d,]+ \\| ${n.toLocaleString('en-US')} \\|`));
  });

  it('values cannot break a table or inject HTML; backticks get a longer fence', () => {
    const report = generateReport({ seed: 1, groups: 8, hostile: true });
    report.diffs[0]!.signature = 'has ``two`` backticks | and a pipe\nand a newline';
    const md = renderMarkdown(report);
    checkTables(md);
    const outside = withoutCodeSpans(md);
    const tags = outside.match(/<\/?[a-z][^>]*>/gi) ?? [];
    expect(new Set(tags)).toEqual(new Set(['<details>', '<summary>', '</summary>', '</details>', '<sub>', '</sub>']));
    expect(md).toContain('```has ``two`` backticks \\| and a pipe⏎and a newline```');
    expect(md).toContain(HOSTILE.signature.replace(/\|/g, '\\|').replace('`x`', '').slice(0, 10));
    expect(md).not.toMatch(/[\u0001\u0008]/);
  });

  it('stays within a GitHub comment for 10,000 groups', () => {
    const report = generateReport({ seed: 9, events: 200_000, groups: 10_000, examplesPerGroup: 2, samples: 0, latencyDraws: 2000 });
    const md = renderMarkdown(report);
    expect(md.length).toBeLessThan(MARKDOWN_MAX_CHARS);
    expect(md).toContain('| Risk | Path | Kind | Change | Events | Share | Top routes |');
    expect(md).toContain(`…and ${(10_000 - 60).toLocaleString('en-US')} more in the HTML report.`);
    checkTables(md);
  });

  it('a report without differences says so', () => {
    const report = generateReport({ seed: 3, groups: 0 });
    expect(report.diffs).toHaveLength(0);
    expect(renderMarkdown(report)).toContain('### Differences: 0 groups\n\nNo behavioural difference.');
  });
});

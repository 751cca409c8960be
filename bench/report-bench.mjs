// Report rendering at scale: a report for 1,000,000 events with 10,000 diff
// groups (10 examples each: 100,000 examples) rendered to HTML, Markdown and
// JUnit; HTML size; and the page in headless Chromium: time from navigation
// start until the script has drawn the first page of groups (expandable),
// then how long expanding a group, a risk filter and a route filter take.
// Usage: npx tsc -p tsconfig.json && node bench/report-bench.mjs [--events N] [--groups G] [--examples E] [--runs R] [--no-browser]
// Targets (issue 7): HTML written in < 5 s, < 20 MB, interactive in < 2 s.
import { mkdirSync, statSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateReport } from './report-fixtures.mjs';
import { writeReportOutputs } from '../dist/report/outputs.js';
import { renderJunit } from '../dist/report/junit.js';
import { renderMarkdown } from '../dist/report/markdown.js';
import { readReport } from '../dist/results/read.js';

const args = process.argv.slice(2);
const arg = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt; };
const EVENTS = arg('--events', 1_000_000);
const GROUPS = arg('--groups', 10_000);
const EXAMPLES = arg('--examples', 10);
const RUNS = arg('--runs', 3);
const browser = !args.includes('--no-browser');
const dir = join(tmpdir(), `cfreplay-report-bench-${process.pid}`);
mkdirSync(dir, { recursive: true });
const ms = (t) => `${t.toFixed(0)} ms`;
const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let t = performance.now();
const report = generateReport({ seed: 1, events: EVENTS, groups: GROUPS, examplesPerGroup: EXAMPLES, samples: 100, latencyDraws: 200_000, changeRate: 0.15 });
const examples = report.diffs.reduce((a, g) => a + g.examples.length, 0);
console.log(`report: ${EVENTS.toLocaleString('en-US')} events, ${report.diffs.length.toLocaleString('en-US')} groups, ${examples.toLocaleString('en-US')} examples, ${report.samples.length} samples (generated in ${ms(performance.now() - t)})`);
const jsonFile = join(dir, 'report.json');
writeFileSync(jsonFile, JSON.stringify(report));
console.log(`JSON report: ${mb(statSync(jsonFile).size)}`);

const html = join(dir, 'report.html');
const htmlTimes = [];
for (let i = 0; i < RUNS; i++) {
  t = performance.now();
  await writeReportOutputs(report, { html });
  htmlTimes.push(performance.now() - t);
}
const size = statSync(html).size;
const e2e = [];
for (let i = 0; i < RUNS; i++) {
  t = performance.now();
  await writeReportOutputs(await readReport(jsonFile), { html });
  e2e.push(performance.now() - t);
}
t = performance.now();
const md = renderMarkdown(report);
const tMd = performance.now() - t;
t = performance.now();
const xml = renderJunit(report);
const tXml = performance.now() - t;
console.log(`HTML: written in ${ms(median(htmlTimes))} (median of ${RUNS}: ${htmlTimes.map(ms).join(', ')}), ${mb(size)} ${median(htmlTimes) < 5000 && size < 20e6 ? '[ok: < 5 s, < 20 MB]' : '[OVER TARGET]'}`);
console.log(`HTML from the JSON file (read + check + render + write, as cfreplay report does): ${ms(median(e2e))}`);
console.log(`Markdown: ${ms(tMd)}, ${(md.length / 1000).toFixed(1)} k chars; JUnit: ${ms(tXml)}, ${mb(Buffer.byteLength(xml))}`);

if (browser) {
  const { chromium } = await import('playwright-core');
  const b = await chromium.launch({ executablePath: process.env.CFREPLAY_CHROMIUM ?? '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const rows = [];
  for (let i = 0; i < RUNS; i++) {
    const page = await b.newPage({ viewport: { width: 1400, height: 1000 } });
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(html).href, { waitUntil: 'commit' });
    await page.waitForSelector('html[data-ready="1"]', { timeout: 60_000 });
    const m = await page.evaluate(async () => {
      const frame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      const nav = performance.getEntriesByType('navigation')[0];
      const ready = Number(document.documentElement.dataset.readyMs);
      // A filter works as soon as the group list is drawn.
      let t = performance.now();
      document.querySelector('input[data-risk="high"]').click();
      const shownRisk = document.getElementById('shown').textContent;
      await frame();
      const riskMs = performance.now() - t;
      document.querySelector('input[data-risk="high"]').click();
      // Examples are read after the document is parsed; wait for them, then expand.
      while (document.documentElement.dataset.examples !== '1') await new Promise((r) => setTimeout(r, 5));
      const examplesAt = Number(document.documentElement.dataset.examplesMs);
      t = performance.now();
      document.querySelector('#groups .g-head').click();
      const expanded = document.querySelectorAll('#groups .ex').length;
      await frame();
      const expandMs = performance.now() - t;
      t = performance.now();
      const route = document.getElementById('f-route');
      const before = document.getElementById('shown').textContent;
      route.value = '/checkout';
      route.dispatchEvent(new Event('input'));
      while (document.getElementById('shown').textContent === before) await new Promise((r) => setTimeout(r, 5));
      await frame();
      const routeMs = performance.now() - t;
      return { ready, examplesAt, domContentLoaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, expanded, expandMs, riskMs, routeMs, shownRisk, heap: performance.memory?.usedJSHeapSize ?? 0 };
    });
    if (requests.some((u) => !u.startsWith('file:'))) throw new Error(`the page made a network request: ${requests.join(', ')}`);
    rows.push(m);
    await page.close();
  }
  await b.close();
  const r = (k) => median(rows.map((x) => x[k]));
  console.log(`Chromium (median of ${RUNS}): summary and group list drawn, filters and expand buttons live ${ms(r('ready'))} after navigation start ${r('ready') < 2000 ? '[ok: < 2 s]' : '[OVER TARGET]'}`);
  console.log(`  risk filter ${ms(r('riskMs'))} ("${rows[0].shownRisk}")`);
  console.log(`  examples read ${ms(r('examplesAt'))} after navigation start (DOMContentLoaded ${ms(r('domContentLoaded'))}, load ${ms(r('load'))}) ${r('examplesAt') < 2000 ? '[ok: < 2 s]' : '[OVER 2 s]'}`);
  console.log(`  expand a group (${rows[0].expanded} examples drawn) ${ms(r('expandMs'))}; route filter incl. 120 ms input debounce ${ms(r('routeMs'))}; JS heap ${mb(r('heap'))}`);
  console.log(`  fully interactive (examples read + expand): ${ms(r('examplesAt') + r('expandMs'))}`);
}
rmSync(dir, { recursive: true, force: true });

// Events recorded from test case files keep where they came from (case name, file and line or entry),
// reports show it next to the event id; a directory of files gives one summary line, not one per file.
import { join } from 'node:path';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemorySink, runRecording } from '../../src/record/index.js';
import { openEventSources } from '../../src/record/events/events-source.js';
import { sourceLabel } from '../../src/event/source-label.js';
import { cfreplay } from '../helpers/cli.js';
import { useTempDir } from '../helpers/tmp.js';
import type { ReplayReport } from '../../src/results/types.js';

const SPA = new URL('../fixtures/functions/spa-rewrite.js', import.meta.url).pathname;
const FIXED = new URL('../fixtures/replay/spa-fixed.js', import.meta.url).pathname;
const tmp = useTempDir();

function cases(dir: string): void {
  mkdirSync(join(dir, 'cases'), { recursive: true });
  writeFileSync(
    join(dir, 'cases', 'bot.jsonl'),
    [
      { name: 'api users', event: { request: { uri: '/api/users' } }, expect: { 'request.uri': '/api/users' } },
      { name: 'api orders', event: { request: { uri: '/api/orders/' } }, expect: { 'request.uri': '/api/orders/' } },
    ]
      .map((c) => JSON.stringify(c))
      .join('\n'),
  );
  writeFileSync(join(dir, 'cases', 'plain.json'), JSON.stringify([{ request: { uri: '/a.css' } }, { event: { request: { uri: '/shop/cart' } } }]));
  for (const n of [1, 2]) writeFileSync(join(dir, 'cases', `single-${n}.json`), JSON.stringify({ event: { request: { uri: `/s${n}/x` } }, output: null }));
}

describe('labels of events recorded from files', () => {
  it('sourceLabel: name, file:line for JSON lines, file#entry otherwise', () => {
    expect(sourceLabel({ file: 'cases/bot.jsonl', entry: 11, name: 'blocks curl' })).toBe('blocks curl (cases/bot.jsonl:12)');
    expect(sourceLabel({ file: 'capture.har', entry: 41 })).toBe('capture.har#41');
    expect(sourceLabel({ file: 'x.ndjson.gz', entry: 0 })).toBe('x.ndjson.gz:1');
  });

  it('record events reads test cases (names kept, partial events completed) into records that say where they came from', async () => {
    cases(tmp.path);
    const sink = new MemorySink();
    const summary = await runRecording(await openEventSources([join(tmp.path, 'cases')], { time: 0 }), sink);
    expect(summary.recordsWritten).toBe(6);
    expect(summary.skipped.total).toBe(0);
    expect(sink.records.map((r) => sourceLabel(r.source).replace(`${join(tmp.path, 'cases')}/`, ''))).toEqual([
      'api users (bot.jsonl:1)',
      'api orders (bot.jsonl:2)',
      'plain.json#0',
      'plain.json#1',
      'single-1.json#0',
      'single-2.json#0',
    ]);
    expect(sink.records[0]!.request).toEqual({ method: 'GET', uri: '/api/users', querystring: {}, headers: {}, cookies: {} });
    expect(summary.notes.map((n) => [n.note, n.count])).toEqual([['partial events completed with the documented defaults (method GET, uri /, empty maps, ...)', 6]]);
  });

  it('the CLI prints one summary line for a directory of files, and replay examples name the case', () => {
    cases(tmp.path);
    const corpus = join(tmp.path, 'cases.cfr');
    const rec = cfreplay(['record', 'events', join(tmp.path, 'cases'), '-o', corpus]);
    expect(rec.status).toBe(0);
    expect(rec.stderr).toMatch(/recorded 6 exchanges from 4 inputs/);
    expect(rec.stderr).toMatch(/\n {2}4 inputs: 6 entries, 6 recorded, 0 skipped, 0 filtered\n/);
    expect(rec.stderr).not.toMatch(/bot\.jsonl: \d+ entries/);
    const json = join(tmp.path, 'r.json');
    const md = join(tmp.path, 'r.md');
    const r = cfreplay(['replay', '--old', SPA, '--new', FIXED, '--corpus', corpus, '--json', json, '--markdown', md]);
    expect(r.status).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as ReplayReport;
    const sources = report.diffs.flatMap((g) => g.examples.map((e) => e.source));
    expect(sources.some((s) => s !== undefined && /^(api users|api orders) \(.*bot\.jsonl:[12]\)$/.test(s))).toBe(true);
    const ex = report.diffs[0]!.examples[0]!;
    expect(r.stdout).toContain(`[cfreplay show <report> ${ex.eventId}] from ${ex.source!.length > 80 ? ex.source!.slice(0, 79) : ex.source}`);
    expect(readFileSync(md, 'utf8')).toContain(`(event \`${ex.eventId}\` from `);
  });
});

import { describe, expect, it, vi } from 'vitest';
import { copyFileSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { showEvent, runViewOfSample } from '../../src/cli/commands/show.js';
import { UsageError } from '../../src/cli/errors.js';
import { main } from '../../src/cli/main.js';
import { buildRecordedExchange, DEFAULT_BUILD_OPTIONS } from '../../src/event/build.js';
import { toEvent } from '../../src/event/views.js';
import { createCorpusWriter } from '../../src/store/index.js';
import { diffRuns, outcomeLabel, riskOf, signatureOf, routeOf } from '../../src/diff/index.js';
import { renderShow, PLAIN, COLOURS } from '../../src/diff/render.js';
import { REPORT_SCHEMA, type DiffGroup, type ReplayReport, type SampleRun } from '../../src/results/types.js';
import type { RecordedExchange } from '../../src/event/types.js';
import type { RunResult } from '../../src/runtime/index.js';
import { useTempDir } from '../helpers/tmp.js';
import { diffFixture, diffFixturePath, run } from '../diff/helpers.js';

const URIS = ['/docs', '/admin', '/old/page', '/app.3f9a2b1c.js', '/products/42'];

function records(): RecordedExchange[] {
  return URIS.map((uri, i) =>
    buildRecordedExchange(
      {
        time: 1_700_000_000_000 + i * 1000,
        method: 'GET',
        url: `https://www.example.com${uri}?q=${i}`,
        headers: [
          { name: 'Host', value: 'www.example.com' },
          { name: 'Accept', value: 'text/html' },
        ],
        viewerIp: '198.51.100.7',
        source: { file: 'x.har', entry: i },
      },
      DEFAULT_BUILD_OPTIONS,
    ),
  );
}

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

function sampleRun(r: RunResult): SampleRun {
  const s: SampleRun = { outcome: outcomeLabel(r.outcome), effective: r.effective, logs: r.logs, durationNs: r.durationNs };
  if (r.outcome.kind === 'execution-error') s.error = `${r.outcome.error.name}: ${r.outcome.error.message} (line 3, column 10)`;
  return s;
}

/** A report like the replay writes, built with the public diff API on real runs. */
async function writeFixture(dir: string, oldFile: string, newFile: string): Promise<{ report: string; recs: RecordedExchange[] }> {
  const recs = records();
  const corpus = join(dir, 'c.cfr');
  const w = await createCorpusWriter(corpus, { chunkEvents: 2 });
  for (const r of recs) await w.write(r);
  await w.close();
  const oldSrc = readFileSync(oldFile, 'utf8');
  const newSrc = readFileSync(newFile, 'utf8');
  const groups = new Map<string, DiffGroup>();
  const samples: ReplayReport['samples'] = [];
  recs.forEach((rec, position) => {
    const ev = toEvent(rec, 'viewer-request')!;
    const a = run(oldSrc, ev, { now: rec.time, rawQuery: rec.rawQuery });
    const b = run(newSrc, ev, { now: rec.time, rawQuery: rec.rawQuery });
    for (const d of diffRuns(a, b)) {
      const signature = signatureOf(d);
      const key = `${d.path} ${d.kind} ${signature}`;
      const g = groups.get(key) ?? { id: key, path: d.path, kind: d.kind, risk: riskOf(d), signature, count: 0, share: 0, routes: [], examples: [] };
      g.count++;
      g.routes.push({ route: routeOf(rec.request.uri), count: 1 });
      g.examples.push({ eventId: rec.id, position, method: 'GET', uri: rec.request.uri, ...(d.old !== undefined ? { old: d.old } : {}), ...(d.new !== undefined ? { new: d.new } : {}) });
      groups.set(key, g);
    }
    // Only the first event gets a full sample.
    if (position === 0) samples.push({ eventId: rec.id, position, event: ev, old: sampleRun(a), new: sampleRun(b) });
  });
  const fi = (p: string) => ({ path: p, sha256: sha(p), runtime: 'cloudfront-js-1.0', bytes: readFileSync(p).length });
  const report = {
    schema: REPORT_SCHEMA,
    tool: { name: 'cfreplay', version: '0.1.0' },
    createdAt: new Date(0).toISOString(),
    corpus: { name: 'c.cfr', location: corpus, records: recs.length },
    eventType: 'viewer-request',
    functions: { old: fi(oldFile), new: fi(newFile) },
    options: { workers: 1, ignore: ['request.headers.x-debug'], timeoutMs: 1000 },
    events: recs.length,
    diffs: [...groups.values()],
    noise: [],
    errors: { old: [], new: [] },
    samples,
  };
  const path = join(dir, 'report.json');
  writeFileSync(path, JSON.stringify(report));
  return { report: path, recs };
}

describe('cfreplay show', () => {
  const tmp = useTempDir();
  const copy = (name: string) => {
    const p = join(tmp.path, name);
    copyFileSync(diffFixturePath(name), p);
    return p;
  };

  it('uses the sample when the report has one', async () => {
    const { report, recs } = await writeFixture(tmp.path, copy('spa-old.js'), copy('spa-new.js'));
    const v = await showEvent({ report, 'event-id': recs[0]!.id });
    expect(v.source).toBe('sample');
    expect(v.position).toBe(0);
    const by = Object.fromEntries(v.diffs.map((d) => [d.path, d]));
    expect(by['request.uri']).toMatchObject({ kind: 'changed', old: '/index.html', new: '/docs/index.html', risk: 'high', ignored: false });
    expect(by['request.headers.x-spa-cache']).toMatchObject({ old: 'HIT', new: 'MISS', signature: 'set "MISS"' });
    expect(by['request.headers.x-debug']).toMatchObject({ kind: 'added', ignored: true });
    const text = renderShow(v, PLAIN);
    expect(text).toContain(`Event ${recs[0]!.id} at position 0`);
    expect(text).toContain('"uri": "/docs"'); // the event as received
    expect(text).toMatch(/request\.uri {2}high · changed/);
    expect(text).toContain('- /index.html');
    expect(text).toContain('+ /docs/index.html');
    expect(text).toContain('Differences: 2 (+1 ignored)');
    expect(text).not.toContain('\u001b[');
    expect(renderShow(v, COLOURS)).toContain('\u001b[31m');
  });

  it('re-creates the event from the corpus and both files when there is no sample, and marks noise', async () => {
    const { report, recs } = await writeFixture(tmp.path, copy('spa-old.js'), copy('spa-new.js'));
    const admin = await showEvent({ report, 'event-id': recs[1]!.id });
    expect(admin.source).toBe('rerun');
    expect(admin.diffs).toEqual([
      { path: 'outcome', kind: 'outcome', old: 'forward', new: 'response 302', risk: 'high', signature: 'forward -> response 302', ignored: false, noisy: false },
    ]);
    expect((admin.event as { request: { uri: string } }).request.uri).toBe('/admin');
    expect(admin.warnings.join('\n')).toMatch(/--kvs/);
    const moved = await showEvent({ report, 'event-id': recs[2]!.id });
    expect(moved.diffs.find((d) => d.path === 'request.uri')).toMatchObject({ old: '/index.html', new: '/new/page' });
  });

  it('noise: a random header differs between two runs of OLD', async () => {
    const { report, recs } = await writeFixture(tmp.path, copy('rand.js'), copy('no-rand.js'));
    const v = await showEvent({ report, 'event-id': recs[3]!.id });
    const by = Object.fromEntries(v.diffs.map((d) => [d.path, d]));
    expect(by['request.headers.x-rand']).toMatchObject({ kind: 'removed', noisy: true });
    expect(by['request.headers.x-version']).toMatchObject({ kind: 'changed', noisy: false });
    expect(renderShow(v, PLAIN)).toMatch(/x-rand {2}medium · removed · noise/);
  });

  it('re-runs each function in a sandbox worker: unbounded allocation is a memory outcome, a hang a timeout, with the report\'s budget', async () => {
    const newFile = copy('spa-new.js');
    const { report, recs } = await writeFixture(tmp.path, copy('spa-old.js'), newFile);
    const r = JSON.parse(readFileSync(report, 'utf8')) as ReplayReport;
    r.options.timeoutMs = 60_000;
    writeFileSync(report, JSON.stringify(r));
    writeFileSync(newFile, 'function handler(event) { var a = []; for (;;) a.push(new Array(1000000).fill(a.length)); }\n');
    const hog = await showEvent({ report, 'event-id': recs[1]!.id });
    expect(hog.old.label).toBe('forward');
    expect(hog.new.label).toBe('memory');
    r.options.timeoutMs = 300;
    writeFileSync(report, JSON.stringify(r));
    writeFileSync(newFile, 'function handler(event) { for (;;) {} }\n');
    const hang = await showEvent({ report, 'event-id': recs[1]!.id });
    expect(hang.new.label).toBe('timeout');
    expect(hang.new.error).toMatch(/time limit exceeded \(300 ms\)/);
  });

  it('warns when a function file changed since the replay', async () => {
    const oldFile = copy('spa-old.js');
    const { report, recs } = await writeFixture(tmp.path, oldFile, copy('spa-new.js'));
    appendFileSync(oldFile, '\n// edited\n');
    const v = await showEvent({ report, 'event-id': recs[4]!.id });
    expect(v.warnings.join('\n')).toMatch(/spa-old\.js changed since the replay \(sha256/);
  });

  it('samples with errors rebuild the outcome (line numbers do not count)', () => {
    const s: SampleRun = { outcome: 'execution-error', effective: { error: { status: 503, type: 'FunctionExecutionError' } }, error: 'TypeError: boom (line 3, column 1)', logs: [], durationNs: 1 };
    const t: SampleRun = { ...s, error: 'TypeError: boom (line 9, column 4)' };
    expect(diffRuns(runViewOfSample(s), runViewOfSample(t))).toEqual([]);
    expect(diffRuns(runViewOfSample(s), runViewOfSample({ ...s, error: 'TypeError: bang' }))).toEqual([{ path: 'error', kind: 'changed', old: 'TypeError: boom', new: 'TypeError: bang' }]);
    expect(diffRuns(runViewOfSample({ ...s, outcome: 'timeout' }), runViewOfSample(s))[0]).toMatchObject({ kind: 'outcome', old: 'timeout' });
  });

  it('long values get a word diff', async () => {
    const long = 'a '.repeat(60);
    const v = {
      eventId: 'e', eventType: 'viewer-response', source: 'sample' as const, functions: { old: 'o.js', new: 'n.js' }, event: {}, warnings: [],
      old: { label: 'modified-response', detail: 'modified-response 200', effective: {}, logs: [] },
      new: { label: 'modified-response', detail: 'modified-response 200', effective: {}, logs: [] },
      diffs: [{ path: 'response.body', kind: 'changed' as const, old: `text:${long}old`, new: `text:${long}new`, risk: 'medium' as const, signature: 's', ignored: false }],
    };
    const text = renderShow(v, PLAIN);
    expect(text).toContain('[-old-]{+new+}');
    const lines = renderShow({ ...v, diffs: [{ ...v.diffs[0]!, old: 'text:a\nb\nc', new: 'text:a\nB\nc' }] }, PLAIN);
    expect(lines).toMatch(/- b\n\s+\+ B/);
  });

  it('one-line errors: missing report, not a report, unknown event id (lists some), moved corpus record', async () => {
    const { report, recs } = await writeFixture(tmp.path, copy('spa-old.js'), copy('spa-new.js'));
    await expect(showEvent({ report: join(tmp.path, 'nope.json'), 'event-id': 'x' })).rejects.toThrow(/nope\.json: JSON report not found/);
    const notReport = join(tmp.path, 'n.json');
    writeFileSync(notReport, '{"hello":1}');
    await expect(showEvent({ report: notReport, 'event-id': 'x' })).rejects.toThrow(UsageError);
    await expect(showEvent({ report: notReport, 'event-id': 'x' })).rejects.toThrow(/not a cfreplay report/);
    writeFileSync(notReport, 'garbage');
    await expect(showEvent({ report: notReport, 'event-id': 'x' })).rejects.toThrow(/n\.json: not JSON \(.*\); expected a report written by cfreplay replay --json/);
    const err = await showEvent({ report, 'event-id': 'no-such-id' }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toContain('no event no-such-id');
    expect(err.message).toContain(recs[0]!.id);
    // The corpus changed under the report: the record at the example's position is another one.
    const r = JSON.parse(readFileSync(report, 'utf8')) as ReplayReport;
    r.diffs[0]!.examples[0]!.position = 4;
    r.samples = [];
    writeFileSync(report, JSON.stringify(r));
    const id = r.diffs[0]!.examples[0]!.eventId;
    await expect(showEvent({ report, 'event-id': id })).rejects.toThrow(/position 4 is .*, not /);
  });

  it('through the CLI: text, --json, exit code 2 with one line for errors', async () => {
    const { report, recs } = await writeFixture(tmp.path, copy('spa-old.js'), copy('spa-new.js'));
    const out: string[] = [];
    const err: string[] = [];
    const so = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    const se = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
    try {
      await main(['show', report, recs[0]!.id, '--json']);
      const v = JSON.parse(out.join('')) as { eventId: string; diffs: { path: string }[] };
      expect(v.eventId).toBe(recs[0]!.id);
      expect(v.diffs.map((d) => d.path)).toContain('request.uri');
      out.length = 0;
      await main(['show', report, recs[1]!.id, '--no-color']);
      expect(out.join('')).toContain('outcome  high · outcome  forward -> response 302');
      await main(['show', report, 'missing-id']);
      expect(err.join('')).toMatch(/^cfreplay: .*no event missing-id.*\n$/);
      expect(process.exitCode).toBe(2);
    } finally {
      so.mockRestore();
      se.mockRestore();
      process.exitCode = 0;
    }
  });
});

// Keep the fixture reader referenced (used by other files too).
void diffFixture;

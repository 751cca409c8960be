// Event files: validation, Lambda@Edge refusal, exact round trip through a corpus file.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemorySink, runRecording } from '../../src/record/index.js';
import { openCorpusSink } from '../../src/record/corpus-sink.js';
import { EVENTS_SKIP, openEventSources } from '../../src/record/events/events-source.js';
import { openCorpusFile } from '../../src/store/index.js';
import { toViewerRequestEvent, toViewerResponseEvent, type RecordedExchange } from '../../src/event/index.js';
import { useTempDir } from '../helpers/tmp.js';

const root = new URL('../../', import.meta.url).pathname;
const runtimeEvents = join(root, 'test/fixtures/events');
const mine = join(root, 'test/fixtures/events-src');
const T = Date.UTC(2024, 4, 1, 10);

async function record(paths: string[]) {
  const sink = new MemorySink();
  const summary = await runRecording(await openEventSources(paths, { time: T }), sink);
  return { summary, records: sink.records };
}

async function readBack(path: string): Promise<RecordedExchange[]> {
  const f = await openCorpusFile(path);
  const out: RecordedExchange[] = [];
  for await (const r of f.records()) out.push(r);
  await f.close();
  return out;
}

describe('record events', () => {
  const tmp = useTempDir();

  it('keeps each event exactly: requestId, querystring, headers, cookies, response', async () => {
    const { records, summary } = await record([join(runtimeEvents, 'viewer-request.json'), join(runtimeEvents, 'viewer-response.json')]);
    expect(summary.recordsWritten).toBe(2);
    const [req, res] = records;
    expect(req!.time).toBe(T);
    const ev = toViewerRequestEvent(req!);
    const original = (await import(join(runtimeEvents, 'viewer-request.json'), { with: { type: 'json' } })).default;
    expect(ev.request).toEqual(original.request);
    expect(ev.context.requestId).toBe(original.context.requestId);
    expect(ev.viewer).toEqual(original.viewer);
    const resEvent = toViewerResponseEvent(res!)!;
    const originalRes = (await import(join(runtimeEvents, 'viewer-response.json'), { with: { type: 'json' } })).default;
    expect(resEvent).toEqual(originalRes);
  });

  it('a directory: JSON arrays, JSON lines; bad lines, invalid and Lambda@Edge events counted and skipped', async () => {
    const { records, summary } = await record([mine]);
    expect(records.map((r) => r.request.uri)).toEqual(['/api', '/minimal', '/a', '/b', '/c']);
    const reasons = Object.fromEntries(summary.skipped.reasons.map((r) => [r.reason, r.count]));
    expect(reasons).toEqual({ [EVENTS_SKIP.notJson]: 1, [EVENTS_SKIP.lambdaEdge]: 1, [EVENTS_SKIP.invalid]: 1 });
    expect(summary.warnings.join('\n')).toMatch(/Lambda@Edge event\(s\) refused/);
    const [api, minimal, a, b, c] = records;
    expect(api!.distributionDomainName).toBe('dabc.cloudfront.net');
    expect(api!.id).toBe('arr-1');
    expect(minimal!.request).toEqual({ method: 'GET', uri: '/minimal', querystring: {}, headers: {}, cookies: {} });
    expect(minimal!.viewerIp).toBe('203.0.113.10');
    expect(a!.rawQuery).toBe('x=1');
    // multiValue[0] differing from value is kept as written.
    expect(b!.request.querystring.q).toEqual({ value: 'first', multiValue: [{ value: 'other' }, { value: 'second' }] });
    expect(b!.id).toBe('custom-id-2');
    expect(c!.response?.statusCode).toBe(302);
    // Generated ids are stable.
    const again = await record([mine]);
    expect(again.records.map((r) => r.id)).toEqual(records.map((r) => r.id));
  });

  it('round-trips through a corpus file exactly (odd shapes stored verbatim)', async () => {
    const out = join(tmp.path, 'events.cfr');
    const summary = await runRecording(await openEventSources([mine, runtimeEvents], { time: T }), await openCorpusSink(out));
    const memory = await record([mine, runtimeEvents]);
    expect(summary.recordsWritten).toBe(memory.records.length);
    expect(await readBack(out)).toEqual(memory.records);
  });

  it('a file of Lambda@Edge events named on the command line is refused with a clear message', async () => {
    await expect(openEventSources([join(runtimeEvents, 'lambda-edge.json')])).rejects.toThrow(/Lambda@Edge event \(Records\[0\]\.cf\).*records CloudFront Functions events only/);
  });

  it('a named file that is not JSON, a missing file, an empty directory: one-line errors', async () => {
    const bad = join(tmp.path, 'bad.json');
    writeFileSync(bad, '{ not json');
    await expect(openEventSources([bad])).rejects.toThrow(/bad\.json: not valid JSON/);
    await expect(openEventSources([join(tmp.path, 'none.json')])).rejects.toThrow(/none\.json: event file or directory not found/);
    const empty = join(tmp.path, 'empty');
    (await import('node:fs')).mkdirSync(empty);
    await expect(openEventSources([empty])).rejects.toThrow(/no event files/);
  });

  it('a directory picks up compressed JSON lines (.jsonl.gz, .ndjson.gz) beside plain files, not other .gz files', async () => {
    const { gzipSync } = await import('node:zlib');
    const fs = await import('node:fs');
    const dir = join(tmp.path, 'mixed');
    fs.mkdirSync(dir);
    const line = (uri: string) => JSON.stringify({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '203.0.113.7' }, request: { method: 'GET', uri, querystring: {}, headers: {}, cookies: {} } });
    writeFileSync(join(dir, 'a.jsonl'), `${line('/plain')}\n`);
    writeFileSync(join(dir, 'b.jsonl.gz'), gzipSync(`${line('/gz-1')}\n${line('/gz-2')}\n`));
    writeFileSync(join(dir, 'c.NDJSON.GZ'), gzipSync(`${line('/nd-gz')}\n`));
    // Not event files: a compressed .json (only JSON lines may be compressed) and a .txt.gz.
    writeFileSync(join(dir, 'd.json.gz'), gzipSync(line('/no-json-gz')));
    writeFileSync(join(dir, 'e.txt.gz'), gzipSync(line('/no-txt-gz')));
    const { records, summary } = await record([dir]);
    expect(records.map((r) => r.request.uri)).toEqual(['/plain', '/gz-1', '/gz-2', '/nd-gz']);
    expect(summary.recordsWritten).toBe(4);
  });

  it('filters apply to events (host, method, URL)', async () => {
    const sink = new MemorySink();
    const { compileFilters } = await import('../../src/record/filters.js');
    const summary = await runRecording(await openEventSources([mine], { time: T }), sink, {
      filters: compileFilters({ includeHosts: ['www.example.com'], methods: ['GET'] }),
    });
    expect(sink.records.map((r) => r.request.uri)).toEqual(['/a', '/b']);
    expect(summary.filtered.total).toBe(3);
  });
});

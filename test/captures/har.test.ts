// Every real HAR capture (<captures>/har) records without error; the INVALID-*
// files get a clean one-line error naming the file and the place; the scanner
// gives the same entries whatever the chunking; Chrome's provisional headers.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemorySink, openHarSource, runRecording } from '../../src/record/index.js';
import { HAR_NOTES } from '../../src/record/har/entry.js';
import { toViewerRequestEvent, toViewerResponseEvent, viewerResponseSkipReason } from '../../src/event/index.js';
import { expectSameEntriesWhateverChunking, scanError } from '../helpers/har-scan.js';
import { capture } from './location.js';

const dir = `${capture('har')}/`;
const files = readdirSync(dir).filter((f) => /\.harp?$/.test(f)).sort();

describe('real HAR captures', () => {
  it('holds captures to test', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it.each(files.filter((f) => !f.startsWith('INVALID-')))('%s records without error', async (f) => {
    const sink = new MemorySink();
    const summary = await runRecording([await openHarSource(dir + f)], sink);
    expect(summary.entriesRead).toBeGreaterThan(0);
    expect(summary.recordsWritten + summary.skipped.total).toBe(summary.entriesRead);
    // anything skipped in these real files is a data:/blob: URL or the browser cache
    for (const r of summary.skipped.reasons) expect(r.reason).toMatch(/data:|blob:|cache|service worker/);
    for (const rec of sink.records) {
      const ev = toViewerRequestEvent(rec);
      expect(ev.request.uri.startsWith('/') || ev.request.uri === '*').toBe(true);
      expect(ev.request.querystring).toBeTypeOf('object');
      for (const name of Object.keys(ev.request.headers)) {
        expect(name).toBe(name.toLowerCase());
        expect(name.startsWith(':')).toBe(false);
        expect(['cookie', 'connection', 'x-forwarded-proto', 'upgrade', 'keep-alive']).not.toContain(name);
      }
      expect(Number.isFinite(rec.time)).toBe(true);
      const vr = toViewerResponseEvent(rec);
      if (vr === undefined) expect(viewerResponseSkipReason(rec)).toBeDefined();
      else expect(Object.keys(vr.response.headers)).not.toContain('set-cookie');
    }
  });

  it.each(files.filter((f) => f.startsWith('INVALID-')))('%s gets a clean error and nothing is kept', async (f) => {
    const sink = new MemorySink();
    const err = await runRecording([await openHarSource(dir + f)], sink).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err).toBeDefined();
    expect((err as Error & { userFacing?: boolean }).userFacing).toBe(true);
    expect(err!.message).toContain(f);
    expect(err!.message).toMatch(/ at line \d+, column \d+, byte \d+/);
    expect(err!.message).not.toContain('\n');
    expect(sink.state).toBe('aborted');
  });
});

describe('the streaming scanner on real captures', () => {
  it.each(['harviewer-testLoad1.harp', 'harviewer-issue-61_ie11.fiddler.har'])('%s: 1-byte, 7-byte and random chunks give identical entries', (f) => {
    expectSameEntriesWhateverChunking(readFileSync(capture('har', f)));
  });

  it('the INVALID files get a clean error naming the file and the place', () => {
    const invalid = files.filter((n) => n.startsWith('INVALID-'));
    expect(invalid.length).toBeGreaterThan(0);
    for (const f of invalid) {
      const err = scanError(readFileSync(dir + f), f);
      expect(err.message).toMatch(new RegExp(`^${f.replace(/[.]/g, '\\.')}: .* at line \\d+, column \\d+, byte \\d+`));
    }
  });
});

describe('HAR: Chrome provisional headers in a real chrome-har export', () => {
  it('pagexray ferguson.har: the event has the HTTP/2 headers sent, each once', async () => {
    const sink = new MemorySink();
    const summary = await runRecording([await openHarSource(capture('har', 'pagexray-contentTypes_ferguson.har'))], sink);
    const first = sink.records[0]!;
    expect(first.request.headers['user-agent']).toEqual({ value: expect.stringMatching(/^Mozilla\/5\.0 \(Macintosh/) });
    expect(first.request.headers['upgrade-insecure-requests']).toEqual({ value: '1' });
    expect(first.request.headers['sec-ch-ua-mobile']).toEqual({ value: '?0' });
    expect(first.request.headers.host).toEqual({ value: 'www.ferguson.com' });
    // No request header of any entry repeats (the file has none that really did).
    for (const r of sink.records) for (const [name, h] of Object.entries(r.request.headers)) expect(h.multiValue, `${r.request.uri} ${name}`).toBeUndefined();
    expect(summary.notes.find((n) => n.note === HAR_NOTES.provisionalDropped)!.count).toBeGreaterThan(100);
  });
});

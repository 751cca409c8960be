// Every real capture in ../shared/corpus/har records without error; the
// INVALID-* files get a clean one-line error naming the file and the place.
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemorySink, openHarSource, runRecording } from '../../src/record/index.js';
import { toViewerRequestEvent, toViewerResponseEvent, viewerResponseSkipReason } from '../../src/event/index.js';

const root = new URL('../../', import.meta.url).pathname;
const dir = `${root}../shared/corpus/har/`;
const present = existsSync(dir);
if (!present) console.warn(`SKIPPED: shared HAR corpus not found at ${dir}`);
const files = present ? readdirSync(dir).filter((f) => /\.harp?$/.test(f)).sort() : [];

describe.skipIf(!present)('shared HAR corpus', () => {
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

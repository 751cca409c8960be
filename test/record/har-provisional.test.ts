// chrome-har exports list Chrome's provisional request headers before the headers actually sent.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemorySink, openHarSource, runRecording } from '../../src/record/index.js';
import { dropProvisionalHeaders, HAR_NOTES } from '../../src/record/har/entry.js';

const root = new URL('../../', import.meta.url).pathname;
const ferguson = join(root, '../shared/corpus/har/pagexray-contentTypes_ferguson.har');

describe('HAR: Chrome provisional headers', () => {
  it('pagexray ferguson.har: the event has the HTTP/2 headers sent, each once', async () => {
    const sink = new MemorySink();
    const summary = await runRecording([await openHarSource(ferguson)], sink);
    const first = sink.records[0]!;
    expect(first.request.headers['user-agent']).toEqual({ value: expect.stringMatching(/^Mozilla\/5\.0 \(Macintosh/) });
    expect(first.request.headers['upgrade-insecure-requests']).toEqual({ value: '1' });
    expect(first.request.headers['sec-ch-ua-mobile']).toEqual({ value: '?0' });
    expect(first.request.headers.host).toEqual({ value: 'www.ferguson.com' });
    // No request header of any entry repeats (the file has none that really did).
    for (const r of sink.records) for (const [name, h] of Object.entries(r.request.headers)) expect(h.multiValue, `${r.request.uri} ${name}`).toBeUndefined();
    expect(summary.notes.find((n) => n.note === HAR_NOTES.provisionalDropped)!.count).toBeGreaterThan(100);
  });

  it('the provisional set is dropped whole, even a header it alone has (an empty Referer never sent)', () => {
    const h = (name: string, value: string) => ({ name, value });
    const listed = [h('Referer', ''), h('User-Agent', 'UA'), h(':authority', 'a.example'), h(':method', 'GET'), h('accept', '*/*'), h('user-agent', 'UA')];
    expect(dropProvisionalHeaders(listed)).toEqual(listed.slice(2));
  });

  it('HTTP/1.1 entries: split where the rest has Host, no repeated name, and repeats the earlier values', () => {
    const h = (name: string, value: string) => ({ name, value });
    const listed = [h('Referer', 'https://a/'), h('User-Agent', 'UA'), h('Accept', '*/*'), h('Host', 'b.example'), h('Referer', 'https://a/'), h('User-Agent', 'UA')];
    expect(dropProvisionalHeaders(listed)).toEqual(listed.slice(2));
  });

  it('leaves genuine lists alone: no pseudo-headers and no repeats, pseudo-headers first, real duplicates', () => {
    const h = (name: string, value: string) => ({ name, value });
    const plain = [h('Host', 'a'), h('Accept', '*/*')];
    expect(dropProvisionalHeaders(plain)).toBe(plain);
    const h2 = [h(':authority', 'a'), h(':method', 'GET'), h('accept', '*/*')];
    expect(dropProvisionalHeaders(h2)).toBe(h2);
    const dup = [h('X-Tag', 'one'), h('Host', 'a'), h('X-Tag', 'two')];
    expect(dropProvisionalHeaders(dup)).toBe(dup);
    const onlyPseudo = [h('User-Agent', 'UA'), h(':authority', 'a'), h(':path', '/')];
    expect(dropProvisionalHeaders(onlyPseudo)).toBe(onlyPseudo);
  });
});

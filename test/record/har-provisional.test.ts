// chrome-har exports list Chrome's provisional request headers before the headers actually sent.
import { describe, expect, it } from 'vitest';
import { MemorySink, openHarSource, runRecording } from '../../src/record/index.js';
import { dropProvisionalHeaders, HAR_NOTES } from '../../src/record/har/entry.js';

const fixture = new URL('../fixtures/har/chrome-provisional.har', import.meta.url).pathname;

describe('HAR: Chrome provisional headers', () => {
  it('a chrome-har export: each event has the headers sent, each once; genuine repeats stay', async () => {
    const sink = new MemorySink();
    const summary = await runRecording([await openHarSource(fixture)], sink);
    const [h2, h1, repeats] = sink.records;
    // HTTP/2: the provisional set before ":authority" is gone (its empty Referer too).
    expect(h2!.request.headers['user-agent']).toEqual({ value: expect.stringMatching(/^Mozilla\/5\.0 \(Macintosh/) });
    expect(h2!.request.headers['upgrade-insecure-requests']).toEqual({ value: '1' });
    expect(h2!.request.headers['sec-ch-ua-mobile']).toEqual({ value: '?0' });
    expect(h2!.request.headers.host).toEqual({ value: 'www.shop.example' });
    expect(h2!.request.headers.referer).toBeUndefined();
    // HTTP/1.1: split where the headers sent (with Host) start.
    expect(Object.keys(h1!.request.headers).sort()).toEqual(['accept', 'host', 'referer', 'user-agent']);
    expect(h1!.request.headers.referer).toEqual({ value: 'https://www.shop.example/' });
    for (const r of [h2!, h1!]) for (const [name, h] of Object.entries(r.request.headers)) expect(h.multiValue, `${r.request.uri} ${name}`).toBeUndefined();
    expect(repeats!.request.headers['x-tag']!.multiValue).toEqual([{ value: 'one' }, { value: 'two' }]);
    expect(summary.notes.find((n) => n.note === HAR_NOTES.provisionalDropped)!.count).toBe(2);
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

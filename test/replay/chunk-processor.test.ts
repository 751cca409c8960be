/**
 * processChunk runs a chunk as one batch of each function (LoadedFunction.startBatch): state a
 * call leaves in a symbol-keyed global is looked for at the end of the batch only, and a chunk in
 * which a call left some runs again with that function checked after every call. The results are
 * those of a function that sees a pristine global on every event, as on CloudFront.
 */
import { describe, expect, it } from 'vitest';
import { processChunk } from '../../src/replay/chunk-processor.js';
import { loadFunction } from '../../src/runtime/loader.js';
import { openCorpusFile } from '../../src/store/index.js';
import { writeSyntheticCorpus } from '../helpers/corpus.js';
import { useTempDir } from '../helpers/tmp.js';

const tmp = useTempDir();

/** Counts its calls in a symbol-keyed global (a "module cache" a library might keep): 1 on every event on CloudFront. */
const COUNTING = `function handler(event) {
  var k = Symbol.for('calls');
  globalThis[k] = (globalThis[k] || 0) + 1;
  event.request.headers['x-calls'] = { value: String(globalThis[k]) };
  return event.request;
}`;
const ONE = `function handler(event) {
  event.request.headers['x-calls'] = { value: '1' };
  return event.request;
}`;

describe('processChunk: state left in symbol-keyed globals', () => {
  it('reruns the chunk with per-call checks: every event sees a pristine global, no difference from a function that returns 1', async () => {
    const file = await writeSyntheticCorpus(tmp.path, 300, 150);
    const corpus = await openCorpusFile(file);
    try {
      const fns = { old: loadFunction(ONE, { filename: 'one.js' }), new: loadFunction(COUNTING, { filename: 'counting.js' }) };
      for (const chunk of [0, 1]) {
        const framed = await corpus.readFramedChunk(chunk);
        const r = await processChunk({ chunk, framed, firstPosition: chunk * 150 }, fns, { eventType: 'viewer-request', samplesPerChunk: 0 });
        expect(r.events).toBe(150);
        expect(r.changed).toBe(0);
        expect(r.groups).toEqual([]);
      }
    } finally {
      await corpus.close();
    }
  });

  it('endBatch says whether a call of the batch left one, and the function is checked after every call from then on', () => {
    const fn = loadFunction(COUNTING, { filename: 'counting.js' });
    const ev = () => ({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '1.2.3.4' }, request: { method: 'GET', uri: '/', querystring: {}, headers: {}, cookies: {} } });
    const calls = (): string => ((fn.invoke(ev()) as { raw: { headers: Record<string, { value: string }> } }).raw.headers['x-calls']!.value);
    // Outside a batch every call is checked.
    expect([calls(), calls()]).toEqual(['1', '1']);
    // In a batch the state is seen at its end only (the caller then reruns the batch).
    fn.startBatch();
    expect([calls(), calls()]).toEqual(['1', '2']);
    expect(fn.endBatch()).toBe(true);
    // Learnt: checked after every call, also in later batches, which then find nothing.
    fn.startBatch();
    expect([calls(), calls()]).toEqual(['1', '1']);
    expect(fn.endBatch()).toBe(false);
  });

  it('a function that leaves nothing ends its batches clean', () => {
    const fn = loadFunction(ONE, { filename: 'one.js' });
    fn.startBatch();
    fn.invoke({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '1.2.3.4' }, request: { method: 'GET', uri: '/', querystring: {}, headers: {}, cookies: {} } });
    expect(fn.endBatch()).toBe(false);
  });
});

describe('processChunk: latency histograms reused from chunk to chunk', () => {
  const SLOW_ON_ODD = `function handler(event) {
  var n = 0;
  if (event.request.uri.length % 2 === 1) for (var i = 0; i < 20000; i++) n += i;
  event.request.headers['x-n'] = { value: String(n > 0) };
  return event.request;
}`;

  it("a chunk's histograms hold its own calls only, whatever ran before it in the thread, also when chunks run side by side", async () => {
    const file = await writeSyntheticCorpus(tmp.path, 300, 100);
    const corpus = await openCorpusFile(file);
    try {
      const fns = { old: loadFunction(ONE, { filename: 'one.js' }), new: loadFunction(SLOW_ON_ODD, { filename: 'slow.js' }) };
      const task = async (chunk: number) => ({ chunk, framed: await corpus.readFramedChunk(chunk), firstPosition: chunk * 100 });
      const totals = (r: Awaited<ReturnType<typeof processChunk>>) =>
        (['old', 'new'] as const).map((v) => {
          const h = r.histograms[v];
          if (typeof h === 'string') throw new Error('counts expected');
          let n = 0;
          for (let k = 1; k < h.pairs.length; k += 2) n += h.pairs[k]!;
          return n;
        });
      const opts = { eventType: 'viewer-request' as const, samplesPerChunk: 0, noise: false };
      for (const chunk of [0, 1, 2]) expect(totals(await processChunk(await task(chunk), fns, opts)), `chunk ${chunk}`).toEqual([100, 100]);
      // Two chunks in progress at once (an async caller): each keeps its own pair of histograms.
      const both = await Promise.all([0, 1].map(async (c) => processChunk(await task(c), fns, opts)));
      expect(both.map(totals)).toEqual([[100, 100], [100, 100]]);
      // The counts a chunk sent are its own: a later chunk's reuse of the histograms does not change them.
      const first = await processChunk(await task(0), fns, opts);
      const copy = JSON.stringify(first.histograms, (_, v: unknown) => (v instanceof Float64Array ? [...v] : v));
      await processChunk(await task(1), fns, opts);
      expect(JSON.stringify(first.histograms, (_, v: unknown) => (v instanceof Float64Array ? [...v] : v))).toBe(copy);
    } finally {
      await corpus.close();
    }
  });
});

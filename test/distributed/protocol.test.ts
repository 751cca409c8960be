/**
 * A chunk result crosses Redis as msgpack. Traffic's names survive the trip as own
 * properties: msgpackr's own object decoding renames `__proto__` to `__proto_`, which
 * made the merged report of a distributed replay differ from the local one.
 */
import { describe, expect, it } from 'vitest';
import { doneFields, parseDone } from '../../src/distributed/protocol.js';
import type { ChunkResult } from '../../src/replay/chunk-result.js';
import { encodeHistogram, histogramCounts, newHistogram, recordDuration } from '../../src/results/latency.js';
import { RunAccumulator } from '../../src/results/run-accumulator.js';

describe('distributed result transport', () => {
  it('keeps keys named __proto__, constructor, toString as own properties and never touches Object.prototype', () => {
    const querystring = JSON.parse('{"__proto__":{"value":"polluted"},"constructor":{"value":"c"},"toString":{"value":"t"},"a":{"value":"1"}}') as Record<string, unknown>;
    const sample = { event: { request: { uri: '/x', querystring, headers: JSON.parse('{"__proto__":{"value":"h"}}') } }, list: [JSON.parse('{"__proto__":1}')] };
    const empty = histogramCounts(newHistogram());
    const result = { chunk: 3, samples: [sample], bytes: new Uint8Array([1, 2, 3]), counts: new Map([['forward', 2]]), histograms: { old: empty, new: empty } } as unknown as ChunkResult;
    const fields = doneFields({ kind: 'result', chunk: 3, worker: 'w1', result });
    const back = parseDone(fields.map((f) => (typeof f === 'string' ? Buffer.from(f) : f)));
    expect(back?.kind).toBe('result');
    const got = (back as { result: { samples: (typeof sample)[]; bytes: Uint8Array; counts: unknown } }).result;
    const q = got.samples[0]!.event.request.querystring;
    expect(Object.keys(q)).toEqual(['__proto__', 'constructor', 'toString', 'a']);
    expect(Object.getOwnPropertyDescriptor(q, '__proto__')?.value).toEqual({ value: 'polluted' });
    expect(Object.getPrototypeOf(q)).toBe(Object.prototype);
    expect(Object.keys(got.samples[0]!.event.request.headers)).toEqual(['__proto__']);
    expect(Object.keys(got.samples[0]!.list[0] as object)).toEqual(['__proto__']);
    expect([...got.bytes]).toEqual([1, 2, 3]);
    expect(got.counts).toEqual({ forward: 2 });
    expect(({} as Record<string, unknown>).value).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'value')).toBe(false);
  });

  it('histograms leave a worker as counts and cross Redis as compressed base64 strings: the coordinator merges what the local run merges', () => {
    const histogram = (scale: number, n: number) => {
      const h = newHistogram();
      for (let i = 1; i <= n; i++) recordDuration(h, scale + ((i * 7919) % 1000) * scale * 0.01);
      return h;
    };
    const hs = [histogram(500, 8000), histogram(40_000, 300), histogram(900, 1)];
    const results = hs.map((h, chunk): ChunkResult => ({
      chunk,
      events: h.totalCount,
      changed: 0,
      noiseOnly: 0,
      skipped: {},
      outcomes: { old: {}, new: {} },
      transitions: {},
      groups: [],
      noise: [],
      errors: { old: [], new: [] },
      histograms: { old: histogramCounts(h), new: histogramCounts(hs[(chunk + 1) % hs.length]!) },
      samples: [],
      killed: { old: 0, new: 0 },
      cost: { budget: 1000, histograms: { old: histogramCounts(h), new: histogramCounts(newHistogram()) }, exact: { old: { count: 0, min: 0, max: 0, sum: 0 }, new: { count: 0, min: 0, max: 0, sum: 0 } }, near: { old: { count: 0, max: 0, examples: [] }, new: { count: 0, max: 0, examples: [] } } },
    }));
    const local = new RunAccumulator();
    const remote = new RunAccumulator();
    for (const r of results) {
      const fields = doneFields({ kind: 'result', chunk: r.chunk, worker: 'w1', result: r });
      const back = parseDone(fields.map((f) => (typeof f === 'string' ? Buffer.from(f) : f)));
      const got = (back as { result: ChunkResult }).result;
      expect(got.histograms.old).toBe(encodeHistogram(hs[r.chunk]!));
      expect(got.cost!.histograms.old).toBe(encodeHistogram(hs[r.chunk]!));
      expect(typeof got.cost!.histograms.new).toBe('string');
      // The local result is left as it was (counts).
      expect(r.histograms.old).toHaveProperty('pairs');
      local.add(r);
      remote.add(got);
    }
    expect(encodeHistogram(remote.histOld)).toBe(encodeHistogram(local.histOld));
    expect(encodeHistogram(remote.histNew)).toBe(encodeHistogram(local.histNew));
    expect(encodeHistogram(remote.cost!.old)).toBe(encodeHistogram(local.cost!.old));
    expect([remote.histOld.minNonZeroValue, remote.histOld.maxValue]).toEqual([local.histOld.minNonZeroValue, local.histOld.maxValue]);
  });
});

// The one-walk statistics must give exactly what hdr-histogram-js computes
// (mean and standard deviation from each bucket's median equivalent value),
// and the rank test must see the same bins.
import { describe, expect, it } from 'vitest';
import type * as hdr from 'hdr-histogram-js';
import {
  addChunkHistogram,
  compareLatency,
  decodeHistogram,
  encodeHistogram,
  histogramCounts,
  latencyReport,
  latencyStats,
  mannWhitney,
  newHistogram,
  portableHistogram,
  recordDuration,
  recordedBins,
  valueAtPercentile,
  histogramToRead,
  type LatencyHistogram,
} from '../../src/results/latency.js';
import { encodeCompressedBase64 } from '../../src/results/hdr-codec.js';

function filled(seed: number, scale: number, h: LatencyHistogram = newHistogram()) {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < 20_000; i++) h.recordValue(Math.max(1, Math.round(scale * Math.exp(0.4 * (rnd() + rnd() + rnd() - 1.5)) * (rnd() < 0.01 ? 20 : 1))));
  return h;
}

describe('recordDuration', () => {
  it('gives the histogram recordValue gives: every power of two and its neighbours, random values of every size, values past 2^31, fractions', () => {
    const values: number[] = [];
    for (let k = 0; k <= 42; k++) for (const d of [-1, 0, 1]) values.push(2 ** k + d);
    let s = 9;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 50_000; i++) values.push(Math.max(1, Math.round(2 ** (rnd() * 40))));
    values.push(2 ** 31 - 1, 2 ** 31, 3_599_999_999_999, 1.5, 1000.25);
    const a = newHistogram();
    const b = newHistogram();
    for (const v of values.filter((x) => x >= 1)) {
      a.recordValue(v);
      recordDuration(b, v);
    }
    expect(b.totalCount).toBe(a.totalCount);
    expect(b.minNonZeroValue).toBe(a.minNonZeroValue);
    expect(b.maxValue).toBe(a.maxValue);
    expect(recordedBins(b)).toEqual(recordedBins(a));
    expect(encodeHistogram(b)).toBe(encodeHistogram(a));
  });
  it('a histogram that must grow: the same as recordValue', () => {
    const a = newHistogram();
    const b = newHistogram();
    for (const v of [5, 1e9, 2 ** 31 - 1, 7]) {
      a.recordValue(v);
      recordDuration(b, v);
    }
    expect(encodeHistogram(b)).toBe(encodeHistogram(a));
  });
});

/** What the library's recorded-values iterator yields for `h`. */
function iterated(h: LatencyHistogram): { value: number; count: number }[] {
  const it = (h as unknown as hdr.JsHistogram).recordedValuesIterator;
  it.reset();
  const walked: { value: number; count: number }[] = [];
  while (it.hasNext()) {
    const v = it.next();
    walked.push({ value: v.valueIteratedTo, count: v.countAtValueIteratedTo });
  }
  return walked;
}

describe('latency statistics in one walk', () => {
  it('recordedBins are the values and counts the recorded-values iterator yields', () => {
    for (const [seed, scale] of [[1, 900], [7, 25_000], [42, 3_000_000]] as const) {
      const h = filled(seed, scale);
      const walked = iterated(h);
      expect(walked.length).toBeGreaterThan(100);
      expect(recordedBins(h)).toEqual(walked);
    }
    expect(recordedBins(newHistogram())).toEqual([]);
  });

  it("a histogram read, then changed, is walked again: bins, statistics and encoding follow what it holds now", () => {
    const h = filled(3, 2_000);
    const before = { bins: recordedBins(h), stats: latencyStats(h), encoded: encodeHistogram(h) };
    // Read again unchanged: the same walk.
    expect(recordedBins(h)).toBe(before.bins);
    recordDuration(h, 50_000_000);
    expect(recordedBins(h)).not.toEqual(before.bins);
    expect(latencyStats(h).max).toBeGreaterThan(before.stats.max);
    expect(encodeHistogram(h)).toBe(encodeCompressedBase64(h));
    // Reset and refilled to the same count with other values: not taken for the old walk.
    const total = h.totalCount;
    h.reset();
    filled(11, 700_000, h);
    for (let i = h.totalCount; i < total; i++) recordDuration(h, 9);
    expect(h.totalCount).toBe(total);
    expect(recordedBins(h)).toEqual(iterated(h));
    expect(latencyStats(h).mean).toBe(h.mean);
    expect(encodeHistogram(h)).toBe(encodeCompressedBase64(h));
  });

  it('mean and standard deviation are hdr-histogram-js values, exactly', () => {
    for (const [seed, scale] of [[1, 900], [7, 25_000], [42, 3_000_000]] as const) {
      const h = filled(seed, scale);
      const s = latencyStats(h);
      expect(s.mean).toBe(h.mean);
      expect(s.stddev).toBe(h.stdDeviation);
      expect(s.count).toBe(h.totalCount);
      expect([s.p50, s.p99, s.max]).toEqual([h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.maxValue]);
    }
  });

  it('latencyReport gives the same stats and comparison as the separate calls', () => {
    const a = filled(3, 1_000);
    const b = filled(5, 1_300);
    const r = latencyReport(a, b);
    expect(r.old).toEqual(latencyStats(a));
    expect(r.new).toEqual(latencyStats(b));
    expect(r.comparison).toEqual(compareLatency(a, b));
    expect(r.comparison.pValue).toBe(mannWhitney(a, b).pValue);
    // 30% slower on every call: significant, NEW slower.
    expect(r.comparison.pValue).toBeLessThan(0.001);
    expect(r.comparison.probabilityNewSlower).toBeGreaterThan(0.6);
    expect(r.comparison.p50.significant).toBe(true);
  });

  it('bins, medians and percentiles are the library\'s at every index of the counts array, grown or not', () => {
    for (const grow of [false, true]) {
      const h = newHistogram();
      if (grow) h.recordValue(7_200_000_000_000); // past an hour: the counts array grows
      const n = h.countsArrayLength;
      for (let i = 0; i < n; i++) h.setCountAtIndex(i, 1 + (i % 3));
      h.setTotalCount(0);
      for (let i = 0; i < n; i++) h.setTotalCount(h.totalCount + h.getCountAtIndex(i));
      const bins = recordedBins(h);
      expect(bins.length).toBe(n);
      for (let i = 0; i < n; i++) {
        const v = bins[i]!.value;
        if (v !== h.highestEquivalentValue(h.valueFromIndex(i))) expect([i, v]).toEqual([i, h.highestEquivalentValue(h.valueFromIndex(i))]);
      }
      // the library's mean is the count-weighted medianEquivalentValue of every bin
      expect(latencyStats(h).mean).toBe(h.mean);
      expect(latencyStats(h).stddev).toBe(h.stdDeviation);
    }
  });

  it('valueAtPercentile and the statistics\' percentiles are getValueAtPercentile', () => {
    const ps = [1e-9, 0.1, 1, 25, 33.333333, 50, 66.7, 90, 99, 99.9, 99.99, 100, 150];
    for (const [seed, scale] of [[1, 900], [7, 25_000], [42, 3_000_000]] as const) {
      const h = filled(seed, scale);
      const bins = recordedBins(h);
      for (const p of ps) expect([p, valueAtPercentile(bins, h.totalCount, p)]).toEqual([p, h.getValueAtPercentile(p)]);
      const s = latencyStats(h);
      expect([s.p50, s.p90, s.p99, s.p999]).toEqual([50, 90, 99, 99.9].map((p) => h.getValueAtPercentile(p)));
    }
    const one = newHistogram();
    one.recordValue(1234);
    expect(valueAtPercentile(recordedBins(one), 1, 99.9)).toBe(one.getValueAtPercentile(99.9));
    expect(valueAtPercentile([], 0, 50)).toBe(newHistogram().getValueAtPercentile(50));
    expect(() => valueAtPercentile(recordedBins(one), 1, 0)).toThrow(/above 0/);
  });

  it('encodeHistogram is the library encoding, byte for byte: recorded, grown, decoded, merged from chunk counts, empty', () => {
    const grown = filled(9, 2_000);
    grown.recordValue(7_200_000_000_000);
    const merged = newHistogram();
    for (const seed of [11, 12]) addChunkHistogram(merged, histogramCounts(filled(seed, 40_000)));
    const zeroOnly = newHistogram();
    zeroOnly.recordValue(0);
    const cases = [filled(1, 900), filled(42, 3_000_000), grown, decodeHistogram(encodeHistogram(filled(3, 700))), merged, newHistogram(), zeroOnly];
    for (const h of cases) expect(encodeHistogram(h)).toBe(encodeCompressedBase64(h));
  });

  it('histogramToRead gives the histogram just encoded while it is unchanged, else a decode of the string', () => {
    const h = filled(21, 5_000);
    const s = encodeHistogram(h);
    expect(histogramToRead(s)).toBe(h);
    h.recordValue(77); // changed since: the string no longer describes it
    const read = histogramToRead(s);
    expect(read).not.toBe(h);
    expect(encodeHistogram(read)).toBe(s);
    expect(read.totalCount).toBe(h.totalCount - 1);
    // only the last few encodes are kept
    const first = filled(22, 100);
    const firstString = encodeHistogram(first);
    for (let i = 0; i < 4; i++) encodeHistogram(filled(30 + i, 100 * (i + 2)));
    expect(histogramToRead(firstString)).not.toBe(first);
    expect(encodeHistogram(histogramToRead(firstString))).toBe(firstString);
  });

  it('a histogram whose counts are not a Float64Array (read through getCountAtIndex) gives the same bins, statistics and encoding', async () => {
    const { default: Int32Histogram } = (await import('hdr-histogram-js/dist/Int32Histogram.js')) as unknown as { default: new (lo: number, hi: number, digits: number) => LatencyHistogram };
    const h = filled(8, 12_000, new Int32Histogram(1, 3_600_000_000_000, 3));
    const f = filled(8, 12_000);
    expect(recordedBins(h)).toEqual(recordedBins(f));
    expect(latencyStats(h)).toEqual(latencyStats(f));
    expect(histogramCounts(h).pairs).toEqual(histogramCounts(f).pairs);
    expect(encodeHistogram(h)).toBe(encodeCompressedBase64(h));
  });

  it('empty histograms', () => {
    const r = latencyReport(newHistogram(), newHistogram());
    expect(r.old.count).toBe(0);
    expect(r.comparison.pValue).toBe(1);
  });
});

/**
 * A replay worker sends its chunk's histograms to the main thread as counts (histogramCounts),
 * the main thread adds them (addChunkHistogram); before, each went as the compressed base64
 * string (encodeHistogram) and was added decoded. Both ways must give the same histogram, so the
 * same report: counts, total, minimum, maximum, size, every percentile, the statistics.
 */
describe('histogram counts between threads: the same as the compressed string', () => {
  let s = 11;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  /** A chunk's histogram: `n` values around `scale` with a tail, recorded as the replay records them. */
  const chunk = (n: number, scale: number, extra: readonly number[] = []): LatencyHistogram => {
    const h = newHistogram();
    for (let i = 0; i < n; i++) recordDuration(h, Math.max(1, Math.round(scale * Math.exp(1.5 * (rnd() + rnd() + rnd() - 1.5)) * (rnd() < 0.01 ? 100 : 1))));
    for (const v of extra) h.recordValue(v);
    return h;
  };
  const facts = (h: LatencyHistogram) => ({
    total: h.totalCount,
    min: h.minNonZeroValue,
    max: h.maxValue,
    highest: h.highestTrackableValue,
    length: h.countsArrayLength,
    encoded: encodeHistogram(h),
    bins: recordedBins(h),
    stats: latencyStats(h),
    percentiles: Array.from({ length: 201 }, (_, i) => h.getValueAtPercentile(i / 2)).concat([99.9, 99.99, 99.999].map((p) => h.getValueAtPercentile(p))),
  });
  const chunks: [string, LatencyHistogram][] = [
    ['empty', newHistogram()],
    ['one call of 1 ns', chunk(0, 1, [1])],
    ['a count at the value 0 only', chunk(0, 1, [0])],
    ['the value 0 and others', chunk(50, 700, [0])],
    ['ns-scale calls', chunk(8192, 600)],
    ['µs-scale calls with outliers', chunk(8192, 40_000, [2 ** 31 + 5, 3_000_000_000_000])],
    ['a few slow calls', chunk(300, 5_000_000)],
  ];

  it('portableHistogram(histogramCounts(h)) is encodeHistogram(h), and survives a structured clone', () => {
    for (const [name, h] of chunks) {
      const counts = histogramCounts(h);
      expect(portableHistogram(counts), name).toBe(encodeHistogram(h));
      expect(portableHistogram(structuredClone(counts)), name).toBe(encodeHistogram(h));
      expect(portableHistogram(encodeHistogram(h))).toBe(encodeHistogram(h));
    }
    // A count past 2^28 (five LEB128 bytes) and one past 2^32.
    const big = newHistogram();
    big.recordValueWithCount(1234, 2 ** 40 + 3);
    big.recordValueWithCount(99, 2 ** 29);
    expect(portableHistogram(histogramCounts(big))).toBe(encodeHistogram(big));
  });

  it('adding counts gives the histogram adding the decoded string gives, after every chunk, in any order', () => {
    for (let round = 0; round < 6; round++) {
      const order = chunks.map(([, h]) => h).concat(Array.from({ length: 10 }, () => chunk(1 + Math.floor(rnd() * 8192), 100 * 10 ** (rnd() * 4))));
      if (round > 0) order.sort(() => rnd() - 0.5);
      const viaString = newHistogram();
      const viaCounts = newHistogram();
      for (const h of order) {
        viaString.add(decodeHistogram(encodeHistogram(h)));
        addChunkHistogram(viaCounts, histogramCounts(h));
        expect(facts(viaCounts)).toEqual(facts(viaString));
      }
      expect(viaCounts.totalCount).toBeGreaterThan(10_000);
    }
  });

  it('a histogram that grew (a value past an hour): its counts and the strings added after it give the same', () => {
    const grown = chunk(100, 900, [5_000_000_000_000]);
    expect(grown.highestTrackableValue).toBeGreaterThan(3_600_000_000_000);
    for (const first of [grown, chunk(100, 900)]) {
      const viaString = newHistogram();
      const viaCounts = newHistogram();
      for (const h of [first, grown, chunk(2000, 3000), newHistogram()]) {
        viaString.add(decodeHistogram(encodeHistogram(h)));
        addChunkHistogram(viaCounts, histogramCounts(h));
        expect(facts(viaCounts)).toEqual(facts(viaString));
      }
      // A coordinator gets strings (Redis): the same as counts there too.
      const fromRedis = newHistogram();
      for (const h of [first, grown]) addChunkHistogram(fromRedis, encodeHistogram(h));
      const viaString2 = newHistogram();
      for (const h of [first, grown]) viaString2.add(decodeHistogram(encodeHistogram(h)));
      expect(facts(fromRedis)).toEqual(facts(viaString2));
    }
  });
});

// The one-walk statistics must give exactly what hdr-histogram-js computes
// (mean and standard deviation from each bucket's median equivalent value),
// and the rank test must see the same bins.
import { describe, expect, it } from 'vitest';
import type * as hdr from 'hdr-histogram-js';
import { compareLatency, encodeHistogram, latencyReport, latencyStats, mannWhitney, newHistogram, recordDuration, recordedBins } from '../../src/results/latency.js';

function filled(seed: number, scale: number) {
  const h = newHistogram();
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

describe('latency statistics in one walk', () => {
  it('recordedBins are the values and counts the recorded-values iterator yields', () => {
    for (const [seed, scale] of [[1, 900], [7, 25_000], [42, 3_000_000]] as const) {
      const h = filled(seed, scale);
      const it = (h as unknown as hdr.JsHistogram).recordedValuesIterator;
      it.reset();
      const walked: { value: number; count: number }[] = [];
      while (it.hasNext()) {
        const v = it.next();
        walked.push({ value: v.valueIteratedTo, count: v.countAtValueIteratedTo });
      }
      expect(walked.length).toBeGreaterThan(100);
      expect(recordedBins(h)).toEqual(walked);
    }
    expect(recordedBins(newHistogram())).toEqual([]);
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

  it('empty histograms', () => {
    const r = latencyReport(newHistogram(), newHistogram());
    expect(r.old.count).toBe(0);
    expect(r.comparison.pValue).toBe(1);
  });
});

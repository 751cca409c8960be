// hdr-codec.ts writes and reads what hdr-histogram-js writes and reads (its V2 compressed
// base64 form), with the package's own functions as the reference: reports, Redis results and
// worker results written before and after must stay readable either way.
import { describe, expect, it } from 'vitest';
import * as hdr from 'hdr-histogram-js';
import { decodeCompressedBase64, encodeCompressedBase64 } from '../../src/results/hdr-codec.js';
import { newHistogram } from '../../src/results/latency.js';

function reference(): hdr.Histogram {
  return hdr.build({ bitBucketSize: 64, useWebAssembly: false, autoResize: true, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: 3 });
}

/** The same values into a histogram of ours and one built by the package. */
function pair(values: readonly number[]): [hdr.Histogram, hdr.Histogram] {
  const mine = newHistogram();
  const theirs = reference();
  for (const v of values) {
    mine.recordValue(v);
    theirs.recordValue(v);
  }
  return [mine, theirs];
}

function lognormal(seed: number, n: number, scale: number): number[] {
  let s = seed;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  return Array.from({ length: n }, () => Math.max(1, Math.round(scale * Math.exp(1.2 * (rnd() + rnd() + rnd() - 1.5)) * (rnd() < 0.01 ? 50 : 1))));
}

const cases: [string, number[]][] = [
  ['empty', []],
  ['one value', [1]],
  ['ns-scale calls', lognormal(1, 20_000, 900)],
  ['µs-scale calls with outliers', lognormal(7, 20_000, 25_000)],
  ['ms-scale calls', lognormal(42, 5_000, 3_000_000)],
  // One value recorded 300 times (counts over 127 take several LEB128 bytes), far apart values (long runs of zeros).
  ['repeated and far apart', [...Array<number>(300).fill(5), 1, 2_000_000_000, 3_599_000_000_000]],
];

describe('HDR histogram V2 compressed base64, as hdr-histogram-js', () => {
  it('a new histogram is what hdr.build makes for the latency settings', () => {
    const [mine, theirs] = pair([]);
    expect(mine.constructor).toBe(theirs.constructor);
    expect(mine.autoResize).toBe(true);
    expect([mine.lowestDiscernibleValue, mine.highestTrackableValue, mine.numberOfSignificantValueDigits]).toEqual([1, 3_600_000_000_000, 3]);
  });

  for (const [name, values] of cases) {
    it(`${name}: the same string as encodeIntoCompressedBase64, and each side reads the other's`, () => {
      const [mine, theirs] = pair(values);
      const encoded = encodeCompressedBase64(mine);
      expect(encoded).toBe(hdr.encodeIntoCompressedBase64(theirs));
      const back = decodeCompressedBase64(encoded);
      const ref = hdr.decodeFromCompressedBase64(encoded, 64, false);
      expect(back.constructor).toBe(ref.constructor);
      // Decoding sets the maximum to the top of its bucket (the package does the same): compare the two decodings.
      const facts = (h: hdr.Histogram) => [h.totalCount, h.minNonZeroValue, h.maxValue, h.getValueAtPercentile(50), h.getValueAtPercentile(99.9), h.mean, h.stdDeviation];
      expect(facts(back)).toEqual(facts(ref));
      expect(back.totalCount).toBe(values.length);
      expect(back.getValueAtPercentile(50)).toBe(theirs.getValueAtPercentile(50));
      expect(encodeCompressedBase64(back)).toBe(encoded);
      // Added into a histogram as the run accumulator does: the same as adding the package's decoding.
      const sumMine = newHistogram();
      const sumRef = reference();
      sumMine.add(back);
      sumMine.add(back);
      sumRef.add(ref);
      sumRef.add(ref);
      expect(encodeCompressedBase64(sumMine)).toBe(hdr.encodeIntoCompressedBase64(sumRef));
    });
  }

  it('counts past 2^28 (five LEB128 bytes and more) survive the round trip', () => {
    const h = newHistogram();
    h.recordValueWithCount(1234, 2 ** 40 + 3);
    h.recordValueWithCount(99, 2 ** 29);
    const encoded = encodeCompressedBase64(h);
    const ref = reference();
    ref.recordValueWithCount(1234, 2 ** 40 + 3);
    ref.recordValueWithCount(99, 2 ** 29);
    expect(encoded).toBe(hdr.encodeIntoCompressedBase64(ref));
    expect(decodeCompressedBase64(encoded).totalCount).toBe(2 ** 40 + 3 + 2 ** 29);
  });

  it('what is not a histogram fails as the package fails', () => {
    const good = encodeCompressedBase64(pair([5, 6, 7])[0]);
    for (const bad of ['abc', `${good}x`, Buffer.from('not a histogram at all').toString('base64'), good.slice(0, 12) + 'AAAA'.repeat(3)]) {
      let theirs: unknown;
      try {
        hdr.decodeFromCompressedBase64(bad, 64, false);
      } catch (e) {
        theirs = (e as Error).message;
      }
      expect(theirs, bad).toBeDefined();
      expect(() => decodeCompressedBase64(bad)).toThrow();
    }
    expect(() => decodeCompressedBase64('abc')).toThrow('Invalid string. Length must be a multiple of 4');
    expect(() => decodeCompressedBase64(Buffer.from('not a histogram at all!').toString('base64'))).toThrow('Encoding not supported, only V2 is supported');
  });
});

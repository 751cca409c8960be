/**
 * Latency of function calls: HDR histograms recorded in workers (mergeable,
 * fixed relative precision), percentiles, and whether NEW differs from OLD
 * significantly. hdr-histogram-js's histograms are used rather than sorting samples
 * because histograms merge across workers and machines in constant size; only its
 * 64-bit class and its encoding are loaded (hdr-codec.ts).
 */
import type * as hdr from 'hdr-histogram-js';
import { decodeCompressedBase64, encodeCompressedBase64, encodePairsCompressedBase64, Float64Histogram } from './hdr-codec.js';
import type { LatencyComparison, LatencyStats, PercentileComparison } from './types.js';

export type LatencyHistogram = hdr.JsHistogram;

/** The shape of every latency (and cost) histogram: 1 ns .. 1 hour, 3 significant digits (0.1% resolution). */
const LOWEST = 1;
const HIGHEST = 3_600_000_000_000;
const DIGITS = 3;

/**
 * A new histogram of that shape, auto-resizing: hdr.build with bitBucketSize 64 (without
 * WebAssembly) builds exactly this.
 * 64-bit counts: the 'packed' layout is smaller but measured at ~2 µs per
 * recordValue, more than the function calls it times.
 */
export function newHistogram(): LatencyHistogram {
  const h = new Float64Histogram(LOWEST, HIGHEST, DIGITS);
  h.autoResize = true;
  return h;
}

/**
 * h.recordValue(value), the same counts, min, max and total: for a whole number
 * of ns from 1 to 2^31 - 1 (every call shorter than 2 s) the counts index is
 * found with integer arithmetic (31 - clz32 for floor(log2), shifts for the
 * powers of two) instead of the library's Math.log2 / Math.pow / division,
 * which took about 2% of a replay worker's CPU (two values per event). Other
 * values, and an index past the counts array (the histogram must grow), go
 * through recordValue.
 */
export function recordDuration(h: LatencyHistogram, value: number): void {
  if (value >= 1 && value <= 0x7fffffff && Math.floor(value) === value) {
    const half = h.subBucketHalfCountMagnitude;
    const unit = h.unitMagnitude;
    const over = 31 - Math.clz32(value) - half - unit;
    const bucket = over > 0 ? over : 0;
    const index = ((bucket + 1) << half) + (value >>> (bucket + unit)) - h.subBucketHalfCount;
    if (index < h.countsArrayLength) {
      h.incrementCountAtIndex(index);
      h.updateMinAndMax(value);
      h.incrementTotalCount();
      return;
    }
  }
  h.recordValue(value);
}

/**
 * The compressed base64 form (hdr-histogram-js encodeIntoCompressedBase64): Redis, the JSON
 * report. From the histogram's non-zero counts (nonZeroPairs) when its counts end with the last of them
 * (the encoding's counts end at the maximum's index): the same bytes, without a second loop over
 * the whole counts array through the library's accessors.
 */
export function encodeHistogram(h: LatencyHistogram): string {
  const pairs = walk(h).pairs;
  const encoded = pairs.length > 0 && pairs[pairs.length - 2] === h.countsArrayIndex(h.maxValue) ? encodePairsCompressedBase64(h, pairs) : encodeCompressedBase64(h);
  recentlyEncoded.set(encoded, { h, state: stateOf(h) });
  if (recentlyEncoded.size > RECENT) recentlyEncoded.delete(recentlyEncoded.keys().next().value!);
  return encoded;
}

/** Callers read it or add it into another histogram: no copy into a fresh one is needed. */
export function decodeHistogram(encoded: string): LatencyHistogram {
  return decodeCompressedBase64(encoded);
}

/**
 * The histograms encodeHistogram encoded last, by their strings (a report's OLD and NEW, and a
 * cost section's): the terminal summary and the HTML chart read the strings of the report just
 * built, whose histograms are at hand. Decoding one is an inflate, a 270 KB counts array and a
 * loop setting ~7,000 entries, compiled on its first use at the end of a run. An entry holds
 * while its histogram is unchanged since it was encoded (see unchanged).
 */
const recentlyEncoded = new Map<string, { h: LatencyHistogram; state: HistogramState }>();
const RECENT = 4;

/**
 * decodeHistogram(encoded), for callers that only read it (percentiles, bins, counts): the
 * histogram it was encoded from when that was one of the last few and has not changed since,
 * else a fresh decode.
 */
export function histogramToRead(encoded: string): LatencyHistogram {
  const recent = recentlyEncoded.get(encoded);
  if (recent !== undefined && unchanged(recent.h, recent.state)) return recent.h;
  return decodeCompressedBase64(encoded);
}

/**
 * A histogram as a replay worker sends it to the main thread with a chunk's result: its
 * non-zero counts as [index, count] pairs in index order, in one Float64Array (a chunk of
 * 8,192 calls has a few hundred; structured-cloned in microseconds), and its highest
 * trackable value (the size it grew to; the rest of its shape is newHistogram's). Encoding
 * (walking ~20,000 counts, deflate, base64) in the worker and decoding (a new 270 KB
 * histogram) on the main thread for every chunk cost more than the merge itself: the
 * compressed string is made only where it must be portable (Redis, the report).
 */
export interface HistogramCounts {
  highest: number;
  pairs: Float64Array;
}

/** A histogram in a chunk result: counts between the threads of one process, the compressed base64 string across machines (Redis). */
export type ChunkHistogram = HistogramCounts | string;

/** The non-zero counts of `h` (a histogram of newHistogram's shape): its recorded counts, exactly sized. */
export function histogramCounts(h: LatencyHistogram): HistogramCounts {
  return { highest: h.highestTrackableValue, pairs: nonZeroPairs(h) };
}

/** The portable form of a chunk's histogram: what encodeHistogram gives for the histogram the counts came from. */
export function portableHistogram(x: ChunkHistogram): string {
  return typeof x === 'string' ? x : encodePairsCompressedBase64({ lowestDiscernibleValue: LOWEST, highestTrackableValue: x.highest, numberOfSignificantValueDigits: DIGITS }, x.pairs);
}

/** The histogram decodeHistogram(portableHistogram(c)) gives: a fresh one, counts set, its minimum and maximum found from them. */
function materialize(c: HistogramCounts): LatencyHistogram {
  const h = new Float64Histogram(LOWEST, c.highest, DIGITS);
  const p = c.pairs;
  for (let k = 0; k < p.length; k += 2) h.setCountAtIndex(p[k]!, p[k + 1]!);
  h.establishInternalTackingValues(p.length > 0 ? p[p.length - 2]! + 1 : 1);
  return h;
}

/**
 * into.add(decodeHistogram(x)), without the decoded histogram when x is counts of the same size
 * as `into`: the counts added at their indices, then the total, the maximum (the top of the last
 * count's bucket) and the minimum (the bottom of the first non-zero value's bucket) updated as
 * add() updates them from a decoded histogram (establishInternalTackingValues). Any other case
 * (a string, or sizes that differ: add() then records value by value) goes through add().
 */
export function addChunkHistogram(into: LatencyHistogram, x: ChunkHistogram): void {
  if (typeof x === 'string') return into.add(decodeHistogram(x));
  if (x.highest !== into.highestTrackableValue) return into.add(materialize(x));
  const p = x.pairs;
  let total = 0;
  for (let k = 0; k < p.length; k += 2) {
    into.addToCountAtIndex(p[k]!, p[k + 1]!);
    total += p[k + 1]!;
  }
  into.setTotalCount(into.totalCount + total);
  // The decoded histogram's maximum and minimum (0 and Number.MAX_VALUE when it has no count).
  let max = 0;
  let min = Number.MAX_VALUE;
  if (p.length > 0) {
    max = into.highestEquivalentValue(into.valueFromIndex(p[p.length - 2]!)) + into.unitMagnitudeMask;
    const first = p[0] !== 0 ? 0 : 2; // index 0 (the value 0) is no minimum
    if (first < p.length) min = minNonZero(into, into.valueFromIndex(p[first]!), min);
  }
  into.maxValue = Math.max(into.maxValue, max) + into.unitMagnitudeMask;
  into.minNonZeroValue = minNonZero(into, Math.min(into.minNonZeroValue, min), into.minNonZeroValue);
}

/** JsHistogram updateMinNonZeroValue(value) applied to `current`: values within the unit are ignored, others rounded down to it. */
function minNonZero(h: LatencyHistogram, value: number, current: number): number {
  if (value <= h.unitMagnitudeMask) return current;
  return Math.floor(value / h.lowestDiscernibleValueRounded) * h.lowestDiscernibleValueRounded;
}

export interface Bin {
  value: number;
  count: number;
}

/**
 * A histogram's recorded counts in index order, as [index, count] pairs (HistogramCounts'
 * pairs): the counts array read straight (hdr-histogram-js's typed-array histograms keep it in
 * `_counts`; any other is copied out through getCountAtIndex), up to where the total is reached
 * (as the library's recorded-values iterator stops), once to count them and once to fill them.
 *
 * Why not the library's methods per index: the report's statistics walked each histogram
 * (~34,000 counts) six times with two or three method calls per step (the recorded values,
 * four percentiles, then the terminal's own), all once, at the end of a run. V8 compiled
 * those loops with the library's log2 / pow arithmetic inlined on its helper threads
 * (bench/jit-trace.mjs, as traced: recordedBins 31 ms in two compiles after a deopt,
 * nextNonEquivalentValue 16, rankTest 11, lowestEquivalentValue 8, getBucketIndex 6),
 * competing with the report for the cores while the workers were torn down (issue 19).
 */
function nonZeroPairs(h: LatencyHistogram): Float64Array {
  const n = h.countsArrayLength;
  const stored = (h as unknown as { _counts?: unknown })._counts;
  const counts = stored instanceof Float64Array && stored.length >= n ? stored : Float64Array.from({ length: n }, (_, i) => h.getCountAtIndex(i));
  const pairs = new Float64Array(2 * countNonZero(counts, n, h.totalCount));
  fillPairs(counts, pairs);
  return pairs;
}

// Each loop in a function of its own that sees only numbers and typed arrays: V8 compiles it once,
// whatever the histogram objects' hidden classes (a decoded histogram's differs from a recording
// one's), and code it compiled on-stack in a first loop is not deoptimized on reaching a second
// (which happened twice per chunk in every worker, "insufficient type feedback").
function countNonZero(counts: Float64Array, n: number, remaining: number): number {
  let k = 0;
  for (let i = 0; i < n && remaining > 0; i++) {
    const count = counts[i]!;
    if (count === 0) continue;
    k++;
    remaining -= count;
  }
  return k;
}

function fillPairs(counts: Float64Array, pairs: Float64Array): void {
  for (let i = 0, k = 0; k < pairs.length; i++) {
    const count = counts[i]!;
    if (count === 0) continue;
    pairs[k++] = i;
    pairs[k++] = count;
  }
}

/**
 * One walk over a histogram's recorded counts, shared by everything the end of a run reads from
 * it: the statistics (summarize), the rank test, the JSON report's encoding (encodeHistogram)
 * and the terminal's and HTML chart's bins (recordedBins). Each of those walked the counts and
 * built the bins again: at the end of a 300,000-event replay that was ~3,000 bins per version
 * walked five times by code run once, in V8's interpreter (~30 ms of the main thread after the
 * workers were done, issue 19). Kept per histogram while it is unchanged since the walk.
 */
interface Walk {
  state: HistogramState;
  /** nonZeroPairs(h). */
  pairs: Float64Array;
  /** The recorded values (highestEquivalentValue of each non-zero index) with their counts. */
  bins: Bin[];
  /** medianEquivalentValue of each bin's index. */
  medians: Float64Array;
}

/**
 * What the caches of this module (walks, recentlyEncoded) compare to tell that a histogram is
 * unchanged since they read it: recording a value or adding a histogram changes its total; one
 * reset and refilled to the same total would also have to end with the same minimum and maximum.
 */
interface HistogramState {
  total: number;
  min: number;
  max: number;
}

function stateOf(h: LatencyHistogram): HistogramState {
  return { total: h.totalCount, min: h.minNonZeroValue, max: h.maxValue };
}

function unchanged(h: LatencyHistogram, s: HistogramState): boolean {
  return s.total === h.totalCount && s.min === h.minNonZeroValue && s.max === h.maxValue;
}

const walks = new WeakMap<LatencyHistogram, Walk>();

function walk(h: LatencyHistogram): Walk {
  const known = walks.get(h);
  if (known !== undefined && unchanged(h, known.state)) return known;
  const pairs = nonZeroPairs(h);
  const bins: Bin[] = new Array<Bin>(pairs.length / 2);
  const medians = new Float64Array(bins.length);
  fillBins(pairs, h.subBucketHalfCountMagnitude, h.unitMagnitude, bins, medians);
  const w: Walk = { state: stateOf(h), pairs, bins, medians };
  walks.set(h, w);
  return w;
}

/**
 * Where each counts index lies in values, in integer steps: hdr-histogram-js's valueFromIndex(i)
 * (the lowest value counted at i) and the size of the range of values counted there
 * (sizeOfEquivalentValueRange, a power of two) give highestEquivalentValue (lowest + size - 1)
 * and medianEquivalentValue (lowest + floor(size / 2)). `half`: log2 of the sub-bucket half count
 * (indices stay far below 2^31); exact below 2^53 (an hour in ns is under 2^42).
 * test/results/latency.test.ts compares the highest value, and the median through the mean and
 * standard deviation, with the library at every index. No calls inside the loop: it runs once,
 * uncompiled.
 */
function fillBins(pairs: Float64Array, half: number, unit: number, bins: Bin[], medians: Float64Array): void {
  const mask = (1 << half) - 1;
  for (let k = 0; k < bins.length; k++) {
    const i = pairs[2 * k]!;
    const b = (i >> half) - 1;
    const size = 2 ** ((b > 0 ? b : 0) + unit);
    const lowest = (b < 0 ? i : (i & mask) + mask + 1) * size;
    bins[k] = { value: lowest + size - 1, count: pairs[2 * k + 1]! };
    medians[k] = lowest + Math.floor(size / 2);
  }
}

/**
 * The recorded values of a histogram with their counts, in value order: what its
 * recordedValuesIterator yields (valueIteratedTo, countAtValueIteratedTo). The iterator steps
 * through every index with two valueFromIndex calls and an Object.assign per value. The array
 * is shared with the histogram's other readers (see walk): read it, do not change it.
 */
export function recordedBins(h: LatencyHistogram): readonly Bin[] {
  return walk(h).bins;
}

/** hdr-histogram-js's count at a percentile: the number of recorded values the percentile reaches, at least 1. */
function countAtPercentile(percentile: number, total: number): number {
  const fp = (Math.min(percentile, 100) / 100) * total;
  // The library's ulp (hdr-histogram-js/dist/ulp.js): an fp result one ulp above the whole count is not rounded up past it.
  return Math.max(Math.ceil(fp - 2 ** (Math.floor(Math.log2(fp)) - 52)), 1);
}

/**
 * h.getValueAtPercentile(percentile) from recordedBins(h): the value of the first bin at which
 * the running count reaches the percentile's count (0 when none does). For a percentile above
 * 0, as the library's walk: zero counts never move the running count.
 */
export function valueAtPercentile(bins: readonly Bin[], total: number, percentile: number): number {
  if (!(percentile > 0)) throw new RangeError(`valueAtPercentile: a percentile above 0, got ${percentile}`);
  const target = countAtPercentile(percentile, total);
  let running = 0;
  for (let k = 0; k < bins.length; k++) {
    running += bins[k]!.count;
    if (running >= target) return bins[k]!.value;
  }
  return 0;
}

/** The statistics' percentiles, in increasing order (one pass over the bins finds them all). */
const PERCENTILES = [50, 90, 99, 99.9] as const;

/**
 * hdr-histogram-js walks the recorded values once for `mean` and twice more
 * for `stdDeviation` (which recomputes the mean), with an object per step;
 * a report asked for both of both versions and the bins on top, ~150 ms at
 * the end of every 1M-event replay, after all workers had finished. This is
 * one walk, with the same formulas (median equivalent value of each bucket),
 * and the percentiles found on the way.
 */
function summarize(h: LatencyHistogram): LatencyStats {
  const count = h.totalCount;
  if (count === 0) return { count: 0, min: 0, mean: 0, stddev: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  const { bins, medians } = walk(h);
  const targets = PERCENTILES.map((p) => countAtPercentile(p, count));
  const at = PERCENTILES.map(() => 0);
  let next = 0;
  let running = 0;
  let total = 0;
  for (let k = 0; k < bins.length; k++) {
    const c = bins[k]!.count;
    total += medians[k]! * c;
    running += c;
    while (next < targets.length && running >= targets[next]!) at[next++] = bins[k]!.value;
  }
  const mean = total / count;
  let deviations = 0;
  for (let k = 0; k < bins.length; k++) {
    const d = medians[k]! - mean;
    deviations += d * d * bins[k]!.count;
  }
  return {
    count,
    min: h.minNonZeroValue,
    mean,
    stddev: Math.sqrt(deviations / count),
    p50: at[0]!,
    p90: at[1]!,
    p99: at[2]!,
    p999: at[3]!,
    max: h.maxValue,
  };
}

export function latencyStats(h: LatencyHistogram): LatencyStats {
  return summarize(h);
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 erf, |error| < 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

export interface MannWhitney {
  pValue: number;
  /** P(a NEW call takes longer than an OLD call), ties counted half. */
  probabilityNewSlower: number;
}

/**
 * Mann-Whitney U over the two distributions, computed from histogram bins
 * (values in one HDR bucket are ties), normal approximation with tie
 * correction: exact enough for the thousands-to-millions of samples a replay
 * produces, and it needs no raw samples.
 */
export function mannWhitney(oldH: LatencyHistogram, newH: LatencyHistogram): MannWhitney {
  return rankTest(recordedBins(oldH), oldH.totalCount, recordedBins(newH), newH.totalCount);
}

function rankTest(a: readonly Bin[], n1: number, b: readonly Bin[], n2: number): MannWhitney {
  if (n1 === 0 || n2 === 0) return { pValue: 1, probabilityNewSlower: 0.5 };
  let i = 0;
  let j = 0;
  let rank = 0;
  let rankSumNew = 0;
  let tieTerm = 0;
  while (i < a.length || j < b.length) {
    const va = i < a.length ? a[i]!.value : Infinity;
    const vb = j < b.length ? b[j]!.value : Infinity;
    const v = va < vb ? va : vb;
    const ca = va === v ? a[i++]!.count : 0;
    const cb = vb === v ? b[j++]!.count : 0;
    const t = ca + cb;
    const midrank = rank + (t + 1) / 2;
    rankSumNew += cb * midrank;
    tieTerm += t * t * t - t;
    rank += t;
  }
  const n = n1 + n2;
  const uNew = rankSumNew - (n2 * (n2 + 1)) / 2;
  const meanU = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  const probabilityNewSlower = uNew / (n1 * n2);
  if (variance <= 0) return { pValue: 1, probabilityNewSlower };
  const z = (uNew - meanU) / Math.sqrt(variance);
  return { pValue: Math.min(1, 2 * (1 - normalCdf(Math.abs(z)))), probabilityNewSlower };
}

/** Ratios within the histogram's resolution (0.1% per value, twice for a ratio) are never called significant. */
const RESOLUTION = 0.002;
export const SIGNIFICANCE_LEVEL = 0.05;

export function compareLatency(oldH: LatencyHistogram, newH: LatencyHistogram): LatencyComparison {
  return latencyReport(oldH, newH).comparison;
}

/** Statistics of both versions and their comparison, walking each histogram once. */
export function latencyReport(oldH: LatencyHistogram, newH: LatencyHistogram): { old: LatencyStats; new: LatencyStats; comparison: LatencyComparison } {
  const o = summarize(oldH);
  const n = summarize(newH);
  const test = rankTest(recordedBins(oldH), o.count, recordedBins(newH), n.count);
  const significantOverall = test.pValue < SIGNIFICANCE_LEVEL;
  const cmp = (x: number, y: number): PercentileComparison => {
    const ratio = x === 0 ? (y === 0 ? 1 : Infinity) : y / x;
    return { old: x, new: y, ratio, significant: significantOverall && Math.abs(ratio - 1) > RESOLUTION };
  };
  return {
    old: o,
    new: n,
    comparison: {
      test: 'mann-whitney-u',
      pValue: test.pValue,
      probabilityNewSlower: test.probabilityNewSlower,
      p50: cmp(o.p50, n.p50),
      p90: cmp(o.p90, n.p90),
      p99: cmp(o.p99, n.p99),
      p999: cmp(o.p999, n.p999),
      max: cmp(o.max, n.max),
      mean: cmp(o.mean, n.mean),
    },
  };
}

// Helpers of the HAR scanner tests (test/record/scanner.test.ts and the captures suite).
import { expect } from 'vitest';
import { HarFormatError, HarScanner, scanHarBuffer, type ScannedEntry } from '../../src/record/har/scanner.js';

export function scanChunks(data: Buffer, sizes: () => number, label = 'test.har'): { entries: ScannedEntry[]; scanner: HarScanner } {
  const scanner = new HarScanner(label);
  const entries: ScannedEntry[] = [];
  for (let i = 0; i < data.length; ) {
    const n = Math.max(1, sizes());
    entries.push(...scanner.push(data.subarray(i, i + n)));
    i += n;
  }
  scanner.end();
  return { entries, scanner };
}

/** A seeded PRNG so a failing chunking is reproducible. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** The error scanning `data` whole throws (fails the test when none is thrown). */
export function scanError(data: Buffer | string, label = 'bad.har'): HarFormatError {
  try {
    scanHarBuffer(label, Buffer.isBuffer(data) ? data : Buffer.from(data));
  } catch (e) {
    expect(e).toBeInstanceOf(HarFormatError);
    return e as HarFormatError;
  }
  throw new Error('expected an error');
}

/** Scanning `data` whole, in 1-byte, 7-byte and seeded random chunks gives the same entries (at least one). */
export function expectSameEntriesWhateverChunking(data: Buffer): void {
  const whole = scanChunks(data, () => data.length).entries;
  expect(whole.length).toBeGreaterThan(0);
  expect(scanChunks(data, () => 1).entries).toEqual(whole);
  expect(scanChunks(data, () => 7).entries).toEqual(whole);
  for (const seed of [1, 2, 3]) {
    const r = rng(seed);
    expect(scanChunks(data, () => 1 + Math.floor(r() * 300)).entries).toEqual(whole);
  }
}

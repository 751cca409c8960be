/**
 * HDR histograms without the whole of hdr-histogram-js: its 64-bit counts class
 * (Float64Histogram, the JS implementation) and the V2 compressed base64 encoding,
 * written here byte for byte as hdr-histogram-js writes and reads it
 * (JsHistogram.encoding.js: ZigZag LEB128-64b9B counts, runs of zeros as negative
 * counts, zlib deflate with node's defaults, base64). Reports, Redis results and
 * worker results keep that format (test/results/hdr-codec.test.ts compares both ways).
 *
 * Why: the package's entry point also loads its WebAssembly build (a 39 KB base64
 * module), pako, base64-js, the log reader/writer and the packed arrays: ~35 ms of
 * CPU in the main thread and in every replay worker, for nothing a replay uses.
 */
import { deflateSync, inflateSync } from '../util/zlib.js';
import type { JsHistogram } from 'hdr-histogram-js';
// Imported (not required through createRequire) so that esbuild bundles it: a require left to
// node at run time cost each thread of a replay (main and workers) a CommonJS load of its six
// files (~4 ms of CPU). A CommonJS module: node and esbuild give its module.exports as the
// default import (the class is its `default`), vitest the class itself.
import float64Module from 'hdr-histogram-js/dist/Float64Histogram.js';

type HistogramClass = new (lowestDiscernibleValue: number, highestTrackableValue: number, numberOfSignificantValueDigits: number) => JsHistogram;

const float64 = float64Module as unknown as HistogramClass | { default: HistogramClass };
/** hdr-histogram-js's Float64Histogram (bitBucketSize 64), loaded alone. */
export const Float64Histogram: HistogramClass = typeof float64 === 'function' ? float64 : float64.default;

const V2_ENCODING_COOKIE_BASE = 0x1c849303;
const V2_COMPRESSED_ENCODING_COOKIE_BASE = 0x1c849304;
// The low bit of the word-size nibble says "TLZE" (runs of zeros) encoding.
const ENCODING_COOKIE = V2_ENCODING_COOKIE_BASE | 0x10;
const COMPRESSED_ENCODING_COOKIE = V2_COMPRESSED_ENCODING_COOKIE_BASE | 0x10;
const HEADER_BYTES = 40;
const TWO_POW_32 = 2 ** 32;

/** A growing big-endian byte writer (hdr-histogram-js's ByteBuffer, the parts used here). */
class Writer {
  bytes = new Uint8Array(256);
  position = 0;

  private room(n: number): void {
    if (this.position + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.position + n));
    grown.set(this.bytes);
    this.bytes = grown;
  }

  byte(value: number): void {
    this.room(1);
    this.bytes[this.position++] = value; // stored modulo 256, as a Uint8Array does
  }

  int32(value: number): void {
    this.room(4);
    const v = value >>> 0;
    this.bytes[this.position++] = v >>> 24;
    this.bytes[this.position++] = (v >>> 16) & 0xff;
    this.bytes[this.position++] = (v >>> 8) & 0xff;
    this.bytes[this.position++] = v & 0xff;
  }

  int64(value: number): void {
    this.int32(Math.floor(value / TWO_POW_32));
    this.int32(value);
  }

  /**
   * ZigZag LEB128-64b9B, as ZigZagEncoding.encode: 7 bits a byte, low bits first, at most
   * 9 bytes (the 9th takes 8 bits). Bitwise or goes through int32 like the original: only
   * the low byte of each step is stored. Values under 2^28 (every count and run of zeros a
   * replay makes) take at most 4 bytes, written with 32-bit shifts: the same bytes.
   */
  zigZag(n: number): void {
    const value = n >= 0 ? n * 2 : -n * 2 - 1;
    if (value < 0x10000000) {
      this.room(4);
      let v = value;
      while (v >= 0x80) {
        this.bytes[this.position++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      this.bytes[this.position++] = v;
      return;
    }
    for (let shift = 0; shift < 49; shift += 7) {
      const part = Math.floor(value / 2 ** shift);
      if (value < 2 ** (shift + 7)) {
        this.byte(part);
        return;
      }
      this.byte(part | 0x80);
    }
    if (value < 2 ** 56) this.byte(Math.floor(value / 2 ** 49));
    else {
      this.byte(Math.floor(value / 2 ** 49) + 0x80);
      this.byte(Math.floor(value / 2 ** 56));
    }
  }
}

/** A big-endian reader; bytes past the end read as 0 (as a Uint8Array index past its end does in the original). */
class Reader {
  position = 0;
  constructor(readonly bytes: Uint8Array) {}

  byte(): number {
    return this.bytes[this.position++] ?? 0;
  }

  int32(): number {
    return ((this.byte() << 24) | (this.byte() << 16) | (this.byte() << 8) | this.byte()) >>> 0;
  }

  int64(): number {
    const high = this.int32();
    return high * TWO_POW_32 + this.int32();
  }

  /** ZigZagEncoding.decode. */
  zigZag(): number {
    let v = this.byte();
    let value = v & 0x7f;
    for (let shift = 7; shift <= 56 && (v & 0x80) !== 0; shift += 7) {
      v = this.byte();
      value += (v & 0x7f) * 2 ** shift;
    }
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }
}

/** What the V2 header says of a histogram besides its counts. */
export interface HistogramShape {
  lowestDiscernibleValue: number;
  highestTrackableValue: number;
  numberOfSignificantValueDigits: number;
}

function header(out: Writer, shape: HistogramShape): void {
  out.int32(ENCODING_COOKIE);
  out.int32(0); // payload length, filled in by payloadLength
  out.int32(1); // normalizing index offset
  out.int32(shape.numberOfSignificantValueDigits);
  out.int64(shape.lowestDiscernibleValue);
  out.int64(shape.highestTrackableValue);
  out.int64(1); // integer to double conversion ratio
}

function payloadLength(out: Writer): Uint8Array {
  const end = out.position;
  out.position = 4;
  out.int32(end - HEADER_BYTES);
  return out.bytes.subarray(0, end);
}

/** The uncompressed V2 encoding (JsHistogram.encoding.js encodeIntoByteBuffer). */
function encodeUncompressed(h: JsHistogram): Uint8Array {
  const out = new Writer();
  header(out, h);
  const countsLimit = h.countsArrayIndex(h.maxValue) + 1;
  let index = 0;
  while (index < countsLimit) {
    const count = h.getCountAtIndex(index++);
    if (count < 0) throw new Error(`Cannot encode histogram containing negative counts (${count}) at index ${index}`);
    let zeros = 0;
    if (count === 0) {
      zeros = 1;
      while (index < countsLimit && h.getCountAtIndex(index) === 0) {
        zeros++;
        index++;
      }
    }
    out.zigZag(zeros > 1 ? -zeros : count);
  }
  return payloadLength(out);
}

/**
 * encodeUncompressed of a histogram given by its non-zero counts: `pairs` holds
 * [index, count] pairs in index order (latency.ts HistogramCounts), and the counts
 * end after the last of them (a histogram's counts end at its maximum's index). The
 * gaps between indices are the runs of zeros encodeUncompressed finds, a gap of one
 * being a count of 0.
 */
function encodeUncompressedPairs(shape: HistogramShape, pairs: Float64Array): Uint8Array {
  const out = new Writer();
  header(out, shape);
  let next = 0;
  const gap = (to: number): void => {
    if (to - next === 1) out.zigZag(0);
    else if (to - next > 1) out.zigZag(-(to - next));
  };
  for (let k = 0; k < pairs.length; k += 2) {
    const index = pairs[k]!;
    const count = pairs[k + 1]!;
    if (count < 0) throw new Error(`Cannot encode histogram containing negative counts (${count}) at index ${index + 1}`);
    gap(index);
    out.zigZag(count);
    next = index + 1;
  }
  if (next === 0) out.zigZag(0); // no count: the one count at index 0, as an empty histogram encodes
  return payloadLength(out);
}

function compressedBase64(uncompressed: Uint8Array): string {
  const compressed = deflateSync(uncompressed);
  const out = Buffer.allocUnsafe(8 + compressed.length);
  out.writeUInt32BE(COMPRESSED_ENCODING_COOKIE >>> 0, 0);
  out.writeUInt32BE(compressed.length, 4);
  compressed.copy(out, 8);
  return out.toString('base64');
}

/** hdr-histogram-js encodeIntoCompressedBase64(h), the same string. */
export function encodeCompressedBase64(h: JsHistogram): string {
  return compressedBase64(encodeUncompressed(h));
}

/** encodeCompressedBase64 of the histogram of this shape with these non-zero counts ([index, count] pairs in index order). */
export function encodePairsCompressedBase64(shape: HistogramShape, pairs: Float64Array): string {
  return compressedBase64(encodeUncompressedPairs(shape, pairs));
}

/** hdr-histogram-js decodeFromCompressedBase64(encoded, 64, false): a Float64Histogram, same errors for what is not one. */
export function decodeCompressedBase64(encoded: string): JsHistogram {
  const text = encoded.trim();
  if (text.length % 4 > 0) throw new Error('Invalid string. Length must be a multiple of 4');
  const outer = new Reader(Buffer.from(text, 'base64'));
  if ((outer.int32() & ~0xf0) !== V2_COMPRESSED_ENCODING_COOKIE_BASE) throw new Error('Encoding not supported, only V2 is supported');
  const length = outer.int32();
  const input = new Reader(inflateSync(outer.bytes.subarray(8, 8 + length)));
  if ((input.int32() & ~0xf0) !== V2_ENCODING_COOKIE_BASE) throw new Error('The buffer does not contain a Histogram (no valid V2 encoding cookie found)');
  const payloadBytes = input.int32();
  input.int32(); // normalizing index offset, not used
  const digits = input.int32();
  const lowest = input.int64();
  const highest = input.int64();
  input.int64(); // integer to double conversion ratio, not used
  const h = new Float64Histogram(lowest, highest, digits);
  const end = input.position + payloadBytes;
  let index = 0;
  while (input.position < end) {
    const count = input.zigZag();
    if (count < 0) index += -count;
    else h.setCountAtIndex(index++, count);
  }
  h.establishInternalTackingValues(index);
  return h;
}

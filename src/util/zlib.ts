/**
 * The node:zlib calls this project makes, each inside a zlib section of the
 * thread's termination gate (util/termination-gate.ts): a worker terminated
 * inside a zlib constructor aborts the whole process. Modules use these, not
 * node:zlib's own (test/util/zlib.test.ts checks that none imports them
 * directly; crc32 and constants create no handle and stay in node:zlib).
 */
import * as zlib from 'node:zlib';
import { zlibSection } from './termination-gate.js';

export function brotliDecompressSync(input: Uint8Array, options?: zlib.BrotliOptions): Buffer {
  return zlibSection(() => zlib.brotliDecompressSync(input, options));
}

/** Async: the handle is created and initialised before it returns, inside the section. */
export function brotliCompress(input: Uint8Array, options: zlib.BrotliOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zlibSection(() => zlib.brotliCompress(input, options, (e, out) => (e === null ? resolve(out) : reject(e))));
  });
}

export function gunzipSync(input: Uint8Array, options?: zlib.ZlibOptions): Buffer {
  return zlibSection(() => zlib.gunzipSync(input, options));
}

export function createGunzip(options?: zlib.ZlibOptions): zlib.Gunzip {
  return zlibSection(() => zlib.createGunzip(options));
}

export function deflateSync(input: Uint8Array): Buffer {
  return zlibSection(() => zlib.deflateSync(input));
}

export function inflateSync(input: Uint8Array): Buffer {
  return zlibSection(() => zlib.inflateSync(input));
}

const nodeZstd = (zlib as unknown as { zstdDecompressSync?: (input: Uint8Array) => Buffer }).zstdDecompressSync;

/** Zstandard, where this Node has it (22.15 and later). */
export const zstdDecompressSync: ((input: Uint8Array) => Buffer) | undefined =
  nodeZstd === undefined ? undefined : (input) => zlibSection(() => nodeZstd(input));

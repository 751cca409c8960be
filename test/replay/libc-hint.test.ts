// The replay worker tells msgpackr's native-addon loader which C library this is (LIBC) so that
// it does not load detect-libc (and child_process with it): the same answer detect-libc gives,
// the same native extractor loaded.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { elfInterpreter, libcOfThisProcess } from '../../src/replay/libc-hint.js';

const root = new URL('../../', import.meta.url).pathname;
const require = createRequire(import.meta.url);

/** In a fresh worker (its own process.env copy, LIBC unset): optionally the hint (dist/), then msgpackr's entry point. */
function msgpackrIn(withHint: boolean): Promise<{ libc: string | undefined; childProcess: boolean; native: boolean }> {
  const code = `
    const { parentPort } = require('node:worker_threads');
    delete process.env.LIBC;
    (async () => {
      ${withHint ? `await import(${JSON.stringify(`${root}dist/replay/libc-hint.js`)});` : ''}
      const msgpackr = await import(${JSON.stringify(`${root}node_modules/msgpackr/node-index.js`)}); // the entry point the bundle's workers load
      parentPort.postMessage({ libc: process.env.LIBC, childProcess: process.moduleLoadList.some((m) => m.endsWith(' child_process')), native: msgpackr.isNativeAccelerationEnabled });
    })();`;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, env: { ...process.env, LIBC: undefined } });
    w.once('message', (m) => {
      void w.terminate();
      resolve(m as { libc: string | undefined; childProcess: boolean; native: boolean });
    });
    w.once('error', reject);
  });
}

describe('libc hint of the replay worker', () => {
  it("answers as detect-libc does on this machine, from this executable's ELF interpreter", () => {
    const { familySync } = require('detect-libc') as { familySync: () => string | null };
    const mine = libcOfThisProcess();
    expect(mine).not.toBeNull(); // Linux with a dynamically linked node: the interpreter tells
    expect(mine).toBe(familySync());
  });

  it('reads the interpreter of an ELF header as detect-libc does, and nothing from what is not one', () => {
    const elf = Buffer.alloc(256);
    elf.writeUInt32BE(0x7f454c46, 0);
    elf.writeUInt8(2, 4);
    elf.writeUInt8(1, 5);
    elf.writeUInt32LE(64, 32); // program headers at 64
    elf.writeUInt16LE(56, 54);
    elf.writeUInt16LE(2, 56);
    elf.writeUInt32LE(1, 64); // PT_LOAD
    elf.writeUInt32LE(3, 120); // PT_INTERP
    elf.writeUInt32LE(200, 128);
    elf.writeUInt32LE(28, 152);
    elf.write('/lib/ld-musl-x86_64.so.1\0xyz', 200, 'latin1');
    expect(elfInterpreter(elf)).toBe('/lib/ld-musl-x86_64.so.1');
    const big = Buffer.from(elf);
    big.writeUInt8(2, 5); // big-endian
    expect(elfInterpreter(big)).toBeNull();
    expect(elfInterpreter(Buffer.from('#!/bin/sh\n'.padEnd(80)))).toBeNull();
  });

  it('msgpackr then loads the same native extractor without detect-libc (no child_process in the thread)', async () => {
    const without = await msgpackrIn(false);
    const hinted = await msgpackrIn(true);
    expect(without.libc).toBeUndefined();
    expect(without.childProcess).toBe(true); // what the hint saves
    expect(hinted).toEqual({ libc: libcOfThisProcess(), childProcess: false, native: without.native });
    expect(hinted.native).toBe(true);
  }, 30_000);
});

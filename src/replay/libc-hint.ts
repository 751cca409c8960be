/**
 * Which C library this Linux process runs on, told to msgpackr's native-addon loader before it
 * asks detect-libc. Imported first by the replay worker (worker.ts), before anything that loads
 * msgpackr: its entry point loads the native string extractor through node-gyp-build, which
 * reads LIBC from the environment and otherwise asks detect-libc, whose module alone requires
 * child_process (with net, dgram, ...): ~8 ms of CPU in every replay worker before its first
 * chunk. detect-libc's first and, when it answers, deciding test is the ELF interpreter of
 * this very executable (/proc/self/exe: ld-musl-* or ld-linux-*); this is that test, the same
 * bytes read the same way, and LIBC is set only when it answers (a worker's process.env is its
 * own copy: nothing outside this thread sees it). Otherwise, or when LIBC is already set,
 * nothing changes and detect-libc decides as before.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** detect-libc's interpreterPath: the PT_INTERP path of a little-endian 64-bit ELF image's first bytes, or null. */
export function elfInterpreter(elf: Buffer): string | null {
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf.readUInt8(4) !== 2 || elf.readUInt8(5) !== 1) return null;
  const offset = elf.readUInt32LE(32);
  const size = elf.readUInt16LE(54);
  const count = elf.readUInt16LE(56);
  for (let i = 0; i < count; i++) {
    const header = offset + i * size;
    if (elf.readUInt32LE(header) === 3) {
      const at = elf.readUInt32LE(header + 8);
      return elf.subarray(at, at + elf.readUInt32LE(header + 32)).toString().replace(/\0.*$/g, '');
    }
  }
  return null;
}

/** 'glibc' or 'musl' from this executable's interpreter (detect-libc's first test), or null when it does not tell. */
export function libcOfThisProcess(): 'glibc' | 'musl' | null {
  if (process.platform !== 'linux') return null;
  try {
    const fd = openSync('/proc/self/exe', 'r');
    const head = Buffer.alloc(2048);
    let n: number;
    try {
      n = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
    const path = elfInterpreter(head.subarray(0, n));
    if (path?.includes('/ld-musl-')) return 'musl';
    if (path?.includes('/ld-linux-')) return 'glibc';
  } catch {
    // unreadable: detect-libc decides
  }
  return null;
}

if (process.env['LIBC'] === undefined) {
  const libc = libcOfThisProcess();
  if (libc !== null) process.env['LIBC'] = libc;
}

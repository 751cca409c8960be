/**
 * V8 code caches for the bundle's CommonJS files (issue 19): the CLI (bundle/cli.cjs) and the
 * replay worker (bundle/replay-worker.cjs) start from the bytecode V8 made for them when the
 * build ran a replay (scripts/bundle.mjs), instead of parsing and compiling ~0.6-1.7 MB of code
 * in every process and every worker thread. What Node 22 does for modules with
 * module.enableCompileCache(), for the Node 20 this package supports, where only a vm.Script
 * takes a cache (ES modules cannot).
 *
 * Measured (300,000-event replay, 2 workers, 2 cores, 10 paired runs): the worker's cache takes
 * ~23 ms of CPU off each worker's start and first chunk (load 41 -> 33 ms, first chunk
 * 208 -> 197 ms: the functions a chunk runs come compiled); the CLI's takes the main thread from
 * ~125 to ~98 ms of CPU before the corpus is open (loading the file and its cache costs ~13 ms
 * more up front, the commands' modules then come compiled). Whole command, each cache alone:
 * -2.3% (CLI) and -1.3% (worker) at 300,000 events; both: 1.06 vs 1.15 s at 300,000 events
 * (with two smaller changes of the same day), 388 vs 430 ms on the 10,000-event sample.
 *
 * A cache is used only when it was made from this very build of the file (its name holds the
 * file's content hash, from bundle/built.json or the worker's loader) by this Node.js version
 * on this architecture (also in its name), and its checksum holds (V8 checks its own header,
 * versions and flags, and the source's length, but not the bytecode itself in release builds:
 * a damaged file must never be run), and V8 would take it under this process's V8 flags (a probe
 * the build's run made, see PROBE_SOURCE: NODE_OPTIONS=--max-old-space-size=4096 makes V8 refuse
 * every cache). The CLI without a usable cache runs the split ES-module bundle instead
 * (bundle/cli.js: loading the whole CommonJS file uncached cost ~65 ms more); a worker runs its
 * CommonJS file either way, compiled from source.
 *
 * The cache holds only this package's own code: the functions a replay runs are compiled in
 * their realms from their own source (runtime/), never through here.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { threadId } from 'node:worker_threads';
import { crc32 } from 'node:zlib';
import { setCodeCacheRecord, type CodeCacheRecord, type CodeCacheState } from './code-cache-state.js';

export { codeCacheCheckpoint } from './code-cache-state.js';

/** CFREPLAY_CODE_CACHE=write: the build's cache-making run (written at the thread's checkpoint); =off: caches ignored (tests, measurements). */
export const CODE_CACHE_ENV = 'CFREPLAY_CODE_CACHE';

/** bundle/code-cache/<name>-<id>-<node version>-<arch>.bin: the cache of build `id` of bundle/<name>.cjs made by this Node.js. */
export function codeCacheFile(bundleDir: URL, name: string, id: string): URL {
  return new URL(`code-cache/${name}-${id}-${process.version}-${process.arch}.bin`, bundleDir);
}

/** The file holds a CRC-32 of the cache (4 bytes, big-endian), then the cache. */
function readCache(file: URL): { data: Buffer | undefined; state: 'absent' | 'damaged' | 'found' } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return { data: undefined, state: 'absent' };
  }
  if (bytes.length <= 4) return { data: undefined, state: 'damaged' };
  const data = bytes.subarray(4);
  return crc32(data) === bytes.readUInt32BE(0) ? { data, state: 'found' } : { data: undefined, state: 'damaged' };
}

function writeCache(file: URL, data: Buffer): void {
  const out = Buffer.allocUnsafe(4 + data.length);
  out.writeUInt32BE(crc32(data), 0);
  data.copy(out, 4);
  mkdirSync(new URL('.', file), { recursive: true });
  // Several threads of the cache-making run write the same cache: each its own file, renamed into place.
  const tmp = `${fileURLToPath(file)}.${process.pid}-${threadId}.tmp`;
  writeFileSync(tmp, out);
  renameSync(tmp, file);
}

/**
 * V8 refuses every cache made under other V8 flags (a heap size in NODE_OPTIONS, as CI runners
 * often set: --max-old-space-size=4096), and only once it has the whole file to compile: the CLI
 * would then run its 1.7 MB file compiled from source, a configuration nothing else runs (no
 * faster or slower than its split ES-module files under that flag, measured). A probe tells
 * first, so that there is one fallback: a two-line script whose cache the same build run made;
 * V8 takes or refuses it in microseconds, for the same reasons it would take or refuse the others.
 */
const PROBE_SOURCE = '(function cfreplayCodeCacheProbe() {\n  return 1;\n})';

function probeFile(bundleDir: URL): URL {
  return new URL(`code-cache/probe-${process.version}-${process.arch}.bin`, bundleDir);
}

/** Would V8 take this process's caches? 'absent' (or damaged): no probe, so no complete set of caches either. */
function probeCaches(bundleDir: URL): 'taken' | 'rejected' | 'absent' | 'damaged' {
  const probe = readCache(probeFile(bundleDir));
  if (probe.data === undefined) return probe.state === 'damaged' ? 'damaged' : 'absent';
  const script = new vm.Script(PROBE_SOURCE, { filename: 'cfreplay:code-cache-probe', cachedData: probe.data });
  return script.cachedDataRejected === true ? 'rejected' : 'taken';
}

/** The wrapper node gives a CommonJS module, on one line: the file's own lines keep their numbers, and its "use strict" stays a directive. */
export function commonJsWrapper(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}

function mode(): 'write' | 'off' | undefined {
  const v = process.env[CODE_CACHE_ENV];
  return v === 'write' || v === 'off' ? v : undefined;
}

/**
 * Runs bundle/<name>.cjs as node runs a CommonJS module (its `require` resolves from bundle/, as
 * the ES-module bundle's does), from its code cache when there is a usable one, and returns its
 * exports. `onlyCached`: run it only with a cache (or to make one): undefined otherwise, and the
 * caller loads its ES-module bundle. With CFREPLAY_CODE_CACHE=write the thread's checkpoint
 * (codeCacheCheckpoint) writes the cache of what the thread compiled by then.
 */
export function runBundleFile(bundleDir: URL, name: string, id: string | undefined, options: { onlyCached?: boolean } = {}): Record<string, unknown> | undefined {
  const m = mode();
  let data: Buffer | undefined;
  let state: CodeCacheState;
  if (m === 'write') state = 'writing';
  else if (m === 'off' || id === undefined) state = 'off';
  else {
    const found = readCache(codeCacheFile(bundleDir, name, id));
    data = found.data;
    state = found.state === 'found' ? 'used' : found.state;
    if (data !== undefined) {
      const probe = probeCaches(bundleDir);
      if (probe !== 'taken') {
        data = undefined;
        state = probe;
      }
    }
  }
  if (options.onlyCached === true && state !== 'used' && state !== 'writing') {
    // The caller runs its ES-module files; their trace says why.
    setCodeCacheRecord({ name, state });
    return undefined;
  }
  const file = fileURLToPath(new URL(`${name}.cjs`, bundleDir));
  const source = readFileSync(file, 'utf8');
  const script = new vm.Script(commonJsWrapper(source), {
    filename: file,
    ...(data !== undefined ? { cachedData: data } : {}),
  });
  if (state === 'used' && script.cachedDataRejected === true) state = 'rejected';
  const rec: CodeCacheRecord = { name, state };
  if (state === 'writing' && id !== undefined) {
    let written = false;
    rec.checkpoint = () => {
      if (written) return;
      written = true;
      writeCache(codeCacheFile(bundleDir, name, id), script.createCachedData());
      writeCache(probeFile(bundleDir), new vm.Script(PROBE_SOURCE, { filename: 'cfreplay:code-cache-probe' }).createCachedData());
    };
  }
  setCodeCacheRecord(rec);
  const module = { exports: {} as Record<string, unknown> };
  const wrapper = script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: unknown, f: string, d: string) => void;
  wrapper(module.exports, createRequire(file), module, file, fileURLToPath(bundleDir));
  return module.exports;
}

// A bundle's CommonJS file runs as node runs a CommonJS module, from a V8 code cache only when
// one was made for that very build of it, by this Node.js, and is intact: a cache that is
// missing, damaged, made for another build or refused by V8 never changes what the code does.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CODE_CACHE_ENV, codeCacheCheckpoint, codeCacheFile, runBundleFile } from '../../src/util/code-cache.js';
import { codeCacheState } from '../../src/util/code-cache-state.js';
import { useTempDir } from '../helpers/tmp.js';

const tmp = useTempDir();
const RECORD = Symbol.for('cfreplay.code-cache');

/** A bundle folder holding lib.cjs: its exports say which require, file and folder it was given. */
function bundle(name: string, extra = ''): URL {
  const dir = join(tmp.path, name);
  mkdirSync(join(dir, 'node_modules', 'dep'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', 'dep', 'index.js'), 'module.exports = { dep: 42 };\n');
  const body = [];
  for (let i = 0; i < 200; i++) body.push(`function f${i}(x) { return x * ${i} + ${i}; }`);
  writeFileSync(
    join(dir, 'lib.cjs'),
    `${body.join('\n')}\nexports.sum = (n) => { let s = 0; for (let i = 0; i < 200; i++) s += eval('f' + i)(n); return s; };\n` +
      `exports.dep = require('dep').dep;\nexports.file = __filename;\nexports.dir = __dirname;\nexports.line = new Error().stack.split('\\n')[1];\n${extra}`,
  );
  return pathToFileURL(`${dir}/`);
}

const expected = (n: number) => Array.from({ length: 200 }, (_, i) => n * i + i).reduce((a, b) => a + b, 0);

let saved: string | undefined;
beforeEach(() => {
  saved = process.env[CODE_CACHE_ENV];
  delete process.env[CODE_CACHE_ENV];
});
afterEach(() => {
  if (saved === undefined) delete process.env[CODE_CACHE_ENV];
  else process.env[CODE_CACHE_ENV] = saved;
  delete (globalThis as { [RECORD]?: unknown })[RECORD];
});

/** Runs the file with the cache-making setting: returns the cache file it wrote at the checkpoint. */
function makeCache(dir: URL, id: string): URL {
  process.env[CODE_CACHE_ENV] = 'write';
  const out = runBundleFile(dir, 'lib', id)!;
  expect((out.sum as (n: number) => number)(3)).toBe(expected(3));
  expect(codeCacheState()).toBe('writing');
  const file = codeCacheFile(dir, 'lib', id);
  expect(existsSync(file)).toBe(false);
  codeCacheCheckpoint();
  expect(existsSync(file)).toBe(true);
  delete process.env[CODE_CACHE_ENV];
  return file;
}

describe('runBundleFile', () => {
  it('runs a CommonJS file as node does: exports, require from its folder, __filename, __dirname, line numbers of the file', () => {
    const dir = bundle('plain');
    const out = runBundleFile(dir, 'lib', undefined)!;
    expect((out.sum as (n: number) => number)(2)).toBe(expected(2));
    expect(out.dep).toBe(42);
    expect(out.file).toBe(join(tmp.path, 'plain', 'lib.cjs'));
    expect(out.dir).toBe(`${join(tmp.path, 'plain')}/`);
    expect(out.line).toContain(`${join(tmp.path, 'plain', 'lib.cjs')}:205:`);
    expect(codeCacheState()).toBe('off');
  });

  it('a cache made at the checkpoint of a run is used by the next run of that build, with the same results', () => {
    const dir = bundle('made');
    const file = makeCache(dir, 'aaaa');
    expect(file.href).toContain(`/code-cache/lib-aaaa-${process.version}-${process.arch}.bin`);
    const out = runBundleFile(dir, 'lib', 'aaaa', { onlyCached: true });
    expect(codeCacheState()).toBe('used');
    expect((out!.sum as (n: number) => number)(5)).toBe(expected(5));
    // Another build of the file (another id) has no cache: the caller's other path (undefined), or compiled from source.
    expect(runBundleFile(dir, 'lib', 'bbbb', { onlyCached: true })).toBeUndefined();
    expect((runBundleFile(dir, 'lib', 'bbbb')!.sum as (n: number) => number)(1)).toBe(expected(1));
    expect(codeCacheState()).toBe('absent');
    // Off: never used.
    process.env[CODE_CACHE_ENV] = 'off';
    expect(runBundleFile(dir, 'lib', 'aaaa', { onlyCached: true })).toBeUndefined();
    expect((runBundleFile(dir, 'lib', 'aaaa')!.sum as (n: number) => number)(1)).toBe(expected(1));
    expect(codeCacheState()).toBe('off');
  });

  it('a damaged cache (truncated, a flipped byte) is never handed to V8', () => {
    const dir = bundle('damaged');
    const file = makeCache(dir, 'cccc');
    const good = readFileSync(file);
    const flipped = Buffer.from(good);
    flipped[Math.floor(flipped.length / 2)]! ^= 0x40;
    for (const bad of [flipped, good.subarray(0, 3), good.subarray(0, good.length - 100)]) {
      writeFileSync(file, bad);
      expect(runBundleFile(dir, 'lib', 'cccc', { onlyCached: true })).toBeUndefined();
      const out = runBundleFile(dir, 'lib', 'cccc')!;
      expect(codeCacheState()).toBe('damaged');
      expect((out.sum as (n: number) => number)(7)).toBe(expected(7));
    }
  });

  it('a cache V8 refuses (made from another source) leaves the file compiled from its own source', () => {
    const dir = bundle('refused');
    const other = bundle('other', 'exports.extra = true;\n');
    const made = makeCache(other, 'dddd');
    mkdirSync(new URL('code-cache/', dir), { recursive: true });
    writeFileSync(codeCacheFile(dir, 'lib', 'dddd'), readFileSync(made));
    const probe = `code-cache/probe-${process.version}-${process.arch}.bin`;
    writeFileSync(new URL(probe, dir), readFileSync(new URL(probe, other)));
    const out = runBundleFile(dir, 'lib', 'dddd')!;
    expect(codeCacheState()).toBe('rejected');
    expect(out.extra).toBeUndefined();
    expect((out.sum as (n: number) => number)(4)).toBe(expected(4));
  });

  it("under other V8 flags (a heap size in NODE_OPTIONS) the caches are not used, found out from the build's probe before the file is compiled", () => {
    const dir = bundle('flags');
    makeCache(dir, 'ffff');
    const loader = new URL('../../dist/util/code-cache.js', import.meta.url).href;
    const run = (flags: string[]) => {
      const code = `const m = await import(${JSON.stringify(loader)}); const s = await import(${JSON.stringify(new URL('../../dist/util/code-cache-state.js', import.meta.url).href)});
        const only = m.runBundleFile(new URL(${JSON.stringify(dir.href)}), 'lib', 'ffff', { onlyCached: true }) === undefined ? 'fallback' : 'cjs';
        const state1 = s.codeCacheState();
        const out = m.runBundleFile(new URL(${JSON.stringify(dir.href)}), 'lib', 'ffff');
        console.log(JSON.stringify([only, state1, s.codeCacheState(), out.sum(2)]));`;
      const r = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', code], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as unknown[];
    };
    expect(run([])).toEqual(['cjs', 'used', 'used', expected(2)]);
    expect(run(['--max-old-space-size=4096'])).toEqual(['fallback', 'rejected', 'rejected', expected(2)]);
    // Without the probe (a set of caches from no complete run): not used either.
    rmSync(new URL(`code-cache/probe-${process.version}-${process.arch}.bin`, dir));
    expect(run([])).toEqual(['fallback', 'absent', 'absent', expected(2)]);
  });

  it('the checkpoint writes once per thread, and does nothing outside the cache-making run', () => {
    const dir = bundle('once');
    const file = makeCache(dir, 'eeee');
    const first = readFileSync(file);
    codeCacheCheckpoint();
    expect(readFileSync(file).equals(first)).toBe(true);
    writeFileSync(file, first);
    runBundleFile(dir, 'lib', 'eeee');
    codeCacheCheckpoint();
    expect(readFileSync(file).equals(first)).toBe(true);
  });
});

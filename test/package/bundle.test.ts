// bin/cfreplay runs the bundle (bundle/, scripts/bundle.mjs) when it is built and no older than
// dist/: in the main thread and in the worker threads it starts, with the same results as dist/.
// Without it, or with one older than dist/ (only tsc ran), it runs dist/ and says so in one line.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { commonJsWrapper } from '../../src/util/code-cache.js';
import { useTempDir } from '../helpers/tmp.js';

const root = new URL('../../', import.meta.url).pathname;
const tmp = useTempDir();

// A resolve hook printing every module URL the main thread loads (as test/cli/lazy-commands.test.ts).
const hook = 'import { writeSync } from "node:fs"; export async function resolve(s, c, next) { const r = await next(s, c); writeSync(2, "LOADED " + r.url + "\\n"); return r; }';
const register = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;

/** A copy of the package whose bin/cfreplay is this one and whose dist/ is this dist/ (linked), without bundle/. */
function packageWithoutBundle(dir: string): string {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  copyFileSync(join(root, 'bin/cfreplay'), join(dir, 'bin/cfreplay'));
  for (const name of ['dist', 'node_modules', 'engine', 'package.json']) symlinkSync(join(root, name), join(dir, name));
  return dir;
}

function cli(pkg: string, args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []) {
  const r = spawnSync(process.execPath, [...nodeArgs, join(pkg, 'bin/cfreplay'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `replay` of the shipped sample on 2 workers, the JSON report written to `json`. */
const replayArgs = (json: string) => ['replay', '--old', 'examples/spa-rewrite.js', '--new', 'examples/spa-rewrite-v2.js', '--corpus', 'recordings/sample.cfr', '--workers', '2', '--json', json];

/** A report without what differs from run to run (times, latencies, the samples' call durations). */
function stable(json: string): Record<string, unknown> {
  const report = JSON.parse(readFileSync(json, 'utf8'), (key, value: unknown) => (key === 'durationNs' ? undefined : value)) as Record<string, unknown>;
  const { createdAt, latency, run, ...rest } = report;
  expect([typeof createdAt, typeof latency, typeof run]).toEqual(['string', 'object', 'object']);
  return rest;
}

describe('bin/cfreplay runs the bundle', () => {
  /** The trace's marks of where each thread's code came from ("main bundle/", "worker bundle/") and what became of its code cache. */
  const origins = (stderr: string) => {
    const trace = stderr.split('\n').filter((l) => l.startsWith('cfreplay-trace '));
    const thread = (l: string) => l.split(' ')[1]!.replace(/^w\d+$/, 'worker');
    return {
      from: trace.filter((l) => / code from \w+\/$/.test(l)).map((l) => `${thread(l)} ${l.split(' ').at(-1)}`).sort(),
      cache: trace.filter((l) => / code cache \w+$/.test(l)).map((l) => `${thread(l)} ${l.split(' ').at(-1)}`).sort(),
    };
  };
  const loadedFiles = (stderr: string) =>
    stderr
      .split('\n')
      .filter((l) => l.startsWith('LOADED file:'))
      .map((l) => l.slice('LOADED '.length).replace(`file://${root}`, ''));

  it('a replay on 2 workers runs bundle/ in every thread, from the code caches the build made, and reports what the same replay on dist/ reports', () => {
    const hooked = ['--import', `data:text/javascript,${encodeURIComponent(register)}`];
    const cached = cli(root, replayArgs(join(tmp.path, 'cached.json')), { CFREPLAY_TRACE: '1' }, hooked);
    expect(cached.code, cached.stderr).toBe(1); // the sample's v2 changes behaviour
    expect(origins(cached.stderr)).toEqual({ from: ['main bundle/', 'worker bundle/', 'worker bundle/'], cache: ['main used', 'worker used', 'worker used'] });
    // Modules are loaded by node only for the loaders: the CLI's and the workers' code is read from bundle/*.cjs.
    expect([...new Set(loadedFiles(cached.stderr))].sort()).toEqual(['bin/cfreplay', 'bundle/code-cache.js', 'bundle/replay-worker.js']);

    // Caches ignored: the CLI's split ES-module files, the workers' CommonJS file compiled from source.
    const split = cli(root, replayArgs(join(tmp.path, 'split.json')), { CFREPLAY_TRACE: '1', CFREPLAY_CODE_CACHE: 'off' }, hooked);
    expect(split.code, split.stderr).toBe(1);
    expect(origins(split.stderr)).toEqual({ from: ['main bundle/', 'worker bundle/', 'worker bundle/'], cache: ['main off', 'worker off', 'worker off'] });
    const files = loadedFiles(split.stderr);
    expect(files).toContain('bundle/cli.js');
    expect(files.filter((f) => !f.startsWith('bundle/') && f !== 'bin/cfreplay')).toEqual([]);

    // Under V8 flags of its own (a heap size in NODE_OPTIONS, as CI runners set), V8 would refuse the caches: the CLI
    // runs its split files rather than compile its whole CommonJS file, and the workers compile theirs.
    const flagged = cli(root, replayArgs(join(tmp.path, 'flagged.json')), { CFREPLAY_TRACE: '1', NODE_OPTIONS: '--max-old-space-size=3072' }, hooked);
    expect(flagged.code, flagged.stderr).toBe(1);
    expect(origins(flagged.stderr)).toEqual({ from: ['main bundle/', 'worker bundle/', 'worker bundle/'], cache: ['main rejected', 'worker rejected', 'worker rejected'] });
    expect(loadedFiles(flagged.stderr)).toContain('bundle/cli.js');

    const pkg = packageWithoutBundle(join(tmp.path, 'pkg'));
    const plain = cli(pkg, replayArgs(join(tmp.path, 'dist.json')), { CFREPLAY_TRACE: '1' });
    expect(plain.code, plain.stderr).toBe(1);
    expect(plain.stderr).toMatch(/^cfreplay-trace w\d+ \S+ \S+ code from dist\/$/m);
    expect(plain.stderr).not.toMatch(/ code cache /);
    const reference = stable(join(tmp.path, 'dist.json'));
    expect(stable(join(tmp.path, 'cached.json'))).toEqual(reference);
    expect(stable(join(tmp.path, 'split.json'))).toEqual(reference);
    expect(stable(join(tmp.path, 'flagged.json'))).toEqual(reference);
  }, 120_000);

  it('its CommonJS files run in strict mode, as the ES modules they are built from', () => {
    const strict = (source: string) => {
      const wrapper = new vm.Script(commonJsWrapper(source)).runInThisContext() as { caller?: unknown };
      try {
        return wrapper.caller === undefined ? 'strict' : 'sloppy'; // a sloppy function's caller is null
      } catch {
        return 'strict'; // a strict function's caller throws
      }
    };
    expect(strict('var x = 1;')).toBe('sloppy');
    expect(strict("'use strict';\nvar x = 1;")).toBe('strict');
    for (const f of ['cli.cjs', 'replay-worker.cjs']) expect(strict(readFileSync(join(root, 'bundle', f), 'utf8')), f).toBe('strict');
  });

  it("help measured through the bundle's stand-in for yargs's string-width (loaded on first use) is the help dist/ prints", () => {
    const pkg = packageWithoutBundle(join(tmp.path, 'pkg-help'));
    for (const args of [['replay', '--help'], ['record', 'har', '--help'], ['--help', '--no-color']]) {
      const bundled = cli(root, args);
      const plain = cli(pkg, args);
      expect(bundled.code, bundled.stderr).toBe(0);
      expect(bundled.stdout.length).toBeGreaterThan(500);
      expect(bundled.stdout, args.join(' ')).toBe(plain.stdout);
    }
  }, 60_000);

  it('without bundle/, or with one older than dist/, runs dist/ and says what to run', () => {
    const pkg = packageWithoutBundle(join(tmp.path, 'pkg'));
    const missing = cli(pkg, ['ls', '--help']);
    expect(missing.code).toBe(0);
    expect(missing.stdout).toContain('cfreplay ls');
    expect(missing.stderr).toBe('cfreplay: note: bundle/ is missing: running dist/ (a slower start). `npm run build` makes it.\n');

    mkdirSync(join(pkg, 'bundle'));
    writeFileSync(join(pkg, 'bundle/cli.js'), 'throw new Error("an old bundle ran");\n');
    writeFileSync(join(pkg, 'bundle/built.json'), '{}\n');
    utimesSync(join(pkg, 'bundle/built.json'), 1000, 1000); // 1970: older than any dist/
    const old = cli(pkg, ['ls', '--help'], { CFREPLAY_TRACE: '1' });
    expect(old.code).toBe(0);
    expect(old.stderr).toMatch(/^cfreplay: note: bundle\/ is older than dist\/: running dist\/ \(a slower start\)\. `npm run build` makes it\.\n/);
    expect(old.stderr).toMatch(/^cfreplay-trace main \S+ \S+ code from dist\/$/m);

    // A fresh build mark: the bundle runs (here the stand-in, which says so by failing).
    utimesSync(join(pkg, 'bundle/built.json'), new Date(), new Date());
    const fresh = cli(pkg, ['ls', '--help']);
    expect(fresh.code).not.toBe(0);
    expect(fresh.stderr).toContain('an old bundle ran');
  });

  it("loads msgpackr's native extractor exactly when msgpackr itself does (a real require in the bundle)", () => {
    const meta = JSON.parse(readFileSync(join(root, 'bundle/meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
    const chunk = Object.keys(meta.outputs).find((f) => f.startsWith('bundle/chunk-cli-') && 'node_modules/msgpackr/node-index.js' in meta.outputs[f]!.inputs);
    expect(chunk).toBeDefined();
    const natives = (module: string): string => {
      const code = `await import(${JSON.stringify(module)}); console.log(JSON.stringify(process.report.getReport().sharedObjects.filter((s) => s.includes('msgpackr-extract')).map((s) => s.replace(/^.*\\//, ''))));`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    expect(natives(`${root}${chunk!}`)).toBe(natives('msgpackr'));
  });
});

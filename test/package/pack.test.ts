// The package is real: `npm pack` holds what the CLI and the API need at run time and
// nothing else; the tarball installs into an empty folder (offline, from the npm cache
// `npm ci` filled) and there `cfreplay --help`, a record and a replay, the API from
// JavaScript, and a TypeScript file importing the API all work.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string; dependencies: Record<string, string> };
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tmp = mkdtempSync(join(tmpdir(), 'cfreplay-pack-'));
const app = join(tmp, 'app');
let files: string[] = [];
let tarball = '';

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const cfreplay = (...args: string[]) => run(npm, ['exec', '--offline', '--', 'cfreplay', ...args], app);

interface LockEntry {
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  [key: string]: unknown;
}

/**
 * The folder's package.json and lockfile: the tarball, and the run-time packages of
 * cfreplay's own lockfile (same versions, same places), so `npm ci --offline` installs it
 * from the npm cache alone (npm ci fills the cache with tarballs; resolving version
 * ranges would need the registry's metadata, which the cache does not hold).
 */
function writeInstallFolder(tarballName: string): void {
  const lock = JSON.parse(readFileSync(`${root}package-lock.json`, 'utf8')) as { packages: Record<string, LockEntry> };
  const full = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as Record<string, unknown>;
  const spec = `file:../${tarballName}`;
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  const packages: Record<string, LockEntry> = {
    '': { name: 'pack-check', dependencies: { cfreplay: spec } },
    'node_modules/cfreplay': { version: pkg.version, resolved: spec, integrity, license: full.license, dependencies: pkg.dependencies, bin: full.bin, engines: full.engines },
  };
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev === true) continue; // only the packages cfreplay needs at run time
    const { devOptional, ...rest } = entry;
    packages[path] = devOptional === true ? { ...rest, optional: true } : rest;
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-check', private: true, type: 'module', dependencies: { cfreplay: spec } }));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify({ name: 'pack-check', lockfileVersion: 3, requires: true, packages }));
}

beforeAll(() => {
  // dist/ is current (the global setup built it): pack it as it is, without the prepare build.
  const packed = JSON.parse(execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: root, encoding: 'utf8' })) as { filename: string; files: { path: string }[] }[];
  files = packed[0]!.files.map((f) => f.path).sort();
  tarball = join(tmp, packed[0]!.filename);
  mkdirSync(app);
  writeInstallFolder(packed[0]!.filename);
  const install = run(npm, ['ci', '--offline', '--ignore-scripts'], app);
  if (install.code !== 0) throw new Error(`npm ci --offline of the tarball failed (packages not in the npm cache? run npm ci in the project first):\n${install.stderr}`);
}, 300_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm pack', () => {
  it('holds bin, package.json, README, the njs engines and the compiled code: no tests, bench, fixtures, source maps or sources', () => {
    const outside = files.filter((f) => !f.startsWith('dist/') && !f.startsWith('bundle/'));
    expect([...outside].sort()).toEqual([
      'README.md',
      'bin/cfreplay',
      'engine/README.md',
      'engine/dist/MANIFEST.json',
      'engine/dist/cloudfront-js-1.0/njsw.cjs',
      'engine/dist/cloudfront-js-1.0/njsw.wasm',
      'engine/dist/cloudfront-js-2.0/njsw.cjs',
      'engine/dist/cloudfront-js-2.0/njsw.wasm',
      'package.json',
    ].sort());
    expect(files.filter((f) => /(^|\/)(test|bench|fixtures|examples|recordings)(\/|\.)|\.map$|\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('dist/') && !/\.(js|d\.ts)$/.test(f))).toEqual([]); // e.g. the build's .tsbuildinfo
  });

  it('holds the bundle bin/cfreplay runs (every file of bundle/ but its metafile, kept for tests and benches), its CommonJS files and their code caches', () => {
    const built = readdirSync(`${root}bundle`, { recursive: true, encoding: 'utf8' })
      .filter((f) => f !== 'meta.json' && statSync(`${root}bundle/${f}`).isFile())
      .map((f) => `bundle/${f}`);
    expect(files.filter((f) => f.startsWith('bundle/'))).toEqual(built.sort());
    const mark = JSON.parse(readFileSync(`${root}bundle/built.json`, 'utf8')) as { entries: string[]; codeCache: Record<string, string> };
    expect(mark.entries).toContain('cli.js');
    expect(mark.entries).toContain('replay-worker.js');
    for (const e of mark.entries) expect(files).toContain(`bundle/${e}`);
    // No file names the folder it was built in (a builder's path in a published package).
    const text = files.filter((f) => /\.(js|cjs|json|md|ts)$/.test(f));
    expect(text.length).toBeGreaterThan(50);
    expect(text.filter((f) => readFileSync(`${root}${f}`, 'utf8').includes(root.replace(/\/$/, '')))).toEqual([]);
    // The caches the build made (for the Node.js it ran on: an install with another one compiles instead).
    expect(Object.keys(mark.codeCache).sort()).toEqual(['cli', 'replay-worker']);
    for (const [name, id] of Object.entries(mark.codeCache)) {
      expect(files).toContain(`bundle/${name}.cjs`);
      expect(files).toContain(`bundle/code-cache/${name}-${id}-${process.version}-${process.arch}.bin`);
    }
  });

  it('every compiled module has its source (no stale outputs), and every source is shipped', () => {
    const js = files.filter((f) => f.startsWith('dist/') && f.endsWith('.js'));
    for (const f of js) expect(existsSync(`${root}src/${f.slice(5, -3)}.ts`), f).toBe(true);
    const sources = execFileSync('git', ['ls-files', 'src/*.ts'], { cwd: root, encoding: 'utf8' }).trim().split('\n').filter((s) => !s.endsWith('.d.ts'));
    const expected = sources.map((s) => `dist/${s.slice(4, -3)}.js`);
    expect(js.sort()).toEqual(expected.sort());
    for (const f of expected) expect(files, f).toContain(f.replace(/\.js$/, '.d.ts'));
  });

  it('every package the shipped code imports is a declared dependency or a Node.js built-in', () => {
    const specifiers = new Set<string>();
    for (const f of files.filter((x) => x.endsWith('.js'))) {
      const text = readFileSync(`${root}${f}`, 'utf8');
      // Static imports start a line in tsc's output (comments never do); dynamic ones are import('name').
      for (const m of text.matchAll(/^(?:import|export)\s[^'"\n]*?\sfrom\s*['"]([^'"]+)['"]|^import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
        specifiers.add((m[1] ?? m[2] ?? m[3])!);
      }
    }
    // (bundled packages import Node's built-ins without the node: prefix)
    const bare = [...specifiers].filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s));
    expect(bare.filter((s) => !/^(@[\w.-]+\/)?[\w.-]+(\/[\w.-]+)*$/.test(s))).toEqual([]);
    const names = new Set(bare.map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!)));
    expect(names.size).toBeGreaterThan(3);
    for (const n of names) expect(Object.keys(pkg.dependencies), n).toContain(n);
  });
});

describe('the tarball installed in an empty folder', () => {
  it('cfreplay --help and --version', () => {
    const help = cfreplay('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/cfreplay replay\s/);
    expect(cfreplay('--version').stdout.trim()).toBe(pkg.version);
  }, 120_000);

  it('records a HAR file and replays it through two versions of a function', () => {
    const corpus = join(app, 'small.cfr');
    const rec = cfreplay('record', 'har', `${root}test/fixtures/har/edge-cases.har`, '-o', corpus);
    expect(rec.code, rec.stderr).toBe(0);
    expect(rec.stderr).toMatch(/recorded \d+ exchanges/);
    const same = run(npm, ['exec', '--offline', '--', 'cfreplay', 'replay', '--old', `${root}examples/spa-rewrite.js`, '--new', `${root}examples/spa-rewrite.js`, '--corpus', corpus, '--workers', '1', '--json', join(app, 'same.json')], app, { CFREPLAY_TRACE: '1' });
    expect(same.code, same.stderr).toBe(0);
    // The installed package runs its bundle, in the main thread and the worker (tar gives every file one mtime: not "older than dist/").
    expect(same.stderr).toMatch(/^cfreplay-trace main \S+ \S+ code from bundle\/$/m);
    expect(same.stderr).toMatch(/^cfreplay-trace w\d+ \S+ \S+ code from bundle\/$/m);
    expect(same.stderr).not.toMatch(/code from dist|note: bundle/);
    const changed = cfreplay('replay', '--old', `${root}examples/spa-rewrite.js`, '--new', `${root}examples/spa-rewrite-v2.js`, '--corpus', corpus, '--workers', '1', '--json', join(app, 'changed.json'));
    expect(changed.code, changed.stderr).toBe(1);
    const report = JSON.parse(readFileSync(join(app, 'changed.json'), 'utf8')) as { events: number; changed: number };
    expect(report.events).toBeGreaterThan(0);
    expect(report.changed).toBeGreaterThan(0);
  }, 180_000);

  it('the API imports and runs from JavaScript (import "cfreplay")', () => {
    const script = `import { replay, openCorpus, record, diff } from 'cfreplay';
      if (typeof openCorpus !== 'function' || typeof record.runRecording !== 'function' || typeof diff !== 'object') throw new Error('missing exports');
      const r = await replay({ oldPath: ${JSON.stringify(`${root}examples/spa-rewrite.js`)}, newPath: ${JSON.stringify(`${root}examples/spa-rewrite-v2.js`)}, corpus: 'small.cfr', workers: 1 });
      console.log(JSON.stringify({ events: r.events, changed: r.changed }));`;
    writeFileSync(join(app, 'use.mjs'), script);
    const r = run(process.execPath, ['use.mjs'], app);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { events: number; changed: number };
    expect(summary.events).toBeGreaterThan(0);
    expect(summary.changed).toBeGreaterThan(0);
  }, 120_000);

  it('a TypeScript file importing the API type-checks against the shipped declarations', () => {
    writeFileSync(
      join(app, 'check.ts'),
      `import { replay, formatTerminalReport, type ReplayOptions, type ReplayReport } from 'cfreplay';
export async function gate(corpus: string): Promise<number> {
  const options: ReplayOptions = { oldPath: 'live.js', newPath: 'candidate.js', corpus, workers: 2, maxDiffRate: 0.005 };
  const report: ReplayReport = await replay(options);
  process.stdout.write(formatTerminalReport(report, { color: false }));
  return report.changed;
}
// @ts-expect-error oldPath is required
export const wrong: ReplayOptions = { newPath: 'b.js', corpus: 'c.cfr' };
`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, typeRoots: [`${root}node_modules/@types`], types: ['node'] }, files: ['check.ts'] }),
    );
    const tsc = run(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.json'], app);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
  }, 180_000);
});

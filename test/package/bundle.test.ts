// bin/cfreplay runs the bundle (bundle/, scripts/bundle.mjs) when it is built and no older than
// dist/: in the main thread and in the worker threads it starts, with the same results as dist/.
// Without it, or with one older than dist/ (only tsc ran), it runs dist/ and says so in one line.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
  it('a replay on 2 workers loads only bundle/ in every thread, and reports what the same replay on dist/ reports', () => {
    const bundled = cli(root, replayArgs(join(tmp.path, 'bundle.json')), { CFREPLAY_TRACE: '1' }, ['--import', `data:text/javascript,${encodeURIComponent(register)}`]);
    expect(bundled.code, bundled.stderr).toBe(1); // the sample's v2 changes behaviour
    const trace = bundled.stderr.split('\n').filter((l) => l.startsWith('cfreplay-trace '));
    const from = trace.filter((l) => / code from \w+\/$/.test(l)).map((l) => `${l.split(' ')[1]!.replace(/^w\d+$/, 'worker')} ${l.split(' ').at(-1)}`);
    expect(from.sort()).toEqual(['main bundle/', 'worker bundle/', 'worker bundle/']);
    const files = bundled.stderr
      .split('\n')
      .filter((l) => l.startsWith('LOADED file:'))
      .map((l) => l.slice('LOADED '.length).replace(`file://${root}`, ''));
    expect(files).toContain('bundle/cli.js');
    expect(files.filter((f) => !f.startsWith('bundle/') && f !== 'bin/cfreplay')).toEqual([]);

    const pkg = packageWithoutBundle(join(tmp.path, 'pkg'));
    const plain = cli(pkg, replayArgs(join(tmp.path, 'dist.json')), { CFREPLAY_TRACE: '1' });
    expect(plain.code, plain.stderr).toBe(1);
    expect(plain.stderr).toMatch(/^cfreplay-trace w\d+ \S+ \S+ code from dist\/$/m);
    expect(stable(join(tmp.path, 'bundle.json'))).toEqual(stable(join(tmp.path, 'dist.json')));
  }, 120_000);

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

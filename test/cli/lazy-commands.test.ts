// First contact is fast: `cfreplay --help` and `--version` import no command module and
// none of the heavy dependencies; a command imports its own module only. bin/cfreplay runs the
// bundle (bundle/, scripts/bundle.mjs): its CommonJS file from the V8 code cache the build made
// (util/code-cache.ts), in which esbuild keeps each command module's code in a function run on
// the module's first import; without a usable cache, its split ES-module files, which node
// loads on use. The lists of modules below are those of the split files (CFREPLAY_CODE_CACHE=off),
// where a file loaded stands for the modules esbuild put in it (bundle/meta.json).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, invokedCommand, loadAllCommands } from '../../src/cli/commands/index.js';
import { SUMMARIES } from '../../src/cli/commands/summaries.js';

const root = new URL('../../', import.meta.url).pathname;
// A resolve hook that prints every module URL the process loads to stderr, synchronously
// (the hooks run on their own thread: console.error could be lost when the CLI exits).
const hook = 'import { writeSync } from "node:fs"; export async function resolve(s, c, next) { const r = await next(s, c); writeSync(2, "LOADED " + r.url + "\\n"); return r; }';
const register = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;

/** The modules in each file of the bundle (inputs: dist/... and node_modules/... paths). */
const bundled = (JSON.parse(readFileSync(`${root}bundle/meta.json`, 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> }).outputs;

function loaded(args: string[]): { code: number | null; stdout: string; files: string[]; modules: string[] } {
  const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, `${root}bin/cfreplay`, ...args], {
    encoding: 'utf8',
    env: { ...process.env, CFREPLAY_CODE_CACHE: 'off' },
  });
  const files = [
    ...new Set(
      r.stderr
        .split('\n')
        .filter((l) => l.startsWith('LOADED '))
        .map((l) => l.slice(7).replace(`file://${root}`, '')),
    ),
  ];
  const modules = files.flatMap((f) => (f.startsWith('bundle/') ? Object.keys(bundled[f]?.inputs ?? { [`${f} (not in bundle/meta.json)`]: 0 }) : [f]));
  return { code: r.status, stdout: r.stdout, files, modules: [...new Set(modules)] };
}

const HEAVY = ['ioredis', 'acorn', 'msgpackr', 'hdr-histogram-js', 'node_modules/diff/', 'hyparquet'];
const CLI_CORE = ['dist/cli/main.js', 'dist/cli/deferred-segmenter.js', 'dist/cli/errors.js', 'dist/util/user-error.js', 'dist/util/trace.js', 'dist/util/code-cache.js', 'dist/util/code-cache-state.js', 'dist/util/worker-scripts.js', 'dist/cli/commands/index.js', 'dist/cli/commands/summaries.js', 'dist/cli/top-help.js'];

describe('cfreplay loads command modules on use', () => {
  it.each([['--help'], ['--version']])('%s alone loads the help module and the command names only (no yargs)', (flag) => {
    const r = loaded([flag]);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(r.modules.filter((m) => m.startsWith('dist/')).sort()).toEqual(['dist/cli/commands/summaries.js', 'dist/cli/top-help.js', 'dist/util/worker-scripts.js']);
    expect(r.files.filter((f) => f.startsWith('bundle/')), 'answered from dist/ without the bundle').toEqual([]);
    for (const h of [...HEAVY, 'node_modules/yargs']) expect(r.modules.filter((m) => m.includes(h)), h).toEqual([]);
  });

  it('--help with another argument goes through yargs, which loads no command module', () => {
    const r = loaded(['--help', '--no-color']);
    expect(r.stdout).toContain('cfreplay replay');
    expect(r.files.filter((f) => f.startsWith('dist/')), 'the CLI runs from the bundle').toEqual([]);
    expect(r.modules.filter((m) => m.startsWith('dist/')).sort()).toEqual([...CLI_CORE].sort());
    for (const h of HEAVY) expect(r.modules.filter((m) => m.includes(h)), h).toEqual([]);
  });

  it('the full listing is there without loading the commands', () => {
    const r = loaded(['--help']);
    for (const s of Object.values(SUMMARIES)) expect(r.stdout.replace(/\s+/g, ' ')).toContain(`cfreplay ${s.command}`);
  });

  it('a command loads its own module, not the others', () => {
    const r = loaded(['ls', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--runs|<target>/);
    const commandModules = r.modules.filter((m) => m.startsWith('dist/cli/commands/') && !CLI_CORE.includes(m));
    expect(commandModules).toEqual(['dist/cli/commands/ls.js']);
  });

  it("a replay's main thread, which only hands framed chunks to its workers (which load the functions), loads no record decoding, not msgpackr's native extractor and no engine", () => {
    const r = loaded(['replay', '--old', `${root}examples/spa-rewrite.js`, '--new', `${root}examples/spa-rewrite-v2.js`, '--corpus', `${root}recordings/sample.cfr`]);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toContain('events   10,000 replayed');
    // The workers load bundle/replay-worker.js (the loader of replay-worker.cjs, which holds the decoders); every other
    // bundle file is (also) the main thread's.
    const main = r.files.filter((f) => f.startsWith('bundle/') && f !== 'bundle/replay-worker.js').flatMap((f) => Object.keys(bundled[f]?.inputs ?? {}));
    expect(main).toContain('dist/store/reader.js');
    expect(main).toContain('dist/runtime/syntax-gate.js'); // it checks both functions
    for (const m of ['dist/store/columns.js', 'dist/store/chunk.js', 'node_modules/msgpackr/node-index.js', 'node_modules/msgpackr-extract', 'dist/runtime/engines.js', 'dist/runtime/loader.js', 'dist/runtime/realm-harden.js', 'dist/runtime/njs/loader.js']) {
      expect(main.filter((x) => x.includes(m)), m).toEqual([]);
    }
  });

  it("in the CommonJS file the cached CLI runs, every command's modules run on the command's first use only", () => {
    const cjs = readFileSync(`${root}bundle/cli.cjs`, 'utf8');
    const lazy = new Set([...cjs.matchAll(/^var init_\w+ = __esm\(\{\n  "([^"]+)"\(\)/gm)].map((m) => m[1]!));
    // The command modules: those the command table imports on use.
    const table = readFileSync(`${root}dist/cli/commands/index.js`, 'utf8');
    const commands = [...new Set([...table.matchAll(/import\('\.\/([\w-]+\.js)'\)/g)].map((m) => `dist/cli/commands/${m[1]!}`))];
    expect(commands.length).toBeGreaterThan(5);
    for (const m of commands) expect(Object.keys(bundled['bundle/cli.cjs']?.inputs ?? {}), m).toContain(m);
    expect(commands.filter((m) => !lazy.has(m))).toEqual([]);
    // And what a command loads with it: the heavy dependencies are not run by the CLI's start either.
    for (const m of ['dist/replay/replay.js', 'dist/store/reader.js', 'dist/runtime/syntax-gate.js']) expect(lazy, m).toContain(m);
  });

  it('each name loads the module of that command (name, usage and description agree)', async () => {
    const modules = await loadAllCommands();
    expect(modules.map((m) => [m.command, m.describe])).toEqual(COMMAND_NAMES.map((n) => [SUMMARIES[n].command, SUMMARIES[n].describe]));
    for (const n of COMMAND_NAMES) expect(String(SUMMARIES[n].command).split(' ')[0]).toBe(n);
  });

  it('the invoked command is the first positional', () => {
    expect(invokedCommand(['--help'])).toBeUndefined();
    expect(invokedCommand(['replay', '--old', 'a.js'])).toBe('replay');
    expect(invokedCommand(['--no-color', 'cat', 'x.cfr'])).toBe('cat');
    expect(invokedCommand(['rplay'])).toBeUndefined();
    expect(invokedCommand(['toString'])).toBeUndefined();
  });
});

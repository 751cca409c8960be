// Builds bundle/ from tsc's dist/ (run after `tsc -p tsconfig.json`; `npm run build`, `prepare`
// and `npm test` do both): the CLI (bundle/cli.js, what bin/cfreplay runs) and every worker
// entry of src/util/worker-scripts.ts (bundle/<name>.js), so a thread loads one file instead of
// ~80-160 modules (issue 19: module loading was ~120 ms of the main thread's CPU and ~70 ms of
// each replay worker's before its first chunk). dist/ stays the programmatic API and what the
// tests' workers run.
//
// One esbuild build per kind of thread: a thread never loads another build's files, so each
// build is free to hold its own copy of a shared module. A worker's build is one file; entries
// loaded by URL in a worker's thread (loadedBy) are built with it, code-split so the modules
// they share are one copy (a class is one class for instanceof). The CLI's build is split at its
// dynamic imports (one chunk per command and per lazily loaded part, shared code in chunks):
// CLI_SPLIT below says whether that measured better than one file.
//
// The CLI and the replay worker are also built as one CommonJS file each, run from a V8 code
// cache made at the end of the build (CACHED below, src/util/code-cache.ts).
//
// bundle/meta.json holds the builds' metafiles merged (which module went into which file: for
// tests and benches, not shipped). bundle/built.json is written last: bin/cfreplay takes the
// bundle only when it is there and no older than dist/ (a build that ran tsc alone falls back).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const dist = `${root}dist/`;
const out = `${root}bundle/`;
if (!existsSync(`${dist}cli/main.js`)) {
  process.stderr.write('scripts/bundle.mjs: dist/ is missing: run `npx tsc -p tsconfig.json` first (npm run build does both)\n');
  process.exit(2);
}
// esbuild is a devDependency since the bundle came: a node_modules/ installed before it lacks it.
const { build, version } = await import('esbuild').catch(() => {
  process.stderr.write('scripts/bundle.mjs: esbuild is not installed: run `npm install` (or `npm ci`) in the cfreplay folder\n');
  process.exit(2);
});
const { WORKER_SCRIPTS } = await import(new URL('dist/util/worker-scripts.js', `file://${root}`).href);

/**
 * Packages left to node_modules at run time: ioredis (CommonJS requiring Node's built-ins, and
 * loaded only by the Redis commands) and msgpackr-extract (msgpackr's optional native addon,
 * which msgpackr requires by name at run time). Everything else (yargs, acorn, diff, msgpackr,
 * hyparquet...) is bundled.
 */
const EXTERNAL = ['ioredis', 'msgpackr-extract'];
/**
 * Choices measured (bench/replay-phases.mjs, paired rounds, shared 2-core machine): the CLI as
 * one 1.6 MB file cost the main thread ~65 ms more CPU before its first mark than the split
 * build (V8 compiles every byte it is handed; split, a replay loads ~900 KB of its ~30 files);
 * minified whitespace and syntax (identifiers kept) made no difference past the noise (~3 ms),
 * so the output stays readable. The variables rebuild the other way, to measure again.
 */
const CLI_SPLIT = process.env.CFREPLAY_BUNDLE_CLI_SPLIT !== '0';
const MINIFY = process.env.CFREPLAY_BUNDLE_MINIFY === '1';
/**
 * A real `require` in every output file. Bundled CommonJS calls esbuild's __require, which in an
 * ES module throws "Dynamic require ... is not supported" unless `require` exists: msgpackr loads
 * its native string extractor (msgpackr-extract) that way when `typeof require` is a function, so
 * without this the bundle would silently decode without it while dist/ uses it.
 */
const REQUIRE_BANNER = "import { createRequire as __cfreplayCreateRequire } from 'node:module';\nconst require = __cfreplayCreateRequire(import.meta.url);";

/**
 * yargs's own copy of string-width builds five Unicode-property regular expressions (`v` flag,
 * \p{RGI_Emoji}...) as it loads: ~15 ms of the main thread before a replay can start (issue
 * 19), for a function only help and usage output call. In the bundle, yargs's import of it
 * gets a stand-in whose first call loads it (esbuild evaluates a module reached through
 * require() on its first require, not as the bundle loads): the same function, the same results.
 * Its other copies (cliui's, wrap-ansi's) cost little once their Intl.Segmenter is deferred
 * (src/cli/deferred-segmenter.ts).
 */
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData?.real === true || !/[\\/]node_modules[\\/]yargs[\\/]/.test(args.importer)) return undefined;
      const real = await b.resolve(args.path, { importer: args.importer, resolveDir: args.resolveDir, kind: args.kind, pluginData: { real: true } });
      if (real.errors.length > 0) return { errors: real.errors };
      // Named relative to the package (the name lands in the output's comments: no builder's path in a shipped file).
      return { path: `./${relative(root, real.path).split(sep).join('/')}`, namespace: 'lazy-string-width' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      contents: `let real;\nexport default function stringWidth(string, options) {\n  real ??= require(${JSON.stringify(args.path)}).default;\n  return real(string, options);\n}\n`,
      resolveDir: root,
      loader: 'js',
    }));
  },
};

/**
 * Entries also built as one CommonJS file each (bundle/<name>.cjs), run from a V8 code cache
 * (src/util/code-cache.ts): the CLI (bin/cfreplay runs it when its cache is there, else the
 * split ES-module build) and the replay worker (whose bundle/<name>.js is then a loader that runs
 * the .cjs file, with its cache or without). The caches are made at the end of this build by a
 * replay of the shipped sample (CFREPLAY_CODE_CACHE=write).
 */
const CACHED = { cli: `${dist}cli/main.js`, 'replay-worker': `${dist}${WORKER_SCRIPTS['replay-worker'].dist}` };
/** Workers whose bundle/<name>.js is a loader of their .cjs file. */
const CACHED_WORKERS = Object.keys(CACHED).filter((n) => n !== 'cli');

/** Entry name -> dist/ file, grouped by the thread that loads them (ES modules). */
const groups = [{ entries: { cli: `${dist}cli/main.js` }, split: CLI_SPLIT }];
for (const [name, entry] of Object.entries(WORKER_SCRIPTS)) {
  if (entry.loadedBy !== undefined || CACHED_WORKERS.includes(name)) continue;
  groups.push({ entries: { [name]: `${dist}${entry.dist}` }, split: false });
}
for (const [name, entry] of Object.entries(WORKER_SCRIPTS)) {
  if (entry.loadedBy === undefined) continue;
  const group = groups.find((g) => entry.loadedBy in g.entries);
  if (group === undefined) throw new Error(`worker-scripts.ts: ${name} is loadedBy ${entry.loadedBy}, which is not a thread's entry`);
  group.entries[name] = `${dist}${entry.dist}`;
  group.split = true;
}

/** What every build below shares. */
const COMMON = {
  absWorkingDir: root,
  outdir: out,
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  minifyWhitespace: MINIFY,
  minifySyntax: MINIFY,
  metafile: true,
  plugins: [lazyStringWidth],
  logLevel: 'warning',
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out);
const metas = await Promise.all(
  groups.map(async (g) => {
    const result = await build({
      ...COMMON,
      entryPoints: g.entries,
      splitting: g.split,
      format: 'esm',
      chunkNames: `chunk-${Object.keys(g.entries)[0]}-[hash]`,
      define: { CFREPLAY_BUNDLED: 'true' },
      banner: { js: REQUIRE_BANNER },
    });
    return result.metafile;
  }),
);

// The CommonJS files: every module in one file (no splitting in this format), import.meta.url
// the file's own URL (in bundle/, as the ES-module files' is), `require` node's own.
const cjsMetas = await Promise.all(
  Object.entries(CACHED).map(async ([name, entry]) => {
    const result = await build({
      ...COMMON,
      entryPoints: { [name]: entry },
      outExtension: { '.js': '.cjs' },
      format: 'cjs',
      define: { CFREPLAY_BUNDLED: 'true', 'import.meta.url': '__cfreplayImportMetaUrl' },
      // "use strict" first: the banner goes before esbuild's own directive, which would then no longer
      // be one, and the whole file (ES modules, strict by definition) would run in sloppy mode.
      banner: { js: "'use strict';\nvar __cfreplayImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    });
    return result.metafile;
  }),
);
// The loader of the CommonJS files and their caches (bin/cfreplay imports it; so do the workers' loaders).
const loaderMeta = (
  await build({ ...COMMON, entryPoints: { 'code-cache': `${dist}util/code-cache.js` }, format: 'esm' })
).metafile;
/** A cache is made for, and used with, one build of its file: named by the file's content hash. */
const codeCache = Object.fromEntries(Object.keys(CACHED).map((name) => [name, createHash('sha256').update(readFileSync(`${out}${name}.cjs`)).digest('hex').slice(0, 16)]));
for (const name of CACHED_WORKERS) {
  writeFileSync(
    `${out}${name}.js`,
    `// Written by scripts/bundle.mjs: this worker runs ${name}.cjs (its modules in one CommonJS file) from its V8 code cache\n` +
      `// when there is a usable one (src/util/code-cache.ts).\nimport { runBundleFile } from './code-cache.js';\n\n` +
      `runBundleFile(new URL('./', import.meta.url), ${JSON.stringify(name)}, ${JSON.stringify(codeCache[name])});\n`,
  );
}
const all = [...metas, ...cjsMetas, loaderMeta];
const meta = { inputs: Object.assign({}, ...all.map((m) => m.inputs)), outputs: Object.assign({}, ...all.map((m) => m.outputs)) };
writeFileSync(`${out}meta.json`, JSON.stringify(meta));
const entries = [...groups.flatMap((g) => Object.keys(g.entries)), ...CACHED_WORKERS].map((name) => `${name}.js`).sort();
writeFileSync(`${out}built.json`, `${JSON.stringify({ esbuild: version, entries, codeCache })}\n`);

/**
 * The caches: a replay of the shipped sample with CFREPLAY_CODE_CACHE=write, through bin/cfreplay
 * and this bundle (complete now: built.json is written), on 2 workers. The CLI writes its cache
 * when its command is done, each worker after its first chunk (util/code-cache.ts). Without the
 * sample (an installed package: the build does not run there) or when the run fails, there is no
 * cache: the CLI starts from its ES-module files and the workers compile their file, as before.
 */
const sample = ['examples/spa-rewrite.js', 'examples/spa-rewrite-v2.js', 'recordings/sample.cfr'];
if (process.env.CFREPLAY_BUNDLE_CODE_CACHE === '0') {
  process.stderr.write('scripts/bundle.mjs: no code cache (CFREPLAY_BUNDLE_CODE_CACHE=0)\n');
} else if (!sample.every((f) => existsSync(`${root}${f}`))) {
  process.stderr.write(`scripts/bundle.mjs: no code cache: ${sample.filter((f) => !existsSync(`${root}${f}`)).join(', ')} missing (the CLI starts from its ES-module files)\n`);
} else {
  const run = spawnSync(
    process.execPath,
    [`${root}bin/cfreplay`, 'replay', '--old', `${root}${sample[0]}`, '--new', `${root}${sample[1]}`, '--corpus', `${root}${sample[2]}`, '--workers', '2'],
    { cwd: root, env: { ...process.env, CFREPLAY_CODE_CACHE: 'write', CFREPLAY_TRACE: '' }, encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  // The sample's v2 changes behaviour: the replay ends with 1 (differences found). A run that
  // ended otherwise did not run what a replay runs: what it may have written is not kept.
  if (run.status !== 1) {
    rmSync(`${out}code-cache`, { recursive: true, force: true });
    process.stderr.write(`scripts/bundle.mjs: no code cache: the sample's replay ended with ${run.status ?? run.signal}, not 1 (the CLI starts slower)\n${run.stderr}`);
  } else {
    const made = existsSync(`${out}code-cache`) ? readdirSync(`${out}code-cache`) : [];
    const missing = Object.keys(CACHED).filter((name) => !made.includes(`${name}-${codeCache[name]}-${process.version}-${process.arch}.bin`));
    if (missing.length > 0) process.stderr.write(`scripts/bundle.mjs: no code cache made for ${missing.join(', ')} (that code is compiled at each start)\n${run.stderr}`);
  }
}

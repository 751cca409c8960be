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
// bundle/meta.json holds the builds' metafiles merged (which module went into which file: for
// tests and benches, not shipped). bundle/built.json is written last: bin/cfreplay takes the
// bundle only when it is there and no older than dist/ (a build that ran tsc alone falls back).
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
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
      return { path: real.path, namespace: 'lazy-string-width' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy-string-width' }, (args) => ({
      contents: `let real;\nexport default function stringWidth(string, options) {\n  real ??= require(${JSON.stringify(args.path)}).default;\n  return real(string, options);\n}\n`,
      resolveDir: root,
      loader: 'js',
    }));
  },
};

/** Entry name -> dist/ file, grouped by the thread that loads them. */
const groups = [{ entries: { cli: `${dist}cli/main.js` }, split: CLI_SPLIT }];
for (const [name, entry] of Object.entries(WORKER_SCRIPTS)) {
  if (entry.loadedBy !== undefined) continue;
  groups.push({ entries: { [name]: `${dist}${entry.dist}` }, split: false });
}
for (const [name, entry] of Object.entries(WORKER_SCRIPTS)) {
  if (entry.loadedBy === undefined) continue;
  const group = groups.find((g) => entry.loadedBy in g.entries);
  if (group === undefined) throw new Error(`worker-scripts.ts: ${name} is loadedBy ${entry.loadedBy}, which is not a thread's entry`);
  group.entries[name] = `${dist}${entry.dist}`;
  group.split = true;
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out);
const metas = await Promise.all(
  groups.map(async (g) => {
    const result = await build({
      absWorkingDir: root,
      entryPoints: g.entries,
      outdir: out,
      bundle: true,
      splitting: g.split,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      chunkNames: `chunk-${Object.keys(g.entries)[0]}-[hash]`,
      external: EXTERNAL,
      define: { CFREPLAY_BUNDLED: 'true' },
      banner: { js: REQUIRE_BANNER },
      minifyWhitespace: MINIFY,
      minifySyntax: MINIFY,
      metafile: true,
      plugins: [lazyStringWidth],
      logLevel: 'warning',
    });
    return result.metafile;
  }),
);
const meta = { inputs: Object.assign({}, ...metas.map((m) => m.inputs)), outputs: Object.assign({}, ...metas.map((m) => m.outputs)) };
writeFileSync(`${out}meta.json`, JSON.stringify(meta));
const entries = groups.flatMap((g) => Object.keys(g.entries).map((name) => `${name}.js`)).sort();
writeFileSync(`${out}built.json`, `${JSON.stringify({ esbuild: version, entries })}\n`);

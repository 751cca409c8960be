/**
 * Where each worker thread's script is: the one owner of those paths (and of the package's
 * root folder, for files read beside the code: engine/dist, package.json).
 *
 * The same code runs in three worlds:
 * - bundled (bin/cfreplay, when bundle/ is built and fresh): scripts/bundle.mjs packs the CLI
 *   and every entry below into bundle/, one file per entry plus shared chunks, and defines
 *   CFREPLAY_BUNDLED; a worker starts from bundle/<name>.js, one file instead of ~80 modules (the
 *   replay worker's is a loader of bundle/replay-worker.cjs, run from a V8 code cache: util/code-cache.ts);
 * - compiled (the programmatic API, the CLI's fallback): dist/<path>, as tsc emits it;
 * - under vitest, from src/*.ts: workers run plain JS, so they are taken from dist/ too
 *   (the test command builds it first).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** true in bundle/ (esbuild's `define`, scripts/bundle.mjs); undeclared in src/ and dist/. */
declare const CFREPLAY_BUNDLED: boolean | undefined;

/** A module a thread starts from, or loads by URL. */
export interface WorkerScriptEntry {
  /** tsc's output, under dist/. */
  dist: string;
  /** A module loaded by URL in the thread of another entry (its name here): bundled with it, sharing its modules (one copy of each class; scripts/bundle.mjs checks the name). */
  loadedBy?: string;
}

/**
 * The modules a thread starts from (or, for line parsers, loads by URL), by name: the name is
 * the bundle's file (bundle/<name>.js). scripts/bundle.mjs bundles exactly these, with the CLI
 * (dist/cli/main.js).
 */
export const WORKER_SCRIPTS = {
  /** A replay pool worker (replay/pool.ts). */
  'replay-worker': { dist: 'replay/worker.js' },
  /** The sandbox's supervised worker (runtime/worker-runner.ts: `run`, `test`, `show`). */
  'sandbox-worker': { dist: 'runtime/sandbox-worker.js' },
  /** A recording worker of the file sources (record/parallel/recording-workers.ts). */
  'record-worker': { dist: 'record/parallel/worker.js' },
  /** `record proxy`'s recording thread (record/proxy/live-recording.ts). */
  'recording-worker': { dist: 'record/proxy/recording-worker.js' },
  /** The CloudFront log line parser a recording worker loads (record/cflog/cflog-source.ts, record/parallel/line-parsers.ts). */
  'cflog-lines': { dist: 'record/cflog/cflog-lines.js', loadedBy: 'record-worker' },
} as const satisfies Record<string, WorkerScriptEntry>;

export type WorkerScript = keyof typeof WORKER_SCRIPTS;

/** Is this module running from bundle/? */
export const BUNDLED = typeof CFREPLAY_BUNDLED !== 'undefined' && CFREPLAY_BUNDLED;
/** Which of the three worlds this thread's code comes from. */
export const RUNNING_FROM: 'bundle' | 'dist' | 'src' = BUNDLED ? 'bundle' : import.meta.url.endsWith('.ts') ? 'src' : 'dist';

/** The package's root folder (this module is in bundle/, or two levels down in src/util or dist/util). */
export const PACKAGE_ROOT: URL = new URL(BUNDLED ? '../' : '../../', import.meta.url);

/** The folder of the bundle (built or not). */
export const BUNDLE_DIR: URL = new URL('bundle/', PACKAGE_ROOT);

/** URL of a worker's script in the world this module runs in (see above). */
export function workerScript(name: WorkerScript): URL {
  if (BUNDLED) return new URL(`${name}.js`, BUNDLE_DIR);
  const url = new URL(`dist/${WORKER_SCRIPTS[name].dist}`, PACKAGE_ROOT);
  if (RUNNING_FROM === 'src' && !existsSync(fileURLToPath(url))) {
    throw new Error(`${fileURLToPath(url)} is missing: build first (npx tsc -p tsconfig.json)`);
  }
  return url;
}

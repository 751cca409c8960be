// vitest globalSetup: workers and the CLI load dist/, so tests must never run on a dist/
// older than src/. Before any test file runs, every src/**/*.ts is compared with its
// dist/**/*.js; when one is missing or older (or tsconfig.json is newer than the oldest
// output), `tsc -p tsconfig.json` builds, and a failed build fails the run. Outputs whose
// source was deleted (tsc leaves them) are removed, so nothing can import or ship them.
// Then bin/cfreplay's bundle (bundle/, scripts/bundle.mjs, built from dist/) is rebuilt when it
// is missing or older than a dist/ output, so the CLI tests run the bundle of this code.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const projectRoot = new URL('../../', import.meta.url).pathname;

function filesEnding(dir: string, ending: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) filesEnding(p, ending, out);
    else if (e.name.endsWith(ending) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}
const tsFiles = (dir: string) => filesEnding(dir, '.ts');

/** dist/ files (.js, .d.ts, .js.map) of sources that no longer exist. */
export function orphanOutputs(root: string = projectRoot): string[] {
  const dist = join(root, 'dist');
  if (!existsSync(dist)) return [];
  return filesEnding(dist, '.js')
    .filter((js) => !existsSync(join(root, 'src', relative(dist, js)).replace(/\.js$/, '.ts')))
    .flatMap((js) => [js, js.replace(/\.js$/, '.d.ts'), `${js}.map`].filter((f) => existsSync(f)));
}

/** Why `root`/dist must be rebuilt, or undefined when every output is newer than its source. */
export function staleReason(root: string = projectRoot): string | undefined {
  const src = join(root, 'src');
  let oldestOutput = Infinity;
  for (const file of tsFiles(src)) {
    const out = join(root, 'dist', relative(src, file)).replace(/\.ts$/, '.js');
    if (!existsSync(out)) return `${relative(root, out)} is missing`;
    const built = statSync(out).mtimeMs;
    if (statSync(file).mtimeMs > built) return `${relative(root, file)} changed after ${relative(root, out)} was built`;
    oldestOutput = Math.min(oldestOutput, built);
  }
  if (statSync(join(root, 'tsconfig.json')).mtimeMs > oldestOutput) return 'tsconfig.json changed after the last build';
  return undefined;
}

/** Why `root`/bundle must be rebuilt, or undefined when its build mark is newer than every dist/ output. */
export function bundleStaleReason(root: string = projectRoot): string | undefined {
  const mark = join(root, 'bundle/built.json');
  if (!existsSync(mark)) return 'bundle/built.json is missing';
  const built = statSync(mark).mtimeMs;
  const newer = filesEnding(join(root, 'dist'), '.js').find((js) => statSync(js).mtimeMs > built);
  return newer === undefined ? undefined : `${relative(root, newer)} changed after the bundle was built`;
}

export default function setup(): void {
  const root = projectRoot;
  for (const f of orphanOutputs(root)) rmSync(f);
  const reason = staleReason(root);
  if (reason !== undefined) {
    process.stderr.write(`building dist/ (${reason}): tsc -p tsconfig.json\n`);
    const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: root, encoding: 'utf8' });
    if (tsc.status !== 0) {
      throw new Error(`tsc -p tsconfig.json failed (exit ${tsc.status ?? tsc.signal}): the tests would run on old code\n${tsc.stdout}${tsc.stderr}`);
    }
  }
  const bundleReason = bundleStaleReason(root);
  if (bundleReason === undefined) return;
  process.stderr.write(`building bundle/ (${bundleReason}): node scripts/bundle.mjs\n`);
  const bundle = spawnSync(process.execPath, [join(root, 'scripts/bundle.mjs')], { cwd: root, encoding: 'utf8' });
  if (bundle.status !== 0) {
    throw new Error(`node scripts/bundle.mjs failed (exit ${bundle.status ?? bundle.signal}): the CLI tests would run on old code\n${bundle.stdout}${bundle.stderr}`);
  }
}

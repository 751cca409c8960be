// One owner of where each worker's script is: under vitest (src/*.ts) every entry is tsc's
// output in dist/, whose source is the named module; the bundle has a file of the same name.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUNDLE_DIR, PACKAGE_ROOT, RUNNING_FROM, WORKER_SCRIPTS, workerScript, type WorkerScript } from '../../src/util/worker-scripts.js';

const names = Object.keys(WORKER_SCRIPTS) as WorkerScript[];

describe('worker scripts', () => {
  it('the package root is the folder of package.json, the bundle its bundle/ folder', () => {
    expect(RUNNING_FROM).toBe('src');
    expect((JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as { name: string }).name).toBe('cfreplay');
    expect(fileURLToPath(PACKAGE_ROOT)).toBe(fileURLToPath(new URL('../../', import.meta.url)));
    expect(BUNDLE_DIR.href).toBe(new URL('bundle/', PACKAGE_ROOT).href);
  });

  it.each(names)('%s: from the sources, the compiled module in dist/ (its source exists)', (name) => {
    const url = workerScript(name);
    expect(url.href).toBe(new URL(`dist/${WORKER_SCRIPTS[name].dist}`, PACKAGE_ROOT).href);
    expect(existsSync(url)).toBe(true);
    expect(existsSync(new URL(`src/${WORKER_SCRIPTS[name].dist.replace(/\.js$/, '.ts')}`, PACKAGE_ROOT))).toBe(true);
  });

  it('the bundle has one entry file per worker script, and the CLI', () => {
    const built = JSON.parse(readFileSync(new URL('built.json', BUNDLE_DIR), 'utf8')) as { entries: string[] };
    expect(built.entries).toEqual(['cli', ...names].map((n) => `${n}.js`).sort());
    for (const e of built.entries) expect(existsSync(new URL(e, BUNDLE_DIR)), e).toBe(true);
  });

  it('an entry loaded inside another thread names an entry of the table', () => {
    for (const entry of Object.values(WORKER_SCRIPTS)) if ('loadedBy' in entry) expect(names).toContain(entry.loadedBy);
  });
});

// The global setup's freshness check, on a small project of its own: dist/ counts as old
// when an output is missing or older than its source, or tsconfig.json is newer.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleStaleReason, orphanOutputs, staleReason } from './build-dist.js';
import { useTempDir } from '../helpers/tmp.js';

describe('globalSetup: dist/ is rebuilt when src/ is newer', () => {
  const tmp = useTempDir();
  const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);

  it('fresh, then stale for each reason', () => {
    const root = `${tmp.path}/`;
    mkdirSync(join(root, 'src/event'), { recursive: true });
    mkdirSync(join(root, 'dist/event'), { recursive: true });
    const files = { src: join(root, 'src/event/url.ts'), out: join(root, 'dist/event/url.js'), types: join(root, 'src/types.d.ts'), config: join(root, 'tsconfig.json') };
    for (const p of Object.values(files)) writeFileSync(p, '');
    at(files.config, 1000);
    at(files.src, 2000);
    at(files.types, 9000); // declaration files have no output
    at(files.out, 3000);
    expect(staleReason(root)).toBeUndefined();
    at(files.src, 4000);
    expect(staleReason(root)).toBe('src/event/url.ts changed after dist/event/url.js was built');
    at(files.src, 2000);
    at(files.config, 5000);
    expect(staleReason(root)).toBe('tsconfig.json changed after the last build');
    at(files.config, 1000);
    writeFileSync(join(root, 'src/new.ts'), '');
    expect(staleReason(root)).toBe('dist/new.js is missing');
  });

  it('outputs whose source is gone are orphans (all three files), the others are not', () => {
    const root = `${tmp.path}/`;
    mkdirSync(join(root, 'src/a'), { recursive: true });
    mkdirSync(join(root, 'dist/a'), { recursive: true });
    for (const f of ['src/a/kept.ts', 'dist/a/kept.js', 'dist/a/kept.d.ts', 'dist/a/gone.js', 'dist/a/gone.d.ts', 'dist/a/gone.js.map', 'dist/b.js']) writeFileSync(join(root, f), '');
    expect(orphanOutputs(root).map((f) => f.slice(root.length)).sort()).toEqual(['dist/a/gone.d.ts', 'dist/a/gone.js', 'dist/a/gone.js.map', 'dist/b.js']);
  });

  it('the bundle is stale when its build mark is missing or older than a dist/ output', () => {
    const root = `${tmp.path}/`;
    mkdirSync(join(root, 'dist/cli'), { recursive: true });
    mkdirSync(join(root, 'bundle'), { recursive: true });
    const out = join(root, 'dist/cli/main.js');
    const mark = join(root, 'bundle/built.json');
    writeFileSync(out, '');
    expect(bundleStaleReason(root)).toBe('bundle/built.json is missing');
    writeFileSync(mark, '{}');
    at(out, 3000);
    at(mark, 4000);
    expect(bundleStaleReason(root)).toBeUndefined();
    at(out, 5000);
    expect(bundleStaleReason(root)).toBe('dist/cli/main.js changed after the bundle was built');
  });
});

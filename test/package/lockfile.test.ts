// The committed lockfile works on every platform: `npm ci` refuses a lockfile in which a
// dependency of a locked package (optional platform binaries included) has no entry, or
// whose root disagrees with package.json. (.ci/run also checks `npm ci` leaves git clean.)
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  os?: string[];
  cpu?: string[];
  link?: boolean;
}

const root = new URL('../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as LockEntry;
const lock = JSON.parse(readFileSync(`${root}package-lock.json`, 'utf8')) as { lockfileVersion: number; packages: Record<string, LockEntry> };
const packages = lock.packages;

/** The lockfile path a dependency `name` of the package at `from` resolves to (node's upward search), or undefined. */
function resolveIn(from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const p = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[p] !== undefined) return p;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut < 0 ? '' : base.slice(0, cut);
  }
}

describe('package-lock.json', () => {
  it('is a version 3 lockfile whose root matches package.json', () => {
    expect(lock.lockfileVersion).toBe(3);
    const rootEntry = packages['']!;
    expect(rootEntry.dependencies ?? {}).toEqual(pkg.dependencies ?? {});
    expect(rootEntry.devDependencies ?? {}).toEqual(pkg.devDependencies ?? {});
    expect(rootEntry.optionalDependencies ?? {}).toEqual(pkg.optionalDependencies ?? {});
  });

  it('every dependency of every locked package has an entry, optional platform packages of every platform included', () => {
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(packages)) {
      const required = { ...entry.dependencies, ...entry.optionalDependencies };
      for (const [name, meta] of Object.entries(entry.peerDependencies ?? {})) if (entry.peerDependenciesMeta?.[name]?.optional !== true) required[name] = meta;
      for (const name of Object.keys(required)) if (resolveIn(path, name) === undefined) missing.push(`${path || '(root)'} -> ${name}`);
    }
    expect(missing).toEqual([]);
  });

  it('platform packages are locked for more than the platform that wrote the lockfile', () => {
    const platforms = new Set(Object.values(packages).flatMap((e) => (e.os ?? []).flatMap((os) => (e.cpu ?? ['any']).map((cpu) => `${os}-${cpu}`))));
    for (const p of ['linux-x64', 'linux-arm64', 'darwin-arm64', 'darwin-x64', 'win32-x64']) expect(platforms).toContain(p);
  });

  it('each installed package with optional dependencies lists the same ones in the lockfile as in its own package.json', () => {
    let checked = 0;
    for (const [path, entry] of Object.entries(packages)) {
      if (path === '' || entry.link === true || !existsSync(`${root}${path}/package.json`)) continue;
      const installed = JSON.parse(readFileSync(`${root}${path}/package.json`, 'utf8')) as LockEntry;
      if (installed.optionalDependencies === undefined) continue;
      checked++;
      expect(Object.keys(entry.optionalDependencies ?? {}).sort(), path).toEqual(Object.keys(installed.optionalDependencies).sort());
    }
    expect(checked).toBeGreaterThan(0); // msgpackr-extract at least
  });
});

import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENGINE_DIST } from '../../../src/runtime/njs/engine.js';

interface Manifest {
  sources: Record<string, { repository: string; tag: string; commit: string }>;
  toolchain: string;
  sha256: Record<string, string>;
}

const manifest = JSON.parse(readFileSync(ENGINE_DIST + 'MANIFEST.json', 'utf8')) as Manifest;

describe('committed njs engine files', () => {
  it('match the sha256 recorded by engine/build.sh', () => {
    const files = Object.keys(manifest.sha256);
    expect(files.sort()).toEqual([
      'cloudfront-js-1.0/njsw.cjs',
      'cloudfront-js-1.0/njsw.wasm',
      'cloudfront-js-2.0/njsw.cjs',
      'cloudfront-js-2.0/njsw.wasm',
    ]);
    for (const f of files) {
      const sum = createHash('sha256').update(readFileSync(ENGINE_DIST + f)).digest('hex');
      expect(sum, f).toBe(manifest.sha256[f]);
    }
  });

  it('record pinned sources (tag and commit) and fit the 3 MB budget', () => {
    expect(manifest.sources['cloudfront-js-2.0']).toMatchObject({ tag: '0.8.10', commit: '9d3e71ca656b920e3e63b0e647aca8e91669d29a' });
    expect(manifest.sources['cloudfront-js-1.0']).toMatchObject({ tag: '0.7.12', commit: '0283f3191f364a38167bb16810c7aeb829939863' });
    expect(manifest.sources.pcre2).toMatchObject({ tag: 'pcre2-10.44', commit: '6ae58beca071f13ccfed31d03b3f479ab520639b' });
    // build.sh checks that each tag resolves to the recorded commit; the same values must be in it.
    const script = readFileSync(new URL('../../../engine/build.sh', import.meta.url), 'utf8');
    for (const s of Object.values(manifest.sources)) expect(script).toContain(s.commit);
    const total = Object.keys(manifest.sha256).reduce((n, f) => n + statSync(ENGINE_DIST + f).size, 0);
    expect(total).toBeLessThanOrEqual(3 * 1024 * 1024);
  });
});

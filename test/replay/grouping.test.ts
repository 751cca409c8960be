import { describe, expect, it } from 'vitest';
import { mergeConstantSets } from '../../src/results/build.js';
import type { GroupPartial } from '../../src/results/chunk-result.js';
import { replay } from '../../src/replay/replay.js';
import { writeSyntheticCorpus } from '../helpers/corpus.js';
import { useTempDir } from '../helpers/tmp.js';

const ex = (position: number, old: string, value: string) => ({ eventId: `e${position}`, position, method: 'GET', uri: old, old: `${old}/index.html`, new: value });
function group(signature: string, count: number, route: string, sameNew: string | null, first: number): GroupPartial {
  return { path: 'request.uri', kind: 'changed', risk: 'high', signature, count, routes: { [route]: count }, examples: [ex(first, route, '/index.html')], sameNew };
}

describe('merging prefix removals that set one constant', () => {
  const tmp = useTempDir();

  it('folds them into the set group, summing counts, routes and examples', () => {
    const merged = mergeConstantSets([
      group('set "/index.html"', 10, '/products/:id', '/index.html', 5),
      group('remove prefix "/search"', 4, '/search', '/index.html', 1),
      group('remove prefix "/cart"', 3, '/cart', '/index.html', 9),
    ]);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ signature: 'set "/index.html"', count: 17 });
    expect(merged[0]!.routes).toEqual({ '/products/:id': 10, '/search': 4, '/cart': 3 });
    expect(merged[0]!.examples.map((e) => e.position)).toEqual([1, 5, 9]);
  });

  it('keeps a prefix removal whose results differ (a real "strip /v1" change)', () => {
    const strip = group('remove prefix "/v1"', 8, '/v1/products/:id', null, 2);
    const merged = mergeConstantSets([strip, group('set "/index.html"', 1, '/', '/index.html', 3)]);
    expect(merged.map((g) => g.signature).sort()).toEqual(['remove prefix "/v1"', 'set "/index.html"']);
  });

  it('makes an SPA fallback one group in a real replay', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 1500, 300);
    const r = await replay({
      oldPath: new URL('../fixtures/functions/spa-rewrite.js', import.meta.url).pathname,
      newPath: new URL('../../examples/spa-rewrite-v2.js', import.meta.url).pathname,
      corpus,
      workers: 2,
    });
    const uriGroups = r.diffs.filter((d) => d.path === 'request.uri');
    expect(uriGroups.some((d) => d.signature.startsWith('remove prefix'))).toBe(false);
    const set = uriGroups.find((d) => d.signature === 'set "/index.html"');
    expect(set).toBeDefined();
    expect(set!.routes.length).toBeGreaterThan(3);
  });
});

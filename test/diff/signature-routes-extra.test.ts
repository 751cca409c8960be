import { describe, expect, it } from 'vitest';
import { routeOf, signatureOf } from '../../src/diff/index.js';

describe('grouping refinements', () => {
  it('groups an SPA fallback as one "set" when the removed part is event-specific', () => {
    // A literal prefix removal ("/search/index.html" -> "/index.html") stays
    // `remove prefix "/search"`: one event cannot tell it from stripping a fixed prefix.
    const sigs = new Set(
      ['/products/71264/index.html', '/category/hats/page/16/index.html', '/u/0a1b2c3d4e5f/index.html'].map((old) =>
        signatureOf({ path: 'request.uri', kind: 'changed', old, new: '/index.html' }),
      ),
    );
    expect([...sigs]).toEqual(['set "/index.html"']);
  });

  it('keeps a systematic removal as a removal', () => {
    expect(signatureOf({ path: 'request.uri', kind: 'changed', old: '/a/b/index.html', new: '/a/b' })).toBe('remove suffix "/index.html"');
  });

  it('templates slugs with numbers the same way whatever their length', () => {
    expect(routeOf('/blog/2020/socks-guide-177')).toBe('/blog/:id/:slug');
    expect(routeOf('/blog/2020/bags-guide-17')).toBe('/blog/:id/:slug');
    expect(routeOf('/a-b')).toBe('/a-b');
  });
});

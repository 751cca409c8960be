// The global setup sees a dist/ output older than its source (then `tsc` runs before any test).
import { statSync, utimesSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { staleReason } from './build-dist.js';

const root = new URL('../../', import.meta.url).pathname;

describe('globalSetup: dist/ is rebuilt when src/ is newer', () => {
  it('is fresh after the setup ran, and stale once an output is older than its source', () => {
    expect(staleReason()).toBeUndefined();
    const out = `${root}dist/event/url.js`;
    const { atime, mtime } = statSync(out);
    try {
      utimesSync(out, atime, new Date(statSync(`${root}src/event/url.ts`).mtimeMs - 60_000));
      expect(staleReason()).toBe('src/event/url.ts changed after dist/event/url.js was built');
    } finally {
      utimesSync(out, atime, mtime);
    }
    expect(staleReason()).toBeUndefined();
  });
});

// splitRawUrl walks the URL by position; the regular-expression version it
// replaced is kept here as the reference it must agree with.
import { describe, expect, it } from 'vitest';
import { InvalidUrlError, splitRawUrl, type RawUrlParts } from '../../src/event/url.js';

function reference(url: string): RawUrlParts {
  if (url.length === 0) throw new InvalidUrlError('empty URL');
  let rest = url;
  let scheme = '';
  let authority = '';
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url);
  if (m && !url.startsWith('/')) {
    scheme = m[1]!.toLowerCase();
    rest = url.slice(m[0].length);
    if (rest.startsWith('//')) {
      rest = rest.slice(2);
      let end = rest.length;
      for (let i = 0; i < rest.length; i++) {
        const c = rest[i];
        if (c === '/' || c === '?' || c === '#') {
          end = i;
          break;
        }
      }
      authority = rest.slice(0, end);
      const at = authority.lastIndexOf('@');
      if (at >= 0) authority = authority.slice(at + 1);
      rest = rest.slice(end);
    }
  } else if (!url.startsWith('/') && url !== '*') {
    throw new InvalidUrlError('not an absolute URL or path');
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  let path = q >= 0 ? rest.slice(0, q) : rest;
  const query = q >= 0 ? rest.slice(q + 1) : undefined;
  if (path === '') path = '/';
  if (/\s/.test(path)) throw new InvalidUrlError('whitespace in URL path');
  return { scheme, authority, path, query };
}

function outcome(f: (u: string) => RawUrlParts, url: string): RawUrlParts | string {
  try {
    return f(url);
  } catch (e) {
    return e instanceof InvalidUrlError ? 'invalid' : 'other error';
  }
}

describe('splitRawUrl', () => {
  it('agrees with the regular-expression reference on every URL built from tricky pieces', () => {
    const pieces = ['HTTPS:', 'http:', 'a+b.c-d:', '1x:', '//', '/', 'user@', 'h@ost', 'example.com', ':8443', '[::1]', '?', '#', 'a=1&b', ' ', '*', 'p%20q', 'é', ''];
    let urls = [''];
    for (let depth = 0; depth < 4; depth++) urls = urls.flatMap((u) => pieces.map((p) => u + p));
    let disagreements = 0;
    for (const url of urls) if (JSON.stringify(outcome(splitRawUrl, url)) !== JSON.stringify(outcome(reference, url))) disagreements++;
    expect(urls.length).toBeGreaterThan(100_000);
    expect(disagreements).toBe(0);
  });
});

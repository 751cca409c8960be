/**
 * Raw URL splitting. WHATWG `new URL()` is not used on purpose: it
 * percent-encodes, resolves dot segments and lowercases, and CloudFront hands
 * functions the path and query exactly as the viewer sent them.
 */

export interface RawUrlParts {
  /** Lowercased scheme without ':' ("" for origin-form URLs). */
  scheme: string;
  /** Authority (host[:port]) as written, "" when absent. */
  authority: string;
  /** Raw path, "/" when the URL has none. */
  path: string;
  /** Raw query without '?'; undefined when the URL has no '?'. */
  query: string | undefined;
}

export class InvalidUrlError extends Error {}

const SCHEME_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

export function splitRawUrl(url: string): RawUrlParts {
  if (url.length === 0) throw new InvalidUrlError('empty URL');
  let rest = url;
  let scheme = '';
  let authority = '';
  const schemeMatch = SCHEME_RE.exec(url);
  if (schemeMatch && !url.startsWith('/')) {
    scheme = schemeMatch[1]!.toLowerCase();
    rest = url.slice(schemeMatch[0].length);
    if (rest.startsWith('//')) {
      rest = rest.slice(2);
      let end = rest.length;
      for (let i = 0; i < rest.length; i++) {
        const c = rest.charCodeAt(i);
        if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) {
          end = i;
          break;
        }
      }
      authority = rest.slice(0, end);
      // userinfo is never forwarded as part of the host
      const at = authority.lastIndexOf('@');
      if (at >= 0) authority = authority.slice(at + 1);
      rest = rest.slice(end);
    }
  } else if (!url.startsWith('/') && url !== '*') {
    throw new InvalidUrlError(`not an absolute URL or path: ${truncate(url)}`);
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  let path = q >= 0 ? rest.slice(0, q) : rest;
  const query = q >= 0 ? rest.slice(q + 1) : undefined;
  if (path === '') path = '/';
  if (/\s/.test(path)) throw new InvalidUrlError(`whitespace in URL path: ${truncate(url)}`);
  return { scheme, authority, path, query };
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

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

/** Index of the ":" ending a scheme (`[a-zA-Z][a-zA-Z0-9+.-]*:`) at the start of `url`, or -1. */
function schemeEnd(url: string): number {
  const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
  if (!isLetter(url.charCodeAt(0))) return -1;
  for (let i = 1; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 58 /* : */) return i;
    if (!(isLetter(c) || (c >= 48 && c <= 57) || c === 43 /* + */ || c === 46 /* . */ || c === 45) /* - */) return -1;
  }
  return -1;
}

/** Hot (every recorded exchange): positions in the URL, one slice per part. */
export function splitRawUrl(url: string): RawUrlParts {
  if (url.length === 0) throw new InvalidUrlError('empty URL');
  let scheme = '';
  let authority = '';
  /** Where the path starts. */
  let at = 0;
  const colon = schemeEnd(url);
  if (colon >= 0) {
    scheme = url.slice(0, colon).toLowerCase();
    at = colon + 1;
    if (url.charCodeAt(at) === 47 && url.charCodeAt(at + 1) === 47 /* // */) {
      at += 2;
      let end = url.length;
      for (let i = at; i < url.length; i++) {
        const c = url.charCodeAt(i);
        if (c === 47 /* / */ || c === 63 /* ? */ || c === 35 /* # */) {
          end = i;
          break;
        }
      }
      authority = url.slice(at, end);
      // userinfo is never forwarded as part of the host
      const userinfo = authority.lastIndexOf('@');
      if (userinfo >= 0) authority = authority.slice(userinfo + 1);
      at = end;
    }
  } else if (!url.startsWith('/') && url !== '*') {
    throw new InvalidUrlError(`not an absolute URL or path: ${truncate(url)}`);
  }
  let stop = url.indexOf('#', at);
  if (stop < 0) stop = url.length;
  let q = url.indexOf('?', at);
  if (q >= stop) q = -1;
  let path = url.slice(at, q >= 0 ? q : stop);
  const query = q >= 0 ? url.slice(q + 1, stop) : undefined;
  if (path === '') path = '/';
  if (/\s/.test(path)) throw new InvalidUrlError(`whitespace in URL path: ${truncate(url)}`);
  return { scheme, authority, path, query };
}

function truncate(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

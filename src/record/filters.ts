/**
 * Include/exclude filters shared by every recorder. An exchange that a filter
 * rejects is counted under "filtered out" with the option that rejected it.
 *
 * Semantics (documented in `--help`):
 * - `--include-host` / `--exclude-host`: host names, case-insensitive,
 *   compared without the port; `*.example.com` matches any subdomain of
 *   example.com (not example.com itself). Repeatable or comma separated. A
 *   host must match one include (when any is given) and no exclude.
 * - `--include` / `--exclude`: JavaScript regular expressions tested against
 *   the absolute URL `scheme://host/path?query` as captured (not decoded).
 *   An exchange must match one include (when any is given) and no exclude.
 * - `--method`: methods to keep (case-insensitive).
 */
import { InputError } from './errors.js';
import type { ExchangeView } from './checks.js';

export interface FilterOptions {
  includeHosts?: string[];
  excludeHosts?: string[];
  include?: (string | RegExp)[];
  exclude?: (string | RegExp)[];
  methods?: string[];
}

/** Returns the reason when the exchange is filtered out, undefined when kept. */
export type ExchangeFilter = (view: ExchangeView) => string | undefined;

/**
 * A filter that remembers its options, so a recording worker thread can
 * compile the same one. `connection` filters a connection (mTLS) event by the
 * host it connected to (its `endpoint`): the host options apply to it; the
 * URL and method options select HTTP requests and leave connections alone.
 */
export type CompiledFilter = ExchangeFilter & { readonly options: FilterOptions; readonly connection: (endpoint: string) => string | undefined };

export function isCompiledFilter(filter: ExchangeFilter): filter is CompiledFilter {
  return typeof (filter as Partial<CompiledFilter>).options === 'object';
}

export const FILTERED = {
  includeHost: 'host not in --include-host',
  excludeHost: 'host in --exclude-host',
  include: 'URL matches no --include',
  exclude: 'URL matches --exclude',
  method: 'method not in --method',
} as const;

type HostMatcher = (host: string) => boolean;

/** Split "a,b" and repeated flags into one trimmed list. */
export function splitList(values: readonly (string | undefined)[] | string | undefined): string[] {
  if (values === undefined) return [];
  const list = typeof values === 'string' ? [values] : values;
  const out: string[] = [];
  for (const v of list) {
    if (v === undefined) continue;
    for (const part of String(v).split(',')) {
      const t = part.trim();
      if (t !== '') out.push(t);
    }
  }
  return out;
}

function hostMatcher(pattern: string, option: string): HostMatcher {
  let p = pattern.trim().toLowerCase();
  if (p === '') throw new InputError(`${option}: empty host name`);
  // Accept a URL or host:port by mistake-proofing: keep only the host.
  p = p.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/\/.*$/, '');
  if (!p.startsWith('[')) p = p.replace(/:\d+$/, '');
  if (p === '*') return () => true;
  if (p.startsWith('*.')) {
    const suffix = p.slice(1); // ".example.com"
    return (host) => host.endsWith(suffix) && host.length > suffix.length;
  }
  if (p.includes('*')) throw new InputError(`${option}: "${pattern}": only a leading "*." wildcard is supported`);
  return (host) => host === p;
}

function compileRegex(source: string | RegExp, option: string): RegExp {
  if (source instanceof RegExp) return source;
  try {
    return new RegExp(source);
  } catch (e) {
    throw new InputError(`${option}: invalid regular expression "${source}": ${(e as Error).message}`);
  }
}

/** Build the filter; throws InputError (user-facing) for bad patterns. */
export function compileFilters(options: FilterOptions = {}): CompiledFilter {
  const includeHosts = (options.includeHosts ?? []).map((p) => hostMatcher(p, '--include-host'));
  const excludeHosts = (options.excludeHosts ?? []).map((p) => hostMatcher(p, '--exclude-host'));
  const connection = (endpoint: string): string | undefined => {
    const host = endpoint.toLowerCase();
    if (includeHosts.length > 0 && !includeHosts.some((m) => m(host))) return FILTERED.includeHost;
    if (excludeHosts.some((m) => m(host))) return FILTERED.excludeHost;
    return undefined;
  };
  return Object.assign(compile(options), { options, connection });
}

function compile(options: FilterOptions): ExchangeFilter {
  const includeHosts = (options.includeHosts ?? []).map((p) => hostMatcher(p, '--include-host'));
  const excludeHosts = (options.excludeHosts ?? []).map((p) => hostMatcher(p, '--exclude-host'));
  const include = (options.include ?? []).map((p) => compileRegex(p, '--include'));
  const exclude = (options.exclude ?? []).map((p) => compileRegex(p, '--exclude'));
  const methods = new Set((options.methods ?? []).map((m) => m.trim().toUpperCase()).filter((m) => m !== ''));
  if (includeHosts.length + excludeHosts.length + include.length + exclude.length + methods.size === 0) {
    return () => undefined;
  }
  return (view) => {
    if (methods.size > 0 && !methods.has(view.method)) return FILTERED.method;
    const host = view.host;
    if (includeHosts.length > 0 && !includeHosts.some((m) => m(host))) return FILTERED.includeHost;
    if (excludeHosts.some((m) => m(host))) return FILTERED.excludeHost;
    const url = view.absoluteUrl;
    if (include.length > 0 && !include.some((r) => testRegex(r, url))) return FILTERED.include;
    if (exclude.some((r) => testRegex(r, url))) return FILTERED.exclude;
    return undefined;
  };
}

function testRegex(r: RegExp, s: string): boolean {
  // A global/sticky regex keeps state between calls: reset it.
  if (r.global || r.sticky) r.lastIndex = 0;
  return r.test(s);
}

/**
 * Paths and the string form of values.
 *
 * Paths: `outcome`, `error`, `validation`, `origin`, `request.method`,
 * `request.uri`, `request.querystring.<name>`, `request.headers.<name>`,
 * `request.cookies.<name>`, `response.statusCode`,
 * `response.statusDescription`, `response.headers.<name>`,
 * `response.cookies.<name>`, `response.body`. Header names are lowercase in
 * paths (the effective form has wire capitalisation, `X-Foo`); query and
 * cookie names are kept as sent. A name may itself contain dots: everything
 * after the family (`request.headers.`) is the name.
 *
 * Values (DiffEntry.old/new): a single value is the value itself; several
 * values are a JSON array (`["a","b"]`); a response cookie is
 * `value; attributes` (just `value` without attributes); a body is
 * `text:<data>`, `base64:<data>`, `origin` (viewer-response kept the
 * origin's body) or `none`; `origin` is the JSON array of origin
 * modification calls; a status code is its decimal string.
 */
import type { EffectiveBody } from '../runtime/types.js';

export const P_OUTCOME = 'outcome';
export const P_ERROR = 'error';
export const P_VALIDATION = 'validation';
export const P_ORIGIN = 'origin';
/** What a connection function passed to logCustomData() (the decision itself is the outcome). */
export const P_CUSTOM_DATA = 'logCustomData';
export const P_METHOD = 'request.method';
export const P_URI = 'request.uri';
export const P_STATUS = 'response.statusCode';
export const P_STATUS_DESCRIPTION = 'response.statusDescription';
export const P_BODY = 'response.body';

/** Families of named fields: the path prefix and whether names are lowercased. */
export const FAMILIES = {
  query: 'request.querystring.',
  reqHeaders: 'request.headers.',
  reqCookies: 'request.cookies.',
  resHeaders: 'response.headers.',
  resCookies: 'response.cookies.',
} as const;
export type FamilyPrefix = (typeof FAMILIES)[keyof typeof FAMILIES];

export const FAMILY_PREFIXES: readonly FamilyPrefix[] = Object.values(FAMILIES);

export function isHeaderFamily(prefix: string): boolean {
  return prefix === FAMILIES.reqHeaders || prefix === FAMILIES.resHeaders;
}

const CACHE_LIMIT = 20_000;
const pathCaches = new Map<string, Map<string, string>>();

/**
 * `prefix + name` (lowercased for headers), cached: names repeat across
 * millions of events and an entry's path is built once per distinct name.
 */
export function fieldPath(prefix: FamilyPrefix, name: string): string {
  let cache = pathCaches.get(prefix);
  if (cache === undefined) pathCaches.set(prefix, (cache = new Map()));
  let p = cache.get(name);
  if (p === undefined) {
    p = prefix + (isHeaderFamily(prefix) ? name.toLowerCase() : name);
    if (cache.size < CACHE_LIMIT) cache.set(name, p);
  }
  return p;
}

/** Split a path into its family prefix and name, or undefined for a fixed path. */
export function splitFieldPath(path: string): { prefix: FamilyPrefix; name: string } | undefined {
  for (const prefix of FAMILY_PREFIXES) if (path.startsWith(prefix)) return { prefix, name: path.slice(prefix.length) };
  return undefined;
}

export function formatValues(values: readonly string[]): string {
  return values.length === 1 ? values[0]! : JSON.stringify(values);
}

export interface SetCookie {
  value: string;
  attributes: string;
}

export function formatSetCookie(c: SetCookie): string {
  return c.attributes === '' ? c.value : `${c.value}; ${c.attributes}`;
}

export function formatSetCookies(values: readonly SetCookie[]): string {
  return values.length === 1 ? formatSetCookie(values[0]!) : JSON.stringify(values.map(formatSetCookie));
}

export function formatBody(body: EffectiveBody | undefined): string {
  if (body === null || body === undefined) return 'none';
  if (body === 'origin') return 'origin';
  return `${body.encoding}:${body.data}`;
}

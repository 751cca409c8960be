/**
 * Risk class of a difference.
 *
 * - high: an outcome change; any difference at `response.statusCode`,
 *   `response.headers.location`, `request.uri`, `request.method`, `origin`
 *   (where the request goes or what the viewer is sent to), `error` or
 *   `validation` (a different failure); and the removal of a security
 *   response header (SECURITY_HEADERS: HSTS, CSP, X-Frame-Options, ...),
 *   which silently weakens every page.
 * - low: `added` (a field only NEW has) and `ordering` (same values, other order);
 * - medium: everything else (a value changed or removed).
 */
import type { Risk } from './types.js';
import { P_ERROR, P_METHOD, P_ORIGIN, P_STATUS, P_URI, P_VALIDATION } from './paths.js';
import type { DiffEntry } from './types.js';

const HIGH_PATHS: ReadonlySet<string> = new Set([P_STATUS, 'response.headers.location', P_URI, P_METHOD, P_ORIGIN, P_ERROR, P_VALIDATION]);

/** Response headers whose removal is high risk. */
export const SECURITY_HEADERS: ReadonlySet<string> = new Set([
  'strict-transport-security',
  'content-security-policy',
  'x-frame-options',
  'x-content-type-options',
  'referrer-policy',
  'permissions-policy',
  'cross-origin-opener-policy',
  'cross-origin-embedder-policy',
  'cross-origin-resource-policy',
]);

export function riskOf(entry: DiffEntry): Risk {
  if (entry.kind === 'outcome' || HIGH_PATHS.has(entry.path)) return 'high';
  if (entry.kind === 'added' || entry.kind === 'ordering') return 'low';
  if (entry.kind === 'removed' && entry.path.startsWith('response.headers.') && SECURITY_HEADERS.has(entry.path.slice(17))) return 'high';
  return 'medium';
}

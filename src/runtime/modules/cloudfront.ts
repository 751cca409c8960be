/**
 * Host side of the `cloudfront` built-in module (2.0), whose in-realm half is
 * in realm-libs.ts: the origin modification helpers' parameter checks and
 * their recording as side effects.
 *
 * Unconfirmed choices (documented, easy to change):
 * - Invalid origin parameters throw a TypeError at the call (an execution
 *   error), as does calling an origin helper outside viewer-request. Unknown
 *   parameter names are rejected (catches typos; AWS may add names later: add
 *   them to ORIGIN_KEYS).
 * - `cf.kvs(id)` accepts any id (a snapshot file has none); without a snapshot
 *   `get`/`exists`/`meta` reject with a clear message.
 * - A missing key rejects with `Error: Key not found: "<key>"`.
 * - logCustomData keeps the last call, truncated to 800 bytes.
 */
import type { EdgeLocation, OriginChange } from '../types.js';
import type { InvocationState } from '../invocation-state.js';

export const CUSTOM_DATA_LIMIT = 800;

type Checker = (v: unknown) => string | null;
const isStr: Checker = (v) => (typeof v === 'string' ? null : 'must be a string');
const isBool: Checker = (v) => (typeof v === 'boolean' ? null : 'must be a boolean');
const intIn = (lo: number, hi: number): Checker => (v) =>
  typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi ? null : `must be an integer from ${lo} to ${hi}`;
const oneOf = (...vals: string[]): Checker => (v) =>
  typeof v === 'string' && vals.includes(v) ? null : `must be one of ${vals.map((x) => `'${x}'`).join(', ')}`;
const objOf = (keys: Record<string, Checker>): Checker => (v) => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'must be an object';
  for (const k of Object.keys(v)) {
    const c = keys[k];
    if (!c) return `has unknown field "${k}"`;
    const p = c((v as Record<string, unknown>)[k]);
    if (p) return `.${k} ${p}`;
  }
  return null;
};
const stringMap: Checker = (v) => {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'must be an object of strings';
  for (const [k, x] of Object.entries(v)) if (typeof x !== 'string') return `.${k} must be a string`;
  return null;
};
const sslList: Checker = (v) =>
  Array.isArray(v) && v.every((x) => ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2'].includes(String(x)))
    ? null
    : "must be an array of 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2'";

const ORIGIN_KEYS: Record<string, Checker> = {
  domainName: isStr,
  hostHeader: isStr,
  originPath: (v) => (typeof v === 'string' && (v === '' || v.startsWith('/')) ? null : "must be a string starting with '/'"),
  customHeaders: stringMap,
  originAccessControlConfig: objOf({
    enabled: isBool,
    signingBehavior: oneOf('always', 'never', 'no-override'),
    signingProtocol: oneOf('sigv4'),
    originType: oneOf('s3', 'mediapackagev2', 'lambda'),
  }),
  timeouts: objOf({
    readTimeout: intIn(1, 120),
    responseCompletionTimeout: intIn(1, 3600),
    keepAliveTimeout: intIn(1, 120),
    connectionTimeout: intIn(1, 10),
  }),
  connectionAttempts: intIn(1, 3),
  originShield: objOf({ enabled: isBool, region: isStr }),
  customOriginConfig: objOf({
    port: intIn(1, 65535),
    protocol: oneOf('http', 'https'),
    sslProtocols: sslList,
    ipAddressType: oneOf('ipv4', 'ipv6', 'dualstack'),
  }),
  s3OriginConfig: objOf({}),
  ipAddressType: oneOf('ipv4', 'ipv6', 'dualstack'),
};
const checkOriginParams = objOf(ORIGIN_KEYS);
const checkGroup = objOf({
  originIds: (v) =>
    Array.isArray(v) && v.length >= 2 && v.every((x) => typeof x === 'string' && x.length > 0)
      ? null
      : 'must be an array of at least 2 origin ids',
  failoverCriteria: objOf({
    statusCodes: (v) =>
      Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && (x as number) >= 400 && (x as number) <= 599)
        ? null
        : 'must be a non-empty array of HTTP status codes (400-599)',
  }),
  selectionCriteria: oneOf('default', 'media-quality-score'),
});

/**
 * What is wrong with the arguments of one origin helper call (the TypeError
 * message the call throws), or null. Shared with the njs engine, which checks
 * the calls it recorded after the run.
 */
export function originCallProblem(op: OriginChange['op'], params: unknown, hasParams: boolean, originId?: unknown): string | null {
  if (op === 'selectRequestOriginById') {
    if (typeof originId !== 'string' || originId.length === 0) return 'cf.selectRequestOriginById(): origin id must be a non-empty string';
    const p = hasParams ? checkOriginParams(params) : null;
    return p ? `cf.selectRequestOriginById(): params ${p}` : null;
  }
  if (op === 'updateRequestOrigin') {
    const p = checkOriginParams(params);
    return p ? `cf.updateRequestOrigin(): params ${p}` : null;
  }
  const p = checkGroup(params);
  if (p) return `cf.createRequestOriginGroup(): params ${p}`;
  if (!(params as Record<string, unknown>).originIds) return 'cf.createRequestOriginGroup(): params.originIds is required';
  return null;
}

export const DEFAULT_EDGE_LOCATION: EdgeLocation = { name: 'IAD', serverIp: '192.0.2.1', region: 'us-east-1' };

/**
 * Host side of the origin helpers (cf.updateRequestOrigin,
 * selectRequestOriginById, createRequestOriginGroup): checks the parameters
 * (as JSON, from the in-realm module in realm-libs.ts) and records the change.
 * Returns '' when recorded, else the message of the error the function gets
 * ('T:' TypeError, 'E:' Error).
 */
export function originBridge(state: InvocationState): (op: string, id: string | undefined, paramsJson: string) => string {
  return (op, id, paramsJson) => {
    let params: unknown;
    try {
      params = paramsJson === 'undefined' ? undefined : JSON.parse(paramsJson);
    } catch {
      return `T:cf.${op}(): params must be an object`;
    }
    if (op !== 'updateRequestOrigin' && op !== 'selectRequestOriginById' && op !== 'createRequestOriginGroup') return `T:cf.${op} is not a function`;
    const p = originCallProblem(op, params, params !== undefined, id);
    if (p) return `T:${p}`;
    const change: OriginChange =
      op === 'selectRequestOriginById'
        ? params !== undefined
          ? { op, originId: id as string, params: params as Record<string, unknown> }
          : { op, originId: id as string }
        : { op, params: params as Record<string, unknown> };
    if (state.eventType !== 'viewer-request') return `E:cf.${op}() can only be used in viewer-request functions`;
    (state.origin ??= []).push(change);
    return '';
  };
}

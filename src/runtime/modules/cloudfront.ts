/**
 * The `cloudfront` built-in module (2.0): kvs(), origin modification helpers
 * (recorded as side effects, validated at call time), edgeLocation,
 * logCustomData.
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
import type { KvsSnapshot, EdgeLocation, OriginChange } from '../types.js';
import type { SandboxApi } from '../prelude.js';
import type { InvocationState } from '../invocation-state.js';
import { KVS_MAX_KEY_BYTES } from '../kvs.js';

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

function plain(v: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(v)) as Record<string, unknown>;
}

export const DEFAULT_EDGE_LOCATION: EdgeLocation = { name: 'IAD', serverIp: '192.0.2.1', region: 'us-east-1' };

export function makeCloudfrontModule(
  api: SandboxApi,
  state: InvocationState,
  kvs: KvsSnapshot | undefined,
  edge: EdgeLocation,
): object {
  const realm = api.realm;
  const P = realm.Promise;
  const fail = (msg: string): never => {
    throw new realm.TypeError(msg);
  };
  const record = (name: string, change: OriginChange): void => {
    if (state.eventType !== 'viewer-request') {
      throw new realm.Error(`cf.${name}() can only be used in viewer-request functions`);
    }
    (state.origin ??= []).push(change);
  };

  const noStore = 'no KeyValueStore is associated with this function (pass a KVS snapshot, e.g. --kvs kvs.json)';
  const handle = new realm.Object() as Record<string, unknown>;
  handle.get = function get(key: unknown, options?: unknown): Promise<unknown> {
    if (!kvs) return P.reject(new realm.Error(noStore));
    const k = String(key);
    if (Buffer.byteLength(k, 'utf8') > KVS_MAX_KEY_BYTES) return P.reject(new realm.Error(`Key exceeds ${KVS_MAX_KEY_BYTES} bytes`));
    const format =
      options !== null && typeof options === 'object' && (options as { format?: unknown }).format !== undefined
        ? String((options as { format?: unknown }).format)
        : 'string';
    const v = kvs.entries.get(k);
    if (v === undefined) return P.reject(new realm.Error(`Key not found: "${k}"`));
    if (format === 'string') return P.resolve(v);
    if (format === 'json') {
      try {
        return P.resolve(realm.JSON.parse(v));
      } catch (e) {
        return P.reject(new realm.Error(`Value of key "${k}" is not valid JSON: ${(e as Error).message}`));
      }
    }
    if (format === 'bytes') return P.resolve(new realm.Uint8Array(Buffer.from(v, 'utf8')));
    return P.reject(new realm.TypeError(`Unknown format: "${format}" (string, json or bytes)`));
  };
  handle.exists = function exists(key: unknown): Promise<boolean> {
    if (!kvs) return P.reject(new realm.Error(noStore));
    return P.resolve(kvs.entries.has(String(key)));
  };
  handle.meta = function meta(): Promise<unknown> {
    if (!kvs) return P.reject(new realm.Error(noStore));
    return P.resolve(api.clone(kvs.meta));
  };
  Object.freeze(handle);

  const mod = new realm.Object() as Record<string, unknown>;
  mod.kvs = function kvsFn(_id?: unknown): unknown {
    return handle;
  };
  mod.updateRequestOrigin = function updateRequestOrigin(params: unknown): void {
    const p = checkOriginParams(params);
    if (p) fail(`cf.updateRequestOrigin(): params ${p}`);
    record('updateRequestOrigin', { op: 'updateRequestOrigin', params: plain(params) });
  };
  mod.selectRequestOriginById = function selectRequestOriginById(id: unknown, params?: unknown): void {
    if (typeof id !== 'string' || id.length === 0) fail('cf.selectRequestOriginById(): origin id must be a non-empty string');
    if (params !== undefined) {
      const p = checkOriginParams(params);
      if (p) fail(`cf.selectRequestOriginById(): params ${p}`);
    }
    const change: OriginChange =
      params === undefined
        ? { op: 'selectRequestOriginById', originId: id as string }
        : { op: 'selectRequestOriginById', originId: id as string, params: plain(params) };
    record('selectRequestOriginById', change);
  };
  mod.createRequestOriginGroup = function createRequestOriginGroup(params: unknown): void {
    const p = checkGroup(params);
    if (p) fail(`cf.createRequestOriginGroup(): params ${p}`);
    if (!(params as Record<string, unknown>).originIds) fail('cf.createRequestOriginGroup(): params.originIds is required');
    record('createRequestOriginGroup', { op: 'createRequestOriginGroup', params: plain(params) });
  };
  mod.logCustomData = function logCustomData(s: unknown): void {
    let v = String(s);
    if (Buffer.byteLength(v, 'utf8') > CUSTOM_DATA_LIMIT) v = Buffer.from(v, 'utf8').subarray(0, CUSTOM_DATA_LIMIT).toString('utf8').replace(/\uFFFD$/, '');
    api.state.customData = v;
  };
  // AWS: edgeLocation is only filled for viewer-request; "empty" for viewer-response.
  const edgeReq = Object.freeze(api.clone(edge) as object);
  const edgeEmpty = Object.freeze(new realm.Object());
  Object.defineProperty(mod, 'edgeLocation', {
    enumerable: true,
    get: () => (state.eventType === 'viewer-request' ? edgeReq : edgeEmpty),
  });
  return Object.freeze(mod);
}

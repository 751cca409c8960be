/**
 * Input checks: is this a CloudFront Functions event (and not a Lambda@Edge
 * one)? Is this source a Lambda@Edge handler? Used by the CLI and the replay
 * before running; `invoke` itself does not re-check (speed).
 */
import { isObj, type Obj } from './effective.js';
import { DEFAULT_VIEWER_IP } from '../event/build.js';

/** `{ Records: [ { cf: {...} } ] }` */
export function isLambdaEdgeEvent(obj: unknown): boolean {
  if (!isObj(obj) || !Array.isArray(obj.Records)) return false;
  const first: unknown = obj.Records[0];
  return isObj(first) && isObj(first.cf);
}

export const LAMBDA_EDGE_EVENT_MESSAGE =
  'this is a Lambda@Edge event (Records[0].cf), not a CloudFront Functions event ({version, context, viewer, request})';
export const LAMBDA_EDGE_SOURCE_MESSAGE =
  'this looks like a Lambda@Edge / Node.js handler (exports.handler / module.exports); CloudFront Functions use a top-level `function handler(event)`';

/** Cheap source-level heuristic (the loader uses the AST; this is for callers without one). */
export function looksLikeLambdaEdgeSource(source: string): boolean {
  return /\b(?:module\.)?exports\.handler\s*=|\bmodule\.exports\s*=|event\.Records\s*\[\s*0\s*\]\s*\.cf\b/.test(source);
}

function checkEntries(m: unknown, path: string, problems: string[], setCookie = false): void {
  if (m === undefined) return;
  if (!isObj(m)) {
    problems.push(`${path} must be an object`);
    return;
  }
  for (const k in m) {
    const e = m[k];
    if (!isObj(e) || typeof e.value !== 'string') {
      problems.push(`${path}.${k} must be { value: string${setCookie ? ', attributes?: string' : ''} }`);
      continue;
    }
    if (e.multiValue !== undefined && (!Array.isArray(e.multiValue) || !e.multiValue.every((x) => isObj(x) && typeof x.value === 'string')))
      problems.push(`${path}.${k}.multiValue must be an array of { value: string }`);
  }
}

function checkHeaderNames(m: unknown, path: string, problems: string[]): void {
  if (!isObj(m)) return;
  for (const k in m) if (k !== k.toLowerCase()) problems.push(`${path}: header name "${k}" must be lowercase`);
}

/**
 * Problems with an event object (empty array = usable). Missing `querystring`,
 * `headers`, `cookies` maps are tolerated (normalizeCloudFrontEvent fills them).
 */
export function validateCloudFrontEvent(obj: unknown): string[] {
  if (!isObj(obj)) return ['the event must be a JSON object'];
  if (isLambdaEdgeEvent(obj)) return [LAMBDA_EDGE_EVENT_MESSAGE];
  const problems: string[] = [];
  if (obj.version !== undefined && obj.version !== '1.0') problems.push(`version must be "1.0" (got ${JSON.stringify(obj.version)})`);
  const ctx = obj.context;
  if (!isObj(ctx)) problems.push('context is missing (context.eventType is required)');
  else if (ctx.eventType !== 'viewer-request' && ctx.eventType !== 'viewer-response')
    problems.push(`context.eventType must be "viewer-request" or "viewer-response" (got ${JSON.stringify(ctx.eventType)})`);
  if (obj.viewer !== undefined && (!isObj(obj.viewer) || typeof obj.viewer.ip !== 'string')) problems.push('viewer.ip must be a string');
  const req = obj.request;
  if (!isObj(req)) problems.push('request is missing');
  else {
    if (typeof req.method !== 'string') problems.push('request.method must be a string');
    if (typeof req.uri !== 'string' || !req.uri.startsWith('/')) problems.push('request.uri must be a string starting with "/"');
    checkEntries(req.querystring, 'request.querystring', problems);
    checkEntries(req.headers, 'request.headers', problems);
    checkHeaderNames(req.headers, 'request.headers', problems);
    checkEntries(req.cookies, 'request.cookies', problems);
  }
  if (isObj(ctx) && ctx.eventType === 'viewer-response') {
    const res = obj.response;
    if (!isObj(res)) problems.push('response is missing (required for a viewer-response event)');
    else {
      if (typeof res.statusCode !== 'number' || !Number.isInteger(res.statusCode)) problems.push('response.statusCode must be an integer');
      checkEntries(res.headers, 'response.headers', problems);
      checkHeaderNames(res.headers, 'response.headers', problems);
      checkEntries(res.cookies, 'response.cookies', problems, true);
    }
  }
  return problems;
}

/** Fill the maps CloudFront always provides (querystring, headers, cookies) when a hand-written event omits them. */
export function normalizeCloudFrontEvent<T>(obj: T): T {
  if (!isObj(obj)) return obj;
  const o = obj as Obj;
  if (isObj(o.request)) {
    o.request.querystring ??= {};
    o.request.headers ??= {};
    o.request.cookies ??= {};
  }
  if (isObj(o.response)) {
    o.response.headers ??= {};
    o.response.cookies ??= {};
  }
  if (o.viewer === undefined) o.viewer = { ip: DEFAULT_VIEWER_IP };
  return obj;
}

/** A connection (mTLS) event: `{ clientIp, connectionId, ... }`, or with `clientCertificate` or `clientCertInfo` (AWS's tutorial's name). */
export function isConnectionEvent(obj: unknown): boolean {
  return isObj(obj) && (isObj(obj.clientCertificate) || isObj(obj.clientCertInfo) || typeof obj.connectionId === 'string') && !isObj(obj.request);
}

/**
 * An existing CloudFront Functions event (a test event file) as a stored
 * record, without the HTTP event builder: the event already is what a
 * function receives, so it is kept exactly (its requestId, querystring,
 * headers, cookies and response as written). The corpus keeps any such
 * record exactly (shapes its columns cannot express are stored verbatim).
 *
 * Also gives the NormalizedExchange view the pipeline's checks and filters
 * need (URL, method, headers), built from the event.
 */
import { createHash } from 'node:crypto';
import {
  requestIdFromSeed,
  seedFromDigest,
  type BuildOptions,
  type CfRequest,
  type CfResponse,
  type EventSource,
  type HttpHeader,
  type MultiValueEntry,
  type NormalizedExchange,
  type RecordedExchange,
} from '../../event/index.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Each value of a value map entry, in order (multiValue when present). */
function valuesOf(entry: MultiValueEntry): string[] {
  return entry.multiValue !== undefined && entry.multiValue.length > 0 ? entry.multiValue.map((m) => m.value) : [entry.value];
}

/** The query as it would have been sent, rebuilt from the querystring map (undefined when empty). */
export function rawQueryFromMap(qs: Record<string, MultiValueEntry>): string | undefined {
  const parts: string[] = [];
  for (const name of Object.keys(qs)) for (const v of valuesOf(qs[name]!)) parts.push(`${name}=${v}`);
  return parts.length > 0 ? parts.join('&') : undefined;
}

export interface EventRecordContext {
  source: EventSource;
  /** Capture time (epoch ms) for the record. */
  time: number;
}

/**
 * The record for a validated event. `event` must have passed
 * validateCloudFrontEvent; it is deep-copied, never modified.
 */
export function eventToRecord(event: Obj, ctx: EventRecordContext, build: BuildOptions): RecordedExchange {
  const copy = structuredClone(event) as Obj;
  const context = isObj(copy.context) ? copy.context : {};
  const request = copy.request as unknown as CfRequest;
  request.querystring ??= {};
  request.headers ??= {};
  request.cookies ??= {};
  const viewer = isObj(copy.viewer) ? copy.viewer : {};
  const record: RecordedExchange = {
    id: str(context.requestId) ?? generatedId(event, ctx.source),
    time: ctx.time,
    source: ctx.source,
    distributionDomainName: str(context.distributionDomainName) ?? build.distributionDomainName,
    distributionId: str(context.distributionId) ?? build.distributionId,
    viewerIp: str(viewer.ip) ?? build.defaultViewerIp,
    request,
  };
  const rawQuery = rawQueryFromMap(request.querystring);
  if (rawQuery !== undefined) record.rawQuery = rawQuery;
  if (context.eventType === 'viewer-response' && isObj(copy.response)) {
    const response = copy.response as unknown as CfResponse;
    response.headers ??= {};
    response.cookies ??= {};
    record.response = response;
  }
  return record;
}

/** A stable id for an event without context.requestId (same file content gives the same id). */
function generatedId(event: Obj, source: EventSource): string {
  const h = createHash('sha256');
  h.update(`${source.file}\0${source.entry}\0`);
  h.update(JSON.stringify(event));
  return requestIdFromSeed(seedFromDigest(h.digest()));
}

/** What the checks and filters see: the request as an HTTP exchange. */
export function eventToExchange(event: Obj, ctx: EventRecordContext): NormalizedExchange {
  const request = event.request as Obj;
  const headers: HttpHeader[] = [];
  const headerMap = isObj(request.headers) ? (request.headers as Record<string, MultiValueEntry>) : {};
  for (const name of Object.keys(headerMap)) for (const v of valuesOf(headerMap[name]!)) headers.push({ name, value: v });
  const cookieMap = isObj(request.cookies) ? (request.cookies as Record<string, MultiValueEntry>) : {};
  const cookies: string[] = [];
  for (const name of Object.keys(cookieMap)) for (const v of valuesOf(cookieMap[name]!)) cookies.push(`${name}=${v}`);
  if (cookies.length > 0) headers.push({ name: 'cookie', value: cookies.join('; ') });
  const query = rawQueryFromMap(isObj(request.querystring) ? (request.querystring as Record<string, MultiValueEntry>) : {});
  const host = headerMap.host?.value;
  const target = `${request.uri as string}${query !== undefined ? `?${query}` : ''}`;
  const exchange: NormalizedExchange = {
    time: ctx.time,
    method: request.method as string,
    url: host !== undefined && host !== '' ? `https://${host}${target}` : target,
    headers,
    source: ctx.source,
  };
  const viewer = event.viewer;
  if (isObj(viewer) && typeof viewer.ip === 'string' && viewer.ip !== '') exchange.viewerIp = viewer.ip;
  return exchange;
}

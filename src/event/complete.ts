/**
 * Completing a partial CloudFront Functions event with documented defaults,
 * so a hand-written test event (`{"request": {"uri": "/"}}`) runs as a real
 * event would. Used by `cfreplay run` and `cfreplay test` alike, so both fill
 * in the same values, and both say what they filled in.
 *
 * Defaults (only where the field is absent; a present field is never
 * changed, a wrongly typed one is left for the event check to report):
 * - `version`: "1.0"
 * - `context.eventType`: the caller's (from --event-type, else the function:
 *   viewer-response when it reads event.response)
 * - `context.distributionDomainName` / `distributionId`: the recorder's
 *   documented defaults (d111111abcdef8.cloudfront.net, EDFDVBD6EXAMPLE)
 * - `context.requestId`: a stable id derived from the event's content
 * - `viewer.ip`: DEFAULT_VIEWER_IP (203.0.113.10, TEST-NET-3), the same
 *   address `record` uses for captures without a client address
 * - `request.method`: "GET"; `request.uri`: "/"; `request.querystring`,
 *   `request.headers`, `request.cookies`: {}
 * - viewer-response only: `response.statusCode`: 200, `response.headers`,
 *   `response.cookies`: {}
 * The context fields that only identify the event (domain, id, request id)
 * are filled quietly; the others are listed in `filled`.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_BUILD_OPTIONS, DEFAULT_VIEWER_IP } from './build.js';
import { requestIdFromSeed, seedFromDigest } from './request-id.js';
import type { EventType } from './types.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** One default that was used: the path and the value, as a person reads it. */
export interface FilledField {
  path: string;
  value: string;
}

export interface CompletionOptions {
  eventType: EventType;
  /** Why this event type (e.g. "--event-type", "the function does not read event.response"). */
  eventTypeFrom: string;
  /** Fill context.requestId (default true; the recorder makes ids of its own). */
  requestId?: boolean;
  /** Fill viewer.ip (default true; the recorder applies its --viewer-ip). */
  viewerIp?: boolean;
}

export interface CompletedEvent {
  /** A new object; the input is not modified. */
  event: Obj;
  /** The defaults used, in a stable order (empty when the event was complete). */
  filled: FilledField[];
}

/**
 * Why `value` cannot be completed into an event, or undefined when it can: it
 * must be an object with a `request` or a `response` object (anything else,
 * e.g. a KVS file passed by mistake, is not a partial event).
 */
export function notAnEvent(value: unknown): string | undefined {
  if (!isObj(value)) return 'the event must be a JSON object';
  if (!isObj(value.request) && !isObj(value.response)) return 'request is missing (an event needs at least {"request": {"uri": "/..."}})';
  return undefined;
}

/**
 * `input` completed with the defaults above. `input` must be an object (the
 * caller reports anything else); it is deep-copied first.
 */
export function completeEvent(input: Obj, opts: CompletionOptions): CompletedEvent {
  const event = structuredClone(input);
  const filled: FilledField[] = [];
  const fill = (obj: Obj, key: string, path: string, value: unknown, shown: string | undefined): void => {
    if (obj[key] !== undefined) return;
    obj[key] = value;
    if (shown !== undefined) filled.push({ path, value: shown });
  };
  const idSource = opts.requestId === false ? '' : JSON.stringify(input);
  fill(event, 'version', 'version', '1.0', '1.0');
  fill(event, 'context', 'context', {}, undefined);
  const context = event.context;
  let eventType = opts.eventType;
  if (isObj(context)) {
    fill(context, 'eventType', 'context.eventType', opts.eventType, `${opts.eventType} (${opts.eventTypeFrom})`);
    if (context.eventType === 'viewer-request' || context.eventType === 'viewer-response') eventType = context.eventType;
    fill(context, 'distributionDomainName', 'context.distributionDomainName', DEFAULT_BUILD_OPTIONS.distributionDomainName, undefined);
    fill(context, 'distributionId', 'context.distributionId', DEFAULT_BUILD_OPTIONS.distributionId, undefined);
    if (opts.requestId !== false && context.requestId === undefined) {
      const requestId = requestIdFromSeed(seedFromDigest(createHash('sha256').update(idSource).digest()));
      fill(context, 'requestId', 'context.requestId', requestId, undefined);
    }
  }
  if (opts.viewerIp !== false) {
    fill(event, 'viewer', 'viewer', {}, undefined);
    if (isObj(event.viewer)) fill(event.viewer, 'ip', 'viewer.ip', DEFAULT_VIEWER_IP, DEFAULT_VIEWER_IP);
  }
  fill(event, 'request', 'request', {}, undefined);
  const request = event.request;
  if (isObj(request)) {
    fill(request, 'method', 'request.method', 'GET', 'GET');
    fill(request, 'uri', 'request.uri', '/', '/');
    for (const map of ['querystring', 'headers', 'cookies']) fill(request, map, `request.${map}`, {}, undefined);
  }
  if (eventType === 'viewer-response') {
    fill(event, 'response', 'response', {}, undefined);
    const response = event.response;
    if (isObj(response)) {
      fill(response, 'statusCode', 'response.statusCode', 200, '200');
      for (const map of ['headers', 'cookies']) fill(response, map, `response.${map}`, {}, undefined);
    }
  }
  return { event, filled };
}

/** `viewer.ip=203.0.113.10, request.method=GET`: one line for a person. */
export function describeFilled(filled: readonly FilledField[]): string {
  return filled.map((f) => `${f.path}=${f.value}`).join(', ');
}

/**
 * Counts of the defaults used over many events, most used first:
 * `viewer.ip=203.0.113.10 (40), request.method=GET (3)`.
 */
export function summarizeFilled(all: Iterable<readonly FilledField[]>): string {
  const counts = new Map<string, number>();
  for (const filled of all) for (const f of filled) {
    const key = `${f.path}=${f.value}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k, n]) => `${k} (${n})`)
    .join(', ');
}

import { readFileSync } from 'node:fs';
import { loadFunction, type LoadedFunction, type RunResult, type InvokeOptions } from '../../src/runtime/index.js';

export const diffFixturePath = (name: string): string => new URL(`../fixtures/diff/${name}`, import.meta.url).pathname;
export const diffFixture = (name: string): string => readFileSync(diffFixturePath(name), 'utf8');

const loaded = new Map<string, LoadedFunction>();
/** Run a function source (cached per source) on an event, synchronously. */
export function run(source: string, event: unknown, opts: InvokeOptions = { now: 1_700_000_000_000 }): RunResult {
  let f = loaded.get(source);
  if (f === undefined) loaded.set(source, (f = loadFunction(source)));
  const r = f.invoke(event, opts);
  if (r instanceof Promise) throw new Error('expected a synchronous result');
  return r;
}

/** A function body around `handler(event)`: `fn('r.uri += "/x"; return r;')` with `r` = event.request. */
export const fn = (body: string): string => `function handler(event) { var r = event.request; ${body} }`;

export function vr(over: { uri?: string; headers?: Record<string, unknown>; querystring?: Record<string, unknown>; cookies?: Record<string, unknown>; method?: string; id?: string } = {}) {
  return {
    version: '1.0',
    context: { distributionDomainName: 'd1.cloudfront.net', distributionId: 'E1', eventType: 'viewer-request', requestId: over.id ?? 'req-1' },
    viewer: { ip: '198.51.100.7' },
    request: {
      method: over.method ?? 'GET',
      uri: over.uri ?? '/index.html',
      querystring: over.querystring ?? {},
      headers: over.headers ?? { host: { value: 'www.example.com' }, accept: { value: 'text/html' } },
      cookies: over.cookies ?? {},
    },
  };
}

export function vres(response: Record<string, unknown> = {}) {
  const ev: ReturnType<typeof vr> & { response?: unknown } = vr();
  ev.context.eventType = 'viewer-response';
  ev.response = {
    statusCode: 200,
    statusDescription: 'OK',
    headers: { 'content-type': { value: 'text/html' }, 'strict-transport-security': { value: 'max-age=63072000' } },
    cookies: {},
    ...response,
  };
  return ev;
}

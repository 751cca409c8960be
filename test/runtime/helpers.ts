import { readFileSync } from 'node:fs';
import type { RunResult } from '../../src/runtime/index.js';

export const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/functions/${name}`, import.meta.url), 'utf8');
export const fixturePath = (dir: string, name: string): string => new URL(`../fixtures/${dir}/${name}`, import.meta.url).pathname;
export const eventFixture = (name: string): Record<string, any> =>
  JSON.parse(readFileSync(new URL(`../fixtures/events/${name}`, import.meta.url), 'utf8'));

export function vrEvent(over: { uri?: string; headers?: Record<string, any>; querystring?: Record<string, any>; cookies?: Record<string, any>; method?: string } = {}): Record<string, any> {
  return {
    version: '1.0',
    context: { distributionDomainName: 'd1.cloudfront.net', distributionId: 'E1', eventType: 'viewer-request', requestId: 'req-1' },
    viewer: { ip: '198.51.100.7' },
    request: {
      method: over.method ?? 'GET',
      uri: over.uri ?? '/index.html',
      querystring: over.querystring ?? {},
      headers: over.headers ?? { host: { value: 'www.example.com' } },
      cookies: over.cookies ?? {},
    },
  };
}

export function vresEvent(response: Record<string, any> = {}): Record<string, any> {
  const ev = vrEvent({ querystring: { q: { value: '1' } } });
  ev.context.eventType = 'viewer-response';
  ev.response = { statusCode: 200, statusDescription: 'OK', headers: { 'content-type': { value: 'text/html' }, via: { value: '1.1 x.cloudfront.net (CloudFront)' } }, cookies: {}, ...response };
  return ev;
}

/** invoke that must be synchronous. */
export function sync(r: RunResult | Promise<RunResult>): RunResult {
  if (r instanceof Promise) throw new Error('expected a synchronous result');
  return r;
}

import { describe, expect, it } from 'vitest';
import {
  buildRecordedExchange,
  DEFAULT_BUILD_OPTIONS,
  parseRawQuery,
  toViewerRequestEvent,
  toViewerResponseEvent,
  viewerResponseSkipReason,
  splitRawUrl,
  InvalidUrlError,
  wireHeaderName,
  isDisallowedHeader,
} from '../../src/event/index.js';
import type { HttpHeader, NormalizedExchange } from '../../src/event/index.js';

function exchange(url: string, headers: HttpHeader[] = [], extra: Partial<NormalizedExchange> = {}): NormalizedExchange {
  return { time: 1_760_000_000_000, method: 'GET', url, headers, source: { file: 't.har', entry: 0 }, ...extra };
}
const build = (x: NormalizedExchange) => buildRecordedExchange(x, DEFAULT_BUILD_OPTIONS);

describe('event builder (reference §1)', () => {
  it('lowercases header names and folds repeats into value + multiValue, first value in both', () => {
    const r = build(exchange('https://a.example/x', [
      { name: 'Host', value: 'a.example' },
      { name: 'X-Multi', value: 'one' },
      { name: 'x-multi', value: 'two' },
      { name: 'Accept', value: 'text/html, application/json' },
    ]));
    expect(r.request.headers).toEqual({
      host: { value: 'a.example' },
      'x-multi': { value: 'one', multiValue: [{ value: 'one' }, { value: 'two' }] },
      accept: { value: 'text/html, application/json' }, // one line with commas is not split
    });
  });

  it('parses Cookie into request.cookies and leaves it out of headers (several Cookie headers too)', () => {
    const r = build(exchange('https://a.example/', [
      { name: 'Cookie', value: 'a=1; b=x=y' },
      { name: 'cookie', value: 'a=2; flag' },
    ]));
    expect(r.request.headers['cookie']).toBeUndefined();
    expect(r.request.cookies).toEqual({
      a: { value: '1', multiValue: [{ value: '1' }, { value: '2' }] },
      b: { value: 'x=y' },
      flag: { value: '' },
    });
  });

  it('parses Set-Cookie into response.cookies with attributes, including \\n-joined lines', () => {
    const r = build(exchange('https://a.example/', [], {
      response: {
        status: 200,
        headers: [
          { name: 'Set-Cookie', value: 'id=a3fWa; Expires=Thu, 31 Oct 2026 07:28:00 GMT; Secure\nlang=en' },
          { name: 'Content-Type', value: 'text/html' },
        ],
      },
    }));
    expect(r.response?.headers['set-cookie']).toBeUndefined();
    expect(r.response?.cookies).toEqual({
      id: { value: 'a3fWa', attributes: 'Expires=Thu, 31 Oct 2026 07:28:00 GMT; Secure' },
      lang: { value: 'en', attributes: '' },
    });
  });

  it('keeps the query raw: not percent-decoded, repeats folded, ?a and ?a= give ""', () => {
    const r = build(exchange('https://a.example/s?q=%E5%AE%B6&a&b=&q=2+3'));
    expect(r.request.querystring).toEqual({
      q: { value: '%E5%AE%B6', multiValue: [{ value: '%E5%AE%B6' }, { value: '2+3' }] },
      a: { value: '' },
      b: { value: '' },
    });
    expect(r.rawQuery).toBe('q=%E5%AE%B6&a&b=&q=2+3');
    expect(build(exchange('https://a.example/s')).request.querystring).toEqual({});
    expect(build(exchange('https://a.example/s')).rawQuery).toBeUndefined();
    expect(build(exchange('https://a.example/s?')).rawQuery).toBe('');
    expect(parseRawQuery('a=b=c')).toEqual({ a: { value: 'b=c' } });
  });

  it('keeps the uri exactly as sent (no normalisation, no decoding)', () => {
    expect(build(exchange('https://a.example/a/../b/%7Euser//x.html#frag')).request.uri).toBe('/a/../b/%7Euser//x.html');
    expect(build(exchange('/origin-form?x=1')).request.uri).toBe('/origin-form');
    expect(build(exchange('https://a.example')).request.uri).toBe('/');
  });

  it('drops disallowed headers; HTTP/2 :authority becomes host, other pseudo-headers go', () => {
    const r = build(exchange('https://a.example/', [
      { name: ':method', value: 'GET' },
      { name: ':authority', value: 'h2.example' },
      { name: ':path', value: '/' },
      { name: 'Connection', value: 'keep-alive' },
      { name: 'X-Forwarded-Proto', value: 'https' },
      { name: 'X-Amz-Cf-Id', value: 'abc' },
      { name: 'X-Real-IP', value: '1.2.3.4' },
      { name: 'Upgrade', value: 'h2c' },
      { name: 'X-Edge-Location', value: 'x' },
      { name: 'User-Agent', value: 'ua' },
    ]));
    expect(Object.keys(r.request.headers)).toEqual(['host', 'user-agent']);
    expect(r.request.headers['host']).toEqual({ value: 'h2.example' });
  });

  it('takes the host from the URL when the capture has no Host header', () => {
    expect(build(exchange('https://user:pw@www.example.com:8443/x')).request.headers['host']).toEqual({ value: 'www.example.com:8443' });
  });

  it('fills context and viewer, with documented defaults and stable request ids', () => {
    const a = build(exchange('https://a.example/'));
    const b = build(exchange('https://a.example/'));
    expect(a.id).toBe(b.id);
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{54}==$/);
    expect(a.viewerIp).toBe('203.0.113.10');
    expect(build(exchange('https://a.example/', [], { viewerIp: '198.51.100.1' })).viewerIp).toBe('198.51.100.1');
    const ev = toViewerRequestEvent(a);
    expect(ev).toEqual({
      version: '1.0',
      context: { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType: 'viewer-request', requestId: a.id },
      viewer: { ip: '203.0.113.10' },
      request: a.request,
    });
    expect(a.time).toBe(1_760_000_000_000);
    expect(a.source).toEqual({ file: 't.har', entry: 0 });
  });

  it('produces viewer-response events only for origin status 200-399', () => {
    const at = (status: number) => build(exchange('https://a.example/', [], { response: { status, headers: [] } }));
    expect(toViewerResponseEvent(at(200))?.response.statusCode).toBe(200);
    expect(toViewerResponseEvent(at(304))?.context.eventType).toBe('viewer-response');
    expect(toViewerResponseEvent(at(404))).toBeUndefined();
    expect(viewerResponseSkipReason(at(503))).toBe('origin status >= 400');
    expect(viewerResponseSkipReason(at(101))).toBe('interim 1xx response');
    expect(viewerResponseSkipReason(build(exchange('https://a.example/')))).toBe('no response captured');
  });

  it('keeps the method as sent', () => {
    expect(build(exchange('https://a.example/', [], { method: 'PATCH' })).request.method).toBe('PATCH');
  });
});

describe('raw URLs and header policy', () => {
  it('refuses what is not a URL, naming it', () => {
    expect(() => splitRawUrl('')).toThrow(InvalidUrlError);
    expect(() => splitRawUrl('not a url')).toThrow(/not an absolute URL or path/);
    expect(() => splitRawUrl('/has space')).toThrow(/whitespace/);
  });

  it('capitalises wire names like CloudFront and knows the disallowed list', () => {
    expect(wireHeaderName('x-webp')).toBe('X-Webp');
    expect(wireHeaderName('cloudfront-viewer-country')).toBe('Cloudfront-Viewer-Country');
    for (const h of ['connection', 'x-amz-cf-pop', 'x-edge-location', 'x-forwarded-proto', 'x-real-ip', 'keep-alive']) expect(isDisallowedHeader(h)).toBe(true);
    for (const h of ['x-forwarded-for', 'host', 'user-agent']) expect(isDisallowedHeader(h)).toBe(false);
  });
});

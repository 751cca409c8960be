import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { isLambdaEdgeEvent, loadFunction, loadKvsFile, validateCloudFrontEvent, type RunResult } from '../../src/runtime/index.js';
import { eventFixture, fixture, fixturePath, sync, vrEvent, vresEvent } from './helpers.js';

const runVR = (body: string, ev = vrEvent()) => sync(loadFunction(`function handler(event) { var request = event.request; ${body} }`).invoke(ev));
const runVRes = (body: string, ev = vresEvent()) => sync(loadFunction(`function handler(event) { var response = event.response; ${body} }`).invoke(ev));
const rules = (r: RunResult) => (r.outcome.kind === 'validation-error' ? r.outcome.problems.map((p) => p.rule) : []);

describe('validation errors (502), every rule listed', () => {
  it('a clean forward has no problems', () => {
    expect(runVR('return request;').outcome).toEqual({ kind: 'forward' });
  });
  it('method changed, uri without /, uppercase and disallowed headers, read-only host changed, cdn-loop added: all listed', () => {
    const r = runVR(`request.method = 'POST'; request.uri = 'nope'; request.headers['X-Up'] = {value: 'a'};
      request.headers['x-forwarded-proto'] = {value: 'http'}; request.headers.host = {value: 'evil.com'};
      request.headers['cdn-loop'] = {value: 'x'}; request.headers['x-amz-cf-id'] = {value: '1'}; return request;`);
    expect(r.outcome.kind).toBe('validation-error');
    expect(r.effective).toEqual({ error: { status: 502, type: 'FunctionValidationError' } });
    expect(rules(r).sort()).toEqual(
      ['header-disallowed', 'header-disallowed', 'header-name-uppercase', 'header-read-only', 'header-read-only', 'method-changed', 'uri-invalid'].sort(),
    );
  });
  it('removing a read-only header is an error; keeping it unchanged is not', () => {
    expect(rules(runVR('delete request.headers.host; return request;'))).toEqual(['header-read-only']);
    expect(rules(runVR("request.headers.host = {value: 'www.example.com'}; return request;"))).toEqual([]);
  });
  it('header problems come in a fixed order: name rules in the returned order, then read-only rules in the list order', () => {
    const ev = vrEvent({ headers: { host: { value: 'www.example.com' }, via: { value: '1.1 a' }, 'content-length': { value: '3' } } });
    const paths = (r: RunResult) => (r.outcome.kind === 'validation-error' ? r.outcome.problems.map((p) => `${p.rule} ${p.path}`) : []);
    expect(
      paths(
        runVR(
          `request.headers['cdn-loop'] = {value: 'x'}; request.headers['X-Up'] = {value: 'a'}; delete request.headers.via;
           request.headers['content-length'] = {value: '4'}; request.headers['Via'] = {value: '2'}; return request;`,
          ev,
        ),
      ),
    ).toEqual([
      'header-name-uppercase request.headers.X-Up',
      'header-name-uppercase request.headers.Via',
      'header-read-only request.headers.content-length',
      'header-read-only request.headers.via',
      'header-read-only request.headers.cdn-loop',
    ]);
    // A header is an own enumerable name, as njs reads what a function returned (the njs engine
    // agrees on each of these): a read-only name defined not enumerable, or inherited, is no header.
    expect(paths(runVR("Object.defineProperty(request.headers, 'cdn-loop', {value: {value: 'x'}, enumerable: false}); return request;", ev))).toEqual([]);
    expect(paths(runVR("request.headers = Object.assign(Object.create({'transfer-encoding': {value: 'x'}}), request.headers); return request;", ev))).toEqual([]);
    expect(paths(runVR("Object.defineProperty(request.headers, 'host', {value: {value: 'www.example.com'}, enumerable: false}); return request;", ev))).toEqual([
      'header-read-only request.headers.host',
    ]);
    expect(runVR("Object.defineProperty(request.headers, 'host', {value: {value: 'other'}, enumerable: false}); return request;", ev).outcome).toMatchObject({
      kind: 'validation-error',
      problems: [{ rule: 'header-read-only', path: 'request.headers.host', message: 'read-only header "host" was removed' }],
    });
    // Every read-only header kept as received: no problem; one of them dropped while the others are kept: that one.
    expect(paths(runVR('return request;', ev))).toEqual([]);
    expect(paths(runVR("request.headers.via = {value: '1.1 a'}; return request;", ev))).toEqual([]);
    expect(paths(runVR("delete request.headers['content-length']; return request;", ev))).toEqual(['header-read-only request.headers.content-length']);
    expect(paths(runVR("request.headers.host = {value: 'www.example.com', multiValue: [{value: 'www.example.com'}, {value: 'b'}]}; return request;", ev))).toEqual([
      'header-read-only request.headers.host',
    ]);
  });
  it("header names Object.prototype has are still checked (the input's own names only count as received)", () => {
    const r = runVR("request.headers.toString = {value: 'x'}; request.headers.valueOf = {value: 'y'}; return request;");
    expect(r.outcome.kind === 'validation-error' ? r.outcome.problems.map((p) => `${p.rule} ${p.path}`) : []).toEqual([
      'header-name-uppercase request.headers.toString',
      'header-name-uppercase request.headers.valueOf',
    ]);
    expect(runVR("request.headers.constructor = {value: 'x'}; return request;").outcome.kind).toBe('forward');
  });
  it('non-string values', () => {
    expect(rules(runVR("request.headers['x-n'] = {value: 5}; request.cookies.c = {value: null}; return request;"))).toEqual(['value-not-string', 'value-not-string']);
  });
  it('URI + query over 8192 bytes', () => {
    expect(rules(runVR("request.uri = '/' + new Array(8000).join('a'); request.querystring = 'q=' + new Array(300).join('b'); return request;"))).toEqual(['uri-too-long']);
    expect(rules(runVR("request.uri = '/' + new Array(8000).join('a'); return request;"))).toEqual([]);
  });
  it('generated response: non-integer statusCode, bad body encoding, invalid base64', () => {
    expect(rules(runVR("return {statusCode: 200.5, body: {encoding: 'gzip', data: 'x'}};"))).toEqual(['status-code', 'body-encoding']);
    expect(rules(runVR("return {statusCode: '200'};"))).toEqual(['status-code']);
    expect(rules(runVR("return {statusCode: 200, body: {encoding: 'base64', data: 'not base64!'}};"))).toEqual(['body-base64']);
    expect(rules(runVR("return {statusCode: 403, headers: {'x-accel-redirect': {value: '/x'}}};"))).toEqual(['header-disallowed']);
  });
  it('viewer-response: query string is read-only, via/warning are read-only', () => {
    expect(rules(runVRes("event.request.querystring.q = {value: '2'}; return response;"))).toEqual(['querystring-read-only']);
    expect(rules(runVRes("delete response.headers.via; response.headers.warning = {value: '1'}; return response;")).sort()).toEqual(['header-read-only', 'header-read-only']);
    expect(runVRes("response.headers['x-a'] = {value: '1'}; return response;").outcome.kind).toBe('modified-response');
    // The same number of names, one of them only found by a lookup (`__proto__` reads the prototype): still a change.
    expect(
      rules(runVRes("var q = event.request.querystring; for (var k in q) delete q[k]; Object.defineProperty(q, '__proto__', {value: {}, enumerable: true, writable: true, configurable: true}); return response;")),
    ).toEqual(['querystring-read-only']);
  });
  it('returning nothing or the event itself', () => {
    expect(rules(runVR('return;'))).toEqual(['invalid-return']);
    expect(rules(runVR('return event;'))).toContain('returned-event');
  });
});

describe('effective form', () => {
  const mvEvent = () =>
    vrEvent({
      headers: { host: { value: 'h' }, accept: { value: 'a', multiValue: [{ value: 'a' }, { value: 'b' }] } },
      querystring: { x: { value: '1', multiValue: [{ value: '1' }, { value: '2' }] } },
    });
  it('a modified multiValue wins over value', () => {
    const r = runVR("request.headers.accept.value = 'ignored'; request.headers.accept.multiValue = [{value: 'c'}]; return request;", mvEvent());
    expect((r.effective as any).request.headers.Accept).toEqual(['c']);
  });
  it('a changed value with an unchanged multiValue replaces the first value; later values stay', () => {
    const r = runVR("request.headers.accept.value = 'z'; request.querystring.x.value = '9'; return request;", mvEvent());
    expect((r.effective as any).request.headers.Accept).toEqual(['z', 'b']);
    expect((r.effective as any).request.querystring.x).toEqual(['9', '2']);
  });
  it('string querystring parsed into the map form, header names in wire case', () => {
    const r = sync(loadFunction(fixture('normalize-query.js')).invoke(eventFixture('viewer-request.json')));
    expect((r.raw as any).querystring).toBe('a=1&a=3&b=2');
    expect(r.effective).toEqual({
      request: {
        method: 'GET',
        uri: '/media/index',
        querystring: { a: ['1', '3'], b: ['2'] },
        headers: { Host: ['www.example.com'], Accept: ['text/html'], 'Cloudfront-Viewer-Country': ['DE'] },
        cookies: { id: ['CookieIdValue'] },
      },
    });
  });
  it('two outputs CloudFront treats the same compare equal (string vs object querystring, base64 vs text body)', () => {
    const a = runVR("request.querystring = 'k=v'; return request;");
    const b = runVR("request.querystring = {k: {value: 'v'}}; return request;");
    expect(a.effective).toEqual(b.effective);
    const c = runVR("return {statusCode: 200, body: 'hi'};");
    const d = runVR("return {statusCode: 200, body: {encoding: 'base64', data: 'aGk='}};");
    expect(c.effective).toEqual(d.effective);
    expect((c.effective as any).response.body).toEqual({ encoding: 'text', data: 'hi' });
  });
  it('viewer-response: missing body keeps the origin body, empty body removes it', () => {
    expect((runVRes('return response;').effective as any).response.body).toBe('origin');
    expect((runVRes("response.body = ''; return response;").effective as any).response.body).toBeNull();
    const r = runVRes("response.cookies.sid = {value: 'n', attributes: 'Secure'}; return response;");
    expect((r.effective as any).response.cookies).toEqual({ sid: [{ value: 'n', attributes: 'Secure' }] });
    expect((r.effective as any).response.statusDescription).toBe('OK');
  });
});

describe('AWS-sample-style functions', () => {
  it('SPA rewrite', () => {
    const f = loadFunction(fixture('spa-rewrite.js'));
    const uri = (u: string) => (sync(f.invoke(vrEvent({ uri: u }))).effective as any).request.uri;
    expect(uri('/')).toBe('/index.html');
    expect(uri('/app/')).toBe('/app/index.html');
    expect(uri('/app/settings')).toBe('/app/settings/index.html');
    expect(uri('/main.js')).toBe('/main.js');
  });
  it('security headers (viewer-response)', () => {
    const r = sync(loadFunction(fixture('security-headers.js')).invoke(eventFixture('viewer-response.json')));
    expect(r.outcome.kind).toBe('modified-response');
    const h = (r.effective as any).response.headers;
    expect(h['Strict-Transport-Security']).toEqual(['max-age=63072000; includeSubdomains; preload']);
    expect(h['X-Frame-Options']).toEqual(['DENY']);
    expect(h.Via).toEqual(['1.1 abc.cloudfront.net (CloudFront)']);
  });
  it('redirect by country', () => {
    const f = loadFunction(fixture('redirect-by-country.js'));
    const de = sync(f.invoke(eventFixture('viewer-request.json')));
    expect(de.outcome.kind).toBe('response');
    expect(de.effective).toEqual({
      response: { statusCode: 302, statusDescription: 'Found', headers: { Location: ['https://www.example.com/de/index.html'] }, cookies: {}, body: null },
    });
    const other = sync(f.invoke(vrEvent({ headers: { host: { value: 'h' }, 'cloudfront-viewer-country': { value: 'FR' } } })));
    expect(other.outcome.kind).toBe('forward');
  });
  it('JWT check with crypto + KVS', async () => {
    const kvs = loadKvsFile(fixturePath('kvs', 'secrets.json'));
    const f = loadFunction(fixture('jwt-kvs.js'), { kvs });
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const make = (payload: object, secret = 's3cr3t') => {
      const h = b64({ alg: 'HS256', typ: 'JWT' });
      const p = b64(payload);
      return `${h}.${p}.${createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url')}`;
    };
    const now = Date.UTC(2024, 5, 1);
    const ok = await f.invoke(vrEvent({ querystring: { jwt: { value: make({ sub: 'alice', exp: now / 1000 + 60 }) }, keep: { value: '1' } } }), { now });
    expect(ok.outcome.kind).toBe('forward');
    expect((ok.effective as any).request.headers['X-User']).toEqual(['alice']);
    expect((ok.effective as any).request.querystring).toEqual({ keep: ['1'] });
    const expired = await f.invoke(vrEvent({ querystring: { jwt: { value: make({ sub: 'a', exp: now / 1000 - 1 }) } } }), { now });
    expect(expired.outcome.kind).toBe('response');
    expect(expired.logs).toEqual(['expired']);
    const forged = await f.invoke(vrEvent({ querystring: { jwt: { value: make({ sub: 'a' }, 'wrong') } } }), { now });
    expect(forged.logs).toEqual(['bad signature']);
    expect((forged.effective as any).response.statusCode).toBe(401);
  });
  it('A/B with Math.random: deterministic per time, both groups reachable, sticky cookie respected', () => {
    const f = loadFunction(fixture('ab-test.js'));
    const group = (now: number) => (sync(f.invoke(vrEvent({ uri: '/p' }), { now })).effective as any).request.cookies['ab-group'][0];
    const groups = new Set<string>();
    for (let t = 0; t < 40; t++) {
      expect(group(1_700_000_000_000 + t)).toBe(group(1_700_000_000_000 + t));
      groups.add(group(1_700_000_000_000 + t));
    }
    expect([...groups].sort()).toEqual(['a', 'b']);
    const sticky = sync(f.invoke(vrEvent({ uri: '/p', cookies: { 'ab-group': { value: 'b' } } })));
    expect((sticky.effective as any).request.uri).toBe('/b/p');
  });
});

describe('connection functions', () => {
  it('allow() allows, neither call denies', () => {
    const f = loadFunction(fixture('connection.js'), { runtime: 'cloudfront-js-2.0' });
    expect(f.kind).toBe('connection');
    const ev = eventFixture('connection.json');
    const r = sync(f.invoke(ev));
    expect(r.outcome.kind).toBe('connection-allow');
    expect(r.effective).toEqual({ connection: 'allow' });
    expect(r.sideEffects.customData).toBe('allowed 01:02');
    ev.clientCertificate.certificates.leaf.subject = 'CN=someone';
    expect(sync(f.invoke(ev)).outcome.kind).toBe('connection-deny');
  });
  it('deny() then allow(): the first call decides', () => {
    const f = loadFunction('function connectionHandler(c) { c.deny(); c.allow(); }', { runtime: 'cloudfront-js-2.0' });
    expect(sync(f.invoke(eventFixture('connection.json'))).outcome.kind).toBe('connection-deny');
  });
});

describe('input events', () => {
  it('Lambda@Edge events are recognised and named', () => {
    const le = eventFixture('lambda-edge.json');
    expect(isLambdaEdgeEvent(le)).toBe(true);
    expect(validateCloudFrontEvent(le)[0]).toMatch(/Lambda@Edge/);
    expect(isLambdaEdgeEvent(eventFixture('viewer-request.json'))).toBe(false);
  });
  it('validateCloudFrontEvent returns problems', () => {
    expect(validateCloudFrontEvent(eventFixture('viewer-request.json'))).toEqual([]);
    expect(validateCloudFrontEvent({ context: { eventType: 'origin-request' }, request: { method: 'GET', uri: 'x' } })).toEqual([
      'context.eventType must be "viewer-request" or "viewer-response" (got "origin-request")',
      'request.uri must be a string starting with "/"',
    ]);
    expect(validateCloudFrontEvent([])).toEqual(['the event must be a JSON object']);
  });
});

describe('formatError', () => {
  it('writes name: message, and the name alone when the message is empty (njs MemoryError)', async () => {
    const { formatError } = await import('../../src/runtime/njs-errors.js');
    expect(formatError({ name: 'TypeError', message: 'x is not a function', v8Message: '' })).toBe('TypeError: x is not a function');
    expect(formatError({ name: 'MemoryError', message: '', v8Message: '' })).toBe('MemoryError');
    expect(formatError({ name: 'Error', message: '', v8Message: '', line: 3, column: 1 })).toBe('Error (line 3, column 1)');
  });
});

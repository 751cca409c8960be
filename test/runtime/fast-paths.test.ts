// Behaviour the invoke fast paths must keep: exact validation problems (paths
// and messages are built lazily), read-only and disallowed headers reached
// through every path, multiValue precedence, same vs new returned objects,
// leak probes on the synchronous and asynchronous paths.
import { describe, expect, it } from 'vitest';
import { loadFunction, type RunResult, type ValidationProblem } from '../../src/runtime/index.js';
import { sync, vrEvent, vresEvent } from './helpers.js';

const vr = (body: string, ev = vrEvent()) => sync(loadFunction(`function handler(event) { var request = event.request; ${body} }`).invoke(ev));
const vres = (body: string, ev = vresEvent()) => sync(loadFunction(`function handler(event) { var response = event.response; ${body} }`).invoke(ev));
const problems = (r: RunResult): ValidationProblem[] => (r.outcome.kind === 'validation-error' ? r.outcome.problems : []);
const eff = (r: RunResult) => (r.effective as { request: { headers: Record<string, string[]>; querystring: Record<string, string[]>; cookies: Record<string, string[]> } }).request;

const hostEvent = (extra: Record<string, unknown> = {}) =>
  vrEvent({ headers: { host: { value: 'www.example.com' }, accept: { value: 'text/html' }, ...extra }, querystring: { a: { value: '1' } }, cookies: { s: { value: 'x' } } });

describe('validation problems: exact rules, paths and messages', () => {
  it('entries of every map, in order', () => {
    const r = vr(`request.headers['x-a'] = 5; request.headers['x-b'] = {value: 1};
      request.headers['x-c'] = {value: 'ok', multiValue: 'no'}; request.headers['x-d'] = {value: 'ok', multiValue: [{value: 'a'}, {value: 2}, null]};
      request.querystring.q = {value: null}; request.cookies.c = 'str'; return request;`);
    expect(problems(r)).toEqual([
      { rule: 'value-not-string', path: 'request.querystring.q.value', message: 'request.querystring.q.value must be a string' },
      { rule: 'value-invalid', path: 'request.headers.x-a', message: 'request.headers.x-a must be an object { value: string }' },
      { rule: 'value-not-string', path: 'request.headers.x-b.value', message: 'request.headers.x-b.value must be a string' },
      { rule: 'value-invalid', path: 'request.headers.x-c.multiValue', message: 'request.headers.x-c.multiValue must be an array' },
      { rule: 'value-not-string', path: 'request.headers.x-d.multiValue[1]', message: 'request.headers.x-d.multiValue[1] must be { value: string }' },
      { rule: 'value-not-string', path: 'request.headers.x-d.multiValue[2]', message: 'request.headers.x-d.multiValue[2] must be { value: string }' },
      { rule: 'value-invalid', path: 'request.cookies.c', message: 'request.cookies.c must be an object { value: string }' },
    ]);
  });
  it('Set-Cookie attributes must be strings; response header rules', () => {
    const r = vr(`return {statusCode: 200, headers: {'X-Up': {value: 'a'}, 'x-edge-foo': {value: 'b'}}, cookies: {s: {value: 'v', attributes: 3}}};`);
    expect(problems(r)).toEqual([
      { rule: 'header-name-uppercase', path: 'response.headers.X-Up', message: 'header name "X-Up" must be lowercase' },
      { rule: 'header-disallowed', path: 'response.headers.x-edge-foo', message: 'header "x-edge-foo" is not allowed (CloudFront never lets a function set it)' },
      { rule: 'value-not-string', path: 'response.cookies.s.attributes', message: 'response.cookies.s.attributes must be a string' },
    ]);
  });
  it('shape errors', () => {
    expect(problems(vr('request.headers = 3; request.cookies = []; return request;'))).toEqual([
      { rule: 'shape', path: 'request.headers', message: 'request.headers must be an object' },
      { rule: 'shape', path: 'request.cookies', message: 'request.cookies must be an object' },
    ]);
  });
  it('the URI length rule counts UTF-8 bytes exactly (3 bytes per unit is only the upper bound)', () => {
    // 2,731 three-byte characters = 8,193 bytes with the leading "/": over.
    expect(problems(vr("request.uri = '/' + new Array(2732).join('\\u20ac'); request.querystring = {}; return request;")).map((p) => p.message)).toEqual([
      'URI and query string are 8194 bytes (max 8192)',
    ]);
    // 4,000 two-byte characters: rough bound says maybe, exact count says fine.
    expect(problems(vr("request.uri = '/' + new Array(4001).join('\\u00e9'); request.querystring = {}; return request;"))).toEqual([]);
  });
});

describe('read-only and disallowed headers through every path', () => {
  it('a disallowed header added to a brand-new headers object', () => {
    const r = vr(`request.headers = {host: {value: 'www.example.com'}, accept: {value: 'text/html'}, 'x-amzn-cf-id': {value: '1'}}; return request;`);
    expect(problems(r).map((p) => [p.rule, p.path])).toEqual([['header-disallowed', 'request.headers.x-amzn-cf-id']]);
  });
  it('a disallowed header added through Object.assign, and a prefix rule', () => {
    const r = vr(`Object.assign(request.headers, {'x-edge-location': {value: 'x'}, 'connection': {value: 'close'}}); return request;`, hostEvent());
    expect(problems(r).map((p) => [p.rule, p.path])).toEqual([
      ['header-disallowed', 'request.headers.x-edge-location'],
      ['header-disallowed', 'request.headers.connection'],
    ]);
  });
  it('a header the input had may be changed freely even when its name is on the disallowed list of the recorder', () => {
    // Present in the input = CloudFront exposed it: the name rules do not apply.
    const r = vr("request.headers['x-forwarded-proto'] = {value: 'https'}; return request;", hostEvent({ 'x-forwarded-proto': { value: 'http' } }));
    expect(r.outcome.kind).toBe('forward');
  });
  it('read-only host changed only through its multiValue', () => {
    const r = vr("request.headers.host.multiValue = [{value: 'www.example.com'}, {value: 'evil.com'}]; return request;", hostEvent());
    expect(problems(r)).toEqual([{ rule: 'header-read-only', path: 'request.headers.host', message: 'read-only header "host" was changed' }]);
  });
  it('read-only host: a multiValue equal to the value is no change; same value in a new object is no change', () => {
    expect(vr("request.headers.host.multiValue = [{value: 'www.example.com'}]; return request;", hostEvent()).outcome.kind).toBe('forward');
    expect(vr("request.headers.host = {value: 'www.example.com'}; return request;", hostEvent()).outcome.kind).toBe('forward');
  });
  it('read-only host with a multiValue in the input: changing the first value is a change', () => {
    const ev = hostEvent({ host: { value: 'a.com', multiValue: [{ value: 'a.com' }, { value: 'b.com' }] } });
    expect(vr('return request;', ev).outcome.kind).toBe('forward');
    expect(problems(vr("request.headers.host.value = 'c.com'; return request;", ev)).map((p) => p.message)).toEqual(['read-only header "host" was changed']);
  });
  it('read-only headers added or removed with a new headers object; viewer-response via/warning through multiValue', () => {
    expect(problems(vr("request.headers = {accept: {value: 'text/html'}, via: {value: '1.1 x'}}; return request;", hostEvent())).map((p) => p.message)).toEqual([
      'read-only header "host" was removed',
      'read-only header "via" was added',
    ]);
    expect(problems(vres("response.headers.via.multiValue = [{value: 'other'}]; return response;")).map((p) => p.message)).toEqual([
      'read-only header "via" was changed',
    ]);
  });
});

describe('every read-only name of both lists', () => {
  // The read-only check after the header loop (validate.ts checkHeaders) counts the names the input had and
  // looks for names for-in cannot see: each name, removed or hidden, must still be reported.
  const all = (names: string[]) => Object.fromEntries(names.map((n) => [n, { value: `${n}-1` }]));
  const REQUEST = ['host', 'content-length', 'transfer-encoding', 'via', 'cdn-loop'];
  const RESPONSE = ['via', 'warning'];
  const cases = [
    ...REQUEST.map((name) => ({ part: 'request', name, names: REQUEST, run: (body: string, headers: Record<string, unknown>) => vr(body, vrEvent({ headers })) })),
    ...RESPONSE.map((name) => ({ part: 'response', name, names: RESPONSE, run: (body: string, headers: Record<string, unknown>) => vres(body, vresEvent({ headers })) })),
  ];
  it.each(cases)('$part $name: removed or added is reported; defined not enumerable it is no header (as njs reads a result)', ({ part, name, names, run }) => {
    const ret = `return ${part};`;
    expect(problems(run(`delete ${part}.headers['${name}']; ${ret}`, all(names))).map((p) => p.message)).toEqual([`read-only header "${name}" was removed`]);
    const others = all(names.filter((n) => n !== name));
    expect(problems(run(`${part}.headers['${name}'] = {value: 'x'}; ${ret}`, others)).map((p) => p.message)).toEqual([`read-only header "${name}" was added`]);
    expect(problems(run(`Object.defineProperty(${part}.headers, '${name}', {value: {value: 'x'}, enumerable: false}); ${ret}`, others))).toEqual([]);
    expect(problems(run(`Object.defineProperty(${part}.headers, '${name}', {value: ${part}.headers['${name}'], enumerable: false}); ${ret}`, all(names))).map((p) => p.message)).toEqual([
      `read-only header "${name}" was removed`,
    ]);
    expect(problems(run(ret, all(names)))).toEqual([]);
  });
});

describe('effective form: multiValue precedence and returned objects', () => {
  const mv = () =>
    hostEvent({ accept: { value: 'a', multiValue: [{ value: 'a' }, { value: 'b' }] } });
  it('unchanged multiValue keeps every value; changed value replaces the first; new multiValue wins', () => {
    expect(eff(vr('return request;', mv())).headers.Accept).toEqual(['a', 'b']);
    expect(eff(vr("request.headers.accept.value = 'z'; return request;", mv())).headers.Accept).toEqual(['z', 'b']);
    expect(eff(vr("request.headers.accept.multiValue = [{value: 'c'}, {value: 'd'}]; request.headers.accept.value = 'ignored'; return request;", mv())).headers.Accept).toEqual(['c', 'd']);
  });
  it('an empty multiValue means the value alone; a multiValue on a header the input did not have wins', () => {
    expect(eff(vr("request.headers.accept.multiValue = []; request.headers.accept.value = 'q'; return request;", mv())).headers.Accept).toEqual(['q']);
    expect(eff(vr("request.headers['x-new'] = {value: 'v', multiValue: [{value: 'm1'}, {value: 'm2'}]}; return request;")).headers['X-New']).toEqual(['m1', 'm2']);
  });
  it('non-string values in the effective form of a response are converted (generated responses are validated first)', () => {
    const r = vr("return {statusCode: 302, headers: {location: {value: '/x'}, 'x-multi': {value: 'a', multiValue: [{value: 'a'}, {value: 'b'}]}}};");
    expect((r.effective as { response: { headers: Record<string, string[]> } }).response.headers).toEqual({ Location: ['/x'], 'X-Multi': ['a', 'b'] });
  });
  it('returning the received request, a shallow copy, or a rebuilt equal object gives the same result', () => {
    const ev = hostEvent();
    const same = vr("request.uri = '/b'; return request;", ev);
    const copy = vr("request.uri = '/b'; return Object.assign({}, request);", ev);
    const rebuilt = vr("return JSON.parse(JSON.stringify(Object.assign({}, request, {uri: '/b'})));", ev);
    for (const r of [copy, rebuilt]) {
      expect(r.outcome).toEqual(same.outcome);
      expect(r.effective).toEqual(same.effective);
    }
    expect(eff(same)).toEqual({
      method: 'GET',
      uri: '/b',
      querystring: { a: ['1'] },
      headers: { Host: ['www.example.com'], Accept: ['text/html'] },
      cookies: { s: ['x'] },
    });
  });
  it('maps built while validating: missing maps are empty, a rejected run leaves nothing behind for the next', () => {
    expect(eff(vr('delete request.querystring; delete request.cookies; request.headers = undefined; return request;', vrEvent({ headers: {} })))).toEqual({
      method: 'GET',
      uri: '/index.html',
      querystring: {},
      headers: {},
      cookies: {},
    });
    const fn = loadFunction(`function handler(event) {
      var r = event.request;
      r.headers['x-a'] = {value: 'a'};
      if (r.uri === '/bad') r.headers['x-b'] = {value: 1};
      r.querystring = r.uri === '/bad' ? {q: {value: '1'}} : 'p=1&p=2';
      return r; }`);
    expect(sync(fn.invoke(vrEvent({ uri: '/bad' }))).outcome.kind).toBe('validation-error');
    const ok = eff(sync(fn.invoke(vrEvent({ uri: '/good' }))));
    expect(ok.headers).toEqual({ Host: ['www.example.com'], 'X-A': ['a'] });
    expect(ok.querystring).toEqual({ p: ['1', '2'] });
    const res = sync(loadFunction("function handler(e) { return {statusCode: 200, headers: {'x-r': {value: 'r'}}}; }").invoke(vrEvent()));
    expect((res.effective as { response: { headers: Record<string, string[]> } }).response.headers).toEqual({ 'X-R': ['r'] });
  });
  it('the input event is never modified; two runs on one event give equal effective forms', () => {
    const ev = hostEvent();
    const before = JSON.stringify(ev);
    const fn = loadFunction("function handler(e) { e.request.headers.accept.value = 'changed'; delete e.request.headers.host; return e.request; }");
    const a = sync(fn.invoke(ev));
    const b = sync(fn.invoke(ev));
    expect(JSON.stringify(ev)).toBe(before);
    expect(a.outcome).toEqual(b.outcome);
    expect(a.effective).toEqual(b.effective);
  });
});

describe('in-realm event copy', () => {
  const echo = loadFunction(`function handler(event) {
    event.request.headers['x-ctx'] = {value: JSON.stringify([Object.keys(event.context), event.context, event.viewer])};
    return event.request; }`);
  const seen = (ev: Record<string, any>) => JSON.parse(eff(sync(echo.invoke(ev))).headers['X-Ctx']![0]!);
  it('the usual context and viewer are copied with their keys in order', () => {
    const ev = vrEvent();
    expect(seen(ev)).toEqual([Object.keys(ev.context), ev.context, ev.viewer]);
  });
  it('unusual context / viewer shapes (other order, extra or missing keys, nested values) are copied as they are', () => {
    const ev = vrEvent();
    ev.context = { eventType: 'viewer-request', distributionId: 'E1', distributionDomainName: 'd', requestId: 'r' };
    ev.viewer = { ip: '1.2.3.4', extra: { a: [1, 2] } };
    expect(seen(ev)).toEqual([['eventType', 'distributionId', 'distributionDomainName', 'requestId'], ev.context, ev.viewer]);
    ev.context = { distributionDomainName: 'd', distributionId: 'E1', eventType: 'viewer-request', requestId: { nested: true } };
    ev.viewer = { ip: ['x'] };
    expect(seen(ev)).toEqual([Object.keys(ev.context), ev.context, ev.viewer]);
    ev.context = { distributionDomainName: 'd', distributionId: 'E1', eventType: 'viewer-request', requestId: 'r', more: 1 };
    ev.viewer = {};
    expect(seen(ev)).toEqual([Object.keys(ev.context), ev.context, ev.viewer]);
  });
  it('keys outside the event format are copied at every level, after the known ones', () => {
    const fn = loadFunction(`function handler(event) {
      var r = event.response;
      r.headers['x-keys'] = {value: JSON.stringify([Object.keys(event), Object.keys(event.request), Object.keys(r), event.extra, event.request.note, r.note])};
      return r; }`);
    const ev = vresEvent();
    ev.extra = { deep: [1, { a: 'b' }] };
    ev.request.note = 'n';
    ev.response.note = ['x'];
    const r = sync(fn.invoke(ev));
    const seen = JSON.parse((r.effective as { response: { headers: Record<string, string[]> } }).response.headers['X-Keys']![0]!);
    expect(seen).toEqual([
      ['version', 'context', 'viewer', 'request', 'response', 'extra'],
      ['method', 'uri', 'querystring', 'headers', 'cookies', 'note'],
      ['statusCode', 'statusDescription', 'headers', 'cookies', 'note'],
      { deep: [1, { a: 'b' }] },
      'n',
      ['x'],
    ]);
  });
  it('the copies are realm objects, not the host\'s', () => {
    const fn = loadFunction(`function handler(event) {
      event.request.headers['x-p'] = {value: String(Object.getPrototypeOf(event.context) === Object.prototype && Object.getPrototypeOf(event.viewer) === Object.prototype)};
      event.context.eventType = 'mutated'; event.viewer.ip = 'mutated';
      return event.request; }`);
    const ev = vrEvent();
    expect(eff(sync(fn.invoke(ev))).headers['X-P']).toEqual(['true']);
    expect(ev.context.eventType).toBe('viewer-request');
    expect(ev.viewer.ip).toBe('198.51.100.7');
  });
});

describe('leak probes', () => {
  it('String/Number/Function prototype additions are removed before the next run (synchronous path)', () => {
    const fn = loadFunction(`function handler(event) {
      var seen = [typeof ''.polS, typeof (1).polN, typeof (function () {}).polF].join();
      String.prototype.polS = 1; Number.prototype.polN = 1; Function.prototype.polF = 1;
      event.request.headers['x-seen'] = {value: seen}; return event.request; }`);
    const first = sync(fn.invoke(vrEvent()));
    const second = sync(fn.invoke(vrEvent()));
    expect(eff(first).headers['X-Seen']).toEqual(['undefined,undefined,undefined']);
    expect(eff(second).headers['X-Seen']).toEqual(['undefined,undefined,undefined']);
  });
  it('pollution after an await is removed too (asynchronous path), and after a throw', async () => {
    const fn = loadFunction(`async function handler(event) {
      var seen = typeof [].polA + ',' + typeof ''.polS;
      await null;
      Array.prototype.polA = 1; String.prototype.polS = 1;
      event.request.headers['x-seen'] = {value: seen}; return event.request; }`);
    await fn.invoke(vrEvent());
    expect(eff(await fn.invoke(vrEvent())).headers['X-Seen']).toEqual(['undefined,undefined']);
    const thrower = loadFunction(`function handler(event) {
      var seen = typeof ''.polS; String.prototype.polS = 1;
      if (seen === 'undefined') throw new Error('first'); return event.request; }`);
    expect(sync(thrower.invoke(vrEvent())).outcome.kind).toBe('execution-error');
    expect(sync(thrower.invoke(vrEvent())).outcome.kind).toBe('execution-error');
  });
  it('durationNs is a whole number of nanoseconds', () => {
    const r = vr('return request;');
    expect(Number.isInteger(r.durationNs)).toBe(true);
    expect(r.durationNs).toBeGreaterThan(0);
  });
});

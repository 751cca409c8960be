// The replay's shortcut for equal outputs: sameOutput(old, new) must only say
// "same" when the effective forms (what CloudFront would send) are equal, and
// the lazily built effective form must be the one the eager code built.
import { describe, expect, it } from 'vitest';
import { loadFunction, type RunResult } from '../../src/runtime/index.js';
import { sameOutput, ValidRunResult } from '../../src/runtime/run-result.js';
import { diffRuns } from '../../src/diff/index.js';
import { sync, vrEvent, vresEvent } from './helpers.js';

const run = (body: string, ev: Record<string, unknown>, eventType: 'viewer-request' | 'viewer-response' = 'viewer-request'): RunResult =>
  sync(loadFunction(`function handler(event) { var request = event.request; var response = event.response; ${body} }`, { eventType }).invoke(ev));

const event = () =>
  vrEvent({
    uri: '/a',
    headers: { host: { value: 'www.example.com' }, accept: { value: 'text/html' }, 'x-multi': { value: 'a', multiValue: [{ value: 'a' }, { value: 'b' }] } },
    querystring: { q: { value: '1' } },
    cookies: { s: { value: 'x' } },
  });

/** Key-order-free form of an effective output, for comparison. */
const normal = (r: RunResult): string => JSON.stringify(r.effective, (_k, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));

// Pairs of bodies run on the same event: [description, old, new, same effective form?]
const REQUEST_PAIRS: [string, string, string, boolean][] = [
  ['both forward unchanged', 'return request;', 'return request;', true],
  ['new object with the same fields', 'return request;', "return {method: 'GET', uri: request.uri, querystring: request.querystring, headers: request.headers, cookies: request.cookies};", true],
  ['headers added in another order', "request.headers['x-a'] = {value: '1'}; request.headers['x-b'] = {value: '2'}; return request;", "request.headers['x-b'] = {value: '2'}; request.headers['x-a'] = {value: '1'}; return request;", true],
  ['extra keys the effective form ignores', 'return request;', "request.headers.accept.note = 'x'; request.extra = 1; return request;", true],
  ['uri changed', 'return request;', "request.uri = '/b'; return request;", false],
  ['header value changed', 'return request;', "request.headers.accept = {value: 'text/plain'}; return request;", false],
  ['header removed', 'return request;', 'delete request.headers.accept; return request;', false],
  ['header added', 'return request;', "request.headers['x-new'] = {value: '1'}; return request;", false],
  ['multiValue reordered', 'return request;', "request.headers['x-multi'].multiValue = [{value: 'b'}, {value: 'a'}]; return request;", false],
  ['multiValue dropped (value only)', 'return request;', "delete request.headers['x-multi'].multiValue; return request;", false],
  ['query as string vs object', 'return request;', "request.querystring = 'q=1'; return request;", false],
  ['query string vs other string', "request.querystring = 'q=1'; return request;", "request.querystring = 'q=2'; return request;", false],
  ['cookie changed', 'return request;', "request.cookies.s = {value: 'y'}; return request;", false],
  ['response vs forward', 'return request;', 'return {statusCode: 302, headers: {location: {value: "/x"}}};', false],
  ['same generated response', 'return {statusCode: 302, statusDescription: "Found", headers: {location: {value: "/x"}}};', 'return {statusCode: 302, statusDescription: "Found", headers: {location: {value: "/x"}}};', true],
  ['generated response, other status', 'return {statusCode: 302, headers: {location: {value: "/x"}}};', 'return {statusCode: 301, headers: {location: {value: "/x"}}};', false],
  // Equal effective bodies written two ways: the shortcut says "not same" and the full comparison finds them equal.
  ['same body written two ways', 'return {statusCode: 200, body: "a"};', 'return {statusCode: 200, body: {encoding: "text", data: "a"}};', false],
  ['generated response, other body', 'return {statusCode: 200, body: "a"};', 'return {statusCode: 200, body: "b"};', false],
  ['generated response, other description', 'return {statusCode: 200, statusDescription: "OK"};', 'return {statusCode: 200, statusDescription: "Fine"};', false],
  // `y[k]` finds a key y does not enumerate: a count of y's keys alone said "same" here.
  ['a header made non-enumerable, another added (same count)', 'return request;', "Object.defineProperty(request.headers, 'accept', {enumerable: false}); request.headers['x-new'] = {value: 'text/html'}; return request;", false],
  ['origin modification', 'return request;', "var cf = require('cloudfront'); cf.updateRequestOrigin({domainName: 'b.example.com'}); return request;", false],
];

describe('sameOutput: true only when the effective forms are equal', () => {
  for (const [what, oldBody, newBody, same] of REQUEST_PAIRS) {
    it(what, () => {
      const ev = event();
      const a = run(oldBody, ev);
      const b = run(newBody, ev);
      const equalEffective = normal(a) === normal(b);
      // "same" must never hide a difference; "not same" on equal forms only costs time.
      if (sameOutput(a, b)) expect(equalEffective).toBe(true);
      expect(sameOutput(a, b)).toBe(same);
      expect(diffRuns(a, b).length === 0).toBe(equalEffective);
    });
  }

  it('needs the very same input event', () => {
    const a = run('return request;', event());
    const b = run('return request;', event());
    expect(normal(a)).toBe(normal(b));
    expect(sameOutput(a, b)).toBe(false);
  });

  it('viewer-response: headers, cookie attributes and status', () => {
    const ev = vresEvent({ cookies: { s: { value: 'v', attributes: 'Path=/' } } });
    const base = run('return response;', ev, 'viewer-response');
    expect(sameOutput(base, run('return response;', ev, 'viewer-response'))).toBe(true);
    expect(sameOutput(base, run("response.cookies.s.attributes = 'Path=/; Secure'; return response;", ev, 'viewer-response'))).toBe(false);
    expect(sameOutput(base, run("response.headers['x-a'] = {value: '1'}; return response;", ev, 'viewer-response'))).toBe(false);
    expect(sameOutput(base, run('response.statusCode = 404; return response;', ev, 'viewer-response'))).toBe(false);
  });

  it('errors and validation failures are never "same output" (they are compared by the diff itself)', () => {
    const ev = event();
    const threw = run("throw new Error('x');", ev);
    const invalid = run("request.uri = 'no-slash'; return request;", ev);
    expect(sameOutput(threw, run("throw new Error('x');", ev))).toBe(false);
    expect(sameOutput(invalid, run("request.uri = 'no-slash'; return request;", ev))).toBe(false);
  });
});

describe('the effective form of a valid run, built on first read', () => {
  it('matches the returned request, is cached, and is part of the JSON form', () => {
    const r = run("request.headers['x-a'] = {value: '1'}; request.querystring = 'a=1&a=2'; return request;", event());
    const eff = r.effective as { request: { uri: string; querystring: Record<string, string[]>; headers: Record<string, string[]> } };
    expect(eff.request.uri).toBe('/a');
    expect(eff.request.querystring).toEqual({ a: ['1', '2'] });
    expect(eff.request.headers['X-A']).toEqual(['1']);
    expect(eff.request.headers['X-Multi']).toEqual(['a', 'b']);
    expect(r.effective).toBe(eff);
    const json = JSON.parse(JSON.stringify(r)) as { effective: unknown; outcome: unknown };
    expect(json.effective).toEqual(eff);
    expect(json.outcome).toEqual({ kind: 'forward' });
  });
});

// A replay's second call on an event takes the first call's verdict when its output is the same
// (InvokeOptions.twin): the result must be exactly what validating it would give, including for
// outputs that look the same to the effective form but not to validation.
describe('the second call of a pair: the first verdict is taken only when validation would give it', () => {
  const fn = (body: string, eventType: 'viewer-request' | 'viewer-response' = 'viewer-request') =>
    loadFunction(`function handler(event) { var request = event.request; var response = event.response; ${body} }`, { eventType });
  // [description, first (valid) body, second body, verdict taken over?]
  const CASES: [string, string, string, boolean][] = [
    ['the same request', 'return request;', 'return request;', true],
    ['the same headers added', "request.headers['x-a'] = {value: '1'}; return request;", "request.headers['x-a'] = {value: '1'}; return request;", true],
    ['the same generated response', "return {statusCode: 302, headers: {location: {value: '/x'}}};", "return {statusCode: 302, headers: {location: {value: '/x'}}};", true],
    ['another uri', 'return request;', "request.uri = '/b'; return request;", false],
    ['method changed (not in the effective form)', 'return request;', "request.method = 'POST'; return request;", false],
    // Defined not enumerable it is no header (validation alone forwards it too): the verdict is taken.
    ['a read-only header defined not enumerable', 'return request;', "Object.defineProperty(request.headers, 'via', {value: {value: '1'}, enumerable: false}); return request;", true],
    // Read as its JSON (own names), as njs reads it: the request, not a response; the verdict is taken.
    ['statusCode inherited', 'return request;', 'return Object.setPrototypeOf(request, {statusCode: 200});', true],
    ['statusCode its own', 'return request;', 'request.statusCode = 200; return request;', false],
    ['an array entry with a value', 'return request;', "request.headers.host = Object.assign(['x'], {value: 'www.example.com'}); return request;", false],
    ['an array as the query map', "request.querystring = {q: {value: '1'}}; return request;", "request.querystring = Object.assign([], {q: {value: '1'}}); return request;", false],
    ['a header named like a prototype method', 'return request;', "request.headers.toString = {value: 'x'}; return request;", false],
  ];
  for (const [what, firstBody, secondBody, taken] of CASES) {
    it(what, () => {
      const ev = event();
      const first = sync(fn(firstBody).invoke(ev));
      expect(first.outcome.kind).not.toBe('validation-error');
      const alone = sync(fn(secondBody).invoke(ev));
      const paired = sync(fn(secondBody).invoke(ev, { twin: first }));
      expect(paired.outcome).toEqual(alone.outcome);
      expect(normal(paired)).toBe(normal(alone));
      expect(diffRuns(first, paired)).toEqual(diffRuns(first, alone));
      expect((first as ValidRunResult).vouchesFor(ev, alone.raw, 'viewer-request', undefined)).toBe(taken);
      if (taken) expect(sameOutput(first, paired)).toBe(true);
    });
  }
  it('viewer-response: the query string after the call is still checked; a read-only header defined not enumerable is none', () => {
    const ev = vresEvent();
    const first = sync(fn('return response;', 'viewer-response').invoke(ev));
    expect(first.outcome.kind).toBe('modified-response');
    for (const body of [
      'return response;',
      "event.request.querystring.q = {value: '2'}; return response;",
      "Object.defineProperty(response.headers, 'warning', {value: {value: '1'}, enumerable: false}); return response;",
      "response.statusCode = 404; return response;",
    ]) {
      const alone = sync(fn(body, 'viewer-response').invoke(ev));
      const paired = sync(fn(body, 'viewer-response').invoke(ev, { twin: first }));
      expect(paired.outcome).toEqual(alone.outcome);
      expect(normal(paired)).toBe(normal(alone));
    }
  });
  it('another event object: never taken', () => {
    const first = sync(fn('return request;').invoke(event()));
    expect((first as ValidRunResult).vouchesFor(event(), (first as ValidRunResult).raw, 'viewer-request', undefined)).toBe(false);
  });
});

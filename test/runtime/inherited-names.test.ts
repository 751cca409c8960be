/**
 * A returned map made with another prototype than Object.prototype (an ES5 helper "class" such
 * as `new Headers()` whose prototype has a `set` method, or Object.create(proto)): njs reads a
 * result's own names, as CloudFront does; the V8 engine's validation and effective form walk the
 * maps with for-in, which also lists inherited enumerable names. Before, such a function's
 * request failed validation on the V8 engine ("request.headers.set must be an object") where njs
 * forwards it, and an inherited header was part of the V8 engine's output.
 * Each case runs on both engines (the njs engine is nginx's njs compiled to WebAssembly).
 */
import { describe, expect, it } from 'vitest';
import { loadFunctionWith, type Engine } from '../../src/runtime/engines.js';
import type { Runtime } from '../../src/runtime/index.js';
import { vrEvent, vresEvent } from './helpers.js';

const ENGINES: Engine[] = ['v8', 'njs'];
const RUNTIMES: Runtime[] = ['cloudfront-js-1.0', 'cloudfront-js-2.0'];
const CASES = ENGINES.flatMap((engine) => RUNTIMES.map((runtime) => [engine, runtime] as const));

const HELPER = `function Headers() {}
Headers.prototype.set = function (k, v) { this[k] = { value: v }; return this; };
`;

/** The effective form writes header names as they go on the wire (Host, X-Added): compared in lowercase. */
const names = (m: Record<string, unknown>): string[] => Object.keys(m).map((k) => k.toLowerCase()).sort();

async function run(engine: Engine, runtime: Runtime, source: string, event: Record<string, unknown>) {
  const f = loadFunctionWith(engine, source, { runtime, filename: 'f.js' });
  return f.invoke(event);
}

describe.each(CASES)('%s engine, %s: maps that inherit names', (engine, runtime) => {
  it('headers built with an ES5 helper whose prototype has a method: forwarded, own names only', async () => {
    const r = await run(
      engine,
      runtime,
      `${HELPER}function handler(event) {
  var r = event.request;
  r.headers = new Headers().set('host', r.headers.host.value).set('x-added', '1');
  return r;
}`,
      vrEvent(),
    );
    expect(r.outcome.kind).toBe('forward');
    const headers = (r.effective as { request: { headers: Record<string, unknown> } }).request.headers;
    expect(names(headers)).toEqual(['host', 'x-added']);
  });

  it('a header only the prototype has is not a header', async () => {
    const r = await run(
      engine,
      runtime,
      `function handler(event) {
  var r = event.request;
  var h = Object.create({ 'x-inherited': { value: 'yes' } });
  h.host = r.headers.host;
  r.headers = h;
  r.querystring = Object.create({ q: { value: 'inherited' } });
  return r;
}`,
      vrEvent({ querystring: {} }),
    );
    expect(r.outcome.kind).toBe('forward');
    const req = (r.effective as { request: { headers: Record<string, unknown>; querystring: Record<string, unknown> } }).request;
    expect(names(req.headers)).toEqual(['host']);
    expect(names(req.querystring)).toEqual([]);
  });

  it('viewer-response: response headers from the helper are a modified response; a query string with inherited names is unchanged', async () => {
    const r = await run(
      engine,
      runtime,
      `${HELPER}function handler(event) {
  var res = event.response;
  res.headers = new Headers().set('content-type', 'text/plain').set('via', res.headers.via.value).set('x-frame-options', 'DENY');
  var q = Object.create({ extra: { value: 'inherited' } });
  q.q = event.request.querystring.q;
  event.request.querystring = q;
  return res;
}`,
      vresEvent(),
    );
    expect(r.outcome.kind).toBe('modified-response');
    const headers = (r.effective as { response: { headers: Record<string, unknown> } }).response.headers;
    expect(names(headers)).toEqual(['content-type', 'via', 'x-frame-options']);
  });
});

describe.each(RUNTIMES)('V8 engine, %s: the request a viewer-response function leaves is read when the call ends', (runtime) => {
  it('a getter on it runs inside the call, before the realm is put back (it sees what the call changed)', async () => {
    // The call changes a built-in (so it runs in the realm restored after every call): read after
    // the restore, the getter would find the marker gone and give another query string.
    const r = await run(
      'v8',
      runtime,
      `function handler(event) {
  var q = event.request.querystring, reads = 0;
  Array.prototype.marker = 'set by this call';
  Object.defineProperty(event.request, 'querystring', {
    get: function () { reads++; if (reads > 1) throw new Error('read again'); return [].marker === 'set by this call' ? q : { changed: { value: '1' } }; },
    enumerable: true, configurable: true,
  });
  return event.response;
}`,
      vresEvent(),
    );
    expect(r.outcome.kind).toBe('modified-response');
  });

  it('what that getter throws is the function exception', async () => {
    const r = await run(
      'v8',
      runtime,
      `function handler(event) {
  Object.defineProperty(event.request, 'querystring', { get: function () { throw new Error('from the getter'); }, enumerable: true, configurable: true });
  return event.response;
}`,
      vresEvent(),
    );
    expect(r.outcome.kind).toBe('execution-error');
    expect(r.outcome.kind === 'execution-error' && r.outcome.error.message).toContain('from the getter');
  });
});

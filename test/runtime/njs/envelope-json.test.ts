/**
 * The shim writes the envelope's JSON itself when the value is plain data
 * (engine/shim/njsw.c json_fast) and leaves everything else to njs's
 * JSON.stringify. Both must give the same bytes: each value here is
 * serialized by the engine (fast path or fallback) and, in the same njs, by
 * JSON.stringify called from JavaScript; the texts are compared exactly, and
 * which path wrote the envelope is checked, so the test fails if the fast
 * path is never taken or taken where it must not be.
 */
import { describe, expect, it } from 'vitest';
import { NjsInstance } from '../../../src/runtime/njs/engine.js';
import { loadNjsFunction } from '../../../src/runtime/njs/loader.js';
import type { Runtime } from '../../../src/runtime/index.js';
import { sync, vrEvent } from '../helpers.js';

const RUNTIMES: Runtime[] = ['cloudfront-js-1.0', 'cloudfront-js-2.0'];

/** [name, expression building the value (`e` is the event), fast path expected]. */
const CASES: [string, string, boolean][] = [
  ['the event request', 'e.request', true],
  ['12 keys (hash order in njs 0.7)', '(function () { var o = {}; var k = ["zeta","alpha","mid","b","a","host","x-forwarded-for","accept","cookie","user-agent","q","last"]; for (var i = 0; i < k.length; i++) o[k[i]] = { value: k[i] + i }; return o; })()', true],
  ['numbers', '[0, -0, 1, -1.5, 0.1 + 0.2, 1e21, 1.5e-7, 123456789012345680000, 9007199254740993, NaN, Infinity, -Infinity]', true],
  ['strings', '["", "plain", "q\\"uote", "back\\\\slash", "\\n\\r\\t\\b\\f", "\\u0001\\u001f", "caf\\u00e9", "\\ud83d\\ude00", "\\u2028\\u2029", "<tag>&"]', true],
  ['skipped and nulled values', '({ a: undefined, b: function () {}, c: null, d: true, e: false, f: [undefined, function () {}, null, , 1] })', true],
  ['nested', '({ a: { b: { c: [ { d: [ [ [] ] ] } ] } }, e: {} })', true],
  ['a non-enumerable key', '(function () { var o = { a: 1 }; Object.defineProperty(o, "hidden", { value: 2, enumerable: false }); o.z = 3; return o; })()', true],
  ['a deleted key', '(function () { var o = { a: 1, b: 2, c: 3 }; delete o.b; o.b = 4; return o; })()', true],
  ['integer-like keys', '({ b: 1, 10: "ten", 2: "two", a: 3 })', false],
  ['a getter', '({ a: 1, get b() { return 2; } })', false],
  ['a null prototype', '(function () { var o = Object.create(null); o.a = 1; return o; })()', false],
  ['an own toJSON', '({ a: 1, toJSON: function () { return { replaced: true }; } })', false],
  ['a Date', '({ d: new Date(0) })', false],
  ['a String object', '({ s: new String("x") })', false],
  ['an array with a named property', '(function () { var a = [1, 2]; a.extra = 3; return a; })()', false],
  ['a typed array', '({ t: new Uint8Array([1, 2]) })', false],
  ['an error object', '({ err: new TypeError("bad") })', false],
];

/** Runs `expr` in a fresh clone: what the engine wrote, and njs's own JSON.stringify of the same value. */
function both(runtime: Runtime, expr: string): { engine: string; njs: string; fast: boolean } {
  const bare = (finish: string) => `var v; function __cfreplay_run(e) { v = ${expr}; } function __cfreplay_finish() { ${finish} }`;
  const event = JSON.stringify(vrEvent());
  const a = new NjsInstance(runtime);
  expect(a.load(bare('return { v: v };'))).toBeNull();
  const ra = a.run(event, 'viewer-request', false, undefined, 0, 1, 2);
  expect(ra.rc).toBe(0);
  const b = new NjsInstance(runtime);
  expect(b.load(bare('return JSON.stringify({ v: v });'))).toBeNull();
  const rb = b.run(event, 'viewer-request', false, undefined, 0, 1, 2);
  expect(rb.rc).toBe(0);
  return { engine: ra.out, njs: JSON.parse(rb.out) as string, fast: a.lastFast };
}

describe('njs engine: the envelope JSON (fast path and njs JSON.stringify agree)', () => {
  for (const runtime of RUNTIMES) {
    for (const [name, expr, fast] of CASES) {
      it(`${runtime}: ${name} (${fast ? 'fast path' : "njs's JSON.stringify"})`, () => {
        const r = both(runtime, expr);
        expect(r.engine).toBe(r.njs);
        expect(r.fast).toBe(fast);
      });
    }

    it(`${runtime}: Object.prototype.toJSON set by the function goes to njs, and does not outlive the event`, () => {
      const f = loadNjsFunction(
        "function handler(e) { if (e.request.uri === '/set') { Object.prototype.toJSON = function () { return 'replaced'; }; } return e.request; }",
        { runtime },
      );
      const set = sync(f.invoke(vrEvent({ uri: '/set' })));
      // njs applied the toJSON: the returned value is a string, not a request.
      expect(set.outcome.kind).toBe('validation-error');
      const next = sync(f.invoke(vrEvent({ uri: '/next' })));
      expect(next.outcome).toEqual({ kind: 'forward' });
      expect((next.raw as { uri: string }).uri).toBe('/next');
    });

    it(`${runtime}: a value nested past njs's depth gives njs's error`, () => {
      const f = loadNjsFunction(
        "function handler(e) { var o = e.request; var x = {}; var y = x; for (var i = 0; i < 40; i++) { y.n = {}; y = y.n; } o.headers['x-deep'] = { value: 'v', deep: x }; return o; }",
        { runtime },
      );
      const r = sync(f.invoke(vrEvent()));
      expect(r.outcome.kind).toBe('execution-error');
      expect(JSON.stringify(r.outcome)).toMatch(/Nested too deep or a cyclic structure/);
    });
  }
});

describe('njs engine: fresh state per event on both runtimes', () => {
  for (const runtime of RUNTIMES) {
    it(`${runtime}: globals, built-in prototypes and JSON set by one event are not seen by the next`, () => {
      const f = loadNjsFunction(
        "var n = 0; function handler(e) { n++; var r = e.request; r.headers['x-seen'] = { value: [n, typeof globalThis.leak, typeof Array.prototype.leak, typeof String.prototype.leak, String(JSON.stringify === undefined)].join(',') };" +
          ' globalThis.leak = 1; Array.prototype.leak = 1; String.prototype.leak = 1; JSON.stringify = undefined; return r; }',
        { runtime },
      );
      for (let i = 0; i < 3; i++) {
        const r = sync(f.invoke(vrEvent()));
        expect(r.outcome).toEqual({ kind: 'forward' });
        expect((r.raw as { headers: Record<string, { value: string }> }).headers['x-seen']!.value).toBe('1,undefined,undefined,undefined,false');
      }
    });
  }
});

describe('njs engine: the event hand-over', () => {
  it('keeps the event, its type and the raw query intact when the input buffer grows (non-ASCII too)', () => {
    const f = loadNjsFunction(
      "function handler(e) { var r = e.request; r.headers['x-q'] = { value: String(r.rawQueryString().length) + ':' + r.rawQueryString().slice(0, 3) }; r.headers['x-len'] = { value: String(r.headers['x-big'].value.length) }; return r; }",
      { runtime: 'cloudfront-js-2.0' },
    );
    sync(f.invoke(vrEvent())); // a small first call: a small buffer
    for (const big of ['a'.repeat(10_000), 'é'.repeat(5_000) + '😀']) {
      const ev = vrEvent({ headers: { 'x-big': { value: big } } });
      const r = sync(f.invoke(ev, { rawQuery: 'q=' + 'b'.repeat(8_000) }));
      expect(r.outcome).toEqual({ kind: 'forward' });
      const h = (r.raw as { headers: Record<string, { value: string }> }).headers;
      expect(h['x-big']!.value).toBe(big);
      expect(h['x-q']!.value).toBe('8002:q=b');
      // njs counts characters: the emoji is one.
      expect(h['x-len']!.value).toBe(String(big === 'a'.repeat(10_000) ? 10_000 : 5_001));
    }
  });
});

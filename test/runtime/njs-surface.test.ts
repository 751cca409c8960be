// The sandbox's built-ins are njs's, per runtime: every probe of njs-probes.ts
// (whose values njs-parity.test.ts checks against the real njs binary).
import { describe, expect, it } from 'vitest';
import { loadFunction, type Runtime } from '../../src/runtime/index.js';
import { readFunction } from '../../src/replay/replay.js';
import { fixturePath, sync, vrEvent } from './helpers.js';
import { expectedValue, probeProgram, probesFor, probeUri, type RuntimeKey } from './njs-probes.js';

const RUNTIMES: [Runtime, RuntimeKey][] = [
  ['cloudfront-js-1.0', 'v1'],
  ['cloudfront-js-2.0', 'v2'],
];

describe.each(RUNTIMES)('%s built-ins are njs-shaped (the probe table on the V8 sandbox)', (runtime, key) => {
  const probes = probesFor(key);
  const fn = loadFunction(probeProgram(probes), { runtime, filename: 'probes.js' });
  it.each(probes.map((p) => [p.name, p] as const))('%s', (_name, p) => {
    const want = expectedValue(p, key, 'v8');
    // The value as the function's own code sees it (caught inside the function).
    const r = sync(fn.invoke(vrEvent({ uri: probeUri(p, 'c') })));
    expect(r.outcome.kind).toBe('response');
    expect((r.raw as { body: string }).body).toBe(want);
    // The error as the report shows it (thrown out of the handler).
    if (want.startsWith('THROW ')) {
      const u = sync(fn.invoke(vrEvent({ uri: probeUri(p, 'u') })));
      expect(u.outcome.kind === 'execution-error' ? `THROW ${u.outcome.error.name}: ${u.outcome.error.message}` : `no error (${u.outcome.kind})`).toBe(want);
    }
  });
});

describe('error messages', () => {
  it.each([
    ['reading a property of undefined', 'var o = {}; o.a.b;', 'TypeError: cannot get property "b" of undefined'],
    ['writing a property of undefined', 'var o = {}; o.a.b = 1;', 'TypeError: property set on primitive undefined type'],
    ['writing a property of null', 'var o = null; o[0] = 1;', 'TypeError: property set on primitive null type'],
    ['writing a property of a string', 'var s = "abc"; s.x = 1;', 'TypeError: property set on primitive string type'],
    ['calling a missing method', 'var o = {}; o.f(1);', 'TypeError: (intermediate value)["f"] is not a function'],
    ['calling a missing nested method', 'var o = {a: {}}; o.a.f();', 'TypeError: (intermediate value)["f"] is not a function'],
    ['an undeclared name', 'undefinedFn();', 'ReferenceError: "undefinedFn" is not defined'],
    ['in on a primitive', 'var x = "a" in "abc";', 'TypeError: property "in" on primitive string type'],
  ])('%s (njs 0.7.9 wording, also 0.8.x)', (_n, code, text) => {
    for (const [runtime] of RUNTIMES) {
      const r = sync(loadFunction(`function handler(e) { ${code} return e.request; }`, { runtime }).invoke(vrEvent()));
      if (r.outcome.kind !== 'execution-error') throw new Error(`expected an execution error, got ${r.outcome.kind}`);
      expect(`${r.outcome.error.name}: ${r.outcome.error.message}`).toBe(text);
    }
  });
});

describe('caught errors read njs texts (e.message inside the function)', () => {
  it('V8-internal errors, both runtimes', () => {
    const src = `function handler(ev) {
  var out = [];
  try { var o; o.x = 1; } catch (e) { out.push(e.message); }
  try { var p = {}; p.q.r; } catch (e) { out.push(e.message); }
  try { var s = {}; s.g(); } catch (e) { out.push(e.message); }
  try { new Map(); } catch (e) { out.push(e.name + ': ' + e.message); }
  try { throw new Error('mine'); } catch (e) { out.push(e.message); }
  try { decodeURIComponent('%'); } catch (e) { console.log(e); }
  return { statusCode: 200, body: JSON.stringify(out) };
}`;
    for (const [runtime] of RUNTIMES) {
      const r = sync(loadFunction(src, { runtime, filename: 'fn.js' }).invoke(vrEvent()));
      expect(JSON.parse((r.raw as { body: string }).body)).toEqual([
        'property set on primitive undefined type',
        'cannot get property "r" of undefined',
        '(intermediate value)["g"] is not a function',
        'ReferenceError: "Map" is not defined',
        'mine',
      ]);
      expect(r.logs).toEqual(['URIError: malformed URI\n    at handler (fn.js:8)\n']);
    }
  });
});

describe('load notes reach the replay report', () => {
  it('readFunction keeps the notes of a function AWS documents as unsupported', () => {
    const loaded = readFunction(fixturePath('functions', 'async-origin.js'), 'NEW', undefined);
    expect(loaded.info.notes).toHaveLength(1);
    expect(loaded.info.notes![0]).toMatch(/async-origin\.js:5:19: AWS documents "async arguments and closures are not supported"/);
    expect(readFunction(fixturePath('functions', 'spa-rewrite.js'), 'OLD', undefined).info.notes).toBeUndefined();
  });
});


describe('top-level this', () => {
  it("is the sandbox's global object, as in njs, and leads nowhere outside it", () => {
    const src = `var self = this;
function handler(e) {
  var out = [self === globalThis, typeof self.JSON, Object.getPrototypeOf(self) === Object.getPrototypeOf(globalThis)];
  try { out.push(String(self.constructor.constructor('return typeof process')())); } catch (err) { out.push(err.name); }
  try { out.push(String(self.constructor.constructor.call(null, 'return 1')())); } catch (err) { out.push(err.name); }
  return { statusCode: 200, body: JSON.stringify(out) };
}`;
    for (const [runtime] of RUNTIMES) {
      const r = sync(loadFunction(src, { runtime }).invoke(vrEvent()));
      expect(JSON.parse((r.raw as { body: string }).body)).toEqual([true, 'object', true, 'EvalError', 'EvalError']);
    }
  });
});

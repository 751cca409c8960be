// The sandbox's built-ins are njs's, per runtime: every probe of njs-probes.ts
// (whose values njs-parity.test.ts checks against the real njs binary).
import { describe, expect, it } from 'vitest';
import { loadFunction } from '../../src/runtime/index.js';
import { readFunction } from '../../src/replay/read-function.js';
import { fixturePath, sync, vrEvent } from './helpers.js';
import { describeProbeTable, PROBE_RUNTIMES } from './njs-probes.js';

const RUNTIMES = PROBE_RUNTIMES;

describeProbeTable('v8', (source, runtime) => loadFunction(source, { runtime, filename: 'probes.js' }));

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

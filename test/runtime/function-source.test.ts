// A replay's main thread checks both functions (the syntax gate: parse and walk) before its
// workers load them, and hands its verdict to the workers so they do not parse them again
// (function-source.ts checkedFor). Function source is hostile: what a load still checks when it
// is given a verdict, and that a verdict never lets through a source the gate refuses.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkedFor, checkedSource, prepareSource } from '../../src/runtime/function-source.js';
import { FunctionLoadError } from '../../src/runtime/errors.js';
import { loadFunction } from '../../src/runtime/loader.js';
import { loadNjsFunction } from '../../src/runtime/njs/loader.js';
import type { LoadOptions } from '../../src/runtime/types.js';

const clean = "function handler(event) {\n  var r = event.request;\n  r.headers['x-seen'] = { value: 'yes' };\n  return r;\n}\n";
const opts: LoadOptions = { runtime: 'cloudfront-js-2.0', filename: 'fn/clean.js' };
const verdict = checkedSource(clean, prepareSource(clean, opts));
const event = { version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '192.0.2.7' }, request: { method: 'GET', uri: '/a', querystring: {}, headers: {}, cookies: {} } };

describe('the syntax gate verdict handed to another thread', () => {
  it('is taken for the very source, file name and runtime it was made for: no second parse', () => {
    expect(checkedFor(clean, opts, verdict)).toBe(verdict.prepared);
    // A structured clone (what a worker receives) is taken too.
    const cloned = structuredClone(verdict);
    expect(checkedFor(clean, opts, cloned)).toBe(cloned.prepared);
    // The function loaded with it behaves as one loaded without it.
    const untimed = (r: object) => ({ ...r, durationNs: 0 });
    const withVerdict = untimed(loadFunction(clean, opts, cloned).invoke(event));
    const without = untimed(loadFunction(clean, opts).invoke(event));
    expect(withVerdict).toEqual(without);
    expect(JSON.stringify(withVerdict)).toContain('x-seen');
  });

  it('anything else runs the whole gate: another source, file name or runtime, or a runtime left to detect', () => {
    const other = clean.replace('yes', 'no');
    expect(checkedFor(other, opts, verdict)).not.toBe(verdict.prepared);
    expect(checkedFor(clean, { ...opts, filename: 'fn/other.js' }, verdict)).not.toBe(verdict.prepared);
    expect(checkedFor(clean, { ...opts, runtime: 'cloudfront-js-1.0' }, verdict)).not.toBe(verdict.prepared);
    expect(checkedFor(clean, { filename: 'fn/clean.js' }, verdict)).not.toBe(verdict.prepared);
    expect(checkedFor(clean, opts, undefined)).toEqual(verdict.prepared);
  });

  it('a worker given the verdict of a clean source with a source the gate refuses refuses it, with the gate\'s error (both engines)', () => {
    const hostile: [string, LoadOptions, RegExp][] = [
      // What njs refuses.
      ['function handler(event) { var { request } = event; return request; }\n', opts, /destructuring is not supported/],
      // Code that closes the loader's wrapper around the source to run outside the handler.
      ["}}); globalThis.escaped = 1; (function(){{\nfunction handler(event) { return event.request; }\n", opts, /SyntaxError: Unexpected token/],
      // Over CloudFront's 10 KB.
      [`${clean}//${'x'.repeat(10_240)}\n`, opts, /exceeds the maximum allowed size of 10 KB/],
      // The verdict's own source checked for another runtime: 1.0 has no const.
      [clean.replace('var r', 'const r'), { ...opts, runtime: 'cloudfront-js-1.0' }, /"const" is not supported in cloudfront-js-1.0/],
    ];
    for (const [source, o, message] of hostile) {
      for (const load of [loadFunction, loadNjsFunction]) {
        let err: unknown;
        try {
          load(source, o, verdict);
        } catch (e) {
          err = e;
        }
        expect(err, source.slice(0, 40)).toBeInstanceOf(FunctionLoadError);
        expect((err as Error).message).toMatch(message);
      }
    }
    expect((globalThis as { escaped?: number }).escaped).toBeUndefined();
  });

  it('even a verdict forged for a source the gate refuses (only code of this process can make one) keeps that source in the sandbox', () => {
    const escape = "}}); globalThis.escaped = 1; this.escaped2 = 2; (function(){{\n";
    const forged = { sha256: createHash('sha256').update(escape).digest('hex'), prepared: verdict.prepared };
    const f = loadFunction(escape, opts, forged);
    const r = f.invoke(event);
    // No handler came out of the wrapper: each call fails as the function's own error, in the sandbox.
    expect(r.outcome.kind).toBe('execution-error');
    expect((globalThis as { escaped?: number }).escaped).toBeUndefined();
    expect((globalThis as { escaped2?: number }).escaped2).toBeUndefined();
  });
});

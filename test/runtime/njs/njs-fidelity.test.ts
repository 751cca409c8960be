/**
 * What makes the njs engine njs (issue 13, point 7): behaviours where V8
 * differs, pinned per runtime.
 */
import { describe, expect, it } from 'vitest';
import { loadNjsFunction } from '../../../src/runtime/njs/loader.js';
import { FunctionLoadError, type Runtime } from '../../../src/runtime/index.js';
import { sync, vrEvent } from '../helpers.js';

const RUNTIMES: Runtime[] = ['cloudfront-js-1.0', 'cloudfront-js-2.0'];

/** The value of `expr` as a string, computed inside the njs engine. */
function value(expr: string, runtime: Runtime): string {
  const r = sync(loadNjsFunction(`function handler(e) { e.request.headers['x-o'] = {value: String(${expr})}; return e.request; }`, { runtime }).invoke(vrEvent()));
  if (r.outcome.kind !== 'forward') throw new Error(JSON.stringify(r.outcome));
  return (r.raw as { headers: Record<string, { value: string }> }).headers['x-o']!.value;
}

describe.each(RUNTIMES)('njs engine %s', (runtime) => {
  it('reading a property of undefined: njs message', () => {
    const r = sync(loadNjsFunction('function handler(e) { var u; return u.x; }', { runtime }).invoke(vrEvent()));
    expect(r.outcome).toMatchObject({ kind: 'execution-error', reason: 'exception', error: { name: 'TypeError', message: 'cannot get property "x" of undefined' } });
    expect(value("(function () { try { var u; u.x = 1; } catch (err) { return err.message; } })()", runtime)).toBe('property set on primitive undefined type');
  });

  it('prints numbers with njs\'s own dtoa (not always the shortest form V8 prints)', () => {
    expect(value('0.42752043693326414', runtime)).toBe('0.42752043693326416');
    expect(value('0.1 + 0.2', runtime)).toBe('0.30000000000000007'); // Debian's native njs 0.7.9 prints the same
  });

  it('has no Map, Set, WeakMap or Reflect', () => {
    expect(value("[typeof Map, typeof Set, typeof WeakMap, typeof Reflect].join()", runtime)).toBe('undefined,undefined,undefined,undefined');
  });

  it('a regex with the u flag is a SyntaxError (at load for a literal, when run for RegExp())', () => {
    expect(value("(function () { try { new RegExp('a', 'u'); return 'compiled'; } catch (err) { return err.name + ': ' + err.message; } })()", runtime)).toBe('SyntaxError: Invalid RegExp flags "u"');
    expect(() => loadNjsFunction("function handler(e) { return /a/u.test('a') ? e.request : e.request; }", { runtime })).toThrow(FunctionLoadError);
  });

  it('Date.parse reads RFC 2822 but not RFC 850 or asctime', () => {
    expect(value("Date.parse('Sun, 06 Nov 1994 08:49:37 GMT')", runtime)).toBe('784111777000');
    expect(value("Date.parse('Sunday, 06-Nov-94 08:49:37 GMT')", runtime)).toBe('NaN');
    expect(value("Date.parse('Sun Nov  6 08:49:37 1994')", runtime)).toBe('NaN');
  });
});

describe('njs engine: what differs between the runtimes', () => {
  const twelve = "(function () { var o = {}; for (var i = 0; i < 12; i++) o['k' + i] = i; return Object.keys(o).join(' '); })()";

  it('1.0 (njs 0.7.12) iterates an object of 12 properties in hash order, 2.0 (0.8.10) in insertion order', () => {
    expect(value(twelve, 'cloudfront-js-1.0')).toBe('k8 k9 k6 k7 k4 k5 k2 k3 k0 k11 k1 k10');
    expect(value(twelve, 'cloudfront-js-2.0')).toBe('k0 k1 k2 k3 k4 k5 k6 k7 k8 k9 k10 k11');
    // As on a 64-bit host (engine/patches/njs-0.7.12/lvlhsh-64bit-order.patch): hash order from 11 properties, 10 keep insertion order.
    expect(value(twelve.replace('i < 12', 'i < 10'), 'cloudfront-js-1.0')).toBe('k0 k1 k2 k3 k4 k5 k6 k7 k8 k9');
    expect(value(twelve.replace('i < 12', 'i < 11'), 'cloudfront-js-1.0')).toBe('k8 k9 k6 k7 k4 k5 k2 k3 k0 k1 k10');
  });

  it('String.bytesFrom and toString(encoding) exist in 1.0 only', () => {
    expect(value('typeof String.bytesFrom', 'cloudfront-js-1.0')).toBe('function');
    expect(value("String.bytesFrom('aGk=', 'base64')", 'cloudfront-js-1.0')).toBe('hi');
    expect(value("'hi'.toString('base64')", 'cloudfront-js-1.0')).toBe('aGk=');
    expect(value('typeof String.bytesFrom', 'cloudfront-js-2.0')).toBe('undefined');
    expect(value("'hi'.toString('base64')", 'cloudfront-js-2.0')).toBe('hi');
  });

  it('2.0 rejects what njs 0.8 cannot parse: await inside call arguments', () => {
    expect(() => loadNjsFunction("async function handler(e) { e.request.uri = String(await Promise.resolve('/x')); return e.request; }", { runtime: 'cloudfront-js-2.0' })).toThrow(
      /SyntaxError: await in arguments not supported/,
    );
  });
});

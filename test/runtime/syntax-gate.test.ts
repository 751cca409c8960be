import { describe, expect, it } from 'vitest';
import { detectRuntime, FunctionLoadError, loadFunction } from '../../src/runtime/index.js';
import { fixture } from './helpers.js';

function loadError(src: string, runtime?: 'cloudfront-js-1.0' | 'cloudfront-js-2.0'): FunctionLoadError {
  try {
    loadFunction(src, { filename: 'f.js', ...(runtime ? { runtime } : {}) });
  } catch (e) {
    if (e instanceof FunctionLoadError) return e;
    throw e;
  }
  throw new Error('expected a FunctionLoadError');
}

const H = '\nfunction handler(e) { return e.request; }';

describe('syntax gate (both runtimes)', () => {
  it.each([
    ['destructuring', 'var {a} = {a: 1};', /destructuring/, 1, 5],
    ['array destructuring', 'var x = 1;\n  var [a, b] = [1, 2];', /destructuring/, 2, 7],
    ['class', 'class A {}', /classes/, 1, 1],
    ['for...of', 'for (var x of [1]) {}', /for\.\.\.of/, 1, 1],
    ['spread', 'var a = [].concat([...[1]]);', /spread/, 1, 20],
    ['default parameters', 'function f(a = 1) { return a; }', /default parameters/, 1, 12],
    ['generator', 'function* g() {}', /generators/, 1, 1],
    ['optional chaining', 'var a = ({}).b?.c;', /optional chaining/, 1, 9],
    ['nullish coalescing', 'var a = null ?? 1;', /nullish/, 1, 9],
    ['export', 'export function x() {}', /export/, 1, 1],
  ])('rejects %s with line and column', (_name, code, re, line, column) => {
    for (const rt of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
      const e = loadError(code + H, rt);
      expect(e.message).toMatch(re);
      expect(e.line).toBe(line);
      expect(e.column).toBe(column);
      expect(e.message.startsWith(`f.js:${line}:${column}: `)).toBe(true);
    }
  });
  it('lists every problem, sorted by position', () => {
    const e = loadError('var {a} = {};\nclass B {}' + H, 'cloudfront-js-2.0');
    expect(e.problems.map((p) => p.line)).toEqual([1, 2]);
    expect(e.message).toMatch(/and 1 more problem/);
  });
  it('accepts the features both runtimes list (template literals, arrows, rest, **, named groups)', () => {
    const src = 'function handler(e) { var f = (a, ...r) => `${a}${r.length}${2 ** 3}`; var m = /(?<y>\\d+)/.exec("x12"); e.request.uri = "/" + f(1, 2) + m.groups.y; return e.request; }';
    const f = loadFunction(src, { runtime: 'cloudfront-js-1.0' });
    expect((f.invoke({ request: { method: 'GET', uri: '/', querystring: {}, headers: {}, cookies: {} }, context: { eventType: 'viewer-request' } }) as any).raw.uri).toBe('/11812'); // '1' + 1 rest arg + 2**3, then group '12'
  });
  it('rejects code over 10 KB like CloudFront', () => {
    const big = 'function handler(e) { return e.request; }\n' + '// ' + 'x'.repeat(10 * 1024);
    expect(loadError(big).message).toMatch(/function code size exceeds the maximum allowed size of 10 KB/i);
    const fits = 'function handler(e) { return e.request; }\n//' + 'x'.repeat(10 * 1024 - 45);
    expect(() => loadFunction(fits)).not.toThrow();
  });
  it('not JavaScript: one clear error with position', () => {
    const e = loadError(fixture('not-js.js'));
    expect(e.message).toMatch(/^f\.js:1:1: SyntaxError: .*not valid JavaScript/);
  });
  it('no handler', () => {
    expect(loadError(fixture('no-handler.js')).message).toMatch(/no handler/);
  });
  it('Lambda@Edge handlers are named as such', () => {
    expect(loadError(fixture('lambda-edge.js')).message).toMatch(/Lambda@Edge/);
    expect(loadError('module.exports.handler = async function (event) { return event.Records[0].cf.request; };').message).toMatch(/Lambda@Edge/);
  });
});

describe('cloudfront-js-1.0 specifics', () => {
  it.each([
    ['let', 'let a = 1;', /"let" is not supported in cloudfront-js-1.0/],
    ['const', 'const a = 1;', /"const" is not supported/],
    ['async', 'async function x() {}', /"async" is not supported/],
    ['import', "import crypto from 'crypto';", /"import" is not supported in cloudfront-js-1.0/],
  ])('rejects %s', (_n, code, re) => {
    expect(loadError(code + H, 'cloudfront-js-1.0').message).toMatch(re);
  });
});

describe('cloudfront-js-2.0 specifics', () => {
  it('accepts const/let, top-level async functions with await, default imports of built-ins', () => {
    expect(() =>
      loadFunction("import cf from 'cloudfront';\nimport crypto from 'crypto';\nconst a = 1; let b = 2;\nasync function x() { return 1; }\nasync function handler(e) { await x(); return e.request; }", { runtime: 'cloudfront-js-2.0' }),
    ).not.toThrow();
  });
  it('rejects async closures/arrows (AWS: async arguments and closures are not supported)', () => {
    expect(loadError('function handler(e) { var f = async () => 1; return e.request; }', 'cloudfront-js-2.0').message).toMatch(/async arguments and closures/);
  });
  it('rejects imports of non built-in modules and named imports', () => {
    expect(loadError("import x from 'lodash';" + H, 'cloudfront-js-2.0').message).toMatch(/Cannot find module "lodash"/);
    expect(loadError("import { createHash } from 'crypto';" + H, 'cloudfront-js-2.0').message).toMatch(/only a default import/);
  });
  it('rejects top-level await', () => {
    expect(loadError('await 1;' + H, 'cloudfront-js-2.0').message).toMatch(/only inside an async function/);
  });
});

describe('detectRuntime', () => {
  it.each([
    ['function handler(e) { var a = 1; return e.request; }', 'cloudfront-js-1.0'],
    ["import cf from 'cloudfront';\nfunction handler(e) { return e.request; }", 'cloudfront-js-2.0'],
    ['async function handler(e) { return e.request; }', 'cloudfront-js-2.0'],
    ['function handler(e) { const a = 1; return e.request; }', 'cloudfront-js-2.0'],
    ['function handler(e) { let a = 1; return e.request; }', 'cloudfront-js-2.0'],
    ['function connectionHandler(c) { c.allow(); }', 'cloudfront-js-2.0'],
  ])('%s -> %s', (src, rt) => {
    expect(detectRuntime(src)).toBe(rt);
    expect(loadFunction(src).runtime).toBe(rt);
  });
  it('the runtime can be overridden (and the gate follows it)', () => {
    expect(loadFunction('function handler(e) { return e.request; }', { runtime: 'cloudfront-js-2.0' }).runtime).toBe('cloudfront-js-2.0');
    expect(() => loadFunction('function handler(e) { const a = 1; return e.request; }', { runtime: 'cloudfront-js-1.0' })).toThrow(FunctionLoadError);
  });
});

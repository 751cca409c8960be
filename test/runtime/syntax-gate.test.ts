import { describe, expect, it } from 'vitest';
import { checkSource, detectRuntime, FunctionLoadError, loadFunction } from '../../src/runtime/index.js';
import { fixture } from './helpers.js';
import { gateAccepts, SYNTAX_HANDLER, SYNTAX_PROBES } from './njs-probes.js';

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
    ['logical or-assignment', 'var a;\na ||= 1;', /logical assignment \(\|\|=\)/, 2, 1],
    ['logical and-assignment', 'var a; a &&= 1;', /logical assignment \(&&=\)/, 1, 8],
    ['nullish assignment', 'var a; a ??= 1;', /logical assignment \(\?\?=\)/, 1, 8],
    ['catch without a binding', 'try { x(); } catch { }', /catch without a binding/, 1, 14],
    ['regex flag u', 'var r = /a/u;', /Invalid RegExp flags "u"/, 1, 9],
    ['regex flag s', 'var r = /a./s;', /Invalid RegExp flags "s"/, 1, 9],
    ['regex flag d', 'var r = /a/dg;', /Invalid RegExp flags "d"/, 1, 9],
    ['regex \\p{} with the u flag', 'var r = /\\p{L}/u;', /Invalid RegExp flags "u"/, 1, 9],
    ['new.target', 'function F() { return new.target; }', /new\.target/, 1, 23],
    ['BigInt literal', 'var n = 1n;', /BigInt/, 1, 9],
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
  it("accepts async arrows and closures as njs does (AWS's dynamic-origin sample), with a load note", async () => {
    const src = [
      "import cf from 'cloudfront';",
      'const pick = async (uri) => uri.startsWith("/api") ? "api" : "web";',
      'async function handler(event) {',
      '  const inner = async function (x) { return x; };',
      '  const o = await pick(event.request.uri);', // njs refuses an await inside call arguments
      '  event.request.headers["x-origin"] = { value: await inner(o) };',
      '  return event.request;',
      '}',
    ].join('\n');
    const r = await loadFunction(src, { runtime: 'cloudfront-js-2.0' }).invokeAsync(
      { version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '1.2.3.4' }, request: { method: 'GET', uri: '/api/x', querystring: {}, headers: {}, cookies: {} } },
    );
    expect((r.raw as any).headers['x-origin'].value).toBe('api');
    const notes = checkSource(src, 'cloudfront-js-2.0', 'f.js').notes;
    expect(notes.map((n) => [n.line, n.column])).toEqual([[2, 14], [4, 17]]);
    expect(notes[0]!.message).toMatch(/AWS documents "async arguments and closures are not supported"/);
  });
  it('async arrows stay rejected in 1.0', () => {
    expect(loadError('var f = async () => 1;' + H, 'cloudfront-js-1.0').message).toMatch(/"async" is not supported in cloudfront-js-1.0/);
  });
  it('rejects imports of non built-in modules and named imports', () => {
    expect(loadError("import x from 'lodash';" + H, 'cloudfront-js-2.0').message).toMatch(/Cannot find module "lodash"/);
    expect(loadError("import { createHash } from 'crypto';" + H, 'cloudfront-js-2.0').message).toMatch(/only a default import/);
  });
  it('rejects top-level await', () => {
    expect(loadError('await 1;' + H, 'cloudfront-js-2.0').message).toMatch(/only inside an async function/);
  });
});

describe('what njs accepts is accepted (no false rejections)', () => {
  it.each([
    ['nullish coalescing', 'var a = null ?? "d";', 'd'],
    ['shorthand properties and methods', 'var b = 1; var o = { b, m() { return this.b + 1; } }; var a = o.m();', 2],
    ['computed keys and getters', 'var o = { ["x" + 1]: 2, get g() { return 3; } }; var a = o.x1 + o.g;', 5],
    ['tagged templates', 'function t(s, v) { return s[0] + v; } var a = t`n${4}`;', 'n4'],
    ['trailing commas in calls', 'function f(x, y,) { return x + y; } var a = f(1, 2,);', 3],
    ['numeric separators and binary/octal literals', 'var a = 1_000 + 0b11 + 0o7;', 1010],
    ['exponent assignment', 'var a = 2; a **= 10;', 1024],
    ['lookbehind and named groups', 'var a = /(?<=a)(?<n>b)/.exec("ab").groups.n;', 'b'],
    ['sticky flag', 'var a = /a/y.sticky;', true],
  ])('%s', (_n, code, expected) => {
    for (const rt of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
      const f = loadFunction(`function handler(e) { ${code} e.request.headers['x-a'] = { value: JSON.stringify(a) }; return e.request; }`, { runtime: rt });
      const r = f.invoke({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '1.2.3.4' }, request: { method: 'GET', uri: '/', querystring: {}, headers: {}, cookies: {} } }) as any;
      expect(JSON.parse(r.raw.headers['x-a'].value)).toEqual(expected);
    }
  });
  it('a regex \\p{...} without the u flag loads with a note (njs/PCRE reads a Unicode property, V8 the letter p)', () => {
    const src = 'function handler(e) {\n  var ok = /^\\p{L}+$/.test("abc");\n  return e.request;\n}';
    expect(() => loadFunction(src)).not.toThrow();
    const notes = checkSource(src, 'cloudfront-js-1.0', 'f.js').notes;
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ line: 2, column: 12 });
    expect(notes[0]!.message).toMatch(/Unicode property/);
  });
  it('ordinary code has no notes', () => {
    expect(checkSource('function handler(e) { var a = e ?? 1; return e.request; }', 'cloudfront-js-1.0', 'f.js').notes).toEqual([]);
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

describe('syntax probes (njs-probes.ts; njs-parity and njs/probes-on-wasm check them against njs): the gate decides as njs, per runtime', () => {
  it.each(SYNTAX_PROBES.map((p) => [p.name, p] as const))('%s', (_name, p) => {
    for (const [runtime, key] of [['cloudfront-js-1.0', 'v1'], ['cloudfront-js-2.0', 'v2']] as const) {
      let loaded = true;
      try {
        loadFunction(p.code + SYNTAX_HANDLER, { runtime });
      } catch (e) {
        if (!(e instanceof FunctionLoadError)) throw e;
        loaded = false;
      }
      expect(loaded, runtime).toBe(gateAccepts(p, key));
    }
  });
});

describe('assigned names (the loader does not pass them to the function as closure parameters)', () => {
  it('lists every name assigned, updated or used as a for-in target, in any scope; not declarations or member writes', () => {
    const src = `var kept = 1;
function handler(e) {
  JSON = 1; Math.x = 2; count++; --other; total += 3;
  for (key in e) {}
  for (var declared in e) {}
  var local; local = 4;
  function inner() { deep = 5; }
  return e.request;
}`;
    expect(checkSource(src, 'cloudfront-js-1.0', 'f.js').assignedNames).toEqual(['JSON', 'count', 'deep', 'key', 'local', 'other', 'total']);
  });
});

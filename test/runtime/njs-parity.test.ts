// Checks the probe table and the console.log formatter against the real engine:
// Debian's njs 0.7.9 command-line interpreter (`apt-get install njs`; .ci/run
// installs it). The table's v2 values differ from 0.7.9 only where the njs
// changelog says 0.8.x changed (each with its reason).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { expectedValue, njsAccepts, PROBES, probeProgram, probesFor, probeUri, surfaceContext, SYNTAX_HANDLER, SYNTAX_PROBES } from './njs-probes.js';

const dir = mkdtempSync(join(tmpdir(), 'cfreplay-njs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run an ES5 script in njs; stdout lines (njs's byte-string deprecation warnings dropped). */
function njs(script: string): string[] {
  const file = join(dir, `s${Math.random().toString(36).slice(2)}.js`);
  writeFileSync(file, script);
  const out = execFileSync('njs', [file], { encoding: 'utf8', timeout: 20_000 });
  return out.replace(/String(\.prototype)?\.\w+\(\) is deprecated and will be removed in the future/g, '').split('\n');
}

describe('njs 0.7.9 is the engine compared against', () => {
  it('njs -v', () => {
    expect(execFileSync('njs', ['-v'], { encoding: 'utf8' }).trim()).toBe('0.7.9');
  });
});

describe('probe table v1 values are what njs 0.7.9 gives (or its listed known difference)', () => {
  // The same program the engines load (njs-surface.test.ts, njs/probes-on-wasm.test.ts), driven from its top level.
  const lines = njs(`${probeProgram(probesFor('debian'))}\nfor (var k in P) console.log(k + '\\t' + show(P[k]));\n`);
  const got = new Map(lines.filter((l) => l.includes('\t')).map((l) => [l.slice(0, l.indexOf('\t')), l.slice(l.indexOf('\t') + 1)]));
  it.each(PROBES.map((p) => [p.name, p] as const))('%s', (_name, p) => {
    expect(got.get(probeUri(p, 'c').slice(2))).toBe(expectedValue(p, 'v1', 'debian'));
  });
});

describe('syntax probes: what njs 0.7.9 parses', () => {
  it.each(SYNTAX_PROBES.map((p) => [p.name, p] as const))('%s', (_name, p) => {
    const file = join(dir, `syn${Math.random().toString(36).slice(2)}.js`);
    writeFileSync(file, p.code + SYNTAX_HANDLER);
    let parsed = true;
    try {
      execFileSync('njs', [file], { encoding: 'utf8', timeout: 20_000, stdio: 'pipe' });
    } catch (e) {
      const out = String((e as { stdout?: unknown }).stdout) + String((e as { stderr?: unknown }).stderr);
      expect(out).toMatch(/SyntaxError: /);
      parsed = false;
    }
    expect(parsed).toBe(njsAccepts(p, 'v1'));
  });
});

/** Values logged by njs's console.log and by the surface's formatter (cfreplay's console.log once the prelude uses it). */
const LOGGED = [
  "'str'", "''", '1', '-0', '1.5', 'NaN', 'true', 'null', 'undefined',
  '({})', '[]', "({a:1,b:'x',c:[1,2,{d:null}]})", "[1,'a',[2,[3,[4,[5]]]]]", '({nested:{deep:{deeper:{deepest:{x:1}}}}})',
  "({'key with space':1, valid_id:2, '1abc':3, '$d':5})", 'function foo(){}', '(function(){})', "({f: function(){}})",
  "new Error('boom')", "new TypeError('bad')", "({e: new Error('inner')})", "[new RangeError('r')]", '(function(){ var e = new Error(""); return e; })()',
  '(function(){ var e = new Error("x"); e.name = "Custom"; return e; })()',
  'new Date(0)', '({d: new Date(0)})', '/re/g', '({r:/x/i})', '[undefined, null]', '({u: undefined, n: null})',
  '[,1,,2]', 'new Array(3)', "Symbol('s')", "({s: Symbol('t')})", "'multi\\nline'", "({s: 'q\"uote\\'s\\n\\t'})",
  'new Uint8Array([1,2,3])', 'new Uint8Array(0)', 'Object.create(null)', 'new Boolean(true)', 'new Number(5)', "new String('abc')",
  '({get g() { return 1 }, set s(v) {}})', 'Promise.resolve(1)', 'JSON', 'Math', '(function(){ var a = [1,2]; a.extra = 3; return a; })()',
  '(function(){ var c = {a:1}; c.self = c; return c; })()', "[-0, 1e21, 0.1]", '({a:{b:{c:{d:{e:{f:1}}}}}})', "['é', '😀']",
  "({'a-b': 1})", '(function(){ var o = {}; Object.defineProperty(o, "hidden", {value: 1}); o.v = 2; return o; })()',
];

describe("console.log's njs format (njs-surface.ts format) matches njs 0.7.9", () => {
  const njsLines = njs(LOGGED.map((e) => `console.log('>>');\nconsole.log(${e});`).join('\n') + "\nconsole.log('>>');\n").join('\n').split('>>\n').slice(1);
  const { ctx, njs: surface } = surfaceContext(false);
  it.each(LOGGED.map((e, i) => [e, i] as const))('%s', (expr, i) => {
    const value = vm.runInContext(`(${expr})`, ctx) as unknown;
    expect(surface.format(value) + '\n').toBe(njsLines[i]);
  });
  it('a caught error prints its stack as njs does, frames from the function file only', () => {
    const { ctx: c2, njs: s2 } = surfaceContext(false);
    const f = vm.runInContext('(function (hook) { return function handler() { try { var o; o.x; } catch (e) { return hook(e); } }; })', c2, { filename: 'fn.js' }) as (h: unknown) => () => unknown;
    const e = f(s2.njsError)();
    expect(s2.format(e)).toBe('TypeError: cannot get property "x" of undefined\n    at handler (fn.js:1)\n');
    expect(njs('function handler() { try { var o; o.x; } catch (e) { console.log(e); } }\nhandler();\n').join('\n')).toMatch(
      /^TypeError: cannot get property "x" of undefined\n {4}at handler \(.*:1\)\n/,
    );
  });
});

describe('console.log inside a function: njs 0.7.9, the V8 sandbox and the njs engine print the same, per runtime', async () => {
  const { loadFunction } = await import('../../src/runtime/index.js');
  const { loadNjsFunction } = await import('../../src/runtime/njs/loader.js');
  const { vrEvent } = await import('./helpers.js');
  // Errors that were thrown carry a stack in njs; their first line is compared here (see below for the stack).
  const THROWN = ['(function(){ try { var u; u.x; } catch (e) { return e; } })()', "(function(){ try { decodeURIComponent('%'); } catch (e) { return e; } })()"];
  const values = [...LOGGED, ...THROWN];
  const body = values.map((e) => `console.log(${e});`).join('\n');
  const debian = njs(`function handler(e) {\n${values.map((e) => `console.log('>>');\nconsole.log(${e});`).join('\n')}\nconsole.log('>>');\n}\nhandler({});\n`)
    .join('\n')
    .split('>>\n')
    .slice(1, -1)
    .map((chunk) => chunk.replace(/\n$/, ''));
  const firstLine = (s: string | undefined): string | undefined => s?.split('\n')[0];
  for (const runtime of ['cloudfront-js-1.0', 'cloudfront-js-2.0'] as const) {
    const src = `function handler(e) {\n${body}\nreturn e.request; }`;
    const v8Logs = (loadFunction(src, { runtime, filename: 'logs.js' }).invoke(vrEvent()) as { logs: string[] }).logs.map((l) => l.replace(/\n$/, ''));
    const njsLogs = (loadNjsFunction(src, { runtime, filename: 'logs.js' }).invoke(vrEvent()) as { logs: string[] }).logs;
    it.each(values.map((e, i) => [e, i] as const))(`${runtime}: %s`, (expr, i) => {
      const thrown = i >= LOGGED.length;
      expect(thrown ? firstLine(v8Logs[i]) : v8Logs[i], 'V8 sandbox').toBe(thrown ? firstLine(debian[i]) : debian[i]);
      expect(thrown ? firstLine(njsLogs[i]) : njsLogs[i], 'njs engine').toBe(thrown ? firstLine(debian[i]) : debian[i]);
    });
    it(`${runtime}: a thrown error's stack: njs and the V8 sandbox print "at handler (file:line)"; the njs engine prints none (known difference)`, () => {
      const i = LOGGED.length;
      expect(debian[i]).toMatch(/\n {4}at handler \(.*:\d+\)/);
      expect(v8Logs[i]).toMatch(new RegExp(`\\n {4}at handler \\(logs\\.js:${LOGGED.length + 2}\\)`));
      expect(njsLogs[i]).toBe('TypeError: cannot get property "x" of undefined');
    });
  }
});

/** Deterministic key sets: query-parameter-like names, short words, non-ASCII, repeats. */
function keySets(): string[][] {
  let s = 0x9e3779b9;
  const rnd = (n: number): number => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s % n;
  };
  const pool = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'gclid', 'fbclid', 'ref', 'q', 'page', 'sort', 'lang',
    'x-forwarded-for', 'user-agent', 'accept', 'accept-encoding', 'cookie', 'host', 'é', 'ключ', '😀', 'a b', 'A', 'Z9', '_'];
  const sets: string[][] = [];
  for (let i = 0; i < 120; i++) {
    const n = 11 + rnd(90);
    const keys: string[] = [];
    for (let j = 0; j < n; j++) keys.push(rnd(3) === 0 ? pool[rnd(pool.length)]! : `k${rnd(5000).toString(36)}${'_'.repeat(rnd(3))}`);
    sets.push(keys);
  }
  return sets;
}

describe('key order of njs < 0.8.1 (cloudfront-js-1.0): njsHashOrder matches njs 0.7.9', async () => {
  const { njsHashOrder } = await import('../../src/runtime/njs-surface.js');
  const sets = keySets();
  const script = `var sets = ${JSON.stringify(sets)};\nfor (var i = 0; i < sets.length; i++) { var o = {}; for (var j = 0; j < sets[i].length; j++) o[sets[i][j]] = j; console.log(JSON.stringify(Object.keys(o))); }\n`;
  const lines = njs(script).filter((l) => l.startsWith('['));
  it('120 key sets of 11 to 100 keys', () => {
    expect(lines).toHaveLength(sets.length);
    sets.forEach((keys, i) => expect(njsHashOrder(keys)).toEqual(JSON.parse(lines[i]!)));
  });
  it('the njs engine of cloudfront-js-1.0 (njs 0.7.12, 64-bit bucket geometry) gives the same orders', async () => {
    const { loadNjsFunction } = await import('../../src/runtime/njs/loader.js');
    const { vrEvent } = await import('./helpers.js');
    // The sets arrive in a header (the source itself must stay under CloudFront's 10 KB).
    const src = `function handler(e) { var sets = JSON.parse(e.request.headers['x-sets'].value), out = [];\nfor (var i = 0; i < sets.length; i++) { var o = {}; for (var j = 0; j < sets[i].length; j++) o[sets[i][j]] = j; out.push(Object.keys(o)); }\nreturn { statusCode: 200, body: JSON.stringify(out) }; }`;
    const ev = vrEvent({ headers: { 'x-sets': { value: JSON.stringify(sets) } } });
    const r = loadNjsFunction(src, { runtime: 'cloudfront-js-1.0', stepLimit: 0, memoryLimitBytes: 0 }).invoke(ev) as { raw: { body: string } };
    expect(JSON.parse(r.raw.body)).toEqual(lines.map((l) => JSON.parse(l) as string[]));
  });
  it('10 keys or fewer keep their insertion order', () => {
    expect(njsHashOrder(['z', 'y', 'x', 'w', 'v', 'u', 't', 's', 'r', 'q'])).toEqual(['z', 'y', 'x', 'w', 'v', 'u', 't', 's', 'r', 'q']);
  });
});

describe('a 1.0 function rebuilding a query string with for...in gives the URL njs gives', async () => {
  const { loadFunction } = await import('../../src/runtime/index.js');
  const names = ['utm_source', 'utm_medium', 'utm_campaign', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'];
  const qs: Record<string, { value: string }> = {};
  names.forEach((n, i) => (qs[n] = { value: String(i) }));
  const rebuild = 'function rebuild(q) { var parts = []; for (var k in q) parts.push(k + "=" + q[k].value); return parts.join("&"); }';
  it('1.0: njs hash order; 2.0: insertion order', () => {
    const event = { version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '1.2.3.4' }, request: { method: 'GET', uri: '/', querystring: qs, headers: {}, cookies: {} } };
    const src = `${rebuild}\nfunction handler(e) { e.request.headers['x-q'] = { value: rebuild(e.request.querystring) }; return e.request; }`;
    const run = (runtime: 'cloudfront-js-1.0' | 'cloudfront-js-2.0') => ((loadFunction(src, { runtime }).invoke(event) as { raw: { headers: Record<string, { value: string }> } }).raw.headers['x-q']!.value);
    const njsSays = njs(`${rebuild}\nvar q = {};\n${names.map((n, i) => `q[${JSON.stringify(n)}] = { value: '${i}' };`).join('\n')}\nconsole.log(rebuild(q));\n`)[0];
    expect(njsSays).toBe('e=7&d=6&g=9&f=8&a=3&c=5&b=4&utm_campaign=2&utm_source=0&utm_medium=1&i=11&h=10&k=13&j=12');
    expect(run('cloudfront-js-1.0')).toBe(njsSays);
    expect(run('cloudfront-js-2.0')).toBe(names.map((n, i) => `${n}=${i}`).join('&'));
  });
});

describe('Date.parse of 1.0 equals njs 0.7.9 on HTTP, ISO and toString() forms', async () => {
  const { loadFunction } = await import('../../src/runtime/index.js');
  const { vrEvent } = await import('./helpers.js');
  const DATES = [
    'Sun, 06 Nov 1994 08:49:37 GMT', 'Sun, 06 Nov 1994 08:49:37 UTC', 'Sun, 06 Nov 1994 08:49:37 +0130', 'Sun, 06 Nov 1994 08:49:37 -0500',
    'Sun, 06 Nov 1994 08:49:37', 'Sun, 06 Nov 1994 08:49', 'Sun, 06 Nov 1994', '06 Nov 1994 08:49:37 GMT', 'Sun,  06  Nov  1994', 'Sun, 06 Nov 1994 08:49:37 EST',
    'Sun, 06 Nov 1994 08:49:37 GM', 'Sun, 6 Nov 1994 08:49:37 GMT', 'Sun, 06 Xyz 1994 08:49:37 GMT', 'Sun, 06 Nov 94 08:49:37 GMT',
    'Sunday, 06-Nov-94 08:49:37 GMT', 'Sun Nov  6 08:49:37 1994', 'Sun Nov 06 1994 08:49:37 GMT+0000 (UTC)', 'Sun Nov 06 1994 08:49:37 GMT+0200',
    'Sun Nov 06 1994 08:49:37 GMT-0830 (Somewhere)', 'Sun Nov 06 1994 08:49:37', 'Sun Nov 06 1994', 'Nov 06 1994 08:49:37 GMT+0100', 'Nov 6, 1994',
    '1994-11-06T08:49:37Z', '1994-11-06T08:49:37.123Z', '1994-11-06T08:49:37.1Z', '1994-11-06T08:49:37.12345Z', '1994-11-06T08:49Z', '1994-11-06T08:49:37',
    '1994-11-06', '1994-11', '1994', '+001994-11-06T08:49:37Z', '-000001-01-01T00:00:00Z', '1994-11-06T08:49:37+01:00', '1994-11-06 08:49:37',
    '1994-13-06', '1994-11-32', '1994-11-06T25:00:00Z', '2024/01/02', '1/2/2024', '', ' ', 'garbage', '0000-01-01', '2024-02-30',
  ];
  it(`${DATES.length} strings`, () => {
    const script = `var d = ${JSON.stringify(DATES)};\nfor (var i = 0; i < d.length; i++) console.log(String(Date.parse(d[i])));\n`;
    const want = njs(script).slice(0, DATES.length);
    const src = `function handler(e) { var d = ${JSON.stringify(DATES)}, out = []; for (var i = 0; i < d.length; i++) out.push(String(Date.parse(d[i]))); return { statusCode: 200, body: JSON.stringify(out) }; }`;
    const r = loadFunction(src, { runtime: 'cloudfront-js-1.0' }).invoke(vrEvent()) as { raw: { body: string } };
    const got = JSON.parse(r.raw.body) as string[];
    expect(DATES.map((d, i) => `${d} -> ${got[i]}`)).toEqual(DATES.map((d, i) => `${d} -> ${want[i]}`));
  });
});

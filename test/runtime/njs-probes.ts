/**
 * Engine probes: what CloudFront's njs gives for small expressions, per runtime,
 * checked on three engines:
 * - Debian's njs 0.7.9 binary (njs-parity.test.ts): every `v1`;
 * - the V8 sandbox (njs-surface.test.ts): `v1` in cloudfront-js-1.0, `v2` (or `v1`) in 2.0;
 * - the njs engine compiled to WebAssembly (njs/probes-on-wasm.test.ts): njs 0.7.12
 *   for 1.0 (`v1`), njs 0.8.10 for 2.0 (`v2`, or `v1`), which pins the `v2` values.
 * `v2` is given where njs 0.8.x differs from 0.7.9 (reason in `why`, from the njs
 * changelog and sources). Where an engine still differs from njs on purpose, the
 * probe lists it in `known` (engine, its value, why); each such probe is a row of
 * the README's fidelity notes (njs/probes-on-wasm.test.ts checks that).
 *
 * All probes of a runtime run in one program (`probeProgram`), loaded once per
 * engine and runtime; each is a function `pN` returning the expression.
 * Values are `show(pN)`: JSON, `NaN`, `undefined` or `THROW <name>: <message>`.
 */
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { NJS_SURFACE_SOURCE, type NjsSurface } from '../../src/runtime/njs-surface.js';
import type { LoadedFunction, Runtime } from '../../src/runtime/index.js';
import { sync, vrEvent } from './helpers.js';

/** The surface alone in a fresh context (its formatter and error translator, tested without the loader). */
export function surfaceContext(runtime2: boolean): { ctx: vm.Context; njs: NjsSurface } {
  const ctx = vm.createContext({}, { codeGeneration: { strings: false, wasm: false } });
  const njs = (vm.runInContext(NJS_SURFACE_SOURCE, ctx) as (h: { runtime2: boolean }) => NjsSurface)({ runtime2 });
  return { ctx, njs };
}

export type Engine = 'v8' | 'wasm' | 'debian';
export type RuntimeKey = 'v1' | 'v2';

/** An engine that still gives another value than njs (CloudFront) for a probe, on purpose. */
export interface KnownDifference {
  engine: Engine;
  /** What the engine gives in cloudfront-js-1.0 / 2.0 (absent: that runtime agrees). */
  v1?: string;
  v2?: string;
  reason: string;
}

export interface Probe {
  name: string;
  /** An expression, evaluated inside a function in every engine (`topThis` is the program's top-level `this`). */
  expr: string;
  v1: string;
  v2?: string;
  why?: string;
  known?: KnownDifference[];
  /** Not in this runtime (e.g. atob in 1.0): only the other one is checked. */
  only?: RuntimeKey;
}

/** The helper both engines use to print a probe's value (ES5, runs in njs). */
export const SHOW_SOURCE = `function show(f) {
  try {
    var v = f();
    if (typeof v === 'number' && v !== v) return 'NaN';
    if (v === undefined) return 'undefined';
    return JSON.stringify(v);
  } catch (e) {
    return 'THROW ' + e.name + ': ' + e.message;
  }
}`;

/** What CloudFront (njs) gives for a probe in a runtime. */
export function njsValue(p: Probe, key: RuntimeKey): string {
  return key === 'v2' ? (p.v2 ?? p.v1) : p.v1;
}

/** What an engine is expected to give: njs's value, or its listed known difference. */
export function expectedValue(p: Probe, key: RuntimeKey, engine: Engine): string {
  const k = p.known?.find((d) => d.engine === engine && d[key] !== undefined);
  return k ? k[key]! : njsValue(p, key);
}

/** The probes a runtime runs (all of them for Debian's njs, which checks `v1`). */
export function probesFor(key: RuntimeKey | 'debian'): Probe[] {
  return key === 'debian' ? PROBES : PROBES.filter((p) => p.only === undefined || p.only === key);
}

/**
 * One program holding the probes: `p<i>` returns probe i's expression (i: its index
 * in PROBES). `handler` runs the probe named by the URI: `/c<name>` returns its
 * value as the body (caught inside the function), `/u<name>` calls it uncaught
 * (its error becomes the outcome). `P` maps names to functions (for drivers).
 */
export function probeProgram(probes: Probe[]): string {
  const id = (p: Probe): string => `p${PROBES.indexOf(p)}`;
  return [
    'var topThis = this;',
    SHOW_SOURCE,
    ...probes.map((p) => `function ${id(p)}() { return ${p.expr}; }`),
    `var P = { ${probes.map((p) => `${id(p)}: ${id(p)}`).join(', ')} };`,
    'function handler(e) { var u = e.request.uri, f = P[u.slice(2)]; if (u.charAt(1) === "u") { f(); return e.request; } return { statusCode: 200, body: show(f) }; }',
  ].join('\n');
}

/** The URI that runs a probe of probeProgram: caught (value) or uncaught (outcome). */
export const probeUri = (p: Probe, mode: 'c' | 'u'): string => `/${mode}p${PROBES.indexOf(p)}`;

export const PROBE_RUNTIMES: [Runtime, RuntimeKey][] = [
  ['cloudfront-js-1.0', 'v1'],
  ['cloudfront-js-2.0', 'v2'],
];

/**
 * The probe table on one engine, per runtime, one load each: every probe's value
 * as the function's own code sees it (caught inside it) and, for an error, as the
 * report shows it (thrown out of the handler).
 */
export function describeProbeTable(engine: 'v8' | 'wasm', load: (source: string, runtime: Runtime) => LoadedFunction): void {
  const label = engine === 'v8' ? 'the V8 sandbox' : 'the njs engine';
  describe.each(PROBE_RUNTIMES)(`%s: the probe table on ${label}`, (runtime, key) => {
    const probes = probesFor(key);
    const fn = load(probeProgram(probes), runtime);
    it.each(probes.map((p) => [p.name, p] as const))('%s', (_name, p) => {
      const want = expectedValue(p, key, engine);
      const r = sync(fn.invoke(vrEvent({ uri: probeUri(p, 'c') })));
      expect(r.outcome.kind).toBe('response');
      expect((r.raw as { body: string }).body).toBe(want);
      if (want.startsWith('THROW ')) {
        const u = sync(fn.invoke(vrEvent({ uri: probeUri(p, 'u') })));
        expect(u.outcome.kind === 'execution-error' ? `THROW ${u.outcome.error.name}: ${u.outcome.error.message}` : `no error (${u.outcome.kind})`).toBe(want);
      }
    });
  });
}

const absent = (name: string, expr: string): Probe => ({ name: `no ${name}`, expr: `typeof ${expr}`, v1: '"undefined"' });

export const PROBES: Probe[] = [
  // ---- what njs lacks --------------------------------------------------------
  absent('Map', 'Map'),
  absent('Set', 'Set'),
  absent('WeakMap', 'WeakMap'),
  absent('WeakSet', 'WeakSet'),
  absent('Proxy', 'Proxy'),
  absent('BigInt', 'BigInt'),
  absent('escape', 'escape'),
  absent('unescape', 'unescape'),
  absent('Array.prototype.at', '[].at'),
  absent('Array.prototype.flat', '[].flat'),
  absent('Array.prototype.flatMap', '[].flatMap'),
  absent('Array.prototype.findLast', '[].findLast'),
  absent('String.prototype.at', '"".at'),
  absent('String.prototype.matchAll', '"".matchAll'),
  absent('String.prototype.normalize', '"".normalize'),
  absent('String.prototype.localeCompare', '"".localeCompare'),
  absent('String.prototype.trimLeft', '"".trimLeft'),
  absent('String.raw', 'String.raw'),
  absent('Object.fromEntries', 'Object.fromEntries'),
  absent('Object.hasOwn', 'Object.hasOwn'),
  absent('Number.prototype.toLocaleString', '(1).toLocaleString'),
  absent('Date.prototype.toGMTString', 'new Date(0).toGMTString'),
  absent('Uint8Array.prototype.at', 'new Uint8Array(1).at'),
  { name: 'calling a missing method', expr: '[1, 2].at(0)', v1: 'THROW TypeError: (intermediate value)["at"] is not a function' },
  { name: 'Map is not defined', expr: 'new Map()', v1: 'THROW ReferenceError: "Map" is not defined' },
  { name: 'functions print as [object Function]', expr: 'String(function f(a) { return a; })', v1: '"[object Function]"' },
  // ---- what njs lacks (more) ----------------------------------------------------
  absent('Reflect', 'Reflect'),
  absent('Array.prototype.findLastIndex', '[].findLastIndex'),
  absent('structuredClone', 'structuredClone'),
  // ---- syntax njs has (no false rejections), as values ----------------------------
  { name: '?? on null', expr: 'null ?? "d"', v1: '"d"' },
  { name: '?? keeps 0', expr: '0 ?? 1', v1: '0' },
  { name: 'async arrow (2.0)', expr: 'typeof (async (x) => x)', v1: '"function"', only: 'v2' },
  // ---- regular expressions --------------------------------------------------------
  {
    name: "new RegExp('a', 'u') at run time",
    expr: 'new RegExp("a", "u").source',
    v1: 'THROW SyntaxError: Invalid RegExp flags "u"',
    known: [{ engine: 'v8', v1: '"a"', v2: '"a"', reason: "wrapping RegExp costs V8's regex fast paths on every call; literals are checked by the syntax gate" }],
  },
  {
    name: "new RegExp('a.', 's') at run time",
    expr: 'new RegExp("a.", "s").source',
    v1: 'THROW SyntaxError: Invalid RegExp flags "s"',
    known: [{ engine: 'v8', v1: '"a."', v2: '"a."', reason: "wrapping RegExp costs V8's regex fast paths on every call; literals are checked by the syntax gate" }],
  },
  {
    name: '\\p{L} without the u flag',
    expr: '/^\\p{L}+$/.test("é")',
    v1: 'true',
    known: [{ engine: 'v8', v1: 'false', v2: 'false', reason: 'PCRE reads a Unicode property; V8 needs the u flag for that, which changes other regex semantics (the gate adds a load note)' }],
  },
  // ---- top-level this --------------------------------------------------------------
  { name: 'top-level this is the global object', expr: '[typeof topThis, topThis === globalThis]', v1: '["object",true]' },
  {
    name: 'a top-level var is a property of the global object',
    expr: 'typeof topThis.topThis',
    v1: '"object"',
    known: [{ engine: 'v8', v1: '"undefined"', v2: '"undefined"', reason: "top-level declarations are locals of the closure each event runs in (fresh state per event without a new context); njs puts them on the global object" }],
  },
  { name: 'global is the global object', expr: '[typeof global, global === topThis, Object.getOwnPropertyDescriptor(topThis, "global").enumerable]', v1: '["object",true,true]' },
  {
    name: "the global object's own toString",
    expr: '[Object.prototype.hasOwnProperty.call(topThis, "toString"), toString === Object.prototype.toString, toString.call([]), toString.name, toString.length]',
    v1: '[true,false,"[object Array]","toString",0]',
  },
  { name: "the global object's own symbols", expr: 'Object.getOwnPropertySymbols(globalThis).map(String)', v1: '["Symbol(Symbol.toStringTag)"]' },
  { name: 'the global object as a string', expr: '[Object.prototype.toString.call(globalThis), String(topThis)]', v1: '["[object global]","[object global]"]' },
  // ---- module objects: extensible and writable in njs (a fresh VM per event) --------------
  // (Debian's njs runs every probe in one VM: each probe puts back what it changed.)
  {
    name: 'a module object takes new properties',
    expr: '(function () { var q = require("querystring"); q.added = 1; var r = [q.added, Object.isExtensible(q)]; delete q.added; return r; })()',
    v1: '[1,true]',
  },
  {
    name: "a module's function can be replaced",
    expr: '(function () { var c = require("crypto"), h = c.createHash; c.createHash = 1; var t = typeof c.createHash; c.createHash = h; return t; })()',
    v1: '"number"',
  },
  {
    name: "a module's function can be deleted",
    expr: '(function () { var q = require("querystring"), d = Object.getOwnPropertyDescriptor(q, "stringify"); delete q.stringify; var t = typeof q.stringify; Object.defineProperty(q, "stringify", d); return t; })()',
    v1: '"undefined"',
  },
  {
    name: 'the buffer module',
    expr: '(function () { var b = require("buffer"), d = Object.getOwnPropertyDescriptor(b, "kMaxLength"); return [Object.keys(b), b.kMaxLength, b.constants, d.writable, d.configurable]; })()',
    v1: '[["kMaxLength","Buffer","constants"],2147483647,{"MAX_LENGTH":2147483647,"MAX_STRING_LENGTH":2147483647},false,false]',
    v2: '[["Buffer","constants","kMaxLength"],2147483647,{"MAX_LENGTH":2147483647,"MAX_STRING_LENGTH":2147483647},false,false]',
    why: 'njs 0.8 defines Buffer first (measured on njs 0.8.10, the njs engine); 0.7.9 lists kMaxLength first',
    only: 'v2',
  },
  // ---- messages ---------------------------------------------------------------------
  { name: 'reading a property of undefined', expr: '(function () { var u; return u.x; })()', v1: 'THROW TypeError: cannot get property "x" of undefined' },
  { name: 'reading an index of undefined', expr: '(function () { var u; return u[0]; })()', v1: 'THROW TypeError: cannot get property "0" of undefined' },
  { name: 'reading a property of null', expr: '(function () { var n = null; return n.x; })()', v1: 'THROW TypeError: cannot get property "x" of null' },
  { name: 'writing a property of undefined', expr: '(function () { var u; u.x = 1; })()', v1: 'THROW TypeError: property set on primitive undefined type' },
  { name: 'writing a property of null', expr: '(function () { var n = null; n[0] = 1; })()', v1: 'THROW TypeError: property set on primitive null type' },
  { name: 'writing a property of a string', expr: '(function () { var s = "abc"; s.x = 1; })()', v1: 'THROW TypeError: property set on primitive string type' },
  { name: 'in on a primitive', expr: '"a" in "abc"', v1: 'THROW TypeError: property "in" on primitive string type' },
  { name: 'an undeclared name', expr: 'undefinedFn()', v1: 'THROW ReferenceError: "undefinedFn" is not defined' },
  { name: 'calling a missing nested method', expr: '(function () { var o = {a: {}}; o.a.f(); })()', v1: 'THROW TypeError: (intermediate value)["f"] is not a function' },
  {
    name: 'calling an undefined variable',
    expr: '(function () { var f; f(); })()',
    v1: 'THROW TypeError: undefined is not a function',
    known: [{ engine: 'v8', v1: 'THROW TypeError: f is not a function', v2: 'THROW TypeError: f is not a function', reason: "V8's text does not carry the value's type (a member call o.f() is translated)" }],
  },
  {
    name: 'JSON.parse nested over 32 levels',
    expr: '(function () { var s = ""; for (var i = 0; i < 40; i++) s = "[" + s + "]"; return JSON.parse(s).length; })()',
    v1: 'THROW SyntaxError: Nested too deep at position 31',
    known: [{ engine: 'v8', v1: '1', v2: '1', reason: 'only error texts are translated; a depth check would scan every parsed text' }],
  },
  // ---- key order --------------------------------------------------------------------
  {
    name: 'key order of an object of 12 properties the function builds',
    expr: '(function () { var o = {}; for (var i = 0; i < 12; i++) o["k" + i] = i; return Object.keys(o).join(" "); })()',
    v1: '"k8 k9 k6 k7 k4 k5 k2 k3 k0 k11 k1 k10"',
    v2: '"k0 k1 k2 k3 k4 k5 k6 k7 k8 k9 k10 k11"',
    why: "njs 0.8.1 replaced the level hash by an ordered flat hash: insertion order",
    known: [{ engine: 'v8', v1: '"k0 k1 k2 k3 k4 k5 k6 k7 k8 k9 k10 k11"', reason: "V8's property order cannot be changed per object (the event's own maps are emulated)" }],
  },
  {
    name: 'key order of an object of 10 properties',
    expr: '(function () { var o = {}; for (var i = 0; i < 10; i++) o["k" + i] = i; return Object.keys(o).join(" "); })()',
    v1: '"k0 k1 k2 k3 k4 k5 k6 k7 k8 k9"',
    why: "njs 0.7's level hash holds 10 entries per bucket on a 64-bit host: hash order from 11 properties (the 1.0 engine is built with that geometry)",
  },
  {
    name: 'integer-like keys',
    expr: 'Object.keys({b: 1, 2: 1, a: 1, 1: 1}).join()',
    v1: '"b,2,a,1"',
    v2: '"1,2,b,a"',
    why: 'njs 0.8.x lists integer-like keys first, ascending (as ECMAScript orders them); 0.7 keeps them among the others',
    known: [{ engine: 'v8', v1: '"1,2,b,a"', reason: 'V8 stores integer-like keys as elements, first and ascending (ECMAScript order)' }],
  },
  // ---- 0.8.0 added these (so cloudfront-js-2.0 has them) ---------------------
  { name: 'Array.from', expr: 'typeof Array.from', v1: '"undefined"', v2: '"function"', why: 'njs 0.8.0 added Array.from' },
  { name: 'Array.prototype.toSorted', expr: 'typeof [].toSorted', v1: '"undefined"', v2: '"function"', why: 'njs 0.8.0 added toSorted/toSpliced/toReversed' },
  {
    name: 'String.prototype.replaceAll',
    expr: 'typeof "".replaceAll',
    v1: '"undefined"',
    v2: '"function"',
    why: 'njs 0.7.10 added replaceAll: absent in 0.7.9, present in 0.8.x',
    known: [{ engine: 'wasm', v1: '"function"', reason: "the 1.0 engine is njs 0.7.12 (0.7.10 added replaceAll); which 0.7 release CloudFront's 1.0 runs is not documented, the V8 sandbox follows Debian's 0.7.9" }],
  },
  // ---- 1.0 byte strings ------------------------------------------------------
  { name: "'user:pass'.toString('base64')", expr: '"user:pass".toString("base64")', v1: '"dXNlcjpwYXNz"', v2: '"user:pass"', why: 'njs 0.8.0 removed toString(encoding)' },
  { name: "toString('hex') of a UTF-8 string", expr: '"é€".toString("hex")', v1: '"c3a9e282ac"', v2: '"é€"', why: 'njs 0.8.0 removed toString(encoding)' },
  { name: "toString('base64url')", expr: '"ab?".toString("base64url")', v1: '"YWI_"', v2: '"ab?"', why: 'njs 0.8.0 removed toString(encoding)' },
  { name: 'toString(undefined) throws', expr: '"ab".toString(undefined)', v1: 'THROW TypeError: encoding must be a string', v2: '"ab"', why: 'njs 0.8.0 removed toString(encoding)' },
  { name: "toString('utf8') throws", expr: '"ab".toString("utf8")', v1: 'THROW TypeError: Unknown encoding: "utf8"', v2: '"ab"', why: 'njs 0.8.0 removed toString(encoding)' },
  { name: 'byte string to hex', expr: 'String.bytesFrom([0xe9, 0x00, 0xff]).toString("hex")', v1: '"e900ff"', only: 'v1' },
  { name: 'toUTF8 then base64', expr: '"€".toUTF8().toString("base64")', v1: '"4oKs"', only: 'v1' },
  { name: "String.bytesFrom('6162') needs an encoding", expr: 'String.bytesFrom("6162")', v1: 'THROW TypeError: "encoding" must be a string', only: 'v1' },
  { name: 'String.bytesFrom hex', expr: 'String.bytesFrom("6162", "hex")', v1: '"ab"', only: 'v1' },
  { name: 'String.bytesFrom base64url', expr: 'String.bytesFrom("YWI", "base64url")', v1: '"ab"', only: 'v1' },
  { name: 'fromUTF8', expr: 'String.bytesFrom("e282ac", "hex").fromUTF8()', v1: '"€"', only: 'v1' },
  { name: 'fromUTF8 of invalid UTF-8', expr: 'String.bytesFrom([0xe9]).fromUTF8()', v1: 'null', only: 'v1' },
  // ---- 2.0 atob/btoa ---------------------------------------------------------
  { name: 'atob padded', expr: 'atob("YWJj") + atob("YQ==")', v1: '"abca"', only: 'v2' },
  {
    name: 'atob unpadded',
    expr: 'atob("YWI")',
    v1: '""',
    v2: '"ab"',
    why: 'njs 0.8.4 fixed atob() with non-padded base64 strings (0.7.9 decodes them to ""); cloudfront-js-2.0 is taken to have the fix',
    only: 'v2',
  },
  { name: 'atob of a bad string', expr: 'atob("Y")', v1: 'THROW TypeError: the string to be decoded is not correctly encoded', only: 'v2' },
  { name: 'atob with a char outside the alphabet', expr: 'atob("YW=I")', v1: 'THROW TypeError: the string to be decoded is not correctly encoded', only: 'v2' },
  { name: 'btoa over U+00FF', expr: 'btoa("€")', v1: 'THROW TypeError: invalid character (>= U+00FF)', only: 'v2' },
  // ---- Date.parse --------------------------------------------------------------
  { name: 'Date.parse RFC 850', expr: 'Date.parse("Sunday, 06-Nov-94 08:49:37 GMT")', v1: 'NaN' },
  { name: 'Date.parse asctime', expr: 'Date.parse("Sun Nov  6 08:49:37 1994")', v1: 'NaN' },
  { name: 'Date.parse RFC 1123', expr: 'Date.parse("Sun, 06 Nov 1994 08:49:37 GMT")', v1: '784111777000' },
  { name: 'Date.parse RFC 2822 offset', expr: 'Date.parse("Sun, 06 Nov 1994 09:49:37 +0100")', v1: '784111777000' },
  { name: 'Date.parse one-digit day', expr: 'Date.parse("Tue, 2 Jan 2024 10:00:00 GMT")', v1: 'NaN' },
  { name: 'Date.parse ISO', expr: 'Date.parse("1994-11-06T08:49:37.5Z")', v1: '784111777500' },
  { name: 'Date.parse ISO date only', expr: 'Date.parse("1994-11-06")', v1: '784080000000' },
  { name: 'Date.parse toString() output', expr: 'Date.parse("Sun Nov 06 1994 08:49:37 GMT+0000 (UTC)")', v1: '784111777000' },
  { name: 'Date.parse "Nov 6, 1994"', expr: 'Date.parse("Nov 6, 1994")', v1: 'NaN' },
  { name: 'Date.parse slashes', expr: 'Date.parse("2024/01/02")', v1: 'NaN' },
  { name: 'new Date(RFC 850)', expr: 'new Date("Sunday, 06-Nov-94 08:49:37 GMT").getTime()', v1: 'NaN' },
  {
    name: 'Date.parse ISO with a UTC offset',
    expr: 'Date.parse("1994-11-06T09:49:37.000+01:00")',
    v1: 'NaN',
    v2: '784111777000',
    why: 'njs 0.8.0: "fixed Date.parse() with ISO-8601 format and UTC time offset"',
  },
  { name: 'Date toString has no zone name', expr: '[/ GMT[+-]\\d{4}$/.test(String(new Date(0))), / GMT[+-]\\d{4}$/.test(new Date(0).toTimeString()), / GMT[+-]\\d{4}$/.test(Date())]', v1: '[true,true,true]' },
  // ---- case mapping, strings ----------------------------------------------------
  { name: "'ß'.toUpperCase()", expr: '"straße".toUpperCase()', v1: '"STRAßE"' },
  { name: "'İ'.toLowerCase()", expr: '"İ".toLowerCase().length', v1: '1' },
  { name: 'final sigma', expr: '"ΑΣ".toLowerCase()', v1: '"ασ"' },
  {
    name: "'😀'.length",
    expr: '"😀".length',
    v1: '1',
    known: [{ engine: 'v8', v1: '2', v2: '2', reason: 'njs strings are UTF-8 and count code points; V8 counts UTF-16 units (not emulated: every string API would change)' }],
  },
  // ---- modules owned by the prelude / host side ----
  {
    name: "querystring.unescape('a+b')",
    expr: 'require("querystring").unescape("a+b")',
    v1: '"a b"',
  },
  {
    name: 'querystring.unescape keeps only the bad sequences',
    expr: 'require("querystring").unescape("%41%zz")',
    v1: '"A%zz"',
  },
  {
    name: 'querystring.unescape of invalid UTF-8',
    expr: '(function () { var T = ["%E9", "%E9%80", "%C0%80", "%F0%9F%98", "%ED%A0%80", "%FF", "%E9a", "%C3%A9%E9", "%F0%9F%98%80", "%E2%82", "%E2%82%AC%80", "a%E9%zz%41", "%f4%90%80%80", "%E0%80%80", "%c3", "%C3é", "%E9+%80", "é%A9", "%4", "%"], out = []; for (var i = 0; i < T.length; i++) { out.push(encodeURIComponent(require("querystring").unescape(T[i]))); } return out.join(" "); })()',
    v1: '"%EF%BF%BD %EF%BF%BD %EF%BF%BD%EF%BF%BD %EF%BF%BD %EF%BF%BD%EF%BF%BD %EF%BF%BD %EF%BF%BDa %C3%A9%EF%BF%BD %F0%9F%98%80 %EF%BF%BD %E2%82%AC%EF%BF%BD a%EF%BF%BD%25zzA %EF%BF%BD%EF%BF%BD%EF%BF%BD %EF%BF%BD%EF%BF%BD %EF%BF%BD %EF%BF%BD%C3%A9 %20%EF%BF%BD %C3%A9%EF%BF%BD %254 %25"',
  },
  {
    name: 'querystring.parse decodes as unescape; a decodeURIComponent option gets the raw text',
    expr: '(function () { var qs = require("querystring"); return [qs.parse("a=%E9&%C3%A9=b+c"), qs.parse("a+b=c+d&e=", null, null, {decodeURIComponent: function (s) { return "<" + s + ">"; }})]; })()',
    v1: '[{"a":"�","é":"b c"},{"<a+b>":"<c+d>","<e>":""}]',
  },
  { name: 'crypto.createHash(...).update of a number', expr: 'require("crypto").createHash("md5").update(5)', v1: 'THROW TypeError: data argument "number" is not a string or Buffer-like object', v2: 'THROW TypeError: data is not a string or Buffer-like object', why: 'njs 0.8 dropped the type from the text' },
  { name: 'crypto.createHash(...).update of undefined', expr: 'require("crypto").createHash("sha1").update(undefined)', v1: 'THROW TypeError: data argument "undefined" is not a string or Buffer-like object', v2: 'THROW TypeError: data is not a string or Buffer-like object', why: 'njs 0.8 dropped the type from the text' },
  { name: 'crypto.createHmac without a key', expr: 'require("crypto").createHmac("sha256")', v1: 'THROW TypeError: key argument "undefined" is not a string or Buffer-like object', v2: 'THROW TypeError: key is not a string or Buffer-like object', why: 'njs 0.8 dropped the type from the text' },
  { name: 'module properties: crypto enumerable, querystring not', expr: '[Object.keys(require("crypto")).sort(), Object.keys(require("querystring"))]', v1: '[["createHash","createHmac"],[]]' },
  {
    name: 'digest() without an encoding',
    expr: '[typeof require("crypto").createHash("md5").update("a").digest(), require("crypto").createHmac("sha1", "k").update("a").digest().length]',
    v1: '["string",20]',
    v2: '["object",20]',
    why: 'AWS: cloudfront-js-2.0 changed digest() without an encoding to return a Buffer, so 1.0 returns a byte string',
    known: [{ engine: 'debian', v1: '["object",20]', reason: "njs 0.7.0 made digest() return a Buffer; AWS documents that 2.0 changed it, so cloudfront-js-1.0 keeps the byte string (the njs engine's 1.0 prelude converts it)" }],
  },
  {
    name: "Buffer 'latin1'",
    expr: 'Buffer.from("é", "latin1").length',
    v1: 'THROW TypeError: "latin1" encoding is not supported',
    only: 'v2',
  },
  // ---- errors as the function sees them ----------------------------------------
  { name: 'URIError', expr: 'decodeURIComponent("%E0%A4%A")', v1: 'THROW URIError: malformed URI' },
  { name: 'decodeURI', expr: 'decodeURI("%")', v1: 'THROW URIError: malformed URI' },
  { name: 'JSON.parse unexpected token', expr: 'JSON.parse("{bad")', v1: 'THROW SyntaxError: Unexpected token at position 1' },
  { name: 'JSON.parse empty', expr: 'JSON.parse("")', v1: 'THROW SyntaxError: Unexpected end of input at position 0' },
  { name: 'JSON.parse trailing comma', expr: 'JSON.parse("[1,]")', v1: 'THROW SyntaxError: Trailing comma at position 2' },
  { name: 'JSON.parse trailing garbage', expr: 'JSON.parse("{\\"a\\":1} x")', v1: 'THROW SyntaxError: Unexpected token at position 8' },
  { name: 'JSON.parse position in code points', expr: 'JSON.parse("[\\"é😀\\",]")', v1: 'THROW SyntaxError: Trailing comma at position 5' },
  { name: 'JSON.parse unterminated object', expr: 'JSON.parse("{\\"a\\":")', v1: 'THROW SyntaxError: Unexpected end of input at position 5' },
  { name: 'JSON.parse still parses', expr: 'JSON.parse(" {\\"a\\":[1,2.5e1,\\"x\\"]} ")', v1: '{"a":[1,25,"x"]}' },
  { name: 'JSON.stringify cycle', expr: '(function () { var a = {}; a.a = a; return JSON.stringify(a); })()', v1: 'THROW TypeError: Nested too deep or a cyclic structure' },
  { name: 'toFixed range', expr: '(1).toFixed(200)', v1: 'THROW RangeError: digits argument must be between 0 and 100' },
];

/**
 * Syntax probes: does the function load? `code` is top-level code (a handler is
 * appended). `njs`: what njs's own parser says (Debian's 0.7.9 and the 1.0
 * engine's 0.7.12 for `v1`, the 2.0 engine's 0.8.10 for `v2`). The syntax gate
 * (shared by both engines) must decide the same, except where `gate` says why not.
 */
export interface SyntaxProbe {
  name: string;
  code: string;
  njs: boolean | { v1: boolean; v2: boolean };
  gate?: { v1?: boolean; v2?: boolean; reason: string };
}

export const njsAccepts = (p: SyntaxProbe, key: RuntimeKey): boolean => (typeof p.njs === 'boolean' ? p.njs : p.njs[key]);
export const gateAccepts = (p: SyntaxProbe, key: RuntimeKey): boolean => p.gate?.[key] ?? njsAccepts(p, key);
export const SYNTAX_HANDLER = '\nfunction handler(e) { return e.request; }\n';

const NOT_IN_1 = 'AWS documents no const/let and no async/await in cloudfront-js-1.0 (njs 0.7 parses them)';

export const SYNTAX_PROBES: SyntaxProbe[] = [
  // accepted by njs: no false rejections
  { name: '??', code: 'var a = null ?? 1;', njs: true },
  { name: 'async arrow', code: 'var f = async (x) => x;', njs: true, gate: { v1: false, reason: NOT_IN_1 } },
  { name: 'async arrow awaiting in its body', code: 'var f = async () => { await 1; };', njs: true, gate: { v1: false, reason: NOT_IN_1 } },
  { name: 'async function expression', code: 'var g = async function () { return 1; };', njs: true, gate: { v1: false, reason: NOT_IN_1 } },
  { name: 'async function declaration with await', code: 'async function h() { var x = await 1; return x; }', njs: true, gate: { v1: false, reason: NOT_IN_1 } },
  { name: 'let', code: 'let a = 1;', njs: true, gate: { v1: false, reason: NOT_IN_1 } },
  { name: 'const', code: 'const a = 1;', njs: true, gate: { v1: false, reason: NOT_IN_1 } },
  { name: 'shorthand method', code: 'var o = { m() { return 1; } };', njs: true },
  { name: 'computed key', code: 'var o = { ["a" + 1]: 1 };', njs: true },
  { name: 'getter and setter', code: 'var o = { get a() { return 1; }, set a(v) {} };', njs: true },
  { name: 'tagged template', code: 'function t(s) { return s[0]; } var a = t`x`;', njs: true },
  { name: 'template literal', code: 'var a = `x${1}`;', njs: true },
  { name: 'arrow', code: 'var f = (a) => a + 1;', njs: true },
  { name: 'rest parameters', code: 'function f(...a) { return a; }', njs: true },
  { name: '** and **=', code: 'var a = 2 ** 3; a **= 2;', njs: true },
  { name: 'named group and lookbehind', code: 'var r = /(?<=a)(?<y>\\d+)/;', njs: true },
  { name: 'sticky flag', code: 'var r = /a/y;', njs: true },
  { name: '\\p{L} without the u flag', code: 'var r = /\\p{L}/;', njs: true },
  { name: 'numeric separator', code: 'var a = 1_000;', njs: true },
  { name: 'trailing commas', code: 'function f(a,) { return a; } f(1,); var o = {a: 1,};', njs: true },
  { name: 'labels', code: 'l: for (;;) { break l; }', njs: true },
  { name: 'catch with a binding', code: 'try { x(); } catch (e) { }', njs: true },
  // refused by njs: nothing njs would refuse loads
  { name: 'destructuring', code: 'var {a} = {a: 1};', njs: false },
  { name: 'array destructuring', code: 'var [a] = [1];', njs: false },
  { name: 'class', code: 'class A {}', njs: false },
  { name: 'class expression', code: 'var A = class {};', njs: false },
  { name: 'for...of', code: 'for (var x of [1]) {}', njs: false },
  { name: 'spread in an array', code: 'var a = [...[1]];', njs: false },
  { name: 'spread in a call', code: 'Math.max(...[1]);', njs: false },
  { name: 'object spread', code: 'var o = {...{a: 1}};', njs: false },
  { name: 'default parameter', code: 'function f(a = 1) { return a; }', njs: false },
  { name: 'generator', code: 'function* g() {}', njs: false },
  { name: 'optional chaining', code: 'var a = ({}).b?.c;', njs: false },
  { name: '||=', code: 'var a; a ||= 1;', njs: false },
  { name: '&&=', code: 'var a; a &&= 1;', njs: false },
  { name: '??=', code: 'var a; a ??= 1;', njs: false },
  { name: 'catch without a binding', code: 'try { x(); } catch { }', njs: false },
  { name: 'new.target', code: 'function F() { return new.target; }', njs: false },
  { name: 'regex flag u', code: 'var r = /a/u;', njs: false },
  { name: 'regex flag s', code: 'var r = /a./s;', njs: false },
  { name: 'regex flag d', code: 'var r = /a/d;', njs: false },
  { name: '\\p{L} with the u flag', code: 'var r = /\\p{L}/u;', njs: false },
  { name: 'BigInt literal', code: 'var n = 1n;', njs: false },
  { name: 'for await', code: 'async function f() { for await (var x of []) {} }', njs: false },
  { name: 'await in the arguments of a call', code: 'async function f() { return String(await 1); }', njs: false },
  { name: 'await in the arguments of new', code: 'async function f() { return new Date(await 1); }', njs: false },
  { name: 'import.meta', code: 'var m = import.meta;', njs: false },
];

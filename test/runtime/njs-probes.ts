/**
 * Engine probes: what CloudFront's njs gives for small expressions, per runtime.
 * `v1` is what Debian's njs 0.7.9 prints (njs-parity.test.ts checks every `v1`
 * against the real binary); `v2` is the cloudfront-js-2.0 value where njs 0.8.x
 * differs from 0.7.9 (reason in `why`, from the njs changelog and sources).
 * njs-surface.test.ts checks the sandbox against the same table.
 *
 * Values are `show(expr)`: JSON, `NaN`, or `THROW <name>: <message>`.
 */
import vm from 'node:vm';
import { NJS_SURFACE_SOURCE, type NjsSurface } from '../../src/runtime/njs-surface.js';

/** The surface alone in a fresh context (its formatter and error translator, tested without the loader). */
export function surfaceContext(runtime2: boolean): { ctx: vm.Context; njs: NjsSurface } {
  const ctx = vm.createContext({}, { codeGeneration: { strings: false, wasm: false } });
  const njs = (vm.runInContext(NJS_SURFACE_SOURCE, ctx) as (h: { runtime2: boolean }) => NjsSurface)({ runtime2 });
  return { ctx, njs };
}

export interface Probe {
  name: string;
  /** An expression, evaluated inside a function in both engines. */
  expr: string;
  v1: string;
  v2?: string;
  why?: string;
  /** The sandbox still differs from njs here: what it gives and why (README fidelity notes). */
  known?: { v1?: string; v2?: string; reason: string };
  /** Not in this runtime (e.g. atob in 1.0): only the other one is checked. */
  only?: 'v1' | 'v2';
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
  // ---- 0.8.0 added these (so cloudfront-js-2.0 has them) ---------------------
  { name: 'Array.from', expr: 'typeof Array.from', v1: '"undefined"', v2: '"function"', why: 'njs 0.8.0 added Array.from' },
  { name: 'Array.prototype.toSorted', expr: 'typeof [].toSorted', v1: '"undefined"', v2: '"function"', why: 'njs 0.8.0 added toSorted/toSpliced/toReversed' },
  { name: 'String.prototype.replaceAll', expr: 'typeof "".replaceAll', v1: '"undefined"', v2: '"function"', why: 'njs 0.8.0 added replaceAll' },
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
  // ---- case mapping, strings ----------------------------------------------------
  { name: "'ß'.toUpperCase()", expr: '"straße".toUpperCase()', v1: '"STRAßE"' },
  { name: "'İ'.toLowerCase()", expr: '"İ".toLowerCase().length', v1: '1' },
  { name: 'final sigma', expr: '"ΑΣ".toLowerCase()', v1: '"ασ"' },
  {
    name: "'😀'.length",
    expr: '"😀".length',
    v1: '1',
    known: { v1: '2', v2: '2', reason: 'njs strings are UTF-8 and count code points; V8 counts UTF-16 units (not emulated)' },
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

/**
 * Makes a sandbox realm's built-ins njs-shaped, per runtime. NJS_SURFACE_SOURCE
 * is a function expression compiled INSIDE the context (every function it
 * installs belongs to the sandbox realm; nothing from the host is reachable
 * through it) and called once per context, after the prelude and the
 * runtime's globals are installed, with `{ runtime2, isByteString? }`.
 *
 * Evidence: Debian's njs 0.7.9 (the probes in test/runtime/njs-surface.test.ts
 * run there too) and the njs source history (CHANGES, src/njs_builtin.c,
 * njs_string.c, njs_array.c, njs_typed_array.c, njs_date.c, njs_json.c at the
 * tags 0.7.9, 0.8.0 and 0.8.10). cloudfront-js-1.0 is an njs before 0.8.0
 * (byte strings, `toString(encoding)`); cloudfront-js-2.0 an njs 0.8.x
 * (0.8.0 removed exactly the byte-string API and added Array.from,
 * toSorted/toSpliced/toReversed and String.prototype.replaceAll).
 *
 * Removed (njs has no such thing; code using it throws in CloudFront):
 *   globals Map, Set, WeakMap, WeakSet, Reflect, escape, unescape;
 *   Object.fromEntries, Object.hasOwn, Object.prototype.__defineGetter__ & co,
 *   Object/Number/Array/TypedArray .prototype.toLocaleString, String.raw,
 *   String.prototype at, matchAll, normalize, localeCompare, isWellFormed,
 *   toWellFormed, trimLeft/trimRight, toLocale{Lower,Upper}Case and the HTML
 *   methods (anchor, big, ...), Array.prototype at, flat, flatMap, findLast,
 *   findLastIndex, with (and TypedArray's), Date.prototype getYear/setYear/
 *   toGMTString, Function.prototype.toString (njs: "[object Function]"),
 *   RegExp.$1..$9 / lastMatch & co, Error.captureStackTrace, DataView BigInt
 *   accessors, resizable ArrayBuffer;
 *   1.0 only: Array.from, Array.prototype toReversed/toSorted/toSpliced,
 *   TypedArray toReversed/toSorted, String.prototype.replaceAll.
 *   Kept on purpose: RegExp.prototype's flag getters and Symbol methods
 *   (removing any of them moves every regex operation off V8's fast path;
 *   the flags they report cannot be set, the syntax gate rejects u/s/d/v),
 *   Error.stackTraceLimit (V8 needs it for line numbers).
 * Added or changed (values as njs gives them):
 *   1.0: String.prototype.toString(encoding) encodes ('hex', 'base64',
 *        'base64url'; a byte string's bytes, any other string's UTF-8 bytes;
 *        `toString(undefined)` and other encodings throw TypeError as njs does);
 *   2.0: atob/btoa in the realm with njs's errors (atob accepts unpadded
 *        input, as njs 0.8.4+ does; btoa refuses characters over U+00FF);
 *   both: Date.parse and `new Date(string)` read only what njs reads (ISO
 *        8601, RFC 2822 with a two-digit day, Date.prototype.toString()
 *        output; RFC 850, asctime, "Nov 6, 1994", "2024/01/02" are NaN),
 *        computed in UTC (CloudFront's time zone) whatever the host's is;
 *        URIError "malformed URI" from decodeURI(Component)/encodeURI(Component);
 *        JSON.parse errors "Unexpected token at position N" (N counted in
 *        code points), "Unexpected end of input", "Trailing comma", ...
 * Key order (host side, below): njsHashOrder / njsOrderedEvent give 1.0's
 * event maps of more than 10 entries njs's level-hash order (njs < 0.8.1).
 * Returned to the host (the SandboxApi side, not reachable by functions):
 *   format(v)   njs's console.log text for one value;
 *   njsError(e) rewrites a caught V8 error's message into njs's words, in
 *               place, and marks it as thrown (format then prints its stack
 *               as njs does: "    at handler (fn.js:3)"); the loader's catch
 *               instrumentation (instrument.ts) calls it through the prelude;
 *   removed / kept  what was deleted, and what could not be because the
 *               prelude still reads it at call time (see REMOVE_UNLESS_NEEDED).
 */
import { njsMessage } from './njs-errors.js';

export interface NjsSurfaceHost {
  runtime2: boolean;
  /** 1.0: is this string a byte string (from String.bytesFrom, toUTF8, toBytes, digest)? Default: every char <= U+00FF. */
  isByteString?: (s: string) => boolean;
}

export interface NjsSurface {
  format(v: unknown): string;
  njsError<T>(e: T): T;
  removed: string[];
  kept: string[];
}

export const NJS_SURFACE_SOURCE = String.raw`(function (host) {
'use strict';
var G = globalThis;
var OObject = Object, OString = String, OError = Error, OTypeError = TypeError, OSyntaxError = SyntaxError, OURIError = URIError;
var OReflect = G.Reflect, OWeakSet = G.WeakSet, OJSON = JSON, ODate = Date;
var defineProperty = Object.defineProperty, getProto = Object.getPrototypeOf, ownNames = Object.getOwnPropertyNames;
var hasOwn = Object.prototype.hasOwnProperty, objToString = Object.prototype.toString;
var fromCharCode = String.fromCharCode, isArray = Array.isArray;
var removed = [], kept = [];
function hide(obj, name, value) {
  defineProperty(obj, name, { value: value, writable: true, configurable: true, enumerable: false });
}
function del(obj, label, names) {
  for (var i = 0; i < names.length; i++) {
    if (obj !== undefined && hasOwn.call(obj, names[i]) && delete obj[names[i]]) removed.push(label + names[i]);
  }
}

// ---- remove what njs lacks ------------------------------------------------
var TA = getProto(Uint8Array), TAP = TA.prototype;
var v1 = !host.runtime2;
del(G, '', ['Map', 'Set', 'WeakMap', 'WeakSet', 'escape', 'unescape', 'Proxy', 'BigInt', 'BigInt64Array', 'BigUint64Array',
  'WeakRef', 'FinalizationRegistry', 'SharedArrayBuffer', 'Atomics', 'Intl', 'WebAssembly', 'Iterator', 'AsyncIterator']);
del(Object, 'Object.', ['fromEntries', 'hasOwn', 'groupBy']);
del(Object.prototype, 'Object.prototype.', ['__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__', 'toLocaleString']);
del(String, 'String.', ['raw']);
del(String.prototype, 'String.prototype.', ['anchor', 'at', 'big', 'blink', 'bold', 'fixed', 'fontcolor', 'fontsize', 'isWellFormed',
  'italics', 'link', 'localeCompare', 'matchAll', 'normalize', 'small', 'strike', 'sub', 'sup', 'toLocaleLowerCase',
  'toLocaleUpperCase', 'toWellFormed', 'trimLeft', 'trimRight'].concat(v1 ? ['replaceAll'] : []));
del(Array, 'Array.', ['fromAsync'].concat(v1 ? ['from'] : []));
del(Array.prototype, 'Array.prototype.', ['at', 'findLast', 'findLastIndex', 'flat', 'flatMap', 'toLocaleString', 'with']
  .concat(v1 ? ['toReversed', 'toSorted', 'toSpliced'] : []));
del(TAP, 'TypedArray.prototype.', ['at', 'findLast', 'findLastIndex', 'toLocaleString', 'with'].concat(v1 ? ['toReversed', 'toSorted'] : []));
del(Number.prototype, 'Number.prototype.', ['toLocaleString']);
del(Date.prototype, 'Date.prototype.', ['getYear', 'setYear', 'toGMTString']);
del(Function.prototype, 'Function.prototype.', ['toString']);
del(RegExp, 'RegExp.', ['$1', '$2', '$3', '$4', '$5', '$6', '$7', '$8', '$9', 'input', '$_', 'lastMatch', '$&', 'lastParen', '$+',
  'leftContext', '$' + String.fromCharCode(96), 'rightContext', "$'"]);
del(RegExp.prototype, 'RegExp.prototype.', ['compile']);
del(Error, 'Error.', ['captureStackTrace']);
del(DataView.prototype, 'DataView.prototype.', ['getBigInt64', 'getBigUint64', 'setBigInt64', 'setBigUint64']);
del(ArrayBuffer.prototype, 'ArrayBuffer.prototype.', ['maxByteLength', 'resizable', 'resize', 'transfer', 'transferToFixedLength', 'detached']);
del(Symbol, 'Symbol.', ['asyncDispose', 'dispose']);

// njs's global object has its own Symbol.toStringTag: Object.prototype.toString gives
// "[object global]" and it is the one own symbol of the global (njs 0.7.9 and 0.8.x).
defineProperty(G, Symbol.toStringTag, { value: 'global', writable: false, enumerable: false, configurable: true });
// njs's global object also has \`global\` (itself; the one enumerable global: Object.keys(globalThis)
// is ['global']) and its own toString (Object.prototype.toString's behaviour, another function).
// (It lands on the vm sandbox object: globals.ts Sandbox.ownEnumerable keeps the leak check off it.)
defineProperty(G, 'global', { value: G, writable: true, enumerable: true, configurable: true });
hide(G, 'toString', function toString() { return objToString.call(this); });

// Globals the prelude may still read at call time (e.g. Reflect.construct in
// its frozen Date): removed only when the prelude keeps working without them.
var REMOVE_UNLESS_NEEDED = ['Reflect'];
for (var r = 0; r < REMOVE_UNLESS_NEEDED.length; r++) {
  var name = REMOVE_UNLESS_NEEDED[r], saved = G[name];
  if (saved === undefined) continue;
  delete G[name];
  try { new G.Date(); new G.Date(0); G.Date(); removed.push(name); }
  catch (e) { hide(G, name, saved); kept.push(name); }
}

// ---- byte encodings (in-realm, no host code) -----------------------------
var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
var B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
var HEX = '0123456789abcdef';
// bytes: a string of chars <= 0xFF
function encodeBytes(bytes, enc) {
  var out = '', i, n = bytes.length;
  if (enc === 'hex') {
    for (i = 0; i < n; i++) { var c = bytes.charCodeAt(i); out += HEX[c >> 4] + HEX[c & 15]; }
    return out;
  }
  var tbl = enc === 'base64' ? B64 : B64URL;
  for (i = 0; i + 2 < n; i += 3) {
    var t = (bytes.charCodeAt(i) << 16) | (bytes.charCodeAt(i + 1) << 8) | bytes.charCodeAt(i + 2);
    out += tbl[t >> 18] + tbl[(t >> 12) & 63] + tbl[(t >> 6) & 63] + tbl[t & 63];
  }
  if (n - i === 1) {
    var t1 = bytes.charCodeAt(i) << 16;
    out += tbl[t1 >> 18] + tbl[(t1 >> 12) & 63] + (enc === 'base64' ? '==' : '');
  } else if (n - i === 2) {
    var t2 = (bytes.charCodeAt(i) << 16) | (bytes.charCodeAt(i + 1) << 8);
    out += tbl[t2 >> 18] + tbl[(t2 >> 12) & 63] + tbl[(t2 >> 6) & 63] + (enc === 'base64' ? '=' : '');
  }
  return out;
}
function utf8Bytes(s) {
  var out = '';
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    if (c < 0x80) { out += s[i]; continue; }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      var d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x800) out += fromCharCode(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out += fromCharCode(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out += fromCharCode(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}
function allBytes(s) {
  for (var i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}
var isByteString = typeof host.isByteString === 'function' ? host.isByteString : allBytes;

if (!host.runtime2) {
  // njs < 0.8.0: String.prototype.toString(encoding) encodes the string's bytes.
  var strToString = String.prototype.toString;
  hide(String.prototype, 'toString', function toString(encoding) {
    var s = strToString.call(this);
    if (arguments.length === 0) return s;
    if (typeof encoding !== 'string') throw new OTypeError('encoding must be a string');
    if (encoding !== 'hex' && encoding !== 'base64' && encoding !== 'base64url') throw new OTypeError('Unknown encoding: "' + encoding + '"');
    return encodeBytes(isByteString(s) && allBytes(s) ? s : utf8Bytes(s), encoding);
  });
} else {
  // njs 0.8.x atob/btoa (njs_string.c): whitespace is skipped, padding optional
  // (0.8.4 fixed unpadded input, which earlier releases decoded to ""),
  // anything else outside the alphabet is an error.
  hide(G, 'atob', function atob(data) {
    if (arguments.length === 0) throw new OTypeError('The "data" argument must be specified');
    var s = OString(data), bits = 0, n = 0, out = '', pad = 0, len = 0;
    for (var i = 0; i < s.length; i++) {
      var ch = s[i];
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\f' || ch === '\r') continue;
      if (ch === '=') { pad++; continue; }
      var v = B64.indexOf(ch);
      if (v < 0 || pad > 0) throw new OTypeError('the string to be decoded is not correctly encoded');
      len++;
      bits = (bits << 6) | v; n += 6;
      if (n >= 8) { n -= 8; out += fromCharCode((bits >> n) & 0xff); }
    }
    if (len % 4 === 1 || pad > 2 || (pad > 0 && (len + pad) % 4 !== 0)) throw new OTypeError('the string to be decoded is not correctly encoded');
    return out;
  });
  hide(G, 'btoa', function btoa(data) {
    if (arguments.length === 0) throw new OTypeError('The "data" argument must be specified');
    var s = OString(data);
    if (!allBytes(s)) throw new OTypeError('invalid character (>= U+00FF)');
    return encodeBytes(s, 'base64');
  });
}

// ---- case mapping: njs maps one code point to one (Unicode simple case
// mapping), V8 applies the full mapping ('ß' -> 'SS', 'İ' -> 'i̇', final
// sigma). Strings whose V8 result keeps its length and has no final sigma
// are already right (the fast path).
var up = String.prototype.toUpperCase, low = String.prototype.toLowerCase;
function eachCodePoint(s, f) {
  var out = '';
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i), ch = s[i];
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) { ch = s.slice(i, i + 2); i++; }
    out += f(ch);
  }
  return out;
}
function simpleUpper(ch) { var r = up.call(ch); return r.length === ch.length ? r : ch; }
function simpleLower(ch) {
  var r = low.call(ch);
  if (r.length === ch.length) return r === '\u03c2' ? '\u03c3' : r;
  var c = r.charCodeAt(0);
  return c >= 0xd800 && c <= 0xdbff ? r.slice(0, 2) : r[0];
}
hide(String.prototype, 'toUpperCase', function toUpperCase() {
  if (this === undefined || this === null) throw new OTypeError('String.prototype.toUpperCase called on null or undefined');
  var s = OString(this), r = up.call(s);
  return r.length === s.length ? r : eachCodePoint(s, simpleUpper);
});
hide(String.prototype, 'toLowerCase', function toLowerCase() {
  if (this === undefined || this === null) throw new OTypeError('String.prototype.toLowerCase called on null or undefined');
  var s = OString(this), r = low.call(s);
  return r.length === s.length && r.indexOf('\u03c2') < 0 ? r : eachCodePoint(s, simpleLower);
});

if (!host.runtime2 && typeof String.bytesFrom === 'function') {
  // njs 0.7.9: the encoding of a string argument is required.
  var bytesFrom = String.bytesFrom;
  hide(String, 'bytesFrom', function bytesFrom2(data, encoding) {
    if (typeof data === 'string' && typeof encoding !== 'string') throw new OTypeError('"encoding" must be a string');
    return arguments.length < 2 ? bytesFrom(data) : bytesFrom(data, encoding);
  });
  defineProperty(String.bytesFrom, 'name', { value: 'bytesFrom' });
}

// ---- Date.parse as njs reads dates (njs_date.c) ----------------------------
var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function num(s, p, size) {
  if (p + size > s.length) return -1;
  var n = 0;
  for (var i = 0; i < size; i++) { var c = s.charCodeAt(p + i) - 48; if (c < 0 || c > 9) return -1; n = n * 10 + c; }
  return n;
}
function makeDate(y, mo, d, h, mi, sec, ms) {
  var t = ODate.UTC(2000, mo, d, h, mi, sec, ms);
  var dt = new ODate(t);
  dt.setUTCFullYear(y + (dt.getUTCFullYear() - 2000), dt.getUTCMonth(), dt.getUTCDate());
  return dt.getTime();
}
function skipSpaces(s, p) {
  if (p < s.length && s[p] === ' ') { p++; while (p < s.length && s[p] === ' ') p++; return p; }
  return -1;
}
function monthAt(s, p) { return p + 2 < s.length ? MONTHS.indexOf(s.substr(p, 3)) : -1; }
// [hh, mm, ss?] into tm, returns the new position or -1
function timeAt(s, p, tm) {
  var h = num(s, p, 2); if (h < 0) return -1;
  p += 2; if (p >= s.length || s[p] !== ':') return -1;
  var mi = num(s, p + 1, 2); if (mi < 0) return -1;
  tm[3] = h; tm[4] = mi; p += 3;
  if (p === s.length) return p;
  if (s[p] !== ':') return -1;
  var sec = num(s, p + 1, 2); if (sec < 0) return -1;
  tm[5] = sec;
  return p + 3;
}
// After the year of the RFC 2822 and toString() forms: an optional " HH:MM[:SS]"
// then an optional " <zone>". Returns where the zone starts, the end of the
// string when there is none, -1 when malformed.
function zoneAt(s, p, tm) {
  var end = s.length;
  if (p >= end) return end;
  p = skipSpaces(s, p); if (p < 0 || p >= end) return p < 0 ? -1 : end;
  p = timeAt(s, p, tm); if (p < 0 || p >= end) return p < 0 ? -1 : end;
  p = skipSpaces(s, p); if (p < 0) return -1;
  return p;
}
function gmtoff(s, p) {
  if (p + 4 < s.length && (s[p] === '+' || s[p] === '-')) {
    var h = num(s, p + 1, 2), m = num(s, p + 3, 2);
    if (h < 0 || m < 0) return null;
    return (s[p] === '-' ? -1 : 1) * (h * 60 + m);
  }
  return null;
}
function njsDateParse(str) {
  var s = OString(str), end = s.length, p = 0;
  if (end === 0) return NaN;
  var sign = s[0] === '+' || s[0] === '-';
  if (sign) p++;
  var tm = [0, 0, 1, 0, 0, 0, 0];
  var y = num(s, p, 4);
  if (y >= 0) {
    // ISO 8601 (date-only forms are UTC; a time without Z is local time, UTC at CloudFront)
    p += 4;
    if (p < end && s[p] !== '-') {
      var ext = num(s, p, 2); if (ext < 0) return NaN;
      y = y * 100 + ext; p += 2;
      if (s[0] === '-') { if (y === 0) return NaN; y = -y; }
    }
    tm[0] = y;
    if (p === end) return makeDate(tm[0], 0, 1, 0, 0, 0, 0);
    if (s[p] !== '-') return NaN;
    var mo = num(s, p + 1, 2); if (mo < 0) return NaN;
    tm[1] = mo - 1; p += 3;
    if (p === end) return makeDate(tm[0], tm[1], 1, 0, 0, 0, 0);
    if (s[p] !== '-') return NaN;
    var d = num(s, p + 1, 2); if (d < 0) return NaN;
    tm[2] = d; p += 3;
    if (p === end) return makeDate(tm[0], tm[1], tm[2], 0, 0, 0, 0);
    if (s[p] !== 'T') return NaN;
    var e = end, off = 0;
    if (s[e - 1] === 'Z') e--;
    var sub = s.slice(0, e);
    p = timeAt(sub, p + 1, tm); if (p < 0) return NaN;
    if (p < e) {
      if (sub[p] !== '.') return NaN;
      p++;
      var ml = 0;
      while (p + ml < e && sub.charCodeAt(p + ml) >= 48 && sub.charCodeAt(p + ml) <= 57) ml++;
      if (ml === 0) return NaN;
      var msv = num(sub, p, ml < 3 ? ml : 3);
      tm[6] = ml === 1 ? msv * 100 : ml === 2 ? msv * 10 : msv;
      p += ml;
      if (p < e) {
        if (!host.runtime2 || e !== end) return NaN;
        // njs 0.8.0+: a UTC offset after the fraction ("+01:00", "+0100")
        if (!(p + 2 < e && (sub[p] === '+' || sub[p] === '-'))) return NaN;
        var oh = num(sub, p + 1, 2), q = p + 3;
        if (oh < 0 || oh > 23) return NaN;
        if (q < e && sub[q] === ':') q++;
        var om = num(sub, q, 2);
        if (om < 0 || om > 59 || q + 2 !== e) return NaN;
        off = (sub[p] === '-' ? -1 : 1) * (oh * 60 + om);
      }
    }
    return makeDate(tm[0], tm[1], tm[2], tm[3], tm[4], tm[5], tm[6]) - off * 60000;
  }
  if (sign) return NaN;
  var week = true;
  for (;;) {
    var day = num(s, p, 2);
    if (day >= 0) {
      // RFC 2822: "Mon, 28 Sep 1970 06:00:00 GMT" (two-digit day)
      tm[2] = day;
      p = skipSpaces(s, p + 2); if (p < 0) return NaN;
      tm[1] = monthAt(s, p); if (tm[1] < 0) return NaN;
      p = skipSpaces(s, p + 3); if (p < 0) return NaN;
      tm[0] = num(s, p, 4); if (tm[0] < 0) return NaN;
      var z = zoneAt(s, p + 4, tm), off2 = 0;
      if (z < 0) return NaN;
      if (z < end) {
        if (z + 2 >= end) return NaN;
        var zone = s.substr(z, 3);
        if (zone !== 'GMT' && zone !== 'UTC') { off2 = gmtoff(s, z); if (off2 === null) return NaN; }
      }
      return makeDate(tm[0], tm[1], tm[2], tm[3], tm[4], tm[5], 0) - off2 * 60000;
    }
    var mon = monthAt(s, p);
    if (mon >= 0) {
      // Date.prototype.toString(): "Mon Sep 28 1970 12:00:00 GMT+0600"
      tm[1] = mon;
      p = skipSpaces(s, p + 3); if (p < 0) return NaN;
      tm[2] = num(s, p, 2); if (tm[2] < 0) return NaN;
      p = skipSpaces(s, p + 2); if (p < 0) return NaN;
      tm[0] = num(s, p, 4); if (tm[0] < 0) return NaN;
      var z3 = zoneAt(s, p + 4, tm);
      if (z3 < 0) return NaN;
      if (z3 < end) {
        if (!(z3 + 2 < end && s.substr(z3, 3) === 'GMT')) return NaN;
        var off3 = gmtoff(s, z3 + 3); if (off3 === null) return NaN;
        return makeDate(tm[0], tm[1], tm[2], tm[3], tm[4], tm[5], 0) - off3 * 60000;
      }
      return makeDate(tm[0], tm[1], tm[2], tm[3], tm[4], tm[5], 0);
    }
    if (!week) return NaN;
    var sp = s.indexOf(' ', p); if (sp < 0) return NaN;
    p = skipSpaces(s, sp); if (p < 0) return NaN;
    week = false;
  }
}
// new Date(string) parses like Date.parse; every other form goes to the
// prelude's Date (frozen clock) unchanged.
var PDate = G.Date, construct = OReflect.construct;
// njs prints a date without the zone's name: "Tue Nov 14 2023 22:13:20 GMT+0000"
// (V8 adds " (Coordinated Universal Time)"), in toString, toTimeString and Date().
var dateToString = PDate.prototype.toString, dateToTimeString = PDate.prototype.toTimeString;
function noZoneName(s) {
  var i = s.indexOf(' (');
  return i < 0 ? s : s.slice(0, i);
}
hide(PDate.prototype, 'toString', function toString() { return noZoneName(dateToString.call(this)); });
hide(PDate.prototype, 'toTimeString', function toTimeString() { return noZoneName(dateToTimeString.call(this)); });
var NjsDate = function Date(a) {
  if (new.target === undefined) return noZoneName(PDate.apply(undefined, arguments));
  if (arguments.length === 1 && typeof a === 'string') return construct(PDate, [njsDateParse(a)], new.target);
  return construct(PDate, arguments, new.target);
};
defineProperty(NjsDate, 'prototype', { value: PDate.prototype, writable: false, enumerable: false, configurable: false });
hide(PDate.prototype, 'constructor', NjsDate);
hide(NjsDate, 'now', PDate.now);
hide(NjsDate, 'UTC', PDate.UTC);
hide(NjsDate, 'parse', function parse(s) { return arguments.length === 0 ? NaN : njsDateParse(s); });
hide(G, 'Date', NjsDate);

// ---- URIError text ---------------------------------------------------------
function uriWrap(fn) {
  return function (s) {
    try { return fn(s); } catch (e) { throw new OURIError('malformed URI'); }
  };
}
var uriNames = ['decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent'];
for (var u = 0; u < uriNames.length; u++) {
  var w = uriWrap(G[uriNames[u]]);
  defineProperty(w, 'name', { value: uriNames[u] });
  hide(G, uriNames[u], w);
}

// ---- JSON.parse errors as njs words them (njs_json.c) ---------------------
var jsonParse = OJSON.parse;
function JsonError(msg, pos) { this.msg = msg; this.pos = pos; }
function njsJsonParse(text) {
  var s = text, end = s.length, depth = 32;
  function fail(msg, p) { throw new JsonError(msg, p); }
  function ws(p) { while (p < end) { var c = s[p]; if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') break; p++; } return p; }
  function value(p) {
    var c = s[p];
    if (c === '{' || c === '[') {
      if (--depth === 0) fail('Nested too deep', p);
      var close = c === '{' ? '}' : ']', first = true;
      for (;;) {
        p = ws(p + 1);
        if (p === end) fail('Unexpected end of input', p);
        if (s[p] === close) { if (!first) fail('Trailing comma', p - 1); break; }
        if (c === '{') {
          if (s[p] !== '"') fail('Unexpected token', p);
          p = string(p);
          p = ws(p);
          if (p === end || s[p] !== ':') fail('Unexpected token', p);
          p = ws(p + 1);
          if (p === end) fail('Unexpected end of input', p);
        }
        p = value(p);
        first = false;
        p = ws(p);
        if (p === end) fail('Unexpected end of input', p);
        if (s[p] === close) break;
        if (s[p] !== ',') fail('Unexpected token', p);
      }
      depth++;
      return p + 1;
    }
    if (c === '"') return string(p);
    if (s.substr(p, 4) === 'true' || s.substr(p, 4) === 'null') return p + 4;
    if (s.substr(p, 5) === 'false') return p + 5;
    if (c === '-' || (c >= '0' && c <= '9')) {
      if (c === '-') { p++; if (p === end) fail('Unexpected number', p); }
      var st = p;
      while (p < end && s[p] >= '0' && s[p] <= '9') p++;
      if (p < end && s[p] === '.') { p++; while (p < end && s[p] >= '0' && s[p] <= '9') p++; }
      if (p > st && p < end && (s[p] === 'e' || s[p] === 'E')) {
        var q = p + 1;
        if (q < end && (s[q] === '+' || s[q] === '-')) q++;
        if (q < end && s[q] >= '0' && s[q] <= '9') { while (q < end && s[q] >= '0' && s[q] <= '9') q++; p = q; }
      }
      if (p === st) fail('Unexpected number', p);
      return p;
    }
    fail('Unexpected token', p);
  }
  function string(p) {
    for (p = p + 1; p < end; p++) {
      var ch = s[p];
      if (ch === '"') return p + 1;
      if (ch === '\\') {
        p++;
        if (p >= end) break;
        var e = s[p];
        if (e === 'u') {
          for (var k = 1; k <= 4; k++) {
            if (p + k >= end) { p = end; break; }
            if (!/[0-9A-Fa-f]/.test(s[p + k])) fail('Invalid Unicode escape sequence', p + k);
          }
          p += 4;
        } else if ('"\\/nrtbf'.indexOf(e) < 0) fail('Unknown escape char', p);
        continue;
      }
      if (ch < ' ') fail('Forbidden source char', p);
    }
    fail('Unexpected end of input', end);
  }
  var p = ws(0);
  if (p === end) fail('Unexpected end of input', p);
  p = ws(value(p));
  if (p !== end) fail('Unexpected token', p);
}
function codePoints(s, n) {
  var count = 0;
  for (var i = 0; i < n; i++) {
    var c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) i++;
    count++;
  }
  return count;
}
hide(OJSON, 'parse', function parse(text, reviver) {
  try {
    return jsonParse(text, reviver);
  } catch (e) {
    if (!(e instanceof OSyntaxError)) throw e;
    var s = OString(text);
    try { njsJsonParse(s); } catch (j) {
      if (j instanceof JsonError) throw new OSyntaxError(j.msg + ' at position ' + codePoints(s, j.pos));
      throw j;
    }
    throw e;
  }
});

// ---- messages of caught errors -------------------------------------------
var njsMessage = ${njsMessage.toString()};
var thrown = new OWeakSet();
var ERROR_PROTOS = [Error.prototype, TypeError.prototype, RangeError.prototype, ReferenceError.prototype, SyntaxError.prototype, URIError.prototype, EvalError.prototype];
function isErrorObject(v) {
  return v !== null && typeof v === 'object' && objToString.call(v) === '[object Error]';
}
function njsError(e) {
  if (!isErrorObject(e)) return e;
  thrown.add(e);
  var d = OObject.getOwnPropertyDescriptor(e, 'message');
  if (d !== undefined && typeof d.value === 'string' && ERROR_PROTOS.indexOf(getProto(e)) >= 0) {
    var m = njsMessage(d.value);
    if (m !== d.value) { e.message = m; }
  }
  return e;
}

// ---- console.log formatting (njs_vm_value_dump, 0.7.9 / 0.8.x) -----------
var IDENT = /^[A-Za-z_$][\w$]*$/;
function quote(s) {
  var out = "'";
  for (var i = 0; i < s.length; i++) {
    var ch = s[i], c = s.charCodeAt(i);
    if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\\') out += '\\\\';
    else if (c < 0x20 || c === 0x7f) out += '\\u' + ('000' + c.toString(16)).slice(-4);
    else out += ch;
  }
  return out + "'";
}
function numText(n) { return n === 0 && 1 / n < 0 ? '-0' : OString(n); }
function fnName(f) {
  var d = OObject.getOwnPropertyDescriptor(f, 'name');
  return d !== undefined && typeof d.value === 'string' && d.value !== '' ? d.value : '';
}
function errorText(e, top) {
  var name, msg;
  try { name = OString(e.name); } catch (x) { name = 'Error'; }
  try { msg = e.message === undefined ? '' : OString(e.message); } catch (x) { msg = ''; }
  var head = msg === '' ? name : name + ': ' + msg;
  if (!thrown.has(e)) return head;
  var st = OObject.getOwnPropertyDescriptor(e, 'stack');
  var stack = st !== undefined && typeof st.value === 'string' ? st.value : '';
  var lines = stack.split('\n'), frames = '', file = null;
  for (var i = 1; i < lines.length; i++) {
    var m = /^\s+at (?:(.*?) \()?(.*?):(\d+):\d+\)?$/.exec(lines[i]);
    if (m === null || m[2].indexOf('cfreplay:') === 0 || m[2].indexOf('node:') === 0) continue;
    // Frames of the function's own file only (the first frame's): not the host's.
    if (file === null) file = m[2];
    else if (m[2] !== file) continue;
    var fn = m[1] === undefined || m[1] === '' ? 'anonymous' : m[1].replace(/^(?:Object|async|new)\.?\s?/, '');
    frames += '\n    at ' + (fn === '' ? 'anonymous' : fn) + ' (' + m[2] + ':' + m[3] + ')';
  }
  return head + frames + (frames !== '' && top ? '\n' : '');
}
function dump(v, seen, top) {
  switch (typeof v) {
    case 'string': return top ? v : quote(v);
    case 'number': return numText(v);
    case 'undefined': return 'undefined';
    case 'boolean': return v ? 'true' : 'false';
    case 'symbol': return v.toString();
    case 'bigint': return OString(v);
    case 'function': { var n = fnName(v); return n === '' ? '[Function]' : '[Function: ' + n + ']'; }
  }
  if (v === null) return 'null';
  if (seen.indexOf(v) >= 0) return '[Circular]';
  var tag = objToString.call(v);
  if (tag === '[object Error]') return errorText(v, top);
  if (tag === '[object Date]') { var t = v.getTime(); return t === t ? v.toISOString() : 'Invalid Date'; }
  if (tag === '[object RegExp]') return OString(v);
  if (tag === '[object Boolean]') return '[Boolean: ' + v.valueOf() + ']';
  if (tag === '[object Number]') return '[Number: ' + numText(v.valueOf()) + ']';
  if (tag === '[object String]') return '[String: ' + quote(v.valueOf()) + ']';
  seen.push(v);
  var out, i, keys, k, arr = isArray(v), ta = ArrayBuffer.isView(v) && !(v instanceof DataView);
  if (arr || ta) {
    var parts = [], holes = 0, len = v.length;
    for (i = 0; i < len; i++) {
      if (!arr || hasOwn.call(v, i)) {
        if (holes > 0) { parts.push(holes === 1 ? '<empty>' : '<' + holes + ' empty items>'); holes = 0; }
        parts.push(dump(v[i], seen, false));
      } else holes++;
    }
    if (holes > 0) parts.push(holes === 1 ? '<empty>' : '<' + holes + ' empty items>');
    if (arr) {
      keys = OObject.keys(v);
      for (i = 0; i < keys.length; i++) {
        k = keys[i];
        if (OString(k >>> 0) === k && (k >>> 0) < len) continue;
        parts.push(k + ':' + dump(v[k], seen, false));
      }
    }
    out = (ta ? (fnName(v.constructor) || 'TypedArray') + ' ' : '') + '[' + parts.join(',') + ']';
  } else {
    var props = [];
    keys = OObject.keys(v);
    for (i = 0; i < keys.length; i++) {
      k = keys[i];
      var d = OObject.getOwnPropertyDescriptor(v, k);
      var val = d === undefined ? undefined : 'value' in d ? dump(d.value, seen, false) : d.get !== undefined ? "'[Getter]'" : "'[Setter]'";
      props.push(k + ':' + val);
    }
    var syms = OObject.getOwnPropertySymbols(v);
    for (i = 0; i < syms.length; i++) {
      if (OObject.prototype.propertyIsEnumerable.call(v, syms[i])) props.push(syms[i].toString() + ':' + dump(v[syms[i]], seen, false));
    }
    var prefix = '';
    if (v === Math) prefix = 'Math ';
    else if (v === OJSON) prefix = 'JSON ';
    else if (tag === '[object Promise]') prefix = 'Promise ';
    else if (tag === '[object ArrayBuffer]') prefix = 'ArrayBuffer ';
    out = prefix + '{' + props.join(',') + '}';
  }
  seen.pop();
  return out;
}
function format(v) {
  try { return dump(v, [], true); } catch (e) { return '[object]'; }
}

return { format: format, njsError: njsError, removed: removed, kept: kept };
})`;

/**
 * The order in which njs before 0.8.1 (cloudfront-js-1.0) enumerates the own
 * string keys of an object built by inserting `keys` in this order: its level
 * hash (src/njs_lvlhsh.c at 0.7.9, 64-bit: buckets of 10 entries, levels of
 * 16 slots indexed by successive 4-bit slices of the djb hash of the key's
 * UTF-8 bytes, walked depth first). Up to 10 keys keep their insertion order.
 * Self-contained (no imports, no outer names) like njsMessage.
 */
export function njsHashOrder(keys: readonly string[]): string[] {
  if (keys.length <= 10) return keys.slice();
  const BUCKET = 10;
  const SHIFT = 4;
  const LEVELS = 7;
  interface Entry { hash: number; key: string }
  interface Bucket { kind: 'b'; entries: Entry[]; next: Bucket | null }
  interface Level { kind: 'l'; slots: (Bucket | Level | null)[] }
  type Node = Bucket | Level;
  const djb = (s: string): number => {
    let h = 5381;
    const add = (b: number): void => {
      h = (((h << 5) + h) ^ b) >>> 0;
    };
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        }
      }
      if (c < 0x80) add(c);
      else if (c < 0x800) { add(0xc0 | (c >> 6)); add(0x80 | (c & 63)); }
      else if (c < 0x10000) { add(0xe0 | (c >> 12)); add(0x80 | ((c >> 6) & 63)); add(0x80 | (c & 63)); }
      else { add(0xf0 | (c >> 18)); add(0x80 | ((c >> 12) & 63)); add(0x80 | ((c >> 6) & 63)); add(0x80 | (c & 63)); }
    }
    return h;
  };
  const newBucket = (e: Entry): Bucket => ({ kind: 'b', entries: [e], next: null });
  const newLevel = (): Level => ({ kind: 'l', slots: new Array<Bucket | Level | null>(1 << SHIFT).fill(null) });
  // Returns the node that replaces `node` (a bucket may become a level).
  const levelInsert = (lvl: Level, e: Entry, key: number, nlvl: number): void => {
    const i = key & ((1 << SHIFT) - 1);
    const slot = lvl.slots[i]!;
    if (slot === null) lvl.slots[i] = newBucket(e);
    else if (slot.kind === 'b') lvl.slots[i] = bucketInsert(slot, e, key >>> SHIFT, nlvl);
    else levelInsert(slot, e, key >>> SHIFT, nlvl + 1);
  };
  const toLevel = (bucket: Bucket, nlvl: number): Level => {
    const lvl = newLevel();
    const shift = SHIFT * nlvl;
    for (const e of bucket.entries) convertInsert(lvl, e, e.hash >>> shift, nlvl);
    return lvl;
  };
  const convertInsert = (lvl: Level, e: Entry, key: number, nlvl: number): void => {
    const i = key & ((1 << SHIFT) - 1);
    const slot = lvl.slots[i]!;
    if (slot === null) lvl.slots[i] = newBucket(e);
    else if (slot.kind === 'b') lvl.slots[i] = bucketInsert(slot, e, key >>> SHIFT, nlvl);
    else levelInsert(slot, e, key >>> SHIFT, nlvl + 1);
  };
  const bucketInsert = (head: Bucket, e: Entry, key: number, nlvl: number): Node => {
    let b: Bucket | null = head;
    let last = head;
    while (b !== null) {
      if (b.entries.length < BUCKET) {
        b.entries.push(e);
        return head;
      }
      last = b;
      b = b.next;
    }
    if (nlvl + 1 < LEVELS) {
      const lvl = toLevel(head, nlvl + 1);
      levelInsert(lvl, e, key, nlvl + 1);
      return lvl;
    }
    last.next = newBucket(e);
    return head;
  };
  let root: Node | null = null;
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) continue;
    seen.add(key);
    const e: Entry = { hash: djb(key), key };
    if (root === null) root = newBucket(e);
    else if (root.kind === 'b') root = bucketInsert(root, e, e.hash, -1);
    else levelInsert(root, e, e.hash, 0);
  }
  const out: string[] = [];
  const walk = (n: Node | null): void => {
    if (n === null) return;
    if (n.kind === 'b') {
      for (let b: Bucket | null = n; b !== null; b = b.next) for (const e of b.entries) out.push(e.key);
    } else for (const s of n.slots) walk(s);
  };
  walk(root);
  return out;
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** More than 10 own keys (counted with an early exit: this runs on every 1.0 call). */
function over10(m: unknown): m is Rec {
  if (!isRec(m)) return false;
  let n = 0;
  for (const _k in m) if (++n > 10) return true;
  return false;
}

function reordered(m: Rec): Rec {
  const out: Rec = {};
  for (const k of njsHashOrder(Object.keys(m))) out[k] = m[k];
  return out;
}

/**
 * cloudfront-js-1.0: the event with each querystring / headers / cookies map
 * of more than 10 entries rebuilt in the order njs < 0.8.1 enumerates it, so
 * `for...in` and Object.keys over the event's maps see CloudFront's order.
 * Returns the event itself when no map is that large (the usual case).
 * Only the event's own maps: objects a function builds keep V8's order.
 */
export function njsOrderedEvent(event: unknown): unknown {
  if (!isRec(event)) return event;
  // Runs on every 1.0 call: no array literals to loop over, no copy unless a map is that large.
  const req = orderedPart(event.request);
  const res = orderedPart(event.response);
  if (req === undefined && res === undefined) return event;
  const out: Rec = { ...event };
  if (req !== undefined) out.request = req;
  if (res !== undefined) out.response = res;
  return out;
}

/** A request or response with its large maps reordered, or undefined when none is over 10 entries. */
function orderedPart(p: unknown): Rec | undefined {
  if (!isRec(p)) return undefined;
  const q = p.querystring;
  const h = p.headers;
  const c = p.cookies;
  const bigQ = over10(q);
  const bigH = over10(h);
  const bigC = over10(c);
  if (!bigQ && !bigH && !bigC) return undefined;
  const copy: Rec = { ...p };
  if (bigQ) copy.querystring = reordered(q);
  if (bigH) copy.headers = reordered(h);
  if (bigC) copy.cookies = reordered(c);
  return copy;
}

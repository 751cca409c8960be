/**
 * The built-in modules and globals a function sees, written as JavaScript
 * that is compiled INSIDE the sandbox context, so every function and object
 * they hand out belongs to the function's own realm (no host `Function`
 * constructor is ever one `.constructor` away).
 *
 * What cannot be done in the realm goes through host bridges (see
 * HostBridges): hashing (node:crypto), KeyValueStore lookups and the origin
 * parameter checks. Bridges take and return primitives only (strings,
 * numbers, booleans, undefined), never throw, and are held in closures here,
 * never stored where function code can reach them.
 *
 * Contents: UTF-8 / base64 / hex codecs over byte strings, TextEncoder and
 * TextDecoder, atob and btoa, the 1.0 byte-string helpers, the `crypto`,
 * `buffer` and `cloudfront` modules, and `require`. Buffer itself is the
 * `buffer` package (feross/buffer) compiled in the realm (see globals.ts).
 */

/** Host functions the in-realm libraries call; primitives in, primitives out, never throwing. */
export interface HostBridges {
  /** A new hash (key === undefined) or HMAC (key: the key's bytes, see hashUpdate); returns its handle. */
  hashNew(alg: string, key: string | undefined, keyUtf8: boolean): number;
  /** Feed data to a hash: a string whose UTF-8 bytes are hashed (utf8) or a byte string (characters 0-255). */
  hashUpdate(id: number, data: string, utf8: boolean): void;
  /** Finish a hash: 'hex' | 'base64' | 'base64url', or 'latin1' for the raw bytes as a byte string. */
  hashDigest(id: number, encoding: string): string;
  /** Whether a KeyValueStore snapshot is associated with the function. */
  kvsPresent: boolean;
  kvsGet(key: string): string | undefined;
  /** kvs.meta() as JSON. */
  kvsMetaJson: string;
  /**
   * Check and record an origin helper call (params as JSON, 'undefined' when
   * absent); returns '' when recorded, else the TypeError/Error message
   * (prefixed 'E:' for an Error, 'T:' for a TypeError).
   */
  origin(op: string, id: string | undefined, paramsJson: string): string;
  /** cf.edgeLocation for viewer-request, as JSON. */
  edgeJson: string;
  logLimit: number;
  customDataLimit: number;
  kvsMaxKeyBytes: number;
  runtime2: boolean;
}

export const REALM_LIBS_SOURCE = String.raw`(function (core, host, BufferCtor) {
'use strict';
var st = core.state;
var OObject = Object, OString = String, OError = Error, OTypeError = TypeError, ORangeError = RangeError;
var OJSON = JSON, jsonParse = JSON.parse, jsonStringify = JSON.stringify;
var fromCharCode = String.fromCharCode, OUint8Array = Uint8Array, OArrayBuffer = ArrayBuffer;
var isView = ArrayBuffer.isView, freeze = Object.freeze, defineProperty = Object.defineProperty;
var encURI = encodeURIComponent, decURI = decodeURIComponent, uEscape = escape, uUnescape = unescape;
var hasOwn = Object.prototype.hasOwnProperty;
var hide = core.hide;
var P = Promise;
var pResolve = function (v) { return P.resolve(v); }, pReject = function (e) { return P.reject(e); };

// Host bridges, called through wrappers that turn anything the host throws
// (a stack overflow at the boundary, say) into an error of this realm.
function hostError(e) {
  var msg = 'internal error', range = false;
  try { if (e !== null && typeof e === 'object') { if (typeof e.message === 'string') msg = e.message; range = e.name === 'RangeError'; } } catch (x) { /* keep the defaults */ }
  return range ? new ORangeError(msg) : new OError(msg);
}
function safeHost(fn) {
  return function (a, b, c) { try { return fn(a, b, c); } catch (e) { throw hostError(e); } };
}
var hashNew = safeHost(host.hashNew), hashUpdate = safeHost(host.hashUpdate), hashDigest = safeHost(host.hashDigest);
var kvsGet = safeHost(host.kvsGet), originCheck = safeHost(host.origin);

// ---- byte strings ------------------------------------------------------
// A byte string is a string of characters 0-255 (njs's byte strings).
function isByteString(s) {
  for (var i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}
// UTF-8 of a string (lone surrogates become U+FFFD, as TextEncoder does).
function utf8Bytes(s) {
  try { return uUnescape(encURI(s)); } catch (e) { /* lone surrogate */ }
  var out = '';
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      var d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) { out += uUnescape(encURI(s[i] + s[i + 1])); i++; continue; }
    }
    out += (c >= 0xd800 && c <= 0xdfff) ? '\xef\xbf\xbd' : uUnescape(encURI(s[i]));
  }
  return out;
}
var utf8Length = core.utf8Length;
// Decode UTF-8 bytes; invalid sequences become U+FFFD (fatal: return null instead).
function utf8Decode(b, fatal) {
  try { return decURI(uEscape(b)); } catch (e) { /* invalid: decode by hand */ }
  var out = '', i = 0;
  while (i < b.length) {
    var c = b.charCodeAt(i), need = 0, cp = 0, min = 0;
    if (c < 0x80) { out += b[i]; i++; continue; }
    if (c >= 0xc2 && c <= 0xdf) { need = 1; cp = c & 0x1f; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { need = 2; cp = c & 0x0f; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; cp = c & 0x07; min = 0x10000; }
    else { if (fatal) return null; out += '\ufffd'; i++; continue; }
    var j = 1;
    for (; j <= need && i + j < b.length; j++) {
      var cc = b.charCodeAt(i + j);
      if ((cc & 0xc0) !== 0x80) break;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (j <= need || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      if (fatal) return null;
      out += '\ufffd'; i += j; continue;
    }
    out += cp >= 0x10000 ? fromCharCode(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff)) : fromCharCode(cp);
    i += need + 1;
  }
  return out;
}
var truncateUtf8 = core.truncateUtf8;
function bytesToByteString(u8) {
  var out = '';
  for (var i = 0; i < u8.length; i += 8192) out += fromCharCode.apply(null, u8.subarray(i, i + 8192));
  return out;
}
function byteStringToBytes(s) {
  var a = new Uint8Array(s.length);
  for (var i = 0; i < s.length; i++) a[i] = s.charCodeAt(i) & 0xff;
  return a;
}
var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
var B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
var B64REV = {};
for (var bi = 0; bi < 64; bi++) { B64REV[B64[bi]] = bi; B64REV[B64URL[bi]] = bi; }
function base64Encode(b, url) {
  var T = url ? B64URL : B64, out = '', i = 0;
  for (; i + 2 < b.length; i += 3) {
    var n = (b.charCodeAt(i) << 16) | (b.charCodeAt(i + 1) << 8) | b.charCodeAt(i + 2);
    out += T[n >> 18] + T[(n >> 12) & 63] + T[(n >> 6) & 63] + T[n & 63];
  }
  var r = b.length - i;
  if (r === 1) { var n1 = b.charCodeAt(i) << 16; out += T[n1 >> 18] + T[(n1 >> 12) & 63] + (url ? '' : '=='); }
  else if (r === 2) { var n2 = (b.charCodeAt(i) << 16) | (b.charCodeAt(i + 1) << 8); out += T[n2 >> 18] + T[(n2 >> 12) & 63] + T[(n2 >> 6) & 63] + (url ? '' : '='); }
  return out;
}
// Lenient decoding (both alphabets, other characters skipped, stops at '='), like Node's and njs's decoders.
function base64Decode(s) {
  var out = '', acc = 0, bits = 0;
  for (var i = 0; i < s.length; i++) {
    var ch = s[i];
    if (ch === '=') break;
    var v = B64REV[ch];
    if (v === undefined) continue;
    acc = (acc << 6) | v; bits += 6;
    if (bits >= 8) { bits -= 8; out += fromCharCode((acc >> bits) & 0xff); }
  }
  return out;
}
function hexDecode(s) {
  var out = '';
  for (var i = 0; i + 1 < s.length; i += 2) {
    var v = parseInt(s.substr(i, 2), 16);
    if (v !== v || !/^[0-9a-fA-F]{2}$/.test(s.substr(i, 2))) break;
    out += fromCharCode(v);
  }
  return out;
}
function hexEncode(b) {
  var out = '';
  for (var i = 0; i < b.length; i++) { var c = b.charCodeAt(i); out += (c < 16 ? '0' : '') + c.toString(16); }
  return out;
}

// ---- TextEncoder / TextDecoder / atob / btoa (2.0) -----------------------
function TextEncoder() {
  if (new.target === undefined) throw new OTypeError("Constructor TextEncoder requires 'new'");
}
hide(TextEncoder.prototype, 'encode', function encode(input) {
  return byteStringToBytes(utf8Bytes(input === undefined ? '' : OString(input)));
});
hide(TextEncoder.prototype, 'encodeInto', function encodeInto(input, dest) {
  var s = OString(input), read = 0, written = 0;
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i), step = (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) ? 2 : 1;
    var b = utf8Bytes(s.substr(i, step));
    if (written + b.length > dest.length) break;
    for (var j = 0; j < b.length; j++) dest[written + j] = b.charCodeAt(j);
    written += b.length; read += step; i += step - 1;
  }
  var r = {}; r.read = read; r.written = written; return r;
});
defineProperty(TextEncoder.prototype, 'encoding', { get: function () { return 'utf-8'; }, enumerable: false, configurable: true });
function TextDecoder(label, options) {
  if (new.target === undefined) throw new OTypeError("Constructor TextDecoder requires 'new'");
  var l = label === undefined ? 'utf-8' : OString(label).trim().toLowerCase();
  if (l !== 'utf-8' && l !== 'utf8' && l !== 'unicode-1-1-utf-8') throw new ORangeError('The "' + OString(label) + '" encoding is not supported');
  var fatal = options !== null && typeof options === 'object' && !!options.fatal;
  var ignoreBOM = options !== null && typeof options === 'object' && !!options.ignoreBOM;
  defineProperty(this, 'fatal', { value: fatal, enumerable: false });
  defineProperty(this, 'ignoreBOM', { value: ignoreBOM, enumerable: false });
}
defineProperty(TextDecoder.prototype, 'encoding', { get: function () { return 'utf-8'; }, enumerable: false, configurable: true });
hide(TextDecoder.prototype, 'decode', function decode(input) {
  var b = '';
  if (input === undefined) b = '';
  else if (isView(input)) b = bytesToByteString(new OUint8Array(input.buffer, input.byteOffset, input.byteLength));
  else if (input instanceof OArrayBuffer) b = bytesToByteString(new OUint8Array(input));
  else throw new OTypeError('The "input" argument must be an instance of ArrayBuffer or ArrayBufferView');
  if (!this.ignoreBOM && b.charCodeAt(0) === 0xef && b.charCodeAt(1) === 0xbb && b.charCodeAt(2) === 0xbf) b = b.slice(3);
  var s = utf8Decode(b, this.fatal);
  if (s === null) throw new OTypeError('The encoded data was not valid for encoding utf-8');
  return s;
});
function btoa(s) {
  if (arguments.length === 0) throw new OTypeError('The "data" argument must be specified');
  var str = OString(s);
  if (!isByteString(str)) throw new OError('Invalid character');
  return base64Encode(str, false);
}
function atob(s) {
  if (arguments.length === 0) throw new OTypeError('The "data" argument must be specified');
  var str = OString(s).replace(/[\t\n\f\r ]/g, '');
  if (str.length % 4 === 0) str = str.replace(/==?$/, '');
  if (str.length % 4 === 1 || /[^A-Za-z0-9+/]/.test(str)) throw new OError('Invalid character');
  return base64Decode(str);
}

// ---- 1.0 byte-string helpers --------------------------------------------
function markBytes(s) { core.markByteString(s); return s; }
function range(s, start, end) {
  return s.slice(start === undefined ? 0 : +start, end === undefined ? s.length : +end);
}
function installByteStrings() {
  hide(String, 'bytesFrom', function bytesFrom(data, encoding) {
    if (typeof data === 'string') {
      var enc = encoding === undefined ? 'hex' : OString(encoding);
      if (enc === 'hex') return markBytes(hexDecode(data));
      if (enc === 'base64' || enc === 'base64url') return markBytes(base64Decode(data));
      throw new OTypeError('Unknown encoding: "' + enc + '"');
    }
    if (data !== null && typeof data === 'object' && typeof data.length === 'number') {
      var out = '';
      for (var i = 0; i < data.length; i++) out += fromCharCode(+data[i] & 0xff);
      return markBytes(out);
    }
    throw new OTypeError('value must be a string or array');
  });
  var sp = String.prototype;
  hide(sp, 'fromUTF8', function fromUTF8(start, end) {
    var s = range(OString(this), start, end);
    if (!isByteString(s)) return null;
    var d = utf8Decode(s, true);
    return d;
  });
  hide(sp, 'toUTF8', function toUTF8(start, end) { return markBytes(utf8Bytes(range(OString(this), start, end))); });
  hide(sp, 'fromBytes', function fromBytes(start, end) { var s = range(OString(this), start, end); return isByteString(s) ? s : null; });
  hide(sp, 'toBytes', function toBytes(start, end) { var s = range(OString(this), start, end); return isByteString(s) ? markBytes(s) : null; });
}

// ---- crypto ----------------------------------------------------------------
var ALGS = { md5: true, sha1: true, sha256: true };
var DIGEST_ENC = { hex: true, base64: true, base64url: true };
// Data to hash: a string is hashed as its UTF-8 bytes (the host encodes it; a
// 1.0 byte string as its bytes), a buffer as its bytes (sent as a byte string).
var inputUtf8 = false;
// njs refuses anything else: 'data argument "number" is not a string or Buffer-like
// object' (0.7, cloudfront-js-1.0), 'data is not a string or Buffer-like object' (0.8).
var isArrayValue = Array.isArray, ORegExp = RegExp, ODate = Date;
function njsTypeName(v) {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  if (isArrayValue(v)) return 'array';
  if (v instanceof OArrayBuffer) return 'array buffer';
  if (v instanceof ORegExp) return 'regexp';
  if (v instanceof ODate) return 'date';
  if (v instanceof P) return 'promise';
  return 'object';
}
function notBytes(what, v) {
  return new OTypeError(host.runtime2 ? what + ' is not a string or Buffer-like object' : what + ' argument "' + njsTypeName(v) + '" is not a string or Buffer-like object');
}
function hashInput(data, what) {
  inputUtf8 = false;
  if (typeof data === 'string') {
    if (!host.runtime2 && core.isByteString(data)) return data;
    inputUtf8 = true;
    return data;
  }
  if (isView(data)) return bytesToByteString(new OUint8Array(data.buffer, data.byteOffset, data.byteLength));
  if (data instanceof OArrayBuffer) return bytesToByteString(new OUint8Array(data));
  throw notBytes(what, data);
}
// Hash objects share one prototype (as njs's do); their handle is a private
// field, out of the function's reach (a WeakMap would cost a GC ephemeron each).
var HASH_TOKEN = {};
class Hash {
  #id;
  #done = false;
  constructor(token, id) {
    if (token !== HASH_TOKEN) throw new OTypeError('Illegal constructor');
    this.#id = id;
  }
  update(data) {
    if (this.#done) throw new OError('Digest already called');
    var d = hashInput(data, 'data');
    hashUpdate(this.#id, d, inputUtf8);
    return this;
  }
  digest(encoding) {
    if (this.#done) throw new OError('Digest already called');
    if (encoding !== undefined) {
      var enc = OString(encoding);
      if (!hasOwn.call(DIGEST_ENC, enc)) throw new OTypeError('Unknown digest encoding: "' + enc + '"');
      this.#done = true;
      return hashDigest(this.#id, enc);
    }
    this.#done = true;
    var raw = hashDigest(this.#id, 'latin1');
    return host.runtime2 ? BufferCtor.from(byteStringToBytes(raw)) : markBytes(raw);
  }
}
function makeDigest(id) { return new Hash(HASH_TOKEN, id); }
function algOf(alg) {
  var a = OString(alg);
  if (!hasOwn.call(ALGS, a)) throw new OTypeError('not supported algorithm: "' + a + '"');
  return a;
}
var crypto = {};
// Enumerable, as njs's (Object.keys(require('crypto')) is ['createHash', 'createHmac']).
defineProperty(crypto, 'createHash', { value: function createHash(alg) { return makeDigest(hashNew(algOf(alg), undefined, false)); }, writable: true, enumerable: true, configurable: true });
defineProperty(crypto, 'createHmac', { value: function createHmac(alg, key) { var a = algOf(alg); var k = hashInput(key, 'key'); return makeDigest(hashNew(a, k, inputUtf8)); }, writable: true, enumerable: true, configurable: true });
// Not frozen here: njs's module objects (crypto, querystring, buffer) are extensible and their
// properties writable and configurable. They are roots of the realm's hardening (globals.ts
// extraRoots), so they behave like the built-ins: frozen in the fast realm, a call that writes
// one runs again in the mutable realm, where they are put back after every call.

// ---- cloudfront (2.0) --------------------------------------------------------
var NO_STORE = 'no KeyValueStore is associated with this function (pass a KVS snapshot, e.g. --kvs kvs.json)';
function originCall(op, id, params) {
  var json = params === undefined ? 'undefined' : jsonStringify(params);
  var msg = originCheck(op, id, json === undefined ? 'undefined' : json);
  if (msg !== '') {
    if (msg[0] === 'E') throw new OError(msg.slice(2));
    throw new OTypeError(msg.slice(2));
  }
}
var kvsHandle = {};
hide(kvsHandle, 'get', function get(key, options) {
  if (!host.kvsPresent) return pReject(new OError(NO_STORE));
  var k = OString(key);
  if (utf8Length(k) > host.kvsMaxKeyBytes) return pReject(new OError('Key exceeds ' + host.kvsMaxKeyBytes + ' bytes'));
  var format = (options !== null && typeof options === 'object' && options.format !== undefined) ? OString(options.format) : 'string';
  var v = kvsGet(k);
  if (v === undefined) return pReject(new OError('Key not found: "' + k + '"'));
  if (format === 'string') return pResolve(v);
  if (format === 'json') {
    try { return pResolve(jsonParse(v)); } catch (e) { return pReject(new OError('Value of key "' + k + '" is not valid JSON: ' + e.message)); }
  }
  if (format === 'bytes') return pResolve(byteStringToBytes(utf8Bytes(v)));
  return pReject(new OTypeError('Unknown format: "' + format + '" (string, json or bytes)'));
});
hide(kvsHandle, 'exists', function exists(key) {
  if (!host.kvsPresent) return pReject(new OError(NO_STORE));
  return pResolve(kvsGet(OString(key)) !== undefined);
});
hide(kvsHandle, 'meta', function meta() {
  if (!host.kvsPresent) return pReject(new OError(NO_STORE));
  return pResolve(jsonParse(host.kvsMetaJson));
});
freeze(kvsHandle);
var edgeReq = freeze(jsonParse(host.edgeJson));
var edgeEmpty = freeze({});
var cf = {};
defineProperty(cf, 'kvs', { value: function kvs(id) { return kvsHandle; }, enumerable: true });
defineProperty(cf, 'updateRequestOrigin', { value: function updateRequestOrigin(params) { originCall('updateRequestOrigin', undefined, params); }, enumerable: true });
defineProperty(cf, 'selectRequestOriginById', { value: function selectRequestOriginById(id, params) {
  originCall('selectRequestOriginById', typeof id === 'string' ? id : undefined, params);
}, enumerable: true });
defineProperty(cf, 'createRequestOriginGroup', { value: function createRequestOriginGroup(params) { originCall('createRequestOriginGroup', undefined, params); }, enumerable: true });
defineProperty(cf, 'logCustomData', { value: function logCustomData(s) { core.setCustomData(truncateUtf8(OString(s), host.customDataLimit)); }, enumerable: true });
// AWS: edgeLocation is only filled for viewer-request; "empty" for viewer-response.
defineProperty(cf, 'edgeLocation', { get: function () { return st.eventType === 'viewer-request' ? edgeReq : edgeEmpty; }, enumerable: true });
freeze(cf);

// ---- require -----------------------------------------------------------------
var modules = {};
modules.crypto = crypto;
modules.querystring = core.querystring;
if (host.runtime2) {
  var bufferModule = {};
  // As crypto above: not frozen here (njs's buffer module is extensible); its three properties
  // are read-only and enumerable, as in njs 0.8.
  defineProperty(bufferModule, 'Buffer', { value: BufferCtor, enumerable: true });
  var bufferConstants = {};
  defineProperty(bufferConstants, 'MAX_LENGTH', { value: 2147483647, enumerable: true });
  defineProperty(bufferConstants, 'MAX_STRING_LENGTH', { value: 2147483647, enumerable: true });
  defineProperty(bufferModule, 'constants', { value: bufferConstants, enumerable: true });
  defineProperty(bufferModule, 'kMaxLength', { value: 2147483647, enumerable: true });
  modules.buffer = bufferModule;
  modules.cloudfront = cf;
}
freeze(modules);
function require(name) {
  var n = OString(name);
  if (hasOwn.call(modules, n)) return modules[n];
  throw new OError('Cannot find module "' + n + '"');
}

var globals = {};
if (host.runtime2) {
  globals.Buffer = BufferCtor;
  globals.atob = atob;
  globals.btoa = btoa;
  globals.TextEncoder = TextEncoder;
  globals.TextDecoder = TextDecoder;
} else {
  installByteStrings();
}
globals.require = require;
var r = {};
r.require = require;
r.globals = globals;
r.modules = modules;
// Reachable only through what a call returns (createHash's result's prototype, the KVS handle
// cf.kvs() returns, with its methods): hardened and put back like the built-ins, or a change
// made in one event would reach the next (isolation-reachability.test.ts finds such objects).
r.roots = [Hash, kvsHandle];
return r;
})`;

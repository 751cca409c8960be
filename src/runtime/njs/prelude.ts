/**
 * JavaScript compiled INTO the njs engine in front of the user's code (same
 * line 1, so njs's line numbers stay the user's): it runs as the first
 * top-level code of every event's VM clone and
 *
 * - hides what CloudFront does not offer: `process`, `njs`, timers, and in
 *   cloudfront-js-1.0 Buffer/atob/btoa/TextEncoder/TextDecoder (as the V8
 *   engine's sandbox does);
 * - replaces `require` with one that gives only crypto and querystring
 *   (njs's own modules), plus buffer and the `cloudfront` module in 2.0;
 *   fs and every other njs module stay unreachable;
 * - installs console.log (one argument, njs's own formatting of values via
 *   njs.dump, kept before `njs` is hidden; 10 KB limit);
 * - implements the `cloudfront` module (KVS from a snapshot compiled in as a
 *   string literal and parsed on first use in an event; origin helpers
 *   recorded as side effects and checked host-side; edgeLocation;
 *   logCustomData) and, per event, `request.rawQueryString()` or the
 *   connection methods allow/deny/logCustomData;
 * - defines `__cfreplay_run(event, eventType, isConnection, rawQuery)` and
 *   `__cfreplay_finish(error)` (returns the envelope), the two functions the C
 *   shim (engine/shim/njsw.c) calls; the shim parses the event and serializes
 *   the envelope with njs's own JSON, natively (if the envelope cannot be
 *   serialized, it calls __cfreplay_finish again with that error's text).
 *   Those two names are fixed (the shim looks them up by name: NJS_SHIM_NAMES,
 *   a function that uses one is refused, loader.ts); the prelude's other
 *   global, its API object, gets a name the function does not use.
 *
 * The frozen clock and the seeded Math.random are in C (the shim and the
 * njs patches), outside the function's reach. The prelude is written for
 * both njs 0.7 and 0.8: ES5 functions and `var` only, `;` after every
 * statement, block comments only (it is joined into one line).
 */
import type { EdgeLocation, KvsSnapshot, Runtime } from '../types.js';
import { CUSTOM_DATA_LIMIT } from '../modules/cloudfront.js';
import { KVS_MAX_KEY_BYTES } from '../kvs.js';
import { LOG_LIMIT_BYTES } from '../globals.js';
import { modulesFor } from '../syntax-gate.js';

export interface NjsPreludeConfig {
  runtime: Runtime;
  kvs: KvsSnapshot | undefined;
  edge: EdgeLocation;
}

const BODY = String.raw`
function __cfreplay_run(ev, t, c, q) { return __cfreplay_api.run(ev, t, c, q, typeof handler === 'function' ? handler : undefined, typeof connectionHandler === 'function' ? connectionHandler : undefined); }
function __cfreplay_finish(e) { return __cfreplay_api.finish(e); }
var __cfreplay_api = (function (G, C) {
  var OJSON = JSON, OString = String, OError = Error, OTypeError = TypeError, OPromise = Promise, OObject = Object;
  var defineProperty = Object.defineProperty, hasOwn = Object.prototype.hasOwnProperty, freeze = Object.freeze;
  var OBuffer = G.Buffer, OUint8Array = Uint8Array, ORequire = G.require, ONjs = G.njs, odump = ONjs.dump;
  function hide(o, k, v) { defineProperty(o, k, { value: v, writable: true, configurable: true, enumerable: false }); }
  var gone = ['process', 'njs', '$262', 'setTimeout', 'clearTimeout', 'setImmediate'];
  if (!C.r2) { gone.push('Buffer', 'atob', 'btoa', 'TextEncoder', 'TextDecoder'); }
  for (var i = 0; i < gone.length; i++) { delete G[gone[i]]; }

  function byteLength(s) { return OBuffer.byteLength(s, 'utf8'); }
  function truncateBytes(s, n) {
    var b = OBuffer.from(s, 'utf8');
    if (b.length <= n) { return s; }
    var t = b.slice(0, n).toString('utf8');
    while (t.length > 0 && t.charCodeAt(t.length - 1) === 0xfffd) { t = t.slice(0, -1); }
    return t;
  }

  var st = { logs: [], bytes: 0, lt: false, cd: null, dec: null, origin: null, et: 'viewer-request', ev: undefined, done: 0, v: undefined };

  /* console.log: one argument; a string as it is, anything else as njs prints values (njs.dump, what njs's own console.log uses). */
  function fmt(v) {
    if (typeof v === 'string') { return v; }
    try { return odump.call(ONjs, v); } catch (e) { return OString(v); }
  }
  var console = {};
  hide(console, 'log', function log(v) {
    if (st.lt) { return; }
    var s = fmt(v);
    var n = byteLength(s) + 1;
    if (st.bytes + n > C.logLimit) {
      var room = C.logLimit - st.bytes - 1;
      if (room > 0) { st.logs.push(truncateBytes(s, room)); }
      st.bytes = C.logLimit;
      st.lt = true;
      return;
    }
    st.bytes += n;
    st.logs.push(s);
  });
  hide(G, 'console', console);

  function logCustomData(s) {
    var v = OString(s);
    st.cd = byteLength(v) > C.customDataLimit ? truncateBytes(v, C.customDataLimit) : v;
  }

  /* ---- the cloudfront module (2.0), built on first require in an event ---- */
  var cfMod = null;
  function cloudfront() {
    if (cfMod !== null) { return cfMod; }
    var kvsData = null;
    var NO_STORE = 'no KeyValueStore is associated with this function (pass a KVS snapshot, e.g. --kvs kvs.json)';
    function store() {
      if (C.kvs === null) { return null; }
      if (kvsData === null) { kvsData = OJSON.parse(C.kvs); }
      return kvsData;
    }
    function kvsGet(key, options) {
      var s = store();
      if (s === null) { return OPromise.reject(new OError(NO_STORE)); }
      var k = OString(key);
      if (byteLength(k) > C.kvsMaxKey) { return OPromise.reject(new OError('Key exceeds ' + C.kvsMaxKey + ' bytes')); }
      var format = options !== null && typeof options === 'object' && options.format !== undefined ? OString(options.format) : 'string';
      if (!hasOwn.call(s.entries, k)) { return OPromise.reject(new OError('Key not found: "' + k + '"')); }
      var v = s.entries[k];
      if (format === 'string') { return OPromise.resolve(v); }
      if (format === 'json') {
        try { return OPromise.resolve(OJSON.parse(v)); } catch (e) { return OPromise.reject(new OError('Value of key "' + k + '" is not valid JSON: ' + e.message)); }
      }
      if (format === 'bytes') { return OPromise.resolve(new OUint8Array(OBuffer.from(v, 'utf8'))); }
      return OPromise.reject(new OTypeError('Unknown format: "' + format + '" (string, json or bytes)'));
    }
    function kvsExists(key) {
      var s = store();
      if (s === null) { return OPromise.reject(new OError(NO_STORE)); }
      return OPromise.resolve(hasOwn.call(s.entries, OString(key)));
    }
    function kvsMeta() {
      var s = store();
      if (s === null) { return OPromise.reject(new OError(NO_STORE)); }
      return OPromise.resolve(OJSON.parse(OJSON.stringify(s.meta)));
    }
    /* Origin changes are recorded as plain JSON copies; their parameters are checked host-side (same rules and messages as the V8 engine). */
    function plain(v) {
      var j = OJSON.stringify(v);
      return j === undefined ? undefined : OJSON.parse(j);
    }
    function record(name, change) {
      if (st.et !== 'viewer-request') { throw new OError('cf.' + name + '() can only be used in viewer-request functions'); }
      if (st.origin === null) { st.origin = []; }
      st.origin.push(change);
    }
    var handle = { get: kvsGet, exists: kvsExists, meta: kvsMeta };
    freeze(handle);
    var mod = {};
    mod.kvs = function kvs(id) { return handle; };
    mod.updateRequestOrigin = function updateRequestOrigin(params) {
      record('updateRequestOrigin', { op: 'updateRequestOrigin', params: plain(params) });
    };
    mod.selectRequestOriginById = function selectRequestOriginById(id, params) {
      if (typeof id !== 'string' || id.length === 0) { throw new OTypeError('cf.selectRequestOriginById(): origin id must be a non-empty string'); }
      var c = { op: 'selectRequestOriginById', originId: id };
      if (params !== undefined) { c.params = plain(params); c.hasParams = true; }
      record('selectRequestOriginById', c);
    };
    mod.createRequestOriginGroup = function createRequestOriginGroup(params) {
      record('createRequestOriginGroup', { op: 'createRequestOriginGroup', params: plain(params) });
    };
    mod.logCustomData = logCustomData;
    var edgeReq = freeze(OJSON.parse(C.edge)), edgeEmpty = freeze({});
    defineProperty(mod, 'edgeLocation', { enumerable: true, get: function () { return st.et === 'viewer-request' ? edgeReq : edgeEmpty; } });
    cfMod = freeze(mod);
    return cfMod;
  }

  /* cloudfront-js-1.0: digest() without an encoding returns a byte string (AWS: 2.0 changed it to
     a Buffer; njs itself returns a Buffer since 0.7.0). njs puts update/digest on each hash object. */
  var bytesFrom = OString.bytesFrom, cryptoMod = null;
  function byteDigest(h) {
    var d = h.digest;
    h.digest = function digest(enc) {
      var r = d.apply(h, arguments);
      return enc === undefined ? bytesFrom(r) : r;
    };
    return h;
  }
  function crypto() {
    if (cryptoMod !== null) { return cryptoMod; }
    var c = ORequire('crypto');
    if (C.r2) { cryptoMod = c; return c; }
    cryptoMod = {
      createHash: function createHash(alg) { return byteDigest(c.createHash.apply(c, arguments)); },
      createHmac: function createHmac(alg, key) { return byteDigest(c.createHmac.apply(c, arguments)); }
    };
    return cryptoMod;
  }

  var allowed = C.modules;
  hide(G, 'require', function require(name) {
    var n = OString(name);
    if (allowed[n] !== true || !hasOwn.call(allowed, n)) { throw new OError('Cannot find module "' + n + '"'); }
    return n === 'cloudfront' ? cloudfront() : n === 'crypto' ? crypto() : ORequire(n);
  });

  /* ---- one invocation ---- */
  function allow() { if (st.dec === null) { st.dec = 'allow'; } }
  function deny() { if (st.dec === null) { st.dec = 'deny'; } }
  function run(ev, t, c, q, h, ch) {
    st.et = t;
    st.ev = ev;
    if (c) {
      hide(ev, 'allow', allow);
      hide(ev, 'deny', deny);
      hide(ev, 'logCustomData', logCustomData);
    } else if (C.r2 && ev !== null && typeof ev === 'object' && ev.request !== null && typeof ev.request === 'object') {
      hide(ev.request, 'rawQueryString', function rawQueryString() { return q; });
    }
    var entry = c ? ch : h;
    if (entry === undefined) { throw new OTypeError(c ? 'connectionHandler is not a function' : 'handler is not a function'); }
    var r = entry(ev);
    if (r !== null && (typeof r === 'object' || typeof r === 'function') && typeof r.then === 'function') {
      r.then(function (v) { if (st.done === 0) { st.done = 1; st.v = v; } }, function (e) { if (st.done === 0) { st.done = 2; st.v = e; } });
    } else {
      st.done = 1;
      st.v = r;
    }
  }
  function errText(v) {
    try { return OString(v); } catch (e) { return 'Error: the thrown value cannot be converted to a string'; }
  }
  function finish(err) {
    var o = {};
    if (err !== undefined) { o.err = err; }
    else if (st.done === 1) { o.ok = true; o.ret = st.v; }
    else if (st.done === 2) { o.err = errText(st.v); }
    else { o.pending = true; }
    o.logs = st.logs;
    if (st.lt) { o.lt = true; }
    if (st.cd !== null) { o.cd = st.cd; }
    if (st.dec !== null) { o.dec = st.dec; }
    if (st.origin !== null) { o.origin = st.origin; }
    if (st.et === 'viewer-response' && st.ev !== null && typeof st.ev === 'object') { o.ra = st.ev.request; }
    return o;
  }
  return { run: run, finish: finish };
})(globalThis, __CONFIG__);
`;

/** The globals the C shim calls by name (engine/shim/njsw.c njsw_run): a function must not use them. */
export const NJS_SHIM_NAMES: readonly string[] = ['__cfreplay_run', '__cfreplay_finish'];

/**
 * The prelude as one line (ends with `;`), for the given function's runtime, KVS snapshot and
 * edge location; `apiName`: the global its API object is kept in (one the function does not use).
 */
export function njsPrelude(cfg: NjsPreludeConfig, apiName: string): string {
  const config = {
    r2: cfg.runtime === 'cloudfront-js-2.0',
    modules: Object.fromEntries(modulesFor(cfg.runtime).map((m) => [m, true])),
    logLimit: LOG_LIMIT_BYTES,
    customDataLimit: CUSTOM_DATA_LIMIT,
    kvsMaxKey: KVS_MAX_KEY_BYTES,
    edge: JSON.stringify(cfg.edge),
    kvs: cfg.kvs ? JSON.stringify({ entries: Object.fromEntries(cfg.kvs.entries), meta: cfg.kvs.meta }) : null,
  };
  // JSON is a JS expression once U+2028/U+2029 are escaped (older parsers reject them raw).
  const literal = JSON.stringify(config).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return BODY.split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .join(' ')
    .replaceAll('__cfreplay_api', apiName)
    .replace('__CONFIG__', () => literal);
}

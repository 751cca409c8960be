/**
 * JavaScript compiled INSIDE each sandbox context (so every object it makes
 * belongs to the context's realm): the frozen Date, the seeded Math.random,
 * console, the in-realm event clone, the per-invocation runner, global-leak
 * cleanup and the `querystring` module.
 *
 * The source is a function expression called once per context with host
 * helpers; it returns the `SandboxApi` below. It is not user code: the syntax
 * gate does not apply, but it must not rely on anything the sandbox deletes.
 */

/** One call: the compiled factory, the event, the frozen clock, the seed words, the raw query, the event type. */
export type CallArgs = [
  factory: (require: unknown, cfRequire: unknown, caught: unknown) => unknown,
  event: unknown,
  now: number,
  seedLo: number,
  seedHi: number,
  rawQuery: string | undefined,
  eventType: string,
];

/** What the prelude returns (all functions/objects live in the context's realm). */
export interface SandboxApi {
  /** Run one invocation: clone the event, set clock/seed/raw query, call the factory then the entry point. */
  invoke(...call: CallArgs): unknown;
  /** Arguments of the next call made through the global runner (the vm-timeout path). */
  setPending(...call: CallArgs): void;
  /** Makes the call setPending prepared (once); bound to Sandbox.timedCall's name. */
  runPending(): unknown;
  /** What a call returned as njs reads it: JSON.parse(JSON.stringify(v)) (getters and toJSON run now); throws what they throw. */
  jsonForm(v: unknown): unknown;
  /**
   * A result (no accessors: it is read) with a prototype other than Object.prototype, or whose
   * query string, headers or cookies map has one: plain reads would find inherited names.
   */
  inheritsNames(v: unknown): boolean;
  /** Built-ins later steps need after njs-surface.ts has removed them from the globals. */
  intrinsics: { ownKeys: typeof Reflect.ownKeys; construct: typeof Reflect.construct; apply: typeof Reflect.apply; Set: SetConstructor };
  /** njs's console.log formatting and error-message translation (njs-surface.ts, in-realm). */
  setNjs(format: (v: unknown) => string, njsError: (e: unknown) => unknown): void;
  /** Settle what the function returned (a promise or thenable) without giving it the host's callbacks. */
  settle(value: unknown, onValue: (v: unknown) => void, onError: (e: unknown) => void): void;
  /** Install the `require` the function's factory receives (in-realm, from realm-libs). */
  setRequire(require: unknown): void;
  /** Reset the per-invocation state (before a call that does not go through invoke). */
  reset(): void;
  /** Per-invocation state, reset by invoke. */
  state: PreludeState;
  /** Delete globals a function added (and put the global's prototype back); false when one cannot be deleted (the realm must be rebuilt). */
  cleanupLeaks(): boolean;
  /** A symbol-keyed global the baseline does not have (~1.4 us: see loader.ts for when it runs). */
  symbolsAdded(): boolean;
  /** Record the global's current own keys as the baseline (after all globals are installed). */
  snapshotBaseline(): void;
  /** Install a non-enumerable global. */
  defineGlobal(name: string, value: unknown): void;
  /** Install a non-enumerable property on a realm object. */
  hide(obj: object, name: string, value: unknown): void;
  /** True when Object.prototype / Array.prototype / String.prototype / Function.prototype got enumerable additions. */
  protoPolluted(): boolean;
  realm: RealmCtors;
  querystring: object;
  /** Deep copy host data into realm objects (for KVS json values, origin params echo, ...). */
  clone(v: unknown): unknown;
  /** Count bytes of an allocation outside the V8 heap (ArrayBuffer backing stores) against the per-call budget. */
  charge(bytes: number): void;
  /** Report an exception the function caught or that escaped (instrumented code and host checks call it). */
  caught(e: unknown): unknown;
  /** True when a value is an error about writing to something frozen (see realm-harden.ts). */
  isWriteFailure(e: unknown): boolean;
  markByteString(s: string): void;
  isByteString(s: string): boolean;
  setCustomData(s: string): void;
  utf8Length(s: string): number;
  truncateUtf8(s: string, n: number): string;
}

export interface PreludeState {
  /** The event copy the function received (in-realm). */
  event: unknown;
  /** Log lines, null when nothing was logged (avoids an allocation per call). */
  logs: string[] | null;
  logBytes: number;
  logsTruncated: boolean;
  /** Connection functions: null = neither allow() nor deny() called. */
  decision: 'allow' | 'deny' | null;
  customData: string | null;
  /**
   * protoPolluted() as probed in-context right after the entry point returned
   * (saves a call into the context per invocation); null when not probed
   * (the function threw, or a promise settled later).
   */
  polluted: boolean | null;
  /** Event type of the current invocation ('connection' for connection functions). */
  eventType: string;
  /** Bytes allocated outside the V8 heap in this invocation (see charge). */
  allocated: number;
  /** The per-call allocation budget was exceeded: the call is a `memory` outcome whatever it did next. */
  memoryExceeded: boolean;
  /** The call tried to change a frozen built-in (fast realm): it must be run again in a mutable realm. */
  frozenWrite: boolean;
  /** The function touched the global object in a way the enumerable-leak check cannot see. */
  globalTouched: boolean;
  /**
   * The call defined properties (Object.defineProperty/defineProperties, Object.create with
   * descriptors; realm-harden.ts flags it): what it returned may have accessors, so the loader
   * copies it to plain data before the call ends (api.snapshot).
   */
  accessors: boolean;
  /**
   * The call may have queued a promise job (it made a promise or called `then`; realm-harden.ts
   * flags it): the loader then runs the realm's microtask queue before the call ends.
   */
  queued: boolean;
}

export interface RealmCtors {
  Object: ObjectConstructor;
  Array: ArrayConstructor;
  Promise: PromiseConstructor;
  Error: ErrorConstructor;
  TypeError: TypeErrorConstructor;
  RangeError: RangeErrorConstructor;
  JSON: JSON;
  Uint8Array: Uint8ArrayConstructor;
  InternalError: ErrorConstructor;
  MemoryError: ErrorConstructor;
}

/** Settings handed to the prelude (plain values: the prelude keeps no host function). */
export interface PreludeHost {
  logLimit: number;
  customDataLimit: number;
  /** Per-call budget for ArrayBuffer / typed array bytes (outside the V8 heap). */
  allocationLimit: number;
  runtime2: boolean;
}

export const PRELUDE_SOURCE = String.raw`(function (host) {
'use strict';
var G = globalThis;
var ODate = Date, OObject = Object, OArray = Array, isArray = Array.isArray, OJSON = JSON;
var defineProperty = Object.defineProperty, ownNames = Object.getOwnPropertyNames;
var OString = String, OError = Error, OTypeError = TypeError, OPromise = Promise;
var RConstruct = Reflect.construct, hasOwnP = Object.prototype.hasOwnProperty, OThen = Promise.prototype.then;
var encURI = encodeURIComponent, uUnescape = unescape, ORegExpTest = RegExp.prototype.test;
function hide(obj, name, value) {
  defineProperty(obj, name, { value: value, writable: true, configurable: true, enumerable: false });
}

// ---- njs error types --------------------------------------------------
class InternalError extends OError {}
defineProperty(InternalError.prototype, 'name', { value: 'InternalError', writable: true, configurable: true, enumerable: false });
class MemoryError extends OError {}
defineProperty(MemoryError.prototype, 'name', { value: 'MemoryError', writable: true, configurable: true, enumerable: false });
hide(G, 'InternalError', InternalError);
hide(G, 'MemoryError', MemoryError);

// ---- frozen clock ------------------------------------------------------
// new Date() / Date.now() / Date() return the invocation's frozen instant;
// every other form behaves as usual. instanceof Date and the prototype chain
// are those of the context's real Date.
var frozenNow = 0;
var FrozenDate = function Date(a, b, c, d, e, f, g) {
  if (new.target === undefined) return new ODate(frozenNow).toString();
  if (arguments.length === 0) return RConstruct(ODate, [frozenNow], new.target);
  return RConstruct(ODate, arguments, new.target);
};
defineProperty(FrozenDate, 'prototype', { value: ODate.prototype, writable: false, enumerable: false, configurable: false });
hide(ODate.prototype, 'constructor', FrozenDate);
hide(FrozenDate, 'now', function now() { return frozenNow; });
hide(FrozenDate, 'parse', ODate.parse);
hide(FrozenDate, 'UTC', ODate.UTC);
hide(G, 'Date', FrozenDate);

// ---- seeded Math.random (sfc32, seeded by splitmix32 from the seed words) --
// Not njs's arc4random: same seed gives the same sequence here, but not the
// same numbers as CloudFront.
var ra = 0, rb = 0, rc = 0, rd = 0;
function sm(x) { x = (x + 0x9e3779b9) | 0; var z = x; z = Math.imul(z ^ (z >>> 16), 0x85ebca6b); z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35); return [x, (z ^ (z >>> 16)) >>> 0]; }
var seedPending = false, seedLo = 0, seedHi = 0;
function random() {
  if (seedPending) { seedPending = false; seed(seedLo, seedHi); }
  var t = (((ra + rb) | 0) + rd) | 0;
  rd = (rd + 1) | 0;
  ra = rb ^ (rb >>> 9);
  rb = (rc + (rc << 3)) | 0;
  rc = (rc << 21) | (rc >>> 11);
  rc = (rc + t) | 0;
  return (t >>> 0) / 4294967296;
}
// Seeding is deferred to the first Math.random() call of an invocation (most functions never call it).
function setSeed(lo, hi) { seedPending = true; seedLo = lo; seedHi = hi; }
function seed(lo, hi) {
  var s = (lo ^ Math.imul(hi, 0x27d4eb2d)) | 0;
  ra = lo | 0; rb = hi | 0; rc = s; rd = 1;
  rc = (rc ^ 0x9e3779b9) | 0;
  for (var i = 0; i < 8; i++) random();
}
hide(Math, 'random', random);

// ---- console -------------------------------------------------------------
var st = { event: undefined, logs: null, logBytes: 0, logsTruncated: false, decision: null, customData: null, polluted: null,
  eventType: 'viewer-request', allocated: 0, memoryExceeded: false, frozenWrite: false, globalTouched: false, accessors: false, queued: false };
function utf8Length(s) {
  var n = 0;
  for (var i = 0; i < s.length; i++) {
    var c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { n += 4; i++; }
    else n += 3;
  }
  return n;
}
// At most n UTF-8 bytes, never cutting a character.
function truncateUtf8(s, n) {
  if (utf8Length(s) <= n) return s;
  var used = 0, i = 0;
  for (; i < s.length; i++) {
    var c = s.charCodeAt(i), w = c < 0x80 ? 1 : c < 0x800 ? 2 : 3, step = 1;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { w = 4; step = 2; }
    if (used + w > n) break;
    used += w; i += step - 1;
  }
  return s.slice(0, i);
}
var njsFormat = null, njsError = null;
function setNjs(f, e) { njsFormat = f; njsError = e; }
function fmt(v) {
  if (typeof v === 'string') return v;
  if (njsFormat !== null) return njsFormat(v);
  if (v !== null && typeof v === 'object') {
    try { var j = OJSON.stringify(v); if (typeof j === 'string') return j; } catch (e) { /* fall through */ }
  }
  return OString(v);
}
var console = {};
// CloudFront's console.log takes ONE argument: extra arguments are ignored.
hide(console, 'log', function log(v) {
  if (st.logsTruncated) return;
  var s = fmt(v);
  var n = utf8Length(s) + 1;
  if (st.logs === null) st.logs = [];
  if (st.logBytes + n > host.logLimit) {
    var room = host.logLimit - st.logBytes - 1;
    if (room > 0) st.logs.push(truncateUtf8(s, room));
    st.logBytes = host.logLimit;
    st.logsTruncated = true;
    return;
  }
  st.logBytes += n;
  st.logs.push(s);
});
hide(G, 'console', console);

// ---- remove what the runtime does not offer ------------------------------
// njs has no Intl, WebAssembly, shared memory, weak refs, BigInt or Proxy.
var drop = ['Intl', 'WebAssembly', 'SharedArrayBuffer', 'Atomics', 'FinalizationRegistry', 'WeakRef',
  'BigInt', 'BigInt64Array', 'BigUint64Array', 'Proxy'];
for (var i = 0; i < drop.length; i++) delete G[drop[i]];

// ---- in-realm clone of host data -----------------------------------------
// A key named __proto__ is an own property (as CloudFront delivers it), never the prototype.
function setOwn(o, k, v) {
  if (k === '__proto__') defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  else o[k] = v;
}
function clone(v) {
  if (typeof v !== 'object' || v === null) return v;
  if (isArray(v)) {
    var a = [];
    for (var i = 0; i < v.length; i++) a.push(clone(v[i]));
    return a;
  }
  var o = {};
  for (var k in v) setOwn(o, k, clone(v[k]));
  return o;
}
// Shape-specialized copy of a CloudFront event: fixed object literals give the
// user's code stable hidden classes. Entries are copied as { value,
// attributes?, multiValue? } (other keys inside an entry are dropped: the
// event format has none); unknown top-level / request / response keys are
// copied generically.
function cloneEntry(e) {
  if (typeof e !== 'object' || e === null || isArray(e)) return clone(e);
  var at = e.attributes, mv = e.multiValue;
  var o = at === undefined ? { value: e.value } : { value: e.value, attributes: at };
  if (mv !== undefined) {
    if (isArray(mv)) {
      var a = [];
      for (var i = 0; i < mv.length; i++) a.push(cloneEntry(mv[i]));
      o.multiValue = a;
    } else o.multiValue = clone(mv);
  }
  return o;
}
function cloneMap(m) {
  if (typeof m !== 'object' || m === null || isArray(m)) return clone(m);
  var o = {};
  for (var k in m) { if (k === '__proto__') setOwn(o, k, cloneEntry(m[k])); else o[k] = cloneEntry(m[k]); }
  return o;
}
// Unknown keys are found with comparisons against the known names (property
// keys are internalized strings: pointer compares) rather than a lookup table:
// the table's keyed load costs ~10 ns per key, ~40-100 ns per event.
function cloneRequest(r) {
  if (typeof r !== 'object' || r === null || isArray(r)) return clone(r);
  var o = { method: r.method, uri: r.uri, querystring: cloneMap(r.querystring), headers: cloneMap(r.headers), cookies: cloneMap(r.cookies) };
  for (var k in r) if (k !== 'method' && k !== 'uri' && k !== 'querystring' && k !== 'headers' && k !== 'cookies') setOwn(o, k, clone(r[k]));
  return o;
}
function cloneResponse(r) {
  if (typeof r !== 'object' || r === null || isArray(r)) return clone(r);
  var o = { statusCode: r.statusCode, statusDescription: r.statusDescription, headers: cloneMap(r.headers), cookies: cloneMap(r.cookies) };
  if (o.statusDescription === undefined) delete o.statusDescription;
  for (var k in r) if (k !== 'statusCode' && k !== 'statusDescription' && k !== 'headers' && k !== 'cookies') setOwn(o, k, clone(r[k]));
  return o;
}
// context and viewer nearly always have exactly these keys, in this order, with
// primitive values: an object literal then makes the copy in one allocation
// instead of one map transition per key. Anything else is copied generically.
function cloneContext(c) {
  if (typeof c !== 'object' || c === null || isArray(c)) return clone(c);
  var n = 0;
  for (var k in c) {
    if (n > 3 || k !== CONTEXT_KEYS[n] || (typeof c[k] === 'object' && c[k] !== null)) return clone(c);
    n++;
  }
  if (n !== 4) return clone(c);
  return { distributionDomainName: c.distributionDomainName, distributionId: c.distributionId, eventType: c.eventType, requestId: c.requestId };
}
var CONTEXT_KEYS = ['distributionDomainName', 'distributionId', 'eventType', 'requestId'];
function cloneViewer(v) {
  if (typeof v !== 'object' || v === null || isArray(v)) return clone(v);
  var n = 0;
  for (var k in v) {
    if (n > 0 || k !== 'ip' || (typeof v.ip === 'object' && v.ip !== null)) return clone(v);
    n++;
  }
  if (n !== 1) return clone(v);
  return { ip: v.ip };
}
function cloneEvent(e) {
  if (typeof e !== 'object' || e === null || isArray(e)) return clone(e);
  var o = { version: e.version, context: cloneContext(e.context), viewer: cloneViewer(e.viewer), request: cloneRequest(e.request) };
  if (e.response !== undefined) o.response = cloneResponse(e.response);
  for (var k in e) if (k !== 'version' && k !== 'context' && k !== 'viewer' && k !== 'request' && k !== 'response') setOwn(o, k, clone(e[k]));
  return o;
}
// What a call returned as njs reads it: the value JSON.parse(JSON.stringify(v)) gives
// (api.jsonForm). The njs engine gets a result that way (the shim serializes it with njs's
// JSON), and CloudFront's test API gives a function's output as that JSON. Made when the call
// ends (inside its time budget, before the realm is put back: getters and toJSON are the
// function's code, and what they throw is its exception), for calls whose result may differ from
// what plain reads of it give (see loader.ts finish). One walk, not a round trip through a
// string (~5 us a request, three times a replay's whole per-event work), following
// SerializeJSONProperty in its order: toJSON, then the value; own enumerable names as
// Object.keys lists them, getters run as they are read; undefined, functions and symbols left
// out (null in an array), non-finite numbers null, -0 0, boxed primitives unboxed; a cycle is
// the TypeError V8's JSON.stringify throws (njs-errors.ts gives it njs's words).
var jsonApply = Reflect.apply, ONumber = Number, OBoolean = Boolean, OIsFinite = isFinite, ArrProto = OArray.prototype;
// JSON reads a Boolean object's internal value, not its valueOf (which a call may have replaced):
// the original one reads it. (A Number or String object goes through ToNumber / ToString, which
// do call the function's valueOf / toString, as JSON does.)
var boolValueOf = Boolean.prototype.valueOf;
// Bound now: a call that replaced Function.prototype.call does not change the walk.
var jsonHasOwn = Function.prototype.call.bind(hasOwnP);
var jsonStack = [];
function jsonValue(key, v) {
  if (typeof v === 'object' && v !== null || typeof v === 'function') {
    var toJSON = v.toJSON;
    if (typeof toJSON === 'function') v = jsonApply(toJSON, v, [key]);
  }
  if (typeof v === 'object' && v !== null) {
    var p = getProtoOf(v);
    if (p !== ObjProto && p !== ArrProto && p !== null) {
      if (v instanceof ONumber) v = +v;
      else if (v instanceof OString) v = '' + v;
      else if (v instanceof OBoolean) v = jsonApply(boolValueOf, v, []);
    }
  }
  switch (typeof v) {
    case 'string': case 'boolean': return v;
    case 'number': return OIsFinite(v) ? (v === 0 ? 0 : v) : null;
    case 'object': break;
    default: return undefined;
  }
  if (v === null) return null;
  for (var s = 0; s < jsonStack.length; s++) {
    if (jsonStack[s] === v) { jsonStack.length = 0; throw new OTypeError('Converting circular structure to JSON'); }
  }
  jsonStack.push(v);
  var out;
  if (isArray(v)) {
    out = [];
    var n = v.length;
    for (var i = 0; i < n; i++) {
      var x = jsonValue('' + i, v[i]);
      out.push(x === undefined ? null : x);
    }
  } else {
    out = {};
    // for-in lists own enumerable names first, in Object.keys order; inherited ones are skipped.
    for (var k in v) {
      if (!jsonHasOwn(v, k)) continue;
      var y = jsonValue(k, v[k]);
      if (y !== undefined) setOwn(out, k, y);
    }
  }
  jsonStack.pop();
  return out;
}
function jsonForm(v) {
  jsonStack.length = 0;
  return jsonValue('', v);
}
// A result, or a map of it validation and the effective form walk with for-in, made with a
// prototype other than the realm's Object.prototype (an ES5 helper: "new Headers()" whose
// prototype has a "set" method): plain reads would find what it inherits, which is not part of
// what the function returned (its JSON has own names only).
var ObjProto = OObject.prototype;
function customProto(m) {
  if (typeof m !== 'object' || m === null) return false;
  var p = getProtoOf(m);
  return p !== ObjProto && p !== null;
}
function inheritsNames(v) {
  return customProto(v) || (typeof v === 'object' && v !== null && (customProto(v.querystring) || customProto(v.headers) || customProto(v.cookies)));
}
var rawQ;
function rawQueryString() { return rawQ; }
// One descriptor for every invocation (defineProperty copies it).
var rawQueryDesc = { value: rawQueryString, writable: true, configurable: true, enumerable: false };

// ---- invocation --------------------------------------------------------
function allow() { if (st.decision === null) st.decision = 'allow'; }
function deny() { if (st.decision === null) st.decision = 'deny'; }
function logCustomData(s) {
  var v = OString(s);
  st.customData = truncateUtf8(v, host.customDataLimit);
}
// ---- per-call limits and checks -------------------------------------------
// Memory: ArrayBuffer backing stores live outside the V8 heap, so the worker's
// heap limit does not bound them; every allocation site (realm-harden.ts) is
// charged here. Past the budget the call is a memory outcome even if the
// function catches the MemoryError (CloudFront does not let it go on either).
function charge(bytes) {
  st.allocated += bytes;
  if (st.allocated > host.allocationLimit || bytes !== bytes) {
    st.memoryExceeded = true;
    throw new MemoryError('memory allocation failed');
  }
}
// V8's messages for a write to something frozen or non-writable (the fast
// realm's built-ins are frozen: such a call is run again in a mutable realm).
var WRITE_FAILURE = /^Cannot (assign to read only property|add property|delete property|define property|redefine property)|is not extensible|Cannot set property .* which has only a getter|^Immutable prototype/;
function isWriteFailure(e) {
  if (e === null || typeof e !== 'object') return false;
  try {
    var m = e.message;
    return typeof m === 'string' && ORegExpTest.call(WRITE_FAILURE, m);
  } catch (x) { return false; }
}
function caught(e) {
  if (!st.frozenWrite && isWriteFailure(e)) st.frozenWrite = true;
  // The function sees njs's wording (e.message) from here on.
  if (njsError !== null) { try { njsError(e); } catch (x) { /* a frozen or exotic error: leave it */ } }
  return e;
}
var byteStrings = null;
function markByteString(s) { if (byteStrings === null) byteStrings = {}; byteStrings['$' + s] = true; }
function isByteString(s) { return byteStrings !== null && byteStrings['$' + s] === true; }
var requireFn;
function setRequire(r) { requireFn = r; }
// Follow what the function returned to its outcome without handing the host's
// callbacks to it: a fresh promise of this realm adopts the value (V8 calls its
// then with resolving functions of this realm), and only that promise, which
// the function never sees, gets the callbacks.
function settle(v, onValue, onError) {
  var p = new OPromise(function (resolve) { resolve(v); });
  OThen.call(p, function (x) { onValue(x); }, function (e) { onError(e); });
}
function reset() {
  st.logs = null; st.logBytes = 0; st.logsTruncated = false; st.decision = null; st.customData = null; st.polluted = null;
  st.allocated = 0; st.memoryExceeded = false; st.frozenWrite = false; st.globalTouched = false; st.accessors = false; st.queued = false;
  byteStrings = null;
}
function invoke(factory, event, now, lo, hi, rq, eventType) {
  frozenNow = now;
  setSeed(lo, hi);
  reset();
  st.eventType = eventType;
  var isConnection = eventType === 'connection';
  rawQ = rq;
  var ev = isConnection ? clone(event) : cloneEvent(event);
  if (isConnection) {
    // First call of allow()/deny() decides (unconfirmed; later calls are ignored).
    hide(ev, 'allow', allow);
    hide(ev, 'deny', deny);
    hide(ev, 'logCustomData', logCustomData);
  } else if (host.runtime2 && ev !== null && typeof ev === 'object' && ev.request !== null && typeof ev.request === 'object') {
    defineProperty(ev.request, 'rawQueryString', rawQueryDesc);
  }
  st.event = ev;
  // Top-level this is the global object, as in njs (the wrapper is strict: a plain call would make it undefined).
  var entry = factory.call(G, requireFn, requireFn, caught);
  if (typeof entry !== 'function') {
    throw new OTypeError(isConnection ? 'connectionHandler is not a function' : 'handler is not a function');
  }
  return entry(ev);
}
// The call under the vm timeout: a script can only reach it through a binding of the
// context's global scope (globals.ts binds runPending to an unguessable script-scope
// name: no property of the global, so no reflection lists it), so it takes its
// arguments from here, once (a second call finds none).
var pending = null;
function setPending(factory, event, now, lo, hi, rq, eventType) { pending = [factory, event, now, lo, hi, rq, eventType]; }
function runPending() {
  var a = pending;
  pending = null;
  if (a === null) throw new OTypeError('not a function');
  return invoke(a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
}

// ---- leaks -------------------------------------------------------------
// The global's own keys once set up, names and symbols alike. No prototype: a global the
// function adds named hasOwnProperty or valueOf is not taken for a baseline one.
var baseline = OObject.create(null);
var baseProto = Object.getPrototypeOf(G), getProtoOf = Object.getPrototypeOf, setProtoOf = Object.setPrototypeOf;
// Symbol-keyed globals: an assignment (globalThis[sym] = v) bypasses the sandbox
// object and every hook, and listing the global's symbols costs ~1.4 us, so the
// loader looks for them once per batch of calls unless told to after every call
// (loader.ts, symbolsAdded).
var ownKeys = Reflect.ownKeys, ownSymbols = Object.getOwnPropertySymbols;
function snapshotBaseline() {
  var keys = ownKeys(G);
  for (var i = 0; i < keys.length; i++) baseline[keys[i]] = true;
}
function symbolsAdded() {
  var syms = ownSymbols(G);
  for (var i = 0; i < syms.length; i++) if (baseline[syms[i]] !== true) return true;
  return false;
}
function defineGlobal(name, value) { hide(G, name, value); }
var protos = [Object.prototype, Array.prototype, String.prototype, Function.prototype, Number.prototype];
// Probes chosen for speed: for-in over '' or a String wrapper costs ~1.7 us
// (string exotic objects take V8's slow path); String.prototype itself ~0.1 us;
// an ordinary object inheriting from String.prototype ~3 us. for-in also
// walks the prototype chain, so each probe covers Object.prototype too.
var emptyArr = [], emptyFn = function () {}, emptyStr = String.prototype, zeroNum = OObject(0);
function protoPolluted() {
  for (var k2 in emptyArr) return true;
  for (var k3 in emptyStr) return true;
  for (var k4 in emptyFn) return true;
  for (var k5 in zeroNum) return true;
  return false;
}
function cleanupLeaks() {
  var clean = true;
  try { if (getProtoOf(G) !== baseProto) setProtoOf(G, baseProto); } catch (e) { clean = false; }
  var own = ownKeys(G);
  for (var i = 0; i < own.length; i++) {
    // A vm global's deleter may report success for a property it could not remove: check.
    if (baseline[own[i]] !== true) { try { delete G[own[i]]; } catch (e) { /* checked below */ } if (hasOwnP.call(G, own[i])) clean = false; }
  }
  for (var p = 0; p < protos.length; p++) {
    var proto = protos[p];
    for (var k in proto) {
      if (hasOwnP.call(proto, k)) { try { delete proto[k]; } catch (e) { clean = false; } }
    }
  }
  return clean;
}

// ---- querystring module (njs semantics, modelled on Node's querystring) ---
function qsEscape(s) { return encodeURIComponent(s); }
// njs's decoding (njs_query_string_decode, the same in 0.7 and 0.8): '+' is a
// space; the bytes of good %XX sequences and the string's own UTF-8 bytes go
// through one UTF-8 decoder, where a bad sequence becomes U+FFFD ('%E9' alone,
// '%C0%80': two); a bad %-sequence ('%zz') stays as it is. A byte that breaks a
// sequence is dropped when it came from %XX and read again when it is the
// string's own (njs_utf8_consume vs njs_utf8_decode).
var QS_CONT = -1, QS_ERR = -2, QS_AGAIN = -3;
function qsHex(c) { return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102); }
function qsUnescape(s) {
  var str = OString(s);
  if (str.indexOf('%') < 0) return str.indexOf('+') < 0 ? str : str.replace(/\+/g, ' ');
  var out = '', need = 0, lower = 0, upper = 0, cp = 0, res = 0;
  function feed(c, own) {
    if (need !== 0) {
      if (lower !== 0) {
        if (c < lower || c > upper) { need = 0; lower = 0; return own ? QS_AGAIN : QS_ERR; }
        lower = 0;
      } else if (c < 0x80 || c > 0xBF) { need = 0; return own ? QS_AGAIN : QS_ERR; }
      cp = (cp << 6) | (c & 0x3F);
      return --need === 0 ? cp : QS_CONT;
    }
    if (c < 0x80) return c;
    if (c <= 0xDF) { if (c < 0xC2) return QS_ERR; need = 1; cp = c & 0x1F; return QS_CONT; }
    if (c < 0xF0) { need = 2; cp = c & 0x0F; if (c === 0xE0) { lower = 0xA0; upper = 0xBF; } else if (c === 0xED) { lower = 0x80; upper = 0x9F; } return QS_CONT; }
    if (c < 0xF5) { need = 3; cp = c & 0x07; if (c === 0xF0) { lower = 0x90; upper = 0xBF; } else if (c === 0xF4) { lower = 0x80; upper = 0x8F; } return QS_CONT; }
    return QS_ERR;
  }
  function put(r) {
    if (r === QS_ERR || r === QS_AGAIN) out += '\uFFFD';
    else if (r !== QS_CONT) out += OString.fromCodePoint(r);
  }
  function own(b) {
    res = feed(b, true);
    if (res === QS_AGAIN) { put(res); res = feed(b, true); }
    put(res);
  }
  var i = 0, n = str.length;
  while (i < n) {
    var c = str.charCodeAt(i);
    if (c === 37 && n - i > 2 && qsHex(str.charCodeAt(i + 1)) && qsHex(str.charCodeAt(i + 2))) {
      res = feed(parseInt(str.substr(i + 1, 2), 16), false);
      put(res);
      i += 3;
    } else if (c === 43) {
      res = 32;
      out += ' ';
      i++;
    } else {
      var u = str.codePointAt(i);
      i += u > 0xFFFF ? 2 : 1;
      if (u >= 0xD800 && u <= 0xDFFF) u = 0xFFFD;
      if (u < 0x80) own(u);
      else if (u < 0x800) { own(0xC0 | (u >> 6)); own(0x80 | (u & 0x3F)); }
      else if (u < 0x10000) { own(0xE0 | (u >> 12)); own(0x80 | ((u >> 6) & 0x3F)); own(0x80 | (u & 0x3F)); }
      else { own(0xF0 | (u >> 18)); own(0x80 | ((u >> 12) & 0x3F)); own(0x80 | ((u >> 6) & 0x3F)); own(0x80 | (u & 0x3F)); }
    }
  }
  if (res === QS_CONT) out += '\uFFFD';
  return out;
}
function qsPrim(v) {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && isFinite(v)) return '' + v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return '';
}
function qsParse(str, sep, eq, options) {
  var obj = {};
  if (typeof str !== 'string' || str.length === 0) return obj;
  sep = (sep === undefined || sep === null || sep === '') ? '&' : OString(sep);
  eq = (eq === undefined || eq === null || eq === '') ? '=' : OString(eq);
  var maxKeys = 1000;
  var decode = qsUnescape;
  if (options !== null && typeof options === 'object') {
    if (typeof options.maxKeys === 'number') maxKeys = options.maxKeys;
    if (typeof options.decodeURIComponent === 'function') decode = options.decodeURIComponent;
  }
  var parts = str.split(sep);
  if (maxKeys > 0 && parts.length > maxKeys) parts.length = maxKeys;
  for (var i = 0; i < parts.length; i++) {
    var part = parts[i];
    if (part.length === 0) continue;
    var idx = part.indexOf(eq);
    var k, v;
    if (idx >= 0) { k = part.slice(0, idx); v = part.slice(idx + eq.length); } else { k = part; v = ''; }
    // njs: its own decoder reads '+' as a space; a decodeURIComponent option gets the raw
    // text (when not empty) and its result as a string.
    if (decode === qsUnescape) { k = qsUnescape(k); v = qsUnescape(v); }
    else { if (k.length > 0) k = OString(decode(k)); if (v.length > 0) v = OString(decode(v)); }
    if (!hasOwnP.call(obj, k)) setOwn(obj, k, v);
    else if (isArray(obj[k])) obj[k].push(v);
    else obj[k] = [obj[k], v];
  }
  return obj;
}
function qsStringify(obj, sep, eq, options) {
  sep = (sep === undefined || sep === null || sep === '') ? '&' : OString(sep);
  eq = (eq === undefined || eq === null || eq === '') ? '=' : OString(eq);
  var encode = qsEscape;
  if (options !== null && typeof options === 'object' && typeof options.encodeURIComponent === 'function') encode = options.encodeURIComponent;
  if (obj === null || typeof obj !== 'object') return '';
  var out = '';
  var keys = Object.keys(obj);
  for (var i = 0; i < keys.length; i++) {
    var k = keys[i], v = obj[k];
    var ks = encode(qsPrim(k)) + eq;
    if (isArray(v)) {
      if (v.length === 0) continue;
      for (var j = 0; j < v.length; j++) { if (out) out += sep; out += ks + encode(qsPrim(v[j])); }
    } else {
      if (out) out += sep;
      out += ks + encode(qsPrim(v));
    }
  }
  return out;
}
// njs's module properties are not enumerable (Object.keys(require('querystring')) is []).
var querystring = {};
var qsNames = ['parse', 'decode', 'stringify', 'encode', 'escape', 'unescape'];
var qsFns = [qsParse, qsParse, qsStringify, qsStringify, qsEscape, qsUnescape];
for (var qi = 0; qi < qsNames.length; qi++) hide(querystring, qsNames[qi], qsFns[qi]);
// Not frozen here: see crypto in realm-libs.ts (njs's module objects are writable).

return {
  invoke: invoke,
  state: st,
  cleanupLeaks: cleanupLeaks,
  symbolsAdded: symbolsAdded,
  snapshotBaseline: snapshotBaseline,
  defineGlobal: defineGlobal,
  hide: hide,
  protoPolluted: protoPolluted,
  clone: clone,
  querystring: querystring,
  setRequire: setRequire,
  settle: settle,
  setNjs: setNjs,
  intrinsics: { ownKeys: Reflect.ownKeys, construct: Reflect.construct, apply: Reflect.apply, Set: Set },
  setPending: setPending,
  runPending: runPending,
  jsonForm: jsonForm,
  inheritsNames: inheritsNames,
  reset: reset,
  charge: charge,
  caught: caught,
  isWriteFailure: isWriteFailure,
  markByteString: markByteString,
  isByteString: isByteString,
  setCustomData: function (s) { st.customData = s; },
  utf8Length: utf8Length,
  truncateUtf8: truncateUtf8,
  realm: {
    Object: OObject, Array: OArray, Promise: OPromise, Error: OError, TypeError: OTypeError,
    RangeError: RangeError, JSON: OJSON, Uint8Array: Uint8Array,
    InternalError: InternalError, MemoryError: MemoryError,
  },
};
})`;

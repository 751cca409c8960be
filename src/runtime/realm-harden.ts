/**
 * The last steps of building a sandbox realm, compiled inside it (like the
 * prelude): allocation guards, detection hooks, and either freezing (the fast
 * realm) or a snapshot to restore after every call (the mutable realm).
 *
 * Why two realms. CloudFront gives every invocation fresh built-ins: a
 * function may replace `Math.max` or add to `Object.prototype`, and only its
 * own invocation sees it. Rebuilding a V8 context per event costs ~1 ms
 * against ~1 us for a call, and comparing every built-in after every call
 * (2,000 properties) costs more than the call. So the fast realm freezes its
 * built-ins (SES-style lockdown): no call can change what the next one sees,
 * at no cost per call. A call that *tries* to change a frozen built-in fails
 * with a TypeError that CloudFront would not raise; such failures are
 * detected wherever they can surface (escaping the handler, caught by a
 * `catch` clause or swallowed by `finally` — instrument.ts rewrites those —,
 * inside async functions, promise executors and reactions — wrapped here) and
 * the call is run again in the mutable realm, whose built-ins are restored
 * from a snapshot after every call (see loader.ts). Assigning a property that
 * a frozen prototype has (the "override mistake": `err.name = ...`,
 * `obj.toString = ...`) is allowed on instances by turning the usual
 * candidates into accessors, as SES does, so ordinary code never needs the
 * mutable realm.
 *
 * Memory. Strings, arrays and objects live in the V8 heap, bounded by the
 * worker's heap limit. ArrayBuffer backing stores do not; every way to make
 * one (the typed-array and ArrayBuffer constructors, which also serve
 * `from`, `of`, `slice`, `map`, `filter` through their species) is charged
 * to the per-call budget (prelude.ts `charge`). Resizable buffers (njs has
 * none) are not offered.
 */

export const REALM_HARDEN_SOURCE = String.raw`(function (core, options) {
'use strict';
var G = globalThis;
var O = Object, defineProperty = O.defineProperty, getOwnDesc = O.getOwnPropertyDescriptor, getProto = O.getPrototypeOf;
// Reflect and Set may be gone from the globals (njs has neither): the prelude kept them.
var setProto = O.setPrototypeOf, ownKeys = core.intrinsics.ownKeys, isExtensible = O.isExtensible, freeze = O.freeze;
var RConstruct = core.intrinsics.construct, RApply = core.intrinsics.apply, OTypeError = TypeError, OPromise = Promise;
var hasOwn = O.prototype.hasOwnProperty, mathTrunc = Math.trunc;
var caught = core.caught, charge = core.charge, st = core.state;
var OSet = core.intrinsics.Set, setHas = OSet.prototype.has, setAdd = OSet.prototype.add;

// ---- allocation guards -----------------------------------------------------
function byteCount(a, bpe) {
  if (a === undefined || a === null) return 0;
  if (typeof a !== 'object' && typeof a !== 'function') { var n = mathTrunc(+a); return n > 0 ? n * bpe : 0; }
  if (a instanceof OArrayBuffer) return 0; // a view on an existing buffer
  var len = a.length;
  if (typeof len === 'number' && len > 0) return mathTrunc(len) * bpe;
  return 0;
}
var OArrayBuffer = ArrayBuffer;
function guard(name, Orig, count) {
  var W = function () {
    if (new.target === undefined) throw new OTypeError("Constructor " + name + " requires 'new'");
    charge(count(arguments));
    return RConstruct(Orig, name === 'ArrayBuffer' ? [arguments[0]] : arguments, new.target);
  };
  defineProperty(W, 'name', { value: name });
  defineProperty(W, 'length', { value: Orig.length });
  defineProperty(W, 'prototype', { value: Orig.prototype, writable: false, enumerable: false, configurable: false });
  defineProperty(Orig.prototype, 'constructor', { value: W, writable: true, enumerable: false, configurable: true });
  setProto(W, getProto(Orig));
  var keys = ownKeys(Orig);
  for (var i = 0; i < keys.length; i++) {
    var k = keys[i];
    if (k === 'prototype' || k === 'name' || k === 'length') continue;
    defineProperty(W, k, getOwnDesc(Orig, k));
  }
  defineProperty(G, name, { value: W, writable: true, enumerable: false, configurable: true });
  return W;
}
var TYPED = ['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array'];
for (var ti = 0; ti < TYPED.length; ti++) {
  (function (name) {
    var Orig = G[name];
    var bpe = Orig.BYTES_PER_ELEMENT;
    guard(name, Orig, function (args) { return byteCount(args[0], bpe); });
  })(TYPED[ti]);
}
guard('ArrayBuffer', OArrayBuffer, function (args) { var n = mathTrunc(+args[0]); return n > 0 ? n : 0; });
// njs has no resizable or transferable buffers.
var abp = OArrayBuffer.prototype;
['resize', 'transfer', 'transferToFixedLength'].forEach(function (k) { if (hasOwn.call(abp, k)) delete abp[k]; });

// ---- where a failed write to a frozen built-in could be swallowed ------------
// Promise executors and reactions: an exception there becomes a rejection that
// user code may drop. (Async function bodies are wrapped by instrument.ts.)
// Both also flag st.queued: a promise job can only be queued by a promise made
// here (the statics construct through this, which is this wrapper; a subclass's
// super() too), by then (catch, finally and the statics call it), or by
// async/await, which the loader finds in the source. The loader drains the realm's
// microtask queue inside the call when any of these happened.
var OThen = OPromise.prototype.then;
function watchFn(f) {
  if (typeof f !== 'function') return f;
  return function (v) {
    try { return f(v); } catch (e) { caught(e); throw e; }
  };
}
function PromiseW(executor) {
  st.queued = true;
  if (new.target === undefined) throw new OTypeError("Promise constructor cannot be invoked without 'new'");
  if (typeof executor !== 'function') return RConstruct(OPromise, [executor], new.target);
  return RConstruct(OPromise, [function (res, rej) {
    try { return executor(res, rej); } catch (e) { caught(e); throw e; }
  }], new.target);
}
defineProperty(PromiseW, 'name', { value: 'Promise' });
defineProperty(PromiseW, 'length', { value: 1 });
defineProperty(PromiseW, 'prototype', { value: OPromise.prototype, writable: false, enumerable: false, configurable: false });
var pkeys = ownKeys(OPromise);
for (var pi = 0; pi < pkeys.length; pi++) {
  var pk = pkeys[pi];
  if (pk === 'prototype' || pk === 'name' || pk === 'length') continue;
  defineProperty(PromiseW, pk, getOwnDesc(OPromise, pk));
}
defineProperty(OPromise.prototype, 'constructor', { value: PromiseW, writable: true, enumerable: false, configurable: true });
defineProperty(G, 'Promise', { value: PromiseW, writable: true, enumerable: false, configurable: true });
defineProperty(OPromise.prototype, 'then', { value: function then(onFulfilled, onRejected) {
  st.queued = true;
  return RApply(OThen, this, [watchFn(onFulfilled), watchFn(onRejected)]);
}, writable: true, enumerable: false, configurable: true });

// ---- the global object ----------------------------------------------------------
// It cannot be frozen (a vm context's global refuses preventExtensions):
// additions are cleaned after each call (loader.ts); the built-in names are
// made read-only in the fast realm; definitions and prototype changes that the
// enumerable-leak check cannot see are flagged here.
// Definitions also flag st.accessors: an object the call returns may then have getters, which
// must run inside the call (loader.ts copies such a result to plain data before the call ends).
var ODefineProperty = O.defineProperty, ODefineProperties = O.defineProperties, OSetProto = O.setPrototypeOf, OCreate = O.create;
function touches(t) { if (t === G) st.globalTouched = true; }
var wrappers = {
  defineProperty: function defineProperty(o, k, d) { touches(o); st.accessors = true; return ODefineProperty(o, k, d); },
  defineProperties: function defineProperties(o, ds) { touches(o); st.accessors = true; return ODefineProperties(o, ds); },
  setPrototypeOf: function setPrototypeOf(o, p) { touches(o); return OSetProto(o, p); },
  create: function create(p, ds) { if (ds !== undefined) st.accessors = true; return OCreate(p, ds); },
};
for (var wk in wrappers) ODefineProperty(O, wk, { value: wrappers[wk], writable: true, enumerable: false, configurable: true });
var protoDesc = getOwnDesc(O.prototype, '__proto__');
var protoSet = protoDesc.set;
ODefineProperty(O.prototype, '__proto__', { get: protoDesc.get, set: function __proto__(p) { touches(this); return RApply(protoSet, this, [p]); }, enumerable: false, configurable: true });

// ---- stack traces ------------------------------------------------------------------------
// V8 formats err.stack when it is first read, through the realm's
// Error.prepareStackTrace (Node calls it with the frames as CallSite objects).
// Node's default lists every frame under the function: the prelude's and the
// host's, with the host's paths (/home/.../dist/runtime/loader.js,
// node:internal/...): a function could read where cfreplay is installed, and
// an output carrying err.stack would differ between machines. This formatter
// keeps V8's text ("Name: message", then "    at fn (file:line:col)") for the
// frames of the function's own file (options.userFile) and of built-ins (no
// file) only. njs also lists only the function's frames (only on thrown
// errors, and as "    at fn (file:line)": a known difference).
// A function that installs its own Error.prepareStackTrace (possible in the
// mutable realm only; a V8 API CloudFront does not have) receives the raw
// frames: V8 makes the CallSite methods read-only, so that route still shows
// host paths (README, fidelity notes).
var OError = Error, errToString = OError.prototype.toString, userFile = options.userFile;
var sites = null;
defineProperty(OError, 'prepareStackTrace', { value: function (e, cs) { return cs; }, writable: true, enumerable: false, configurable: true });
try { sites = new OError('probe').stack; } finally { delete OError.prepareStackTrace; }
// The CallSite prototype is a built-in of this realm like any other (a walk root below):
// frozen in the fast realm, restored after every call in the mutable one.
var callSiteProto = sites !== null && typeof sites === 'object' && sites.length > 0 ? getProto(sites[0]) : null;
var siteFile = callSiteProto === null ? null : getOwnDesc(callSiteProto, 'getFileName').value;
var siteText = callSiteProto === null ? null : getOwnDesc(callSiteProto, 'toString').value;
function prepareStackTrace(e, frames) {
  var text;
  try { text = RApply(errToString, e, []); } catch (x) { text = 'Error'; }
  if (siteFile === null) return text;
  for (var i = 0; i < frames.length; i++) {
    var file = RApply(siteFile, frames[i], []);
    if (file !== null && file !== undefined && file !== userFile) continue;
    text += '\n    at ' + RApply(siteText, frames[i], []);
  }
  return text;
}
defineProperty(OError, 'prepareStackTrace', { value: prepareStackTrace, writable: true, enumerable: false, configurable: true });

// Everything reachable from these roots is a built-in of this realm.
function roots() {
  var r = [G];
  for (var i = 0; i < options.extraRoots.length; i++) r.push(options.extraRoots[i]);
  // Intrinsics not reachable by name from the global object.
  r.push(getProto(function () {}), getProto(async function () {}), getProto([][Symbol.iterator]()), getProto(''[Symbol.iterator]()));
  try { r.push(getProto(function* () {}), getProto(/a/[Symbol.matchAll]('a'))); } catch (e) { /* absent */ }
  r.push(getOwnDesc((function () { 'use strict'; return arguments; })(), 'callee').get);
  if (callSiteProto !== null) r.push(callSiteProto);
  return r;
}
function walk(visit) {
  var seen = new OSet();
  var stack = roots();
  while (stack.length > 0) {
    var o = stack.pop();
    if (o === null || (typeof o !== 'object' && typeof o !== 'function')) continue;
    if (RApply(setHas, seen, [o])) continue;
    RApply(setAdd, seen, [o]);
    var keys = ownKeys(o);
    var descs = [];
    for (var i = 0; i < keys.length; i++) {
      var d = getOwnDesc(o, keys[i]);
      descs.push(d);
      if (d === undefined) continue;
      if (hasOwn.call(d, 'value')) stack.push(d.value);
      else { stack.push(d.get); stack.push(d.set); }
    }
    stack.push(getProto(o));
    visit(o, keys, descs);
  }
}

// ---- fast realm: freeze -------------------------------------------------------------
// Data properties that code commonly assigns on its own objects and errors
// become accessors whose setter makes an own property on the instance.
// Only where user code makes instances (plain objects, errors): an accessor on
// a hot method (Number.prototype.toString, Array.prototype.push) would cost
// every call; a missed case is still correct (the call is run again).
var OVERRIDABLE_OBJECT = ['constructor', 'toString', 'valueOf', 'toLocaleString'];
var OVERRIDABLE_ERROR = ['constructor', 'name', 'message', 'toString'];
function enableOverride(proto, key) {
  var d = getOwnDesc(proto, key);
  if (d === undefined || !hasOwn.call(d, 'value') || !d.writable || !d.configurable) return;
  var value = d.value;
  ODefineProperty(proto, key, {
    get: function () { return value; },
    set: function (v) {
      if (this === proto) throw new OTypeError("Cannot assign to read only property '" + String(key) + "' of object");
      if (this === null || this === undefined) throw new OTypeError("Cannot set properties of " + this);
      ODefineProperty(this, key, { value: v, writable: true, enumerable: true, configurable: true });
    },
    enumerable: d.enumerable,
    configurable: false,
  });
}
// keep: objects (by walk index) left unfrozen, for a function known to change them.
function lockdown(all, keep) {
  for (var j = 0; j < OVERRIDABLE_OBJECT.length; j++) if (!keep.has(O.prototype)) enableOverride(O.prototype, OVERRIDABLE_OBJECT[j]);
  var errors = ['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'InternalError', 'MemoryError'];
  for (var e = 0; e < errors.length; e++) {
    var E = G[errors[e]];
    if (typeof E !== 'function' || keep.has(E.prototype)) continue;
    for (var m = 0; m < OVERRIDABLE_ERROR.length; m++) enableOverride(E.prototype, OVERRIDABLE_ERROR[m]);
  }
  for (var n = 0; n < all.length; n++) if (all[n] !== G && !keep.has(all[n])) freeze(all[n]);
  if (keep.has(G)) return;
  // The global's own names: read-only (a vm global cannot be frozen as a whole).
  var gk = ownKeys(G);
  for (var q = 0; q < gk.length; q++) {
    var gd = getOwnDesc(G, gk[q]);
    if (gd && hasOwn.call(gd, 'value') && gd.configurable) {
      ODefineProperty(G, gk[q], { value: gd.value, writable: false, enumerable: gd.enumerable, configurable: false });
    }
  }
}

// ---- mutable realm: snapshot and restore ---------------------------------------------
var objectIs = O.is;
function sameDesc(a, b) {
  return objectIs(a.value, b.value) && a.get === b.get && a.set === b.set && a.writable === b.writable &&
    a.enumerable === b.enumerable && a.configurable === b.configurable;
}
function entry(o, index) {
  var keys = ownKeys(o), descs = [], byKey = new OSet();
  for (var i = 0; i < keys.length; i++) { descs.push(getOwnDesc(o, keys[i])); RApply(setAdd, byKey, [keys[i]]); }
  return { o: o, index: index, proto: getProto(o), ext: isExtensible(o), keys: keys, descs: descs, keySet: byKey };
}
function takeSnapshot(objects, indices) {
  var snap = [];
  for (var i = 0; i < objects.length; i++) snap.push(entry(objects[i], indices[i]));
  return snap;
}
var lastChanged = [];
// Put every built-in back as it was; false when that is impossible (an object
// was made non-extensible or a property non-configurable): rebuild the realm.
function restore(snap) {
  var changed = 0;
  lastChanged = [];
  for (var i = 0; i < snap.length; i++) {
    var s = snap[i];
    restoreOne(s);
    if (s.failed) return -1;
    changed += s.changes;
    if (s.changes > 0) lastChanged.push(s.index);
  }
  return changed;
}
function restoreOne(s) {
  var o = s.o, changed = 0;
  s.failed = false; s.changes = 0;
  if (getProto(o) !== s.proto) { OSetProto(o, s.proto); changed++; }
  if (s.ext && !isExtensible(o)) { s.failed = true; return; }
  var now = ownKeys(o);
  for (var j = 0; j < now.length; j++) {
    if (!RApply(setHas, s.keySet, [now[j]])) {
      var nd = getOwnDesc(o, now[j]);
      if (nd && !nd.configurable) { s.failed = true; return; }
      delete o[now[j]];
      changed++;
    }
  }
  for (var k = 0; k < s.keys.length; k++) {
    var cur = getOwnDesc(o, s.keys[k]), want = s.descs[k];
    if (cur !== undefined && sameDesc(cur, want)) continue;
    if (cur !== undefined && !cur.configurable) {
      if (!(cur.writable && hasOwn.call(want, 'value') && want.writable)) { s.failed = true; return; }
      o[s.keys[k]] = want.value;
    } else ODefineProperty(o, s.keys[k], want);
    changed++;
  }
  s.changes = changed;
}

// The realm's objects in walk order: realms built the same way list the same
// built-ins at the same indices, so a mutable realm can tell a frozen one
// which objects a function changes (options.keep).
var all = [];
walk(function (o) { all.push(o); });
var result = {};
var snapshot = null;
if (options.freeze) {
  var keepIdx = options.keep || [], keep = new OSet(), kept = [];
  for (var ki = 0; ki < keepIdx.length; ki++) { var ko = all[keepIdx[ki]]; if (ko !== undefined) { RApply(setAdd, keep, [ko]); kept.push(ko); } }
  keep.has = function (x) { return RApply(setHas, this, [x]); };
  lockdown(all, keep);
  if (kept.length > 0) snapshot = takeSnapshot(kept, keepIdx);
} else {
  var idx = [];
  for (var ai = 0; ai < all.length; ai++) idx.push(ai);
  snapshot = takeSnapshot(all, idx);
}
result.restore = snapshot === null ? null : function () { return restore(snapshot); };
// Walk indices of the objects the last restore had to put back.
result.changed = function () { return lastChanged.slice(); };
// Reachability, for tests: every object a walk from the roots finds.
result.reachable = function () { var out = []; walk(function (o) { out.push(o); }); return out; };
return result;
})`;

/**
 * Builds one sandbox realm: a vm context whose global object offers only what
 * the CloudFront runtime offers, with eval / new Function / WebAssembly code
 * generation disabled, and nothing of the host's realm reachable from it.
 *
 * The steps, each compiled inside the context so that every object it makes
 * belongs to the function's realm:
 *   1. prelude.ts: frozen Date, seeded Math.random, console, the event clone,
 *      the per-call runner, querystring, memory accounting;
 *   2. the `buffer` package (feross/buffer, the Node Buffer API in plain
 *      JavaScript) for 2.0;
 *   3. realm-libs.ts: crypto, cloudfront, TextEncoder/Decoder, atob/btoa, the
 *      1.0 byte-string helpers, require;
 *   4. njs-surface.ts: built-ins made njs-shaped per runtime (what njs lacks
 *      removed, njs's values and messages);
 *   5. realm-harden.ts: allocation guards, then either lockdown (the fast
 *      realm: frozen built-ins) or a snapshot restored after every call (the
 *      mutable realm). See loader.ts for how the two are used.
 * The host keeps only bridges the in-realm code calls with primitives
 * (hashing, KVS lookups, origin checks; see HostBridges).
 */
import vm from 'node:vm';
import nodeCrypto, { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PRELUDE_SOURCE, type PreludeHost, type SandboxApi } from './prelude.js';
import { REALM_LIBS_SOURCE, type HostBridges } from './realm-libs.js';
import { REALM_HARDEN_SOURCE } from './realm-harden.js';
import type { EdgeLocation, KvsSnapshot, Runtime } from './types.js';
import { newInvocationState, type InvocationState } from './invocation-state.js';
import { CUSTOM_DATA_LIMIT, originBridge } from './modules/cloudfront.js';
import { KVS_MAX_KEY_BYTES } from './kvs.js';
import { NJS_SURFACE_SOURCE, njsOrderedEvent, type NjsSurface, type NjsSurfaceHost } from './njs-surface.js';

export const LOG_LIMIT_BYTES = 10 * 1024;
/**
 * Per-call budget for bytes in ArrayBuffers (typed arrays, Buffer, TextEncoder
 * output), which live outside the V8 heap. CloudFront's whole-function limit
 * is 2 MB; this counts every allocation of the call, freed or not, so it is
 * set higher: 32 MiB.
 */
export const ALLOCATION_LIMIT_BYTES = 32 * 1024 * 1024;

export type RealmMode = 'frozen' | 'mutable';

export interface Sandbox {
  context: vm.Context;
  /** The object vm contextified: globals a function writes show up here (cheap leak check). */
  sandboxObject: Record<string, unknown>;
  /**
   * The enumerable globals the sandbox defines itself (njs's `global`), which land on the sandbox
   * object too: the enumerable-leak check (loader.ts sweep) passes over them. They are built-ins,
   * hardened and put back like the others.
   */
  ownEnumerable: ReadonlySet<string>;
  api: SandboxApi;
  state: InvocationState;
  /** njs-shaped built-ins (njs-surface.ts): console.log formatter, caught-error translator. */
  njs: NjsSurface;
  /** Clear the host bridges' per-call state (open hashes). */
  resetBridges(): void;
  /**
   * Put back the built-ins a call may change (all of them in a mutable realm,
   * the kept ones in a frozen realm; null when there are none): the number of
   * changes, or -1 when the realm must be rebuilt.
   */
  restore: (() => number) | null;
  /** Walk indices of the built-ins the last restore put back (see SandboxOptions.keep). */
  changed(): number[];
  /** Every object reachable from the realm's roots (for the isolation tests). */
  reachable(): unknown[];
  /**
   * Source of the script that makes the call prepared by api.setPending (the vm-timeout path):
   * it names a binding of the context's global scope, not a global property, with a random
   * name, so function code can neither list nor guess it (njs's global has no such thing).
   */
  timedCall: string;
  /** Global names passed to the wrapper as parameters (fast lookups, see loader.ts). */
  shadowNames: string[];
  shadowValues: unknown[];
}

/** Names never passed as wrapper parameters (not real bindings, or semantics would change). */
const NOT_SHADOWED = new Set(['undefined', 'NaN', 'Infinity', 'eval', 'globalThis', 'arguments']);

const nodeRequire = createRequire(import.meta.url);
let bufferSources: { name: string; source: string }[] | null = null;
/** The `buffer` package and its two dependencies as CommonJS function sources. */
function bufferPackageSources(): { name: string; source: string }[] {
  // base64-js and ieee754 are the buffer package's dependencies: resolved from it (a strict installer need not hoist them).
  const bufferRequire = createRequire(nodeRequire.resolve('buffer/index.js'));
  bufferSources ??= ['base64-js', 'ieee754', 'buffer'].map((name) => {
    const file = name === 'buffer' ? nodeRequire.resolve('buffer/index.js') : bufferRequire.resolve(name);
    return { name, source: `(function (exports, require, module) {${readFileSync(file, 'utf8')}\n})` };
  });
  return bufferSources;
}

const LOAD_COMMONJS = String.raw`(function (fns, names) {
  'use strict';
  var mods = {};
  function require(n) { return mods[n]; }
  for (var i = 0; i < fns.length; i++) { var m = { exports: {} }; fns[i](m.exports, require, m); mods[names[i]] = m.exports; }
  var B = mods.buffer.Buffer;
  // njs has base64url; the buffer package does not: translate to and from base64.
  var from = B.from, toStr = B.prototype.toString, isEnc = B.isEncoding, byteLen = B.byteLength;
  function isUrl(e) { return typeof e === 'string' && e.toLowerCase() === 'base64url'; }
  // njs's Buffer knows utf8, hex, base64 and base64url only.
  var NOT_NJS = { latin1: 1, binary: 1, ascii: 1, utf16le: 1, 'utf-16le': 1, ucs2: 1, 'ucs-2': 1 };
  function njsEnc(e) {
    if (typeof e === 'string' && Object.prototype.hasOwnProperty.call(NOT_NJS, e.toLowerCase())) throw new TypeError('"' + e + '" encoding is not supported');
  }
  function toB64(s) { return String(s).replace(/-/g, '+').replace(/_/g, '/'); }
  function hide(o, k, v) { Object.defineProperty(o, k, { value: v, writable: true, enumerable: false, configurable: true }); }
  hide(B, 'from', function from_(v, enc, len) {
    if (typeof v === 'string') njsEnc(enc);
    if (typeof v === 'string' && isUrl(enc)) return from.call(this, toB64(v), 'base64');
    return from.apply(this, arguments);
  });
  hide(B, 'isEncoding', function isEncoding(e) { if (typeof e === 'string' && Object.prototype.hasOwnProperty.call(NOT_NJS, e.toLowerCase())) return false; return isUrl(e) || isEnc(e); });
  hide(B, 'byteLength', function byteLength(s, enc) { njsEnc(enc); return isUrl(enc) ? byteLen(toB64(s), 'base64') : byteLen.apply(this, arguments); });
  hide(B.prototype, 'toString', function toString(enc, start, end) {
    njsEnc(enc);
    if (isUrl(enc)) return toStr.call(this, 'base64', start, end).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    return toStr.apply(this, arguments);
  });
  return B;
})`;

function loadBuffer(context: vm.Context): unknown {
  const srcs = bufferPackageSources();
  const fns = srcs.map((s) => new vm.Script(s.source, { filename: `cfreplay:${s.name}` }).runInContext(context) as unknown);
  const names = srcs.map((s) => s.name);
  const load = vm.runInContext(LOAD_COMMONJS, context) as (f: unknown, n: unknown) => unknown;
  return load(toRealmArray(context, fns), toRealmArray(context, names));
}

function toRealmArray(context: vm.Context, items: unknown[]): unknown {
  const arr = vm.runInContext('[]', context) as unknown[];
  for (const x of items) arr.push(x);
  return arr;
}

type Digest = nodeCrypto.Hash | nodeCrypto.Hmac;

function hostBridges(state: InvocationState, runtime2: boolean, kvs: KvsSnapshot | undefined, edge: EdgeLocation): { bridges: HostBridges; reset(): void } {
  const hashes = new Map<number, Digest>();
  let nextId = 1;
  const bridges: HostBridges = {
    hashNew(alg, key, keyUtf8) {
      try {
        const h = key === undefined ? nodeCrypto.createHash(alg) : nodeCrypto.createHmac(alg, Buffer.from(String(key), keyUtf8 ? 'utf8' : 'latin1'));
        hashes.set(nextId, h);
        return nextId++;
      } catch {
        return 0;
      }
    },
    hashUpdate(id, data, utf8) {
      try {
        hashes.get(id)?.update(String(data), utf8 ? 'utf8' : 'latin1');
      } catch {
        /* a finished or unknown hash: the in-realm side checks first */
      }
    },
    hashDigest(id, encoding) {
      const h = hashes.get(id);
      hashes.delete(id);
      if (!h) return '';
      try {
        return encoding === 'latin1' ? h.digest().toString('latin1') : h.digest(encoding as nodeCrypto.BinaryToTextEncoding);
      } catch {
        return '';
      }
    },
    kvsPresent: kvs !== undefined,
    kvsGet: (key) => kvs?.entries.get(String(key)),
    kvsMetaJson: JSON.stringify(kvs?.meta ?? {}),
    origin: originBridge(state),
    edgeJson: JSON.stringify(edge),
    logLimit: LOG_LIMIT_BYTES,
    customDataLimit: CUSTOM_DATA_LIMIT,
    kvsMaxKeyBytes: KVS_MAX_KEY_BYTES,
    runtime2,
  };
  // Map#clear allocates a new table even when empty: nearly no call leaves a hash open.
  return {
    bridges,
    reset: () => {
      if (hashes.size > 0) hashes.clear();
    },
  };
}

interface RealmLibs {
  require: unknown;
  globals: Record<string, unknown>;
  modules: Record<string, unknown>;
  /** Realm objects reachable only through what a call returns (hardening roots beside the modules). */
  roots: unknown[];
}

interface Hardened {
  restore: (() => number) | null;
  changed(): number[];
  reachable(): unknown[];
}

/** How a realm is built beyond its runtime, KeyValueStore and edge location. */
export interface SandboxOptions {
  /** Frozen built-ins (the fast realm, default) or built-ins restored after every call. */
  mode?: RealmMode;
  /**
   * Frozen realms only: walk indices of built-ins to leave unfrozen and restore
   * after every call, as reported by a mutable realm's `changed()` for a function
   * that changes them (a polyfill, say): such a function then runs in a frozen
   * realm and pays only for the objects it changes.
   */
  keep?: readonly number[];
  /** The function's file name as its script is compiled: the only frames `err.stack` shows besides built-ins. */
  userFile?: string;
}

export function createSandbox(runtime: Runtime, kvs: KvsSnapshot | undefined, edge: EdgeLocation, built: SandboxOptions = {}): Sandbox {
  const mode = built.mode ?? 'frozen';
  const keep = built.keep ?? [];
  const userFile = built.userFile;
  const runtime2 = runtime === 'cloudfront-js-2.0';
  // A null prototype: the global interceptor looks names up on this object first, and an
  // inherited host `constructor` would be the host's Object (the classic vm escape).
  // Made with setPrototypeOf, not Object.create(null): that one is a dictionary-mode object, and
  // the leak check's for-in over it (it holds every global after lockdown) would cost ~1 us a call.
  const sandboxObject = Object.setPrototypeOf({}, null) as Record<string, unknown>;
  const context = vm.createContext(sandboxObject, {
    name: `cfreplay ${runtime}`,
    codeGeneration: { strings: false, wasm: false },
    // The realm's own microtask queue, run only when the host evaluates a script in it
    // (loader.ts drains it after each call, under the call's time limit): an endless chain
    // of promise reactions can then never take over the host's event loop.
    microtaskMode: 'afterEvaluate',
  });
  const settings: PreludeHost = {
    logLimit: LOG_LIMIT_BYTES,
    customDataLimit: CUSTOM_DATA_LIMIT,
    allocationLimit: ALLOCATION_LIMIT_BYTES,
    runtime2,
  };
  const preludeFn = vm.runInContext(PRELUDE_SOURCE, context, { filename: 'cfreplay:prelude' }) as (h: PreludeHost) => SandboxApi;
  const api = preludeFn(settings);
  const timedName = `cfreplayTimed_${randomBytes(12).toString('hex')}`;
  (vm.runInContext(`let ${timedName}; (function (f) { ${timedName} = f; })`, context, { filename: 'cfreplay:timed' }) as (f: unknown) => void)(api.runPending);
  const state = newInvocationState();
  const { bridges, reset } = hostBridges(state, runtime2, kvs, edge);

  const bufferCtor = runtime2 ? loadBuffer(context) : undefined;
  const libsFn = vm.runInContext(REALM_LIBS_SOURCE, context, { filename: 'cfreplay:libs' }) as (c: SandboxApi, h: HostBridges, b: unknown) => RealmLibs;
  const libs = libsFn(api, bridges, bufferCtor);
  api.setRequire(libs.require);
  for (const [name, value] of Object.entries(libs.globals)) api.defineGlobal(name, value);
  const surface = vm.runInContext(NJS_SURFACE_SOURCE, context, { filename: 'cfreplay:njs-surface' }) as (h: NjsSurfaceHost) => NjsSurface;
  const hostSettings = vm.runInContext('({})', context) as NjsSurfaceHost;
  hostSettings.runtime2 = runtime2;
  hostSettings.isByteString = api.isByteString; // in-realm (prelude.ts)
  const njs = surface(hostSettings);
  api.setNjs(njs.format, njs.njsError);
  if (!runtime2) {
    // 1.0 (njs < 0.8.1): the event's maps of more than 10 entries enumerate in njs's
    // hash order (njs-surface.ts njsOrderedEvent; host side, before the prelude clones
    // the event into the realm; api is not reachable from function code).
    // Explicit parameters, not rest/spread: this runs on every call (no arguments array).
    const { invoke, setPending } = api;
    api.invoke = (factory, event, now, lo, hi, rq, eventType) => invoke(factory, njsOrderedEvent(event), now, lo, hi, rq, eventType);
    api.setPending = (factory, event, now, lo, hi, rq, eventType) => setPending(factory, njsOrderedEvent(event), now, lo, hi, rq, eventType);
  }
  api.snapshotBaseline();

  const hardenFn = vm.runInContext(REALM_HARDEN_SOURCE, context, { filename: 'cfreplay:harden' }) as (c: SandboxApi, o: unknown) => Hardened;
  const options = vm.runInContext('({})', context) as { freeze: boolean; extraRoots: unknown; keep: unknown; userFile: string | undefined };
  options.freeze = mode === 'frozen';
  options.userFile = userFile;
  options.keep = toRealmArray(context, [...keep]);
  options.extraRoots = toRealmArray(context, [...Object.values(libs.modules), ...libs.roots]);
  const hardened = hardenFn(api, options);

  const shadowNames = (vm.runInContext('Object.getOwnPropertyNames(globalThis)', context) as string[]).filter(
    (n) => !NOT_SHADOWED.has(n) && /^[A-Za-z_$][\w$]*$/.test(n),
  );
  const shadowValues = vm.runInContext(`[${shadowNames.join(',')}]`, context) as unknown[];
  return {
    context,
    sandboxObject,
    ownEnumerable: new Set(Object.keys(sandboxObject)),
    api,
    state,
    njs,
    resetBridges: reset,
    restore: hardened.restore,
    changed: () => [...hardened.changed()],
    reachable: () => hardened.reachable(),
    timedCall: `${timedName}()`,
    shadowNames,
    shadowValues,
  };
}

export { newInvocationState };

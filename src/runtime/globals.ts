/**
 * Builds one sandbox context per loaded function: a vm context whose global
 * object offers only what the CloudFront runtime offers (checked by a test
 * with Object.getOwnPropertyNames(globalThis)), with eval / new Function /
 * WebAssembly code generation disabled.
 *
 * Both runtimes: the ECMAScript built-ins njs has (V8's minus Intl, WebAssembly,
 * SharedArrayBuffer, Atomics, WeakRef, FinalizationRegistry, BigInt and its
 * arrays, Proxy), njs's
 * InternalError and MemoryError, a console with a one-argument `log`, and
 * `require` for the built-in modules. 1.0 adds the njs byte-string helpers;
 * 2.0 adds Buffer, atob, btoa, TextEncoder, TextDecoder.
 *
 * Buffer / TextEncoder / atob are the host's (Node) implementations: values
 * they return are host-realm objects (a Buffer is not `instanceof Uint8Array`
 * inside the sandbox). KVS `bytes` values are in-realm Uint8Arrays.
 */
import vm from 'node:vm';
import { PRELUDE_SOURCE, type PreludeHost, type SandboxApi } from './prelude.js';
import type { EdgeLocation, KvsSnapshot, Runtime } from './types.js';
import { newInvocationState, type InvocationState } from './invocation-state.js';
import { makeCryptoModule } from './modules/crypto.js';
import { makeCloudfrontModule, CUSTOM_DATA_LIMIT } from './modules/cloudfront.js';
import { installByteStringHelpers } from './modules/bytestrings.js';
import { modulesFor } from './syntax-gate.js';
import { NJS_SURFACE_SOURCE, type NjsSurface, type NjsSurfaceHost } from './njs-surface.js';

export const LOG_LIMIT_BYTES = 10 * 1024;

export interface Sandbox {
  context: vm.Context;
  /** The object vm contextified: globals a function writes show up here (cheap leak check). */
  sandboxObject: Record<string, unknown>;
  api: SandboxApi;
  state: InvocationState;
  requireFn: (name: unknown) => unknown;
  /** njs-shaped built-ins (njs-surface.ts): console.log formatter, caught-error translator. */
  njs: NjsSurface;
  /** Global names passed to the wrapper as parameters (fast lookups, see loader.ts). */
  shadowNames: string[];
  shadowValues: unknown[];
}

function truncateBytes(s: string, n: number): string {
  const b = Buffer.from(s, 'utf8');
  if (b.length <= n) return s;
  return b.subarray(0, n).toString('utf8').replace(/\uFFFD$/, '');
}

/** Names never passed as wrapper parameters (not real bindings, or semantics would change). */
const NOT_SHADOWED = new Set(['undefined', 'NaN', 'Infinity', 'eval', 'globalThis', 'arguments']);

export function createSandbox(runtime: Runtime, kvs: KvsSnapshot | undefined, edge: EdgeLocation): Sandbox {
  const runtime2 = runtime === 'cloudfront-js-2.0';
  const sandboxObject: Record<string, unknown> = {};
  const context = vm.createContext(sandboxObject, {
    name: `cfreplay ${runtime}`,
    codeGeneration: { strings: false, wasm: false },
  });
  const host: PreludeHost = {
    byteLength: (s) => Buffer.byteLength(s, 'utf8'),
    truncateBytes,
    logLimit: LOG_LIMIT_BYTES,
    customDataLimit: CUSTOM_DATA_LIMIT,
    runtime2,
  };
  const preludeFn = vm.runInContext(PRELUDE_SOURCE, context, { filename: 'cfreplay:prelude' }) as (h: PreludeHost) => SandboxApi;
  const api = preludeFn(host);
  const state = newInvocationState();
  const realm = api.realm;

  const modules: Record<string, object> = {
    crypto: makeCryptoModule(realm, state, runtime2),
    querystring: api.querystring,
  };
  if (runtime2) {
    const bufferMod = new realm.Object() as Record<string, unknown>;
    bufferMod.Buffer = Buffer;
    modules.buffer = Object.freeze(bufferMod);
    modules.cloudfront = makeCloudfrontModule(api, state, kvs, edge);
  }
  const allowed = modulesFor(runtime);
  const requireFn = function require(name: unknown): unknown {
    const n = String(name);
    const m = allowed.includes(n) ? modules[n] : undefined;
    if (!m) throw new realm.Error(`Cannot find module "${n}"`);
    return m;
  };
  api.defineGlobal('require', requireFn);

  if (runtime2) {
    api.defineGlobal('Buffer', Buffer);
    api.defineGlobal('atob', globalThis.atob);
    api.defineGlobal('btoa', globalThis.btoa);
    api.defineGlobal('TextEncoder', TextEncoder);
    api.defineGlobal('TextDecoder', TextDecoder);
  } else {
    const stringCtor = vm.runInContext('String', context) as StringConstructor;
    installByteStringHelpers(api, stringCtor, state);
  }
  // Hook for the fidelity helper's njs-surface.ts: removes what njs lacks, adds what it has (per runtime).
  const surface = vm.runInContext(NJS_SURFACE_SOURCE, context, { filename: 'cfreplay:njs-surface' }) as (h: NjsSurfaceHost) => NjsSurface;
  const njs = surface({ runtime2, isByteString: (s) => state.byteStrings.has(s) });
  api.snapshotBaseline();

  const shadowNames = (vm.runInContext('Object.getOwnPropertyNames(globalThis)', context) as string[]).filter(
    (n) => !NOT_SHADOWED.has(n) && /^[A-Za-z_$][\w$]*$/.test(n),
  );
  const shadowValues = vm.runInContext(`[${shadowNames.join(',')}]`, context) as unknown[];
  return { context, sandboxObject, api, state, requireFn, njs, shadowNames, shadowValues };
}

export { newInvocationState };

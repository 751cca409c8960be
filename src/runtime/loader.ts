/**
 * loadFunction: syntax gate, import rewriting, instrumentation, and the
 * per-invocation run in a sandbox realm (globals.ts).
 *
 * Fresh state per invocation without a new context: the source is compiled
 * once inside a factory
 *
 *   (function(<every offered global>){return function(__cfreplay_require, _, __cfreplay_c){'use strict';
 *   <source>
 *   ;return typeof handler === 'function' ? handler : undefined;
 *   }})
 *
 * and the factory is called for each invocation, so top-level var/let/function
 * state is new each time. The outer function receives the context's globals
 * as parameters: lookups of `Object`, `JSON`, `console`, ... become closure
 * reads instead of going through the vm global interceptor (2x faster), and a
 * function that assigns to a built-in global by name only changes its own
 * invocation's binding. The prefix is on its own line and the script is
 * compiled with lineOffset -1, so line numbers are the user's.
 * `import x from 'm'` lines are rewritten in place (same line) to
 * `const x = __cfreplay_require("m");`.
 *
 * Fresh built-ins per invocation (realm-harden.ts has the reasoning): calls
 * run in a realm whose built-ins are frozen; a call that tried to change one
 * (and so failed where CloudFront would not) is run again in a second,
 * mutable realm whose built-ins are put back from a snapshot after every
 * call. A function that did change built-ins there keeps using the mutable
 * realm (each call then pays the restore, about a hundred microseconds).
 * Globals a function adds (`globalThis.x = 1`) are deleted after each call
 * in both realms.
 *
 * Concurrency: invocations of one LoadedFunction share the realms' clock,
 * seed and log buffer, so an invoke issued while an async invocation is
 * pending waits for it (they are serialized). Use one LoadedFunction per
 * concurrent lane (or workers) for parallelism.
 */
import vm from 'node:vm';
import { performance } from 'node:perf_hooks';
import type { EventType } from '../event/types.js';
import { FunctionLoadError } from './errors.js';
import { createSandbox, type RealmMode, type Sandbox } from './globals.js';
import { instrumentSource, wrapperNames, type WrapperNames } from './instrument.js';
import { checkedFor, rewriteImports, seedHi, seedLo, type CheckedSource } from './function-source.js';
import { toErrorInfo } from './njs-errors.js';
import { isObj } from './effective.js';
import { buildRunResult, type CallRecord } from './outcome.js';
import { jsonLike } from './json-like.js';
import { DEFAULT_EDGE_LOCATION } from './modules/cloudfront.js';
import type {
  EdgeLocation,
  ErrorInfo,
  KvsSnapshot,
  ExecutionErrorReason,
  FunctionKind,
  InvokeOptions,
  LoadOptions,
  RunResult,
  Runtime,
} from './types.js';

export interface LoadedFunction {
  readonly runtime: Runtime;
  readonly kind: FunctionKind;
  readonly filename: string;
  /** True when the entry point is declared `async` (invoke then always returns a Promise). */
  readonly isAsync: boolean;
  /**
   * Run one event. Returns a RunResult synchronously when the function
   * returns a plain value (the fast path), a Promise when it returns a
   * promise (async handler) or another invocation is pending.
   */
  invoke(event: unknown, opts?: InvokeOptions): RunResult | Promise<RunResult>;
  /** Same as invoke, always a Promise. */
  invokeAsync(event: unknown, opts?: InvokeOptions): Promise<RunResult>;
  /**
   * The calls up to endBatch() are a batch (a replay chunk): state a call can leave where no
   * cheap check sees it (a symbol-keyed global: listing the global's symbols costs ~1.4 us) is
   * looked for once, at the end of the batch, instead of after every call.
   */
  startBatch(): void;
  /**
   * True when a call of the batch left such state: it is cleaned away, this function looks
   * after every call from now on, and the batch's results must be thrown away and the batch
   * run again (later events may have seen the state). Calls outside a batch are always checked.
   */
  endBatch(): boolean;
}

const NO_OPTS: InvokeOptions = Object.freeze({});

/** How a returned promise settled (filled in by the callbacks given to the realm's settle). */
interface Settled {
  done: boolean;
  threw: boolean;
  v: unknown;
}
const NOT_SETTLED: Settled = Object.freeze({ done: false, threw: false, v: undefined });

/**
 * Hands a returned promise to the realm's settle; the record fills in when its reactions run.
 * Its own function: a closure in attempt() capturing the record would make every call, promise
 * or not, allocate a context for it.
 */
function followPromise(sb: Sandbox, ret: unknown): Settled {
  const out: Settled = { done: false, threw: false, v: undefined };
  const end = (failed: boolean, v: unknown): void => {
    if (out.done) return;
    out.done = true;
    out.threw = failed;
    out.v = v;
  };
  sb.api.settle(ret, (v) => end(false, v), (e) => end(true, e));
  return out;
}
const EMPTY_LOGS: string[] = Object.freeze([] as string[]) as string[];

/** Evaluating any script runs the realm's queued microtasks afterwards (microtaskMode 'afterEvaluate'). */
const DRAIN = new vm.Script('0', { filename: 'cfreplay:microtasks' });

function isTimeout(e: unknown): boolean {
  return isObj(e) && e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

/**
 * Monotonic clock in ms with sub-ns resolution. performance.now() costs about
 * half of process.hrtime.bigint() (no BigInt allocated), and two readings per
 * invocation matter at ~2 us per call.
 */
const clock = performance.now.bind(performance);
const elapsedNs = (t0: number): number => Math.round((clock() - t0) * 1e6);

/**
 * `checked`: the syntax gate's verdict on this source, made in another thread (a replay's main
 * thread hands its own to the workers): the gate's parse and walk are skipped when it was made
 * for this very source, file name and runtime (function-source.ts checkedFor), and run otherwise.
 */
export function loadFunction(source: string, opts: LoadOptions = {}, checked?: CheckedSource): LoadedFunction {
  const { filename, runtime, analysis, kind, entryName, isAsync } = checkedFor(source, opts, checked);
  const names = wrapperNames(source);
  const body = instrumentSource(rewriteImports(source, analysis, names.require), 'script', names);
  const spec: RealmSpec = {
    runtime,
    kvs: opts.kvs,
    edge: opts.edgeLocation ?? DEFAULT_EDGE_LOCATION,
    body,
    names,
    entryName,
    filename,
    // Conservative (a word in a string counts): async functions and await queue jobs the realm cannot flag.
    mayAwait: /\b(async|await)\b/.test(source),
    assigned: new Set(analysis.assignedNames),
    accessorSyntax: analysis.accessorSyntax,
    jsonSensitive: JSON_SENSITIVE.test(source),
  };
  const fast = compileRealm(spec, 'frozen');
  return new SandboxedFunction(spec, fast, runtime, kind, filename, isAsync, opts.eventType);
}

/**
 * A source that may give its result names it inherits (Object.create, setPrototypeOf,
 * __proto__, a constructor's prototype) or a JSON other than its plain reads (toJSON): its
 * results are read as their JSON in the call (see finish). Conservative (a word in a comment
 * counts), but a built-in's prototype (`Object.prototype.hasOwnProperty.call`, a polyfill on
 * `String.prototype`) does not make a result inherit anything and does not count.
 */
const JSON_SENSITIVE =
  /\b(?:setPrototypeOf|__proto__|toJSON)\b|\bcreate\s*\(|(?<!\b(?:Object|Array|String|Number|Boolean|Function|Date|RegExp|Error|TypeError|RangeError|Promise|Map|Set|Symbol|Uint8Array|ArrayBuffer|Buffer)\s*\.\s*)\bprototype\b/;

interface RealmSpec {
  runtime: Runtime;
  kvs: KvsSnapshot | undefined;
  edge: EdgeLocation;
  /** The rewritten, instrumented source. */
  body: string;
  /** The wrapper's parameter names (instrument.ts wrapperNames: none the source uses itself). */
  names: WrapperNames;
  entryName: string;
  filename: string;
  /** The source may queue promise jobs without a flag (async functions, await): drain after every call. */
  mayAwait: boolean;
  /**
   * Names the source assigns somewhere (SourceAnalysis.assignedNames): global names among them are
   * not closure parameters, so `JSON = x` writes the global (put back after the call like any
   * built-in) rather than a binding every later event of this realm would see.
   */
  assigned: ReadonlySet<string>;
  /** The source writes object-literal accessors: every call's result is read as its JSON (see finish). */
  accessorSyntax: boolean;
  /** The source may give a result inherited names or a toJSON: every call's result is read as its JSON. */
  jsonSensitive: boolean;
}

interface Realm {
  sb: Sandbox;
  factory: (req: unknown, cfReq: unknown, caught: unknown) => unknown;
  timedScript: vm.Script | null;
}

function compileRealm(spec: RealmSpec, mode: RealmMode, keep: readonly number[] = []): Realm {
  const sb = createSandbox(spec.runtime, spec.kvs, spec.edge, { mode, keep, userFile: spec.filename });
  const names: string[] = [];
  const values: unknown[] = [];
  for (let i = 0; i < sb.shadowNames.length; i++) {
    if (spec.assigned.has(sb.shadowNames[i]!)) continue;
    names.push(sb.shadowNames[i]!);
    values.push(sb.shadowValues[i]);
  }
  const wrapped =
    `(function(${names.join(',')}){return function(${spec.names.require},${spec.names.require2},${spec.names.caught}){'use strict';\n` +
    spec.body +
    `\n;return typeof ${spec.entryName} === 'function' ? ${spec.entryName} : undefined;\n}})`;
  try {
    const script = new vm.Script(wrapped, { filename: spec.filename, lineOffset: -1 });
    const outer = script.runInContext(sb.context) as (...globals: unknown[]) => Realm['factory'];
    return { sb, factory: outer(...values), timedScript: null };
  } catch (e) {
    const info = toErrorInfo(e, spec.filename);
    throw new FunctionLoadError(spec.filename, `${info.name}: ${info.message}`, info.line !== undefined ? [{ message: `${info.name}: ${info.message}`, line: info.line, column: info.column ?? 1 }] : []);
  }
}

/** Past this many changed built-ins a function runs in the mutable realm (restoring all of them after each call). */
const MAX_KEPT = 64;

class SandboxedFunction implements LoadedFunction {
  /** The mutable realm, built on first need (and again when a restore is impossible). */
  private mutable: Realm | null = null;
  /** Built-ins (walk indices) this function was seen to change: left unfrozen, and restored after each call, in the fast realm. */
  private keep: number[] = [];
  /** It changes too many built-ins for that: its calls go straight to the mutable realm. */
  private mutating = false;
  /** In a batch (startBatch): symbol-keyed globals are looked for at its end only. */
  private batched = false;
  /** A realm retired during the batch had symbol-keyed globals a call left (see retire). */
  private leakedInBatch = false;
  /** A call of this function left a symbol-keyed global once: every call is checked from then on. */
  private checksEveryCall = false;

  constructor(
    private readonly spec: RealmSpec,
    private fast: Realm,
    readonly runtime: Runtime,
    readonly kind: FunctionKind,
    readonly filename: string,
    readonly isAsync: boolean,
    private readonly fixedEventType: EventType | undefined,
  ) {
    this.record = {
      kind,
      runtime,
      eventType: 'viewer-request',
      event: undefined,
      requestAfter: undefined,
      ret: undefined,
      error: undefined,
      reason: undefined,
      logs: EMPTY_LOGS,
      logsTruncated: false,
      origin: null,
      customData: null,
      decision: null,
      durationNs: 0,
      twin: undefined,
    };
  }

  /** The CallRecord of the call being finished (see finish). */
  private readonly record: CallRecord;

  invokeAsync(event: unknown, opts?: InvokeOptions): Promise<RunResult> {
    return Promise.resolve(this.invoke(event, opts));
  }

  startBatch(): void {
    this.batched = !this.checksEveryCall;
    this.leakedInBatch = false;
  }

  endBatch(): boolean {
    const wasBatched = this.batched;
    this.batched = false;
    if (!wasBatched) return false;
    let leaked = this.leakedInBatch;
    for (const realm of [this.fast, this.mutable]) {
      if (realm === null || !realm.sb.api.symbolsAdded()) continue;
      leaked = true;
      realm.sb.api.state.globalTouched = true; // the next sweep cleans it (or rebuilds the realm)
    }
    this.leakedInBatch = false;
    if (leaked) {
      this.checksEveryCall = true;
      this.fast = this.sweep(this.fast);
      if (this.mutable !== null) this.sweep(this.mutable);
    }
    return leaked;
  }

  /** A realm about to be dropped: in a batch, note whether a call left a symbol-keyed global in it. */
  private retire(realm: Realm): void {
    if (this.batched && realm.sb.api.symbolsAdded()) this.leakedInBatch = true;
  }

  /** Always settles before it returns: the realm's microtasks are drained inside the call. */
  invoke(event: unknown, opts?: InvokeOptions): RunResult {
    const realm = this.sweep(this.mutating ? this.mutableRealm() : this.fast);
    const inFast = realm === this.fast;
    const res = this.attempt(realm, event, opts);
    // A call that hit a frozen built-in runs again in the mutable realm (also when the call's
    // end replaced the fast realm: this.fast is then another one).
    if (!inFast || !realm.sb.api.state.frozenWrite) return res;
    return this.attempt(this.sweep(this.mutableRealm()), event, opts);
  }

  private mutableRealm(): Realm {
    return (this.mutable ??= compileRealm(this.spec, 'mutable'));
  }

  /**
   * Put back the built-ins the call may have changed (before the output is
   * validated: it must see the realm as CloudFront would). What the mutable
   * realm had to put back is learnt: the fast realm is rebuilt with those
   * objects unfrozen, so the next calls run there and restore only them.
   */
  private restore(realm: Realm): void {
    const changes = realm.sb.restore!();
    if (changes < 0) {
      this.retire(realm);
      if (realm === this.fast) this.fast = compileRealm(this.spec, 'frozen', this.keep);
      else if (realm === this.mutable) this.mutable = null;
      return;
    }
    if (realm !== this.mutable || changes === 0) return;
    const before = this.keep.length;
    const keep = new Set(this.keep);
    for (const i of realm.sb.changed()) keep.add(i);
    if (keep.size === before) return;
    this.keep = [...keep].sort((a, b) => a - b);
    if (this.keep.length > MAX_KEPT) this.mutating = true;
    else {
      this.retire(this.fast);
      this.fast = compileRealm(this.spec, 'frozen', this.keep);
    }
  }

  /**
   * Delete globals the function added: enumerable ones land on the sandbox
   * object; definitions and prototype changes of the global are flagged
   * in-realm. Run after each call and again before the next one (a promise
   * reaction the function left behind may have run in between). Returns the
   * realm to use: a new one when something could not be deleted.
   */
  private sweep(realm: Realm): Realm {
    let leaked = realm.sb.api.state.globalTouched;
    if (!leaked) {
      for (const k in realm.sb.sandboxObject) {
        if (realm.sb.ownEnumerable.has(k)) continue;
        leaked = true;
        break;
      }
    }
    // Symbol-keyed globals (no hook sees an assignment): after every call unless in a batch (startBatch).
    if (!leaked && !this.batched) leaked = realm.sb.api.symbolsAdded();
    if (!leaked) return realm;
    realm.sb.api.state.globalTouched = false;
    // cleanupLeaks deletes symbol-keyed globals too: a batch must not learn of them here.
    this.retire(realm);
    if (realm.sb.api.cleanupLeaks()) return realm;
    // A non-configurable global cannot be deleted: start over with a new realm.
    if (realm === this.fast) return (this.fast = compileRealm(this.spec, 'frozen', this.keep));
    if (realm === this.mutable) this.mutable = null;
    return this.mutableRealm();
  }

  private attempt(realm: Realm, event: unknown, opts: InvokeOptions | undefined): RunResult {
    const o = opts ?? NO_OPTS;
    const now = o.now ?? 0;
    const seed = o.seed ?? now;
    const lo = seedLo(seed);
    const hi = seedHi(seed);
    const sb = realm.sb;
    const st = sb.state;
    const eventType = this.kind === 'connection'
      ? 'connection'
      : (this.fixedEventType ?? ((isObj(event) && isObj(event.context) && (event.context.eventType as EventType)) || 'viewer-request'));
    st.eventType = eventType;
    st.origin = null;
    sb.resetBridges();
    this.record.twin = o.twin;

    let ret: unknown;
    let error: unknown;
    let threw = false;
    const t0 = clock();
    const timed = o.timeoutMs !== undefined;
    const limitMs = timed ? Math.max(1, Math.ceil(o.timeoutMs!)) : 0;
    try {
      if (timed) {
        sb.api.setPending(realm.factory, event, now, lo, hi, o.rawQuery, eventType);
        realm.timedScript ??= new vm.Script(sb.timedCall, { filename: 'cfreplay:timed' });
        // The realm's microtasks run right after this script, inside the same timeout.
        ret = realm.timedScript.runInContext(sb.context, { timeout: limitMs });
      } else ret = sb.api.invoke(realm.factory, event, now, lo, hi, o.rawQuery, eventType);
    } catch (e) {
      threw = true;
      error = e;
    }
    // Follow a returned promise, then run every reaction the call queued (the realm has its
    // own microtask queue: nothing it queues runs later, in another call, or on the host's
    // queue, where an endless chain of reactions would starve the worker). The reactions are
    // part of this call: under its vm timeout when it has one, else under the supervisor's
    // budget (the replay pool and worker-runner see the call still running and stop it).
    const thenable = !threw && isThenable(ret);
    const out = thenable ? followPromise(sb, ret) : NOT_SETTLED;
    // Draining costs a script evaluation (~0.5 us): skipped when the call cannot have queued a job.
    // (The timed script has already drained the queue once, after the call itself.)
    const mustDrain = thenable || (!timed && (this.spec.mayAwait || sb.api.state.queued));
    if (mustDrain && !(threw && isTimeout(error))) {
      try {
        if (timed) DRAIN.runInContext(sb.context, { timeout: Math.max(1, limitMs - Math.floor(clock() - t0)) });
        else DRAIN.runInContext(sb.context);
      } catch (e) {
        // Only the timeout can end the drain (a reaction's own exception rejects its promise).
        return this.finish(realm, event, undefined, true, e, elapsedNs(t0));
      }
    }
    if (out.done) return this.finish(realm, event, out.threw ? undefined : out.v, out.threw, out.threw ? out.v : undefined, elapsedNs(t0));
    if (thenable) {
      // Every reaction has run: a promise still pending can never settle (there are no timers).
      return this.finish(realm, event, undefined, true, { name: 'Error', message: 'the promise returned by the function never settled' }, elapsedNs(t0), 'never-settled');
    }
    return this.finish(realm, event, ret, threw, error, elapsedNs(t0));
  }

  private finish(realm: Realm, event: unknown, ret: unknown, threw: boolean, error: unknown, durationNs: number, reason?: ExecutionErrorReason): RunResult {
    const sb = realm.sb;
    const api = sb.api;
    const ps = api.state;
    // What a function returns is read as its JSON (api.jsonForm), as njs reads it (the njs engine
    // and CloudFront's test API both give a function's output as that JSON): own enumerable names,
    // getters and toJSON run once. The JSON is made now, inside the call (its time budget, before
    // the realm is put back: getters and toJSON are the function's code; what they throw is its
    // exception), when the result may differ from its plain reads in a way that runs code or hides
    // a name: the call defined properties, the source writes get/set, Object.create, a prototype
    // or toJSON, or a map has another prototype. Other results are read as they are (their JSON
    // would be the same but for undefined and function values, a Date or a boxed primitive: see
    // jsonLike below). In a viewer-response the request as the call left it is read now too (its
    // query string must be unchanged).
    const spec = this.spec;
    const eventType = sb.state.eventType;
    const mayDiffer = ps.accessors || spec.accessorSyntax || spec.jsonSensitive;
    let requestAfter: unknown;
    let formed = false;
    if (!threw) {
      try {
        if (typeof ret === 'object' && ret !== null && (mayDiffer || api.inheritsNames(ret))) {
          ret = api.jsonForm(ret);
          formed = true;
        }
        if (eventType === 'viewer-response' && isObj(ps.event)) {
          requestAfter = ps.event.request;
          if (isObj(requestAfter) && (mayDiffer || api.inheritsNames(requestAfter))) requestAfter = api.jsonForm(requestAfter);
        }
      } catch (e) {
        threw = true;
        error = e;
        ret = requestAfter = undefined;
      }
    }
    if (threw) api.caught(error);
    this.sweep(realm);
    if (realm.sb.restore) this.restore(realm);

    let info: ErrorInfo | undefined;
    let why = reason;
    if (ps.memoryExceeded) {
      // Past the allocation budget the call is over, whatever the function did with the MemoryError.
      why = 'memory';
      info = { name: 'MemoryError', message: 'memory allocation failed', v8Message: 'per-call allocation budget exceeded' };
    } else if (threw) {
      why ??= 'exception';
      const code = isObj(error) ? error.code : undefined;
      if (code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
        why = 'timeout';
        info = { name: 'InternalError', message: 'function execution time limit exceeded', v8Message: String((error as { message?: unknown }).message) };
      } else info = toErrorInfo(error, this.filename);
    }
    // One record per function, filled in for each call (buildRunResult keeps none of it), emptied after.
    const c = this.record;
    c.eventType = eventType;
    c.event = event;
    c.requestAfter = requestAfter;
    c.ret = ret;
    c.error = info;
    c.reason = why;
    c.logs = ps.logs ?? EMPTY_LOGS;
    c.logsTruncated = ps.logsTruncated;
    c.origin = sb.state.origin;
    c.customData = ps.customData;
    c.decision = ps.decision;
    c.durationNs = durationNs;
    try {
      const r = buildRunResult(c);
      // A result read as it is that failed validation: its JSON (jsonLike: no code runs, the
      // call could not have made getters or toJSON) leaves out undefined and function values,
      // as njs reads it; that is validated instead (`headers['x-a'] = undefined` is no header).
      // (Still invalid: `raw` stays what the function returned, the realm's own objects.)
      if (r.outcome.kind !== 'validation-error' || formed || !isObj(ret)) return r;
      c.ret = jsonLike(ret);
      c.requestAfter = jsonLike(requestAfter);
      const again = buildRunResult(c);
      return again.outcome.kind === 'validation-error' ? { ...again, raw: ret } : again;
    } finally {
      // Not kept alive until the next call (the event, what the function returned).
      c.event = c.requestAfter = c.ret = c.error = c.twin = undefined;
      c.logs = EMPTY_LOGS;
      c.origin = null;
    }
  }
}

export { outcomeErrorMessage, executionError } from './outcome.js';

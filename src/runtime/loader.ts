/**
 * loadFunction: syntax gate, import rewriting, one vm context per loaded
 * function, and the per-invocation run.
 *
 * Fresh state per invocation without a new context: the source is compiled
 * once inside a factory
 *
 *   (function(<every offered global>){return function(__cfreplay_require){'use strict';
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
 * compiled with lineOffset -1, so line/column numbers are the user's.
 * `import x from 'm'` lines are rewritten in place (same line) to
 * `const x = __cfreplay_require("m");`.
 *
 * Global leaks: writes to `globalThis.x` (enumerable properties) show up on
 * the contextified sandbox object; a host-side for-in over it (~70 ns) and an
 * in-context check of enumerable additions to Object/Array/String/Function/
 * Number prototypes detect them after each run, and they are then deleted so
 * the next invocation starts clean. Not detected: non-enumerable properties
 * defined with Object.defineProperty, and replaced/mutated existing built-ins
 * (e.g. `Math.max = ...`, changing `JSON.parse`); CloudFront would discard
 * those too; such functions are rare and documented here.
 *
 * Concurrency: invocations of one LoadedFunction share the context's clock,
 * seed and log buffer, so an invoke issued while an async invocation is
 * pending waits for it (they are serialized). Use one LoadedFunction per
 * concurrent lane (or workers) for parallelism.
 */
import vm from 'node:vm';
import { performance } from 'node:perf_hooks';
import type { EventType } from '../event/types.js';
import { FunctionLoadError } from './errors.js';
import { createSandbox, type Sandbox } from './globals.js';
import { checkSource, detectRuntime, type SourceAnalysis } from './syntax-gate.js';
import { toErrorInfo } from './njs-errors.js';
import { isObj } from './effective.js';
import { buildRunResult } from './outcome.js';
import { DEFAULT_EDGE_LOCATION } from './modules/cloudfront.js';
import { LAMBDA_EDGE_SOURCE_MESSAGE, looksLikeLambdaEdgeSource } from './validate-event.js';
import type {
  ErrorInfo,
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
}

const TIMED_CALL = Symbol.for('cfreplay.timedCall');
const NO_OPTS: InvokeOptions = Object.freeze({});
const EMPTY_LOGS: string[] = Object.freeze([] as string[]) as string[];

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}

/** Replace `import x from 'm'` statements in place, keeping every line where it was. */
function rewriteImports(source: string, analysis: SourceAnalysis): string {
  if (analysis.imports.length === 0) return source;
  let out = '';
  let pos = 0;
  for (const imp of analysis.imports) {
    const original = source.slice(imp.start, imp.end);
    const newlines = original.split('\n').length - 1;
    out += source.slice(pos, imp.start) + `const ${imp.local} = __cfreplay_require(${JSON.stringify(imp.module)});` + '\n'.repeat(newlines);
    pos = imp.end;
  }
  return out + source.slice(pos);
}

// Two halves of the seed, as separate functions so the hot path allocates no tuple.
function seedLo(seed: number): number {
  const s = Math.floor(Math.abs(seed));
  return ((s % 4294967296) >>> 0) ^ (seed < 0 ? 0x5bd1e995 : 0);
}
function seedHi(seed: number): number {
  return Math.floor(Math.floor(Math.abs(seed)) / 4294967296) >>> 0;
}

/**
 * Monotonic clock in ms with sub-ns resolution. performance.now() costs about
 * half of process.hrtime.bigint() (no BigInt allocated), and two readings per
 * invocation matter at ~2 us per call.
 */
const clock = performance.now.bind(performance);
const elapsedNs = (t0: number): number => Math.round((clock() - t0) * 1e6);

export function loadFunction(source: string, opts: LoadOptions = {}): LoadedFunction {
  const filename = opts.filename ?? 'function.js';
  if (typeof source !== 'string') throw new FunctionLoadError(filename, 'function source must be a string');
  const hasTopHandler = /(^|[\s;}])(?:async\s+)?function\s+(handler|connectionHandler)\s*\(/.test(source);
  if (!hasTopHandler && looksLikeLambdaEdgeSource(source)) throw new FunctionLoadError(filename, LAMBDA_EDGE_SOURCE_MESSAGE);
  const runtime = opts.runtime ?? detectRuntime(source);
  const analysis = checkSource(source, runtime, filename);
  if (!analysis.hasHandler && !analysis.hasConnectionHandler) {
    throw new FunctionLoadError(
      filename,
      analysis.looksLikeLambda ? LAMBDA_EDGE_SOURCE_MESSAGE : 'no handler: define a top-level `function handler(event)` (or `connectionHandler(connection)`)',
    );
  }
  const kind: FunctionKind = analysis.hasHandler ? 'viewer' : 'connection';
  if (kind === 'connection' && runtime !== 'cloudfront-js-2.0')
    throw new FunctionLoadError(filename, 'connection functions (connectionHandler) require the cloudfront-js-2.0 runtime');
  const entryName = kind === 'viewer' ? 'handler' : 'connectionHandler';
  const isAsync = new RegExp(`async\\s+function\\s+${entryName}\\s*\\(`).test(source);

  const sandbox = createSandbox(runtime, opts.kvs, opts.edgeLocation ?? DEFAULT_EDGE_LOCATION);
  const body = rewriteImports(source, analysis);
  const wrapped =
    `(function(${sandbox.shadowNames.join(',')}){return function(__cfreplay_require){'use strict';\n` +
    body +
    `\n;return typeof ${entryName} === 'function' ? ${entryName} : undefined;\n}})`;
  let factory: (req: unknown) => unknown;
  try {
    const script = new vm.Script(wrapped, { filename, lineOffset: -1 });
    const outer = script.runInContext(sandbox.context) as (...globals: unknown[]) => (req: unknown) => unknown;
    factory = outer(...sandbox.shadowValues);
  } catch (e) {
    const info = toErrorInfo(e, filename);
    throw new FunctionLoadError(filename, `${info.name}: ${info.message}`, info.line !== undefined ? [{ message: `${info.name}: ${info.message}`, line: info.line, column: info.column ?? 1 }] : []);
  }
  return new SandboxedFunction(sandbox, factory, runtime, kind, filename, isAsync, opts.eventType);
}

class SandboxedFunction implements LoadedFunction {
  /** An async invocation is in flight: others wait in `queue` (they share the context's state). */
  private busy = false;
  private readonly queue: (() => void)[] = [];
  private timedScript: vm.Script | null = null;

  constructor(
    private readonly sb: Sandbox,
    private readonly factory: (req: unknown) => unknown,
    readonly runtime: Runtime,
    readonly kind: FunctionKind,
    readonly filename: string,
    readonly isAsync: boolean,
    private readonly fixedEventType: EventType | undefined,
  ) {}

  invokeAsync(event: unknown, opts?: InvokeOptions): Promise<RunResult> {
    return Promise.resolve(this.invoke(event, opts));
  }

  invoke(event: unknown, opts?: InvokeOptions): RunResult | Promise<RunResult> {
    if (this.busy) {
      return new Promise<RunResult>((resolve) => this.queue.push(() => resolve(this.run(event, opts))));
    }
    return this.run(event, opts);
  }

  private drain(): void {
    while (!this.busy && this.queue.length > 0) this.queue.shift()!();
  }

  private run(event: unknown, opts: InvokeOptions | undefined): RunResult | Promise<RunResult> {
    const o = opts ?? NO_OPTS;
    const now = o.now ?? 0;
    const seed = o.seed ?? now;
    const lo = seedLo(seed);
    const hi = seedHi(seed);
    const st = this.sb.state;
    const isConn = this.kind === 'connection';
    st.eventType = isConn
      ? 'connection'
      : (this.fixedEventType ??
        ((isObj(event) && isObj(event.context) && (event.context.eventType as EventType)) || 'viewer-request'));
    st.origin = null;
    if (st.byteStrings.size > 0) st.byteStrings.clear();

    let ret: unknown;
    let error: unknown;
    let threw = false;
    const t0 = clock();
    try {
      if (o.timeoutMs !== undefined) ret = this.invokeTimed(event, now, lo, hi, o.rawQuery, isConn, o.timeoutMs);
      else ret = this.sb.api.invoke(this.factory, this.sb.requireFn, event, now, lo, hi, o.rawQuery, isConn);
    } catch (e) {
      threw = true;
      error = e;
    }
    if (!threw && isThenable(ret)) return this.settle(ret, event, t0);
    const dt = elapsedNs(t0);
    return this.finish(event, ret, threw, error, dt);
  }

  private invokeTimed(event: unknown, now: number, lo: number, hi: number, rq: string | undefined, isConn: boolean, timeoutMs: number): unknown {
    const api = this.sb.api;
    const thunk = () => api.invoke(this.factory, this.sb.requireFn, event, now, lo, hi, rq, isConn);
    const g = vm.runInContext('globalThis', this.sb.context) as Record<symbol, unknown>;
    Object.defineProperty(g, TIMED_CALL, { value: thunk, configurable: true, enumerable: false, writable: true });
    this.timedScript ??= new vm.Script(`globalThis[Symbol.for('cfreplay.timedCall')]()`, { filename: 'cfreplay:timed' });
    try {
      return this.timedScript.runInContext(this.sb.context, { timeout: Math.max(1, Math.ceil(timeoutMs)) });
    } finally {
      delete g[TIMED_CALL];
    }
  }

  private settle(p: PromiseLike<unknown>, event: unknown, t0: number): Promise<RunResult> {
    this.busy = true;
    return new Promise<RunResult>((resolve) => {
      let settled = false;
      const end = (threw: boolean, v: unknown, reason?: ExecutionErrorReason) => {
        if (settled) return;
        settled = true;
        const dt = elapsedNs(t0);
        // The in-context probe ran when the handler returned its promise; later continuations may have polluted.
        this.sb.api.state.polluted = null;
        resolve(this.finish(event, threw ? undefined : v, threw, threw ? v : undefined, dt, reason));
        this.busy = false;
        this.drain();
      };
      p.then(
        (v) => end(false, v),
        (e) => end(true, e),
      );
      // No timers exist in the sandbox: once the microtask queue has drained
      // (setImmediate runs after it), a still-pending promise can never settle.
      setImmediate(() =>
        end(true, { name: 'Error', message: 'the promise returned by the function never settled' }, 'never-settled'),
      );
    });
  }

  private finish(event: unknown, ret: unknown, threw: boolean, error: unknown, durationNs: number, reason?: ExecutionErrorReason): RunResult {
    const sb = this.sb;
    const api = sb.api;
    const ps = api.state;
    // Leak check: enumerable globals land on the sandbox object; prototypes are
    // probed in-context (by api.invoke right after a synchronous return, which
    // saves a call into the context; null = not probed yet).
    let leaked = false;
    for (const _k in sb.sandboxObject) {
      leaked = true;
      break;
    }
    if (leaked || (ps.polluted === null ? api.protoPolluted() : ps.polluted)) api.cleanupLeaks();

    let info: ErrorInfo | undefined;
    let why = reason;
    if (threw) {
      why ??= 'exception';
      const code = isObj(error) ? error.code : undefined;
      if (code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
        why = 'timeout';
        info = { name: 'InternalError', message: 'function execution time limit exceeded', v8Message: String((error as { message?: unknown }).message) };
      } else info = toErrorInfo(error, this.filename);
    }
    const eventType = sb.state.eventType;
    const evAfter = eventType === 'viewer-response' ? ps.event : undefined;
    // Read before validation: getters on the returned object may log (they must not count).
    return buildRunResult({
      kind: this.kind,
      runtime: this.runtime,
      eventType,
      event,
      requestAfter: isObj(evAfter) ? evAfter.request : undefined,
      ret,
      error: info,
      reason: why,
      logs: ps.logs ?? EMPTY_LOGS,
      logsTruncated: ps.logsTruncated,
      origin: sb.state.origin,
      customData: ps.customData,
      decision: ps.decision,
      durationNs,
    });
  }
}

export { outcomeErrorMessage, executionError } from './outcome.js';

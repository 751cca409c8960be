/**
 * The njs engine behind the LoadedFunction interface: the function (after the
 * same syntax gate as the V8 engine) is compiled once, behind the prelude, into
 * the parent VM of a wasm instance; each event runs in a fresh clone of it
 * (njs's own per-request model). The event goes in as JSON (parsed by njs's
 * JSON.parse inside the clone) and the envelope the prelude builds comes back
 * as JSON (njs's JSON.stringify, called by the shim); the RunResult is then built by the
 * engine-independent outcome.ts (same validation, outcomes and effective form
 * as the V8 engine).
 *
 * Bounds per call (all inside the wasm instance, none reachable from JS):
 * - an instruction budget (njs_vmcode.c patch): past it the call stops with
 *   an uncatchable `InternalError: execution step limit exceeded`, reported
 *   as reason `timeout`;
 * - a cap on what njs allocates (njs_malloc.h patch): past it njs throws a
 *   MemoryError, reported as reason `memory`;
 * - PCRE2's match limit (1,000,000, set at build time) for backtracking;
 * - the C stack is checked on function entry: an overflow aborts the instance,
 *   reported as reason `crash`, and a new instance takes over.
 * Native work the budget does not count (a regex near the match limit, a huge
 * `repeat` below the memory cap) is bounded by the wall clock of the caller:
 * the supervised worker's watchdog (runtime/supervised-worker.ts, for the replay
 * pool and WorkerSandbox alike) terminates the worker thread
 * (terminating a thread stops running wasm).
 * The wasm memory never shrinks: after a call that left it above
 * RECYCLE_BYTES, the instance is replaced by a new one.
 *
 * Every RunResult carries `steps`, the opcodes the call executed.
 */
import { performance } from 'node:perf_hooks';
import { tokenizer } from 'acorn';
import type { EventType } from '../../event/types.js';
import { FunctionLoadError } from '../errors.js';
import { checkedFor, namePrefix, rewriteImports, seedHi, seedLo, type CheckedSource } from '../function-source.js';
import { buildRunResult, type CallRecord } from '../outcome.js';
import { DEFAULT_EDGE_LOCATION, originCallProblem } from '../modules/cloudfront.js';
import { isObj } from '../effective.js';
import type { LoadedFunction } from '../loader.js';
import type { ErrorInfo, ExecutionErrorReason, FunctionKind, InvokeOptions, LoadOptions, OriginChange, RunResult, Runtime } from '../types.js';
import { EngineCrash, NjsInstance } from './engine.js';
import { NJS_SHIM_NAMES, njsPrelude } from './prelude.js';

// The default instruction budget per call is in limits.ts with the other limits (results/cost.ts reads it without loading this engine).
import { DEFAULT_STEP_LIMIT } from '../limits.js';
/** Default cap on what njs allocates during one call, the VM clone and the event included (CloudFront: 2 MB; a 150 KB event with 400 headers runs well under it). */
export const DEFAULT_MEMORY_LIMIT_BYTES = 2 * 1024 * 1024;
/** Wasm memory above which an instance is replaced after the call. */
export const RECYCLE_BYTES = 64 * 1024 * 1024;

export interface NjsLoadOptions extends LoadOptions {
  /** Instructions per call (0 = no budget). */
  stepLimit?: number;
  /** Bytes njs may allocate per call (0 = no cap). */
  memoryLimitBytes?: number;
}

/** Where the step budget error comes from (the patch's text). */
const STEP_LIMIT_TEXT = 'InternalError: execution step limit exceeded';
const NO_OPTS: InvokeOptions = Object.freeze({});

/** Envelope built by the prelude's __cfreplay_finish. */
interface Envelope {
  ok?: boolean;
  ret?: unknown;
  err?: string;
  pending?: boolean;
  logs: string[];
  lt?: boolean;
  cd?: string;
  dec?: 'allow' | 'deny';
  origin?: (OriginChange & { hasParams?: boolean })[];
  ra?: unknown;
}

/** `TypeError: text` -> { name, message }; njs prints a thrown non-error value as it is. */
export function njsErrorInfo(text: string): ErrorInfo {
  const m = /^((?:[A-Z][A-Za-z]*)?Error)(?:: ([\s\S]*))?$/.exec(text);
  if (m) return { name: m[1]!, message: m[2] ?? '', v8Message: text };
  return { name: 'Error', message: text, v8Message: text };
}

function reasonOf(text: string): ExecutionErrorReason {
  if (text === STEP_LIMIT_TEXT) return 'timeout';
  if (text === 'MemoryError' || text.startsWith('MemoryError:')) return 'memory';
  return 'exception';
}

const clock = performance.now.bind(performance);

/** `checked`: as loadFunction's. */
export function loadNjsFunction(source: string, opts: NjsLoadOptions = {}, checked?: CheckedSource): LoadedFunction {
  const prep = checkedFor(source, opts, checked);
  refuseShimNames(source, prep.filename);
  const prelude = njsPrelude({ runtime: prep.runtime, kvs: opts.kvs, edge: opts.edgeLocation ?? DEFAULT_EDGE_LOCATION }, `${namePrefix(source)}_api`);
  // The prelude has no newline: the user's line numbers stay as written.
  const program = prelude + rewriteImports(source, prep.analysis, 'require');
  const fn = new NjsFunction(program, prep.runtime, prep.kind, prep.filename, prep.isAsync, opts);
  return fn;
}

/**
 * A function that uses a name the C shim calls (NJS_SHIM_NAMES) would replace what the shim runs
 * (`var __cfreplay_run = 1` made every event "TypeError: ... is not a function"): it is refused
 * with the name and where it is, since those two names are compiled into the engine. CloudFront
 * has no such names, so the V8 engine runs it. Found as identifier tokens: in a comment or a
 * string the words are no use of the name.
 */
function refuseShimNames(source: string, filename: string): void {
  const use = shimNameUse(source);
  if (use === undefined) return;
  const message = `${use.name} is a name cfreplay's njs engine calls by itself: rename it in the function, or run it with --engine v8`;
  throw new FunctionLoadError(filename, message, [{ message, line: use.line, column: use.column }]);
}

function shimNameUse(source: string): { name: string; line: number; column: number } | undefined {
  if (!source.includes('__cfreplay_')) return undefined;
  try {
    for (const token of tokenizer(source, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true, locations: true })) {
      const name = source.slice(token.start, token.end);
      if (token.type.label === 'name' && NJS_SHIM_NAMES.includes(name)) return { name, line: token.loc?.start.line ?? 1, column: (token.loc?.start.column ?? 0) + 1 };
    }
  } catch {
    // The syntax gate has accepted the source; what acorn's tokenizer alone cannot lex is left to njs.
  }
  return undefined;
}

class NjsFunction implements LoadedFunction {
  private inst: NjsInstance;
  private readonly stepLimit: number;
  private readonly memLimit: number;
  private readonly fixedEventType: EventType | undefined;

  constructor(
    private readonly program: string,
    readonly runtime: Runtime,
    readonly kind: FunctionKind,
    readonly filename: string,
    readonly isAsync: boolean,
    opts: NjsLoadOptions,
  ) {
    this.stepLimit = opts.stepLimit ?? DEFAULT_STEP_LIMIT;
    this.memLimit = opts.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES;
    this.fixedEventType = opts.eventType;
    this.inst = this.start();
  }

  /** The njs release running this function. */
  get njsVersion(): string {
    return this.inst.version;
  }

  private start(): NjsInstance {
    const inst = new NjsInstance(this.runtime);
    const err = inst.load(this.program);
    if (err !== null) {
      const info = njsErrorInfo(err);
      // njs: `SyntaxError: Unexpected token "}" in 3`
      const at = / in (\d+)$/.exec(info.message);
      const problems = at ? [{ message: `${info.name}: ${info.message}`, line: Number(at[1]), column: 1 }] : [];
      throw new FunctionLoadError(this.filename, `${info.name}: ${info.message}`, problems);
    }
    inst.setLimits(this.stepLimit, this.memLimit);
    return inst;
  }

  invokeAsync(event: unknown, opts?: InvokeOptions): Promise<RunResult> {
    return Promise.resolve(this.invoke(event, opts));
  }

  /** Each call runs in a fresh clone of the loaded VM: no state outlives a call, nothing to look for. */
  startBatch(): void {}

  endBatch(): boolean {
    return false;
  }

  /** Always synchronous: promise jobs run to completion inside the engine. */
  invoke(event: unknown, opts?: InvokeOptions): RunResult {
    const o = opts ?? NO_OPTS;
    const now = o.now ?? 0;
    const seed = o.seed ?? now;
    const isConn = this.kind === 'connection';
    const eventType: EventType | 'connection' = isConn
      ? 'connection'
      : (this.fixedEventType ?? ((isObj(event) && isObj(event.context) && (event.context.eventType as EventType)) || 'viewer-request'));
    const json = JSON.stringify(event) as string | undefined;

    const t0 = clock();
    let rc: number;
    let out: string;
    let steps: number;
    try {
      ({ rc, out, steps } = this.inst.run(json, eventType, isConn, o.rawQuery, now, seedLo(seed), seedHi(seed)));
    } catch (e) {
      const durationNs = Math.round((clock() - t0) * 1e6);
      this.inst = this.start(); // the old instance is unusable
      const message = e instanceof EngineCrash && /stack overflow/i.test(e.message) ? 'C stack overflow in the njs engine' : `njs engine crashed: ${(e as Error).message}`;
      return this.result(event, eventType, { logs: [] }, { name: 'InternalError', message, v8Message: message }, 'crash', durationNs, 0);
    }
    const durationNs = Math.round((clock() - t0) * 1e6);
    if (this.inst.memoryBytes > RECYCLE_BYTES) this.inst = this.start();

    if (rc !== 0) {
      return this.result(event, eventType, { logs: [] }, njsErrorInfo(out), reasonOf(out), durationNs, steps);
    }
    const env = JSON.parse(out) as Envelope;
    if (env.err !== undefined) return this.result(event, eventType, env, njsErrorInfo(env.err), reasonOf(env.err), durationNs, steps);
    if (env.pending) {
      const message = 'the promise returned by the function never settled';
      return this.result(event, eventType, env, { name: 'Error', message, v8Message: message }, 'never-settled', durationNs, steps);
    }
    // Origin helper arguments are checked here (same messages as the V8 engine, which throws at the call).
    for (const c of env.origin ?? []) {
      const problem = originCallProblem(c.op, 'params' in c ? c.params : undefined, c.op !== 'selectRequestOriginById' || c.hasParams === true, 'originId' in c ? c.originId : undefined);
      if (problem) return this.result(event, eventType, env, { name: 'TypeError', message: problem, v8Message: problem }, 'exception', durationNs, steps);
      delete c.hasParams;
    }
    return this.result(event, eventType, env, undefined, undefined, durationNs, steps);
  }

  private result(
    event: unknown,
    eventType: EventType | 'connection',
    env: Pick<Envelope, 'ret' | 'logs' | 'lt' | 'cd' | 'dec' | 'origin' | 'ra'>,
    error: ErrorInfo | undefined,
    reason: ExecutionErrorReason | undefined,
    durationNs: number,
    steps: number,
  ): RunResult {
    const rec: CallRecord = {
      kind: this.kind,
      runtime: this.runtime,
      eventType,
      event,
      ret: error ? undefined : env.ret,
      logs: env.logs,
      logsTruncated: env.lt === true,
      origin: env.origin && env.origin.length > 0 ? env.origin : null,
      customData: env.cd ?? null,
      decision: env.dec ?? null,
      durationNs,
    };
    if (eventType === 'viewer-response') rec.requestAfter = env.ra;
    if (error) {
      rec.error = error;
      rec.reason = reason ?? 'exception';
    }
    const r = buildRunResult(rec);
    r.steps = steps;
    return r;
  }
}

/**
 * Runs a function in a worker thread so that an infinite loop is stopped after
 * a time budget and unbounded allocation (worker heap limit,
 * ERR_WORKER_OUT_OF_MEMORY) is reported as an execution error, without taking
 * the host down: one supervised worker (runtime/supervised-worker.ts, the same
 * supervision as the replay pool's workers) on the sandbox's own supervisor,
 * one call at a time.
 *
 * How to tell them apart in a RunResult: outcome.kind === 'execution-error'
 * with outcome.reason 'timeout' (budget exceeded, worker killed), 'memory'
 * (worker ran out of heap), 'crash' (worker exited for another reason),
 * 'exception' / 'never-settled' (from the function itself; worker stays alive).
 * After timeout/memory/crash the next invoke transparently takes a new worker
 * (the supervisor's warm spare, started as the old one was lost).
 *
 * The worker script is plain JS (bundle/sandbox-worker.js or dist/runtime/sandbox-worker.js:
 * util/worker-scripts.ts says which).
 */
import { workerScript } from '../util/worker-scripts.js';
import { FunctionLoadError, KvsFileError } from './errors.js';
import type { FromWorker, ToWorker, WorkerLoadSpec } from './worker-protocol.js';
import type { ExecutionErrorReason, FunctionKind, InvokeOptions, RunResult, Runtime } from './types.js';
import { RUN_TIMEOUT_MS } from './limits.js';
import { newWorker, Supervisor, type Stop, type SupervisedWorker, type WorkerStart } from './supervised-worker.js';

export type { WorkerLoadSpec } from './worker-protocol.js';

export interface WorkerInvokeOptions extends Omit<InvokeOptions, 'timeoutMs'> {
  /** Time budget for this run in ms (default RUN_TIMEOUT_MS, runtime/limits.ts): the worker is terminated past it. */
  timeoutMs?: number;
}

export interface WorkerLimits {
  /** V8 old-generation heap of the worker, MB (default 64). */
  maxOldGenerationSizeMb?: number;
  maxYoungGenerationSizeMb?: number;
  stackSizeMb?: number;
  /** Budget for loading (compiling) the function, ms (default 10000). */
  loadTimeoutMs?: number;
  /** Keep a warm spare worker once a call was stopped (default true; runInWorker, one call, does not). */
  spare?: boolean;
}

export function workerScriptUrl(): URL {
  return workerScript('sandbox-worker');
}

interface Pending {
  id: number;
  resolve: (r: RunResult) => void;
  budget: number;
  started: bigint;
}

/** What the worker reports once the function is loaded. */
interface Loaded {
  runtime: Runtime;
  kind: FunctionKind;
  isAsync: boolean;
}

/** The execution error a call gets when its worker was stopped or died. */
function stopError(stop: Stop, budget: number): { reason: ExecutionErrorReason; name: string; message: string } {
  if (stop.reason === 'timeout') return { reason: 'timeout', name: 'InternalError', message: `function execution time limit exceeded (${budget} ms)` };
  if (stop.reason === 'memory') return { reason: 'memory', name: 'MemoryError', message: 'function exceeded the memory limit (worker heap exhausted)' };
  return { reason: 'crash', name: 'InternalError', message: stop.error !== undefined ? `sandbox worker crashed: ${stop.error.message}` : `sandbox worker exited with code ${stop.exitCode ?? 'unknown'}` };
}

function failure(reason: ExecutionErrorReason, name: string, message: string, durationNs: number, runtime: Runtime): RunResult {
  return {
    outcome: { kind: 'execution-error', status: 503, reason, error: { name, message, v8Message: message } },
    raw: undefined,
    effective: { error: { status: 503, type: 'FunctionExecutionError' } },
    logs: [],
    logsTruncated: false,
    sideEffects: { origin: [] },
    durationNs,
    runtime,
    eventType: 'viewer-request',
  };
}

/** A function loaded in its own worker thread; invocations run one at a time. */
export class WorkerSandbox {
  private readonly supervisor: Supervisor<FromWorker, ToWorker>;
  private worker: SupervisedWorker<FromWorker, ToWorker> | null = null;
  private readyP: Promise<Loaded> | null = null;
  private pending: Pending | null = null;
  private nextId = 1;
  private chain: Promise<unknown> = Promise.resolve();
  private runtime: Runtime = 'cloudfront-js-1.0';

  constructor(
    private readonly spec: WorkerLoadSpec,
    private readonly limits: WorkerLimits = {},
  ) {
    const start: WorkerStart = {
      script: workerScriptUrl(),
      resourceLimits: {
        maxOldGenerationSizeMb: limits.maxOldGenerationSizeMb ?? 64,
        maxYoungGenerationSizeMb: limits.maxYoungGenerationSizeMb ?? 16,
        stackSizeMb: limits.stackSizeMb ?? 4,
      },
      quiet: true,
    };
    this.supervisor = new Supervisor({
      timeoutMs: RUN_TIMEOUT_MS,
      ...(limits.spare === false ? { spare: false } : {}),
      start: (clock) => newWorker(start, { spec, clock }),
    });
  }

  /** Start the worker and load the function. Rejects with FunctionLoadError / KvsFileError. */
  ready(): Promise<Loaded> {
    if (this.readyP) return this.readyP;
    const worker = this.supervisor.spawn();
    this.worker = worker;
    this.readyP = new Promise((resolve, reject) => {
      const filename = this.spec.filename ?? 'function.js';
      const loadTimer = setTimeout(() => {
        reject(new FunctionLoadError(filename, 'loading the function timed out'));
        void this.kill();
      }, this.limits.loadTimeoutMs ?? 10_000);
      worker.attach({
        message: (m) => {
          if (m.type === 'ready') {
            clearTimeout(loadTimer);
            this.runtime = m.runtime;
            resolve({ runtime: m.runtime, kind: m.kind, isAsync: m.isAsync });
          } else if (m.type === 'load-error') {
            clearTimeout(loadTimer);
            if (m.name === 'KvsFileError') reject(new KvsFileError(m.message));
            else {
              const err = new FunctionLoadError(filename, 'x', m.problems);
              err.message = m.message;
              reject(err);
            }
            void this.kill();
          } else if (m.type === 'result') {
            const p = this.pending;
            if (p && p.id === m.id) {
              this.pending = null;
              p.resolve(m.result);
            }
          }
        },
        stopped: (stop) => {
          clearTimeout(loadTimer);
          if (this.worker === worker) {
            this.worker = null;
            this.readyP = null;
          }
          const p = this.pending;
          this.pending = null;
          const e = stopError(stop, p?.budget ?? RUN_TIMEOUT_MS);
          if (p) p.resolve(failure(e.reason, e.name, e.message, Number(process.hrtime.bigint() - p.started), this.runtime));
          // Only seen while loading (a settled promise ignores it).
          reject(new Error(stop.reason === 'crash' && stop.error === undefined ? `sandbox worker exited with code ${stop.exitCode ?? 'unknown'} while loading` : e.message));
        },
      });
    });
    return this.readyP;
  }

  /** Run one event (queued behind earlier calls). Never rejects for function failures: those are outcomes. */
  invoke(event: unknown, opts: WorkerInvokeOptions = {}): Promise<RunResult> {
    const run = this.chain.then(() => this.invokeNow(event, opts));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async invokeNow(event: unknown, opts: WorkerInvokeOptions): Promise<RunResult> {
    await this.ready();
    const worker = this.worker;
    if (!worker) return failure('crash', 'InternalError', 'sandbox worker is not running', 0, this.runtime);
    const { timeoutMs, ...rest } = opts;
    const budget = timeoutMs ?? RUN_TIMEOUT_MS;
    // One call at a time: the supervisor's budget is this call's.
    this.supervisor.timeoutMs = budget;
    const id = this.nextId++;
    return new Promise<RunResult>((resolve) => {
      this.pending = { id, resolve, budget, started: process.hrtime.bigint() };
      worker.post({ type: 'invoke', id, event, opts: rest });
    });
  }

  private async kill(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.readyP = null;
    if (w) await w.retire();
  }

  /** Stop the worker (and the spare, if one was started). */
  async close(): Promise<void> {
    await this.chain;
    await this.kill();
    await this.supervisor.close();
  }
}

/** Load `spec` in a fresh worker, run one event, stop the worker. */
export async function runInWorker(
  spec: WorkerLoadSpec,
  event: unknown,
  opts: WorkerInvokeOptions = {},
  limits: WorkerLimits = {},
): Promise<RunResult> {
  const w = new WorkerSandbox(spec, { spare: false, ...limits });
  try {
    await w.ready();
    return await w.invoke(event, opts);
  } finally {
    await w.close();
  }
}

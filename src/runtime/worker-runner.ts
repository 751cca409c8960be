/**
 * Runs a function in a worker thread so that an infinite loop is stopped after
 * a time budget (the supervisor terminates the thread) and unbounded
 * allocation (worker heap limit, ERR_WORKER_OUT_OF_MEMORY) is reported as an
 * execution error, without taking the host down.
 *
 * How to tell them apart in a RunResult: outcome.kind === 'execution-error'
 * with outcome.reason 'timeout' (budget exceeded, worker killed), 'memory'
 * (worker ran out of heap), 'crash' (worker exited for another reason),
 * 'exception' / 'never-settled' (from the function itself; worker stays alive).
 * After timeout/memory/crash the next invoke transparently starts a new worker.
 *
 * The worker script is plain JS (dist/runtime/sandbox-worker.js): when this
 * module runs from src/*.ts (vitest), it maps to the dist/ build, so build
 * first (`npx tsc -p tsconfig.json`).
 */
import { Worker } from 'node:worker_threads';
import { compiledSibling } from '../util/compiled-sibling.js';
import { FunctionLoadError, KvsFileError } from './errors.js';
import type { FromWorker, ToWorker, WorkerLoadSpec } from './worker-protocol.js';
import type { ExecutionErrorReason, FunctionKind, InvokeOptions, RunResult, Runtime } from './types.js';
import { RUN_TIMEOUT_MS } from './limits.js';

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
}

export const DEFAULT_WORKER_TIMEOUT_MS = RUN_TIMEOUT_MS;

export function workerScriptUrl(): URL {
  return compiledSibling(import.meta.url, 'sandbox-worker.js');
}

interface Pending {
  id: number;
  resolve: (r: RunResult) => void;
  timer: NodeJS.Timeout;
  started: bigint;
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
  private worker: Worker | null = null;
  private readyP: Promise<{ runtime: Runtime; kind: FunctionKind; isAsync: boolean }> | null = null;
  private pending: Pending | null = null;
  private nextId = 1;
  private chain: Promise<unknown> = Promise.resolve();
  private runtime: Runtime = 'cloudfront-js-1.0';
  private lastError: { reason: ExecutionErrorReason; name: string; message: string } | null = null;

  constructor(
    private readonly spec: WorkerLoadSpec,
    private readonly limits: WorkerLimits = {},
  ) {}

  /** Start the worker and load the function. Rejects with FunctionLoadError / KvsFileError. */
  ready(): Promise<{ runtime: Runtime; kind: FunctionKind; isAsync: boolean }> {
    if (this.readyP) return this.readyP;
    const worker = new Worker(workerScriptUrl(), {
      workerData: { spec: this.spec },
      resourceLimits: {
        maxOldGenerationSizeMb: this.limits.maxOldGenerationSizeMb ?? 64,
        maxYoungGenerationSizeMb: this.limits.maxYoungGenerationSizeMb ?? 16,
        stackSizeMb: this.limits.stackSizeMb ?? 4,
      },
      stdout: true,
      stderr: true,
    });
    this.worker = worker;
    this.lastError = null;
    this.readyP = new Promise((resolve, reject) => {
      const loadTimer = setTimeout(() => {
        reject(new FunctionLoadError(this.spec.filename ?? 'function.js', 'loading the function timed out'));
        void this.kill();
      }, this.limits.loadTimeoutMs ?? 10_000);
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          clearTimeout(loadTimer);
          this.runtime = m.runtime;
          resolve({ runtime: m.runtime, kind: m.kind, isAsync: m.isAsync });
        } else if (m.type === 'load-error') {
          clearTimeout(loadTimer);
          const filename = this.spec.filename ?? 'function.js';
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
            clearTimeout(p.timer);
            this.pending = null;
            p.resolve(m.result);
          }
        }
      });
      worker.on('error', (err: Error & { code?: string }) => {
        clearTimeout(loadTimer);
        const memory = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
        this.lastError = {
          reason: memory ? 'memory' : 'crash',
          name: memory ? 'MemoryError' : 'InternalError',
          message: memory ? 'function exceeded the memory limit (worker heap exhausted)' : `sandbox worker crashed: ${err.message}`,
        };
        reject(new Error(this.lastError.message));
      });
      worker.on('exit', (code) => {
        clearTimeout(loadTimer);
        this.worker = null;
        this.readyP = null;
        const p = this.pending;
        if (p) {
          clearTimeout(p.timer);
          this.pending = null;
          const e = this.lastError ?? { reason: 'crash' as const, name: 'InternalError', message: `sandbox worker exited with code ${code}` };
          p.resolve(failure(e.reason, e.name, e.message, Number(process.hrtime.bigint() - p.started), this.runtime));
        }
        reject(new Error(`sandbox worker exited with code ${code} while loading`));
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
    const budget = timeoutMs ?? DEFAULT_WORKER_TIMEOUT_MS;
    const id = this.nextId++;
    return new Promise<RunResult>((resolve) => {
      const started = process.hrtime.bigint();
      const timer = setTimeout(() => {
        this.lastError = {
          reason: 'timeout',
          name: 'InternalError',
          message: `function execution time limit exceeded (${budget} ms)`,
        };
        void worker.terminate();
      }, budget);
      this.pending = { id, resolve, timer, started };
      const msg: ToWorker = { type: 'invoke', id, event, opts: rest };
      worker.postMessage(msg);
    });
  }

  private async kill(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.readyP = null;
    if (w) await w.terminate();
  }

  /** Stop the worker. */
  async close(): Promise<void> {
    await this.chain;
    await this.kill();
  }
}

/** Load `spec` in a fresh worker, run one event, stop the worker. */
export async function runInWorker(
  spec: WorkerLoadSpec,
  event: unknown,
  opts: WorkerInvokeOptions = {},
  limits: WorkerLimits = {},
): Promise<RunResult> {
  const w = new WorkerSandbox(spec, limits);
  try {
    await w.ready();
    return await w.invoke(event, opts);
  } finally {
    await w.close();
  }
}

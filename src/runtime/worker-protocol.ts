/** Messages between WorkerSandbox (supervisor) and sandbox-worker.js. */
import type { EdgeLocation, InvokeOptions, KvsSnapshot, RunResult, Runtime } from './types.js';
import type { EventType } from '../event/types.js';
import type { SourceProblem } from './errors.js';
import type { Engine } from './engines.js';

/** What the worker loads: the source plus LoadOptions in structured-clone form. */
export interface WorkerLoadSpec {
  source: string;
  filename?: string;
  runtime?: Runtime;
  /** Engine (default v8). */
  engine?: Engine;
  /** A snapshot (already validated), or a path the worker loads itself. */
  kvs?: KvsSnapshot;
  kvsPath?: string;
  eventType?: EventType;
  edgeLocation?: EdgeLocation;
}

export type ToWorker = { type: 'invoke'; id: number; event: unknown; opts: Omit<InvokeOptions, 'timeoutMs'> };

export type FromWorker =
  | { type: 'ready'; runtime: Runtime; kind: 'viewer' | 'connection'; isAsync: boolean }
  | { type: 'load-error'; name: string; message: string; problems: SourceProblem[] }
  | { type: 'result'; id: number; result: RunResult };

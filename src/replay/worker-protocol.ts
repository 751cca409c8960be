/** Messages between the replay supervisor (main thread) and its worker threads. */
import type { ReplayEventType } from '../event/connection.js';
import type { KvsSnapshot, Runtime } from '../runtime/types.js';
import type { Engine } from '../runtime/engines.js';
import type { ChunkResult } from '../results/chunk-result.js';
import type { ChunkTask, Version } from './chunk-processor.js';

export interface FunctionSource {
  source: string;
  filename: string;
  runtime: Runtime;
}

export interface WorkerInit {
  old: FunctionSource;
  new: FunctionSource;
  kvs?: KvsSnapshot;
  /** Engine both functions run on (default v8). */
  engine?: Engine;
  /** --cross-check: every event also runs on the other engine. */
  crossCheck?: boolean;
  eventType: ReplayEventType;
  ignore: string[];
  noise: boolean;
  seed: number;
  samplesPerChunk: number;
  /**
   * Int32Array view: [state, index, chunk, seq]. state 0 = not in a function
   * call, 1 = OLD, 2 = NEW, 3 = OLD rerun, 4/5 = OLD/NEW on the other engine,
   * 6/7 = OLD/NEW reseeded (STATE_OF_VERSION); seq changes at every call so the
   * supervisor can tell a long call from many short ones.
   */
  heartbeat: SharedArrayBuffer;
}

/** Heartbeat state of each call (0 = none running). */
export const STATE_OF_VERSION: Record<Version, number> = { old: 1, new: 2, rerun: 3, 'old-cross': 4, 'new-cross': 5, 'old-seed': 6, 'new-seed': 7 };

export const HB_STATE = 0;
export const HB_INDEX = 1;
export const HB_CHUNK = 2;
export const HB_SEQ = 3;
export const HB_SLOTS = 4;

/** `init` is the first message to a worker started without workerData (prespawnReplayWorkers), and only to those. */
export type ToWorker = { type: 'chunk'; task: ChunkTask } | { type: 'init'; init: WorkerInit };

export type FromWorker =
  | { type: 'ready' }
  /** Sent once, as the worker starts its first chunk: `at` is performance.timeOrigin + performance.now(). */
  | { type: 'first-call'; at: number }
  | { type: 'result'; result: ChunkResult }
  | { type: 'chunk-error'; chunk: number; message: string }
  | { type: 'fatal'; message: string };

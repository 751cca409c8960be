/** Messages between the replay supervisor (main thread) and its worker threads. */
import type { ReplayEventType } from '../event/connection.js';
import type { KvsSnapshot, Runtime } from '../runtime/types.js';
import type { Engine } from '../runtime/engines.js';
import type { CheckedSource } from '../runtime/function-source.js';
import type { ChunkResult } from '../results/chunk-result.js';
import type { ChunkTask, Version } from './chunk-processor.js';

export interface FunctionSource {
  source: string;
  filename: string;
  runtime: Runtime;
  /**
   * The main thread's syntax gate verdict on this source (a local replay): the worker's load
   * skips the gate's parse for this very source (runtime/function-source.ts checkedFor). A
   * distributed worker's sources come from Redis without one: its threads run the gate.
   */
  checked?: CheckedSource;
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
   * The worker's call clock (runtime/supervised-worker.ts, CallClock): each
   * call is marked with tag STATE_OF_VERSION[version], a = event index in the
   * chunk, b = chunk, so the supervisor knows which call it stopped.
   */
  clock: SharedArrayBuffer;
}

/** Call clock tag of each call (0 = none running). */
export const STATE_OF_VERSION: Record<Version, number> = { old: 1, new: 2, rerun: 3, 'old-cross': 4, 'new-cross': 5, 'old-seed': 6, 'new-seed': 7 };

/** `init` is the first message to a worker started without workerData (prespawnReplayWorkers), and only to those. */
export type ToWorker = { type: 'chunk'; task: ChunkTask } | { type: 'init'; init: WorkerInit };

export type FromWorker =
  | { type: 'ready' }
  /** Sent once, as the worker starts its first chunk: `at` is performance.timeOrigin + performance.now(). */
  | { type: 'first-call'; at: number }
  | { type: 'result'; result: ChunkResult }
  /** `part`: the part's index, when the task was a part of a split chunk. */
  | { type: 'chunk-error'; chunk: number; part?: number; message: string }
  | { type: 'fatal'; message: string };

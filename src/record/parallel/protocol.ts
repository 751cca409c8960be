/** Messages between the main thread and the recording workers (src/record/parallel/). */
import type { GateCell } from '../../util/termination-gate.js';
import type { BatchJob, BatchResult, RecorderSetup } from './batch-recorder.js';

/** The recording options every batch is recorded with. */
export type WorkerSetup = RecorderSetup;

/** workerData: the set-up, and the thread's termination gate (util/termination-gate.ts). */
export interface WorkerData {
  setup: WorkerSetup;
  gate: GateCell;
}

export interface BatchMessage {
  id: number;
  job: BatchJob;
}

export type WorkerReply =
  | { id: number; ok: true; result: BatchResult }
  /** The batch failed: the recording stops with this error (userFacing: an input problem to show as is). */
  | { id: number; ok: false; message: string; userFacing: boolean; stack: string };

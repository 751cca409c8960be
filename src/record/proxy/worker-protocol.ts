/** Messages between the proxy (main thread) and its recording worker. */
import type { SinkStats } from '../sink-stats.js';
import type { SourceReport } from '../types.js';
import type { ProxyItem } from './capture.js';
import type { GateCell } from '../../util/termination-gate.js';

export interface WorkerData {
  /** The record command's options (plain data). */
  args: Record<string, unknown>;
  label: string;
  flushIntervalMs: number;
  /** Report SinkStats for the main thread's progress line. */
  progress: boolean;
  /** The thread's termination gate (util/termination-gate.ts): closed if the process exits under it. */
  gate: GateCell;
}

export type WorkerToMain =
  /** Output checks passed: start the proxy now. */
  | { type: 'open' }
  | { type: 'done' }
  /** What the recorder has written so far (only with the progress line on). */
  | { type: 'stats'; stats: SinkStats }
  | { type: 'error'; message: string; userFacing: boolean; stack: string };

export type MainToWorker =
  /** The proxy listens; `label` names the port it got. */
  | { type: 'opened'; label: string }
  | { type: 'open-failed'; message: string }
  /** Completed exchanges as the relay kept them (the worker makes the items: captureItem). */
  | { type: 'captures'; captures: ProxyItem[]; bytesRead: number }
  | { type: 'end'; report: SourceReport; bytesRead: number };

/**
 * The recording worker threads: batches go to the least busy worker, and
 * their results are handed back strictly in the order the batches were
 * submitted (the summary and the corpus must follow the input order).
 *
 * Plain workers, not supervised ones (runtime/supervised-worker.ts, the replay
 * pool's): they run our parsers, not function code, so no call has a time
 * budget (a batch takes what its size needs), and a worker is never stopped
 * and replaced half-way: a dead worker fails the recording, so no batch is
 * silently lost.
 */
import { Worker } from 'node:worker_threads';
import { workerScript } from '../../util/worker-scripts.js';
import { InputError } from '../errors.js';
import type { BatchJob, BatchResult } from './batch-recorder.js';
import type { BatchMessage, WorkerData, WorkerReply, WorkerSetup } from './protocol.js';
import { newGate, terminateThroughGate, watchGate, type GateCell } from '../../util/termination-gate.js';

interface Slot {
  worker: Worker;
  /** Its termination gate: close() stops it where it is not inside node:zlib. */
  gate: GateCell;
  busy: number;
  /** Why the worker is gone (it is never chosen again). */
  died?: Error;
}

interface Pending {
  slot: Slot;
  resolve(r: BatchResult): void;
  reject(e: Error): void;
}

export class RecordingWorkers {
  private readonly slots: Slot[] = [];
  private readonly pending = new Map<number, Pending>();
  /** Results not yet taken, oldest first. */
  private readonly results: Promise<BatchResult>[] = [];
  private nextId = 0;
  private closing = false;

  constructor(setup: WorkerSetup, count: number) {
    for (let i = 0; i < count; i++) {
      const gate = newGate();
      const data: WorkerData = { setup, gate };
      const worker = new Worker(workerScript('record-worker'), {
        workerData: data,
        // A roomier young generation: a batch's records and strings die before a scavenge promotes them.
        resourceLimits: { maxYoungGenerationSizeMb: 48 },
      });
      const slot: Slot = { worker, gate, busy: 0 };
      watchGate(worker, gate);
      worker.on('message', (m: WorkerReply) => this.onReply(m));
      worker.on('error', (e: Error) => this.failAll(slot, e));
      worker.on('exit', (code) => {
        if (!this.closing) this.failAll(slot, new Error(`recording worker exited with code ${code}`));
      });
      this.slots.push(slot);
    }
  }

  get size(): number {
    return this.slots.length;
  }

  /** Batches submitted whose result has not been taken yet. */
  get inFlight(): number {
    return this.results.length;
  }

  /** Send a batch (its bytes are transferred: the caller must not use them afterwards). */
  submit(job: BatchJob): void {
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    if (slot.died !== undefined) {
      // Every worker is gone: this batch fails like the ones they held.
      const failed = Promise.reject(slot.died);
      failed.catch(() => undefined);
      this.results.push(failed);
      return;
    }
    const id = this.nextId++;
    const result = new Promise<BatchResult>((resolve, reject) => this.pending.set(id, { slot, resolve, reject }));
    result.catch(() => undefined); // rejections are seen when the result is taken
    this.results.push(result);
    slot.busy++;
    const message: BatchMessage = { id, job };
    slot.worker.postMessage(message, [job.bytes.buffer as ArrayBuffer]);
  }

  /** The result of the oldest batch not taken yet. */
  next(): Promise<BatchResult> {
    const result = this.results.shift();
    if (result === undefined) return Promise.reject(new Error('RecordingWorkers.next: nothing submitted'));
    return result;
  }

  /** Stop the workers, at once: a batch in flight is dropped (the recording is over or failed). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => terminateThroughGate(s.worker, s.gate)));
  }

  private onReply(m: WorkerReply): void {
    const p = this.pending.get(m.id);
    if (p === undefined) return;
    this.pending.delete(m.id);
    p.slot.busy--;
    if (m.ok) p.resolve(m.result);
    else p.reject(m.userFacing ? new InputError(m.message) : Object.assign(new Error(m.message), { stack: m.stack }));
  }

  /** A worker died: every batch it held fails (the recording stops at the first one taken). */
  private failAll(slot: Slot, e: Error): void {
    for (const [id, p] of this.pending) {
      if (p.slot !== slot) continue;
      this.pending.delete(id);
      p.reject(e);
    }
    slot.died ??= e;
    slot.busy = Number.POSITIVE_INFINITY; // never chosen again
  }
}

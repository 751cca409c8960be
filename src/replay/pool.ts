/**
 * The replay supervisor: a pool of worker threads fed with framed chunks
 * (never decoded here), at most `chunksPerWorker` in flight per worker so
 * memory stays bounded whatever the corpus size.
 *
 * Limits: each worker publishes which call it is running in a shared
 * heartbeat. A call running past the time budget gets its worker terminated
 * (the only way to stop a synchronous infinite loop); a worker that runs out
 * of heap dies by itself. Either way the chunk is sent again to a fresh
 * worker with that call marked as stopped (timeout / memory / crash), so the
 * run goes on and the report counts it as that event's outcome.
 */
import { Worker } from 'node:worker_threads';
import { compiledSibling } from '../util/compiled-sibling.js';
import type { ChunkResult } from '../results/chunk-result.js';
import type { ChunkTask, KilledCall, Version } from './chunk-processor.js';
import { HB_CHUNK, HB_INDEX, HB_SEQ, HB_SLOTS, HB_STATE, STATE_OF_VERSION, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.js';
import { DEFAULT_MAX_HEAP_MB } from '../runtime/limits.js';

export interface PoolOptions {
  workers: number;
  /** Time budget of one function call, ms. */
  timeoutMs: number;
  /** Heap of each worker, MB: a function allocating without bound is stopped here. */
  maxHeapMb?: number;
  chunksPerWorker?: number;
  /** Stop the run after this many calls were stopped, when they are at least half of the events seen (a function that hangs on everything). */
  maxStoppedCalls?: number;
}

export interface PoolEvents {
  result(result: ChunkResult): void;
  chunkError(chunk: number, message: string): void;
  /** A worker starts its first chunk, at this time (performance.timeOrigin + performance.now() of that worker). */
  firstCall?(at: number): void;
}

const VERSION_OF_STATE: Record<number, Version> = Object.fromEntries(Object.entries(STATE_OF_VERSION).map(([v, s]) => [s, v as Version]));

interface Assigned {
  task: ChunkTask;
  killed: KilledCall[];
}

interface Slot {
  id: number;
  worker: Worker;
  hb: Int32Array;
  assigned: Assigned[];
  ready: boolean;
  lastSeq: number;
  /** Time charged to the call in progress (see checkHeartbeats). */
  chargedMs: number;
  retiring: boolean;
}

export class StopRunError extends Error {}

/** Worker threads above this many per core only add scheduling and memory: the CLI caps --workers there, with a note. */
export const MAX_WORKERS_PER_CORE = 4;

/** Heap of a replay worker (MB) unless the pool is told otherwise. */
export const DEFAULT_WORKER_HEAP_MB = DEFAULT_MAX_HEAP_MB;

function workerLimits(maxHeapMb: number): { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number; stackSizeMb: number } {
  return {
    maxOldGenerationSizeMb: maxHeapMb,
    // A roomier young generation: replay allocates many short-lived objects per event.
    maxYoungGenerationSizeMb: 48,
    stackSizeMb: 4,
  };
}

/** Workers started ahead of time, waiting for their init message; the next pools take them. */
const standby: { worker: Worker; maxHeapMb: number }[] = [];

/**
 * Start `count` replay workers now, before the replay knows its functions: the
 * thread boots and loads its modules (~0.2 s of CPU each) while the main thread
 * is still loading its own modules and checking the functions and the corpus.
 * The next ReplayPool with the same heap limit takes them and sends their init.
 * They do not keep the process alive: a run that stops before (a usage error)
 * exits as it would without them. Tops up to `count` waiting workers (a process
 * whose runs keep stopping early never piles them up).
 */
export function prespawnReplayWorkers(count: number, maxHeapMb = DEFAULT_WORKER_HEAP_MB): void {
  const waiting = standby.filter((s) => s.maxHeapMb === maxHeapMb).length;
  for (let i = waiting; i < count; i++) {
    const worker = new Worker(compiledSibling(import.meta.url, 'worker.js'), { workerData: null, resourceLimits: workerLimits(maxHeapMb) });
    worker.unref();
    // A standby worker that dies before it is taken is simply not used.
    const drop = () => {
      const at = standby.findIndex((s) => s.worker === worker);
      if (at >= 0) standby.splice(at, 1);
    };
    worker.once('error', drop);
    worker.once('exit', drop);
    standby.push({ worker, maxHeapMb });
  }
}

/** Workers started by prespawnReplayWorkers and not taken yet. */
export function standbyWorkers(): number {
  return standby.length;
}

export class ReplayPool {
  private readonly slots: Slot[] = [];
  private readonly backlog: Assigned[] = [];
  private nextId = 0;
  private stoppedCalls = 0;
  /** Events of the chunks that came back: with the stopped calls, what "most events" is measured against. */
  private eventsDone = 0;
  private readonly watchdog: NodeJS.Timeout;
  private readonly tickMs: number;
  private lastTick: number;
  private failure: Error | undefined;
  private waiters: (() => void)[] = [];
  private closed = false;
  /** Crash count per chunk outside any function call (a bug or a bad chunk): give up after 2. */
  private readonly crashes = new Map<number, number>();

  constructor(
    private readonly init: Omit<WorkerInit, 'heartbeat'>,
    private readonly options: PoolOptions,
    private readonly events: PoolEvents,
  ) {
    for (let i = 0; i < options.workers; i++) this.slots.push(this.spawn());
    this.tickMs = Math.max(5, Math.min(50, Math.floor(options.timeoutMs / 4)));
    this.lastTick = performance.now();
    this.watchdog = setInterval(() => this.checkHeartbeats(), this.tickMs);
    this.watchdog.unref();
  }

  get stopped(): number {
    return this.stoppedCalls;
  }

  private spawn(): Slot {
    const sab = new SharedArrayBuffer(HB_SLOTS * 4);
    const init: WorkerInit = { ...this.init, heartbeat: sab };
    const maxHeapMb = this.options.maxHeapMb ?? DEFAULT_WORKER_HEAP_MB;
    const ready = standby.findIndex((s) => s.maxHeapMb === maxHeapMb);
    let worker: Worker;
    if (ready >= 0) {
      worker = standby.splice(ready, 1)[0]!.worker;
      worker.removeAllListeners();
      worker.ref();
      worker.postMessage({ type: 'init', init } satisfies ToWorker);
    } else worker = new Worker(compiledSibling(import.meta.url, 'worker.js'), { workerData: init, resourceLimits: workerLimits(maxHeapMb) });
    const slot: Slot = { id: this.nextId++, worker, hb: new Int32Array(sab), assigned: [], ready: false, lastSeq: -1, chargedMs: 0, retiring: false };
    worker.on('message', (msg: FromWorker) => this.onMessage(slot, msg));
    worker.on('error', (err: Error & { code?: string }) => this.onDeath(slot, err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crash', err));
    worker.on('exit', (code) => {
      if (!slot.retiring && !this.closed) this.onDeath(slot, 'crash', new Error(`worker exited with code ${code}`));
    });
    return slot;
  }

  /** Capacity for another chunk right now? */
  hasCapacity(): boolean {
    const per = this.options.chunksPerWorker ?? 2;
    return this.backlog.length === 0 && this.slots.some((s) => s.assigned.length < per);
  }

  /** Resolves when a chunk slot frees up (or the run failed). */
  waitForCapacity(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.hasCapacity()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push(() => (this.failure !== undefined ? reject(this.failure) : resolve()));
    });
  }

  /** Resolves when nothing is in flight. */
  async drain(): Promise<void> {
    while (this.slots.some((s) => s.assigned.length > 0) || this.backlog.length > 0) {
      if (this.failure !== undefined) throw this.failure;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.failure !== undefined) throw this.failure;
  }

  submit(task: ChunkTask): void {
    this.dispatch({ task, killed: [...(task.killed ?? [])] });
  }

  private dispatch(a: Assigned): void {
    const per = this.options.chunksPerWorker ?? 2;
    const slot = this.slots.filter((s) => !s.retiring && s.assigned.length < per).sort((x, y) => x.assigned.length - y.assigned.length)[0];
    if (slot === undefined) {
      this.backlog.push(a);
      return;
    }
    slot.assigned.push(a);
    slot.worker.postMessage({ type: 'chunk', task: { ...a.task, killed: a.killed } });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private onMessage(slot: Slot, msg: FromWorker): void {
    switch (msg.type) {
      case 'ready':
        slot.ready = true;
        return;
      case 'first-call':
        this.events.firstCall?.(msg.at);
        return;
      case 'result': {
        slot.assigned = slot.assigned.filter((a) => a.task.chunk !== msg.result.chunk);
        this.eventsDone += msg.result.events;
        this.events.result(msg.result);
        break;
      }
      case 'chunk-error':
        slot.assigned = slot.assigned.filter((a) => a.task.chunk !== msg.chunk);
        this.events.chunkError(msg.chunk, msg.message);
        break;
      case 'fatal':
        this.fail(new Error(`replay worker failed: ${msg.message}`));
        return;
    }
    while (this.backlog.length > 0 && this.slots.some((s) => !s.retiring && s.assigned.length < (this.options.chunksPerWorker ?? 2))) {
      this.dispatch(this.backlog.shift()!);
    }
    this.wake();
  }

  /**
   * A call is charged the time between two watchdog ticks, but at most two
   * tick intervals per tick: when the machine is overloaded the ticks
   * themselves come late, and a worker thread that was merely descheduled
   * must not be mistaken for a hanging function. A real hang keeps
   * accumulating and is stopped.
   */
  private checkHeartbeats(): void {
    const now = performance.now();
    const credit = Math.min(now - this.lastTick, this.tickMs * 2);
    this.lastTick = now;
    for (const slot of this.slots) {
      if (slot.retiring) continue;
      const state = Atomics.load(slot.hb, HB_STATE);
      const seq = Atomics.load(slot.hb, HB_SEQ);
      if (state === 0 || seq !== slot.lastSeq) {
        slot.lastSeq = seq;
        slot.chargedMs = 0;
        continue;
      }
      slot.chargedMs += credit;
      if (slot.chargedMs > this.options.timeoutMs) this.onDeath(slot, 'timeout');
    }
  }

  /** A worker is gone (terminated for a timeout, out of memory, crashed): mark the call and re-send its chunks. */
  private onDeath(slot: Slot, reason: KilledCall['reason'], err?: Error): void {
    if (slot.retiring || this.closed) return;
    slot.retiring = true;
    const state = Atomics.load(slot.hb, HB_STATE);
    const version = VERSION_OF_STATE[state];
    const chunk = Atomics.load(slot.hb, HB_CHUNK);
    const index = Atomics.load(slot.hb, HB_INDEX);
    void slot.worker.terminate();
    this.slots.splice(this.slots.indexOf(slot), 1, this.spawn());
    const pending = slot.assigned;
    slot.assigned = [];
    if (version !== undefined) {
      const current = pending.find((a) => a.task.chunk === chunk);
      if (current !== undefined) current.killed.push({ index, version, reason });
      this.stoppedCalls++;
      // Stop a function that hangs on most events (each stopped call costs a new worker), not
      // one that hangs on a few of many: past `max`, only while at least half of the events
      // seen so far (chunks back, plus this chunk up to the stopped call) had a stopped call.
      const max = this.options.maxStoppedCalls ?? 50;
      const seen = this.eventsDone + index + 1;
      if (this.stoppedCalls > max && this.stoppedCalls * 2 >= seen) {
        this.fail(new StopRunError(`${this.stoppedCalls} function calls were stopped (time budget ${this.options.timeoutMs} ms or memory limit) in the first ${seen} events: the function seems to hang or exhaust memory on most events`));
        return;
      }
    } else {
      // Died outside a function call: our bug, or something odd in the chunk. Retry twice, then give up on it.
      const first = pending[0];
      if (first !== undefined) {
        const n = (this.crashes.get(first.task.chunk) ?? 0) + 1;
        this.crashes.set(first.task.chunk, n);
        if (n > 2) {
          pending.shift();
          this.events.chunkError(first.task.chunk, `the replay worker crashed on this chunk 3 times (${err?.message ?? reason})`);
        }
      }
    }
    for (const a of pending) this.dispatch(a);
    this.wake();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.wake();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.watchdog);
    await Promise.all(
      this.slots.map((s) => {
        s.retiring = true;
        return s.worker.terminate();
      }),
    );
  }
}

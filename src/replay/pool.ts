/**
 * The replay supervisor: a pool of worker threads fed with framed chunks
 * (never decoded here), at most `chunksPerWorker` in flight per worker so
 * memory stays bounded whatever the corpus size.
 *
 * Limits (runtime/supervised-worker.ts): each worker marks on its call clock
 * which call it is running (version, event index, chunk). A call running past
 * the time budget gets its worker terminated (the only way to stop a
 * synchronous infinite loop); a worker that runs out of heap dies by itself.
 * Either way the chunk is sent again to another worker (the supervisor's warm
 * spare once one was lost) with that call marked as stopped (timeout /
 * memory / crash), so the run goes on and the report counts it as that
 * event's outcome.
 */
import type { Worker } from 'node:worker_threads';
import { workerScript } from '../util/worker-scripts.js';
import type { ChunkResult } from '../results/chunk-result.js';
import type { ChunkTask, KilledCall, Version } from './chunk-processor.js';
import { STATE_OF_VERSION, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.js';
import { DEFAULT_MAX_HEAP_MB } from '../runtime/limits.js';
import { newWorker, prestartedWorkers, prestartWorkers, Supervisor, takePrestarted, type Stop, type SupervisedWorker, type WorkerStart } from '../runtime/supervised-worker.js';

export interface PoolOptions {
  workers: number;
  /** Time budget of one function call, ms. */
  timeoutMs: number;
  /** Heap of each worker, MB: a function allocating without bound is stopped here. */
  maxHeapMb?: number;
  chunksPerWorker?: number;
  /** Stop the run after this many calls were stopped, when they are at least half of the events seen (a function that hangs on everything). */
  maxStoppedCalls?: number;
  /** Keep a warm spare worker once a call was stopped (default true; false only to measure what it saves). */
  spareWorker?: boolean;
}

export interface PoolEvents {
  result(result: ChunkResult): void;
  chunkError(chunk: number, message: string): void;
  /** A worker starts its first chunk, at this time (performance.timeOrigin + performance.now() of that worker). */
  firstCall?(at: number): void;
  /** A worker has loaded both functions (its init went through). */
  ready?(): void;
}

const VERSION_OF_STATE: Record<number, Version> = Object.fromEntries(Object.entries(STATE_OF_VERSION).map(([v, s]) => [s, v as Version]));

interface Assigned {
  task: ChunkTask;
  killed: KilledCall[];
}

interface Slot {
  worker: SupervisedWorker<FromWorker, ToWorker>;
  assigned: Assigned[];
}

export class StopRunError extends Error {}

/** Is `task` the chunk (and part) a worker's message names? */
function sameTask(task: ChunkTask, chunk: number, part: number | undefined): boolean {
  return task.chunk === chunk && task.part?.index === part;
}

function taskKey(task: ChunkTask): string {
  return task.part === undefined ? String(task.chunk) : `${task.chunk}.${task.part.index}`;
}

/** Worker threads above this many per core only add scheduling and memory: the CLI caps --workers there, with a note. */
export const MAX_WORKERS_PER_CORE = 4;

/** Heap of a replay worker (MB) unless the pool is told otherwise. */
export const DEFAULT_WORKER_HEAP_MB = DEFAULT_MAX_HEAP_MB;

/** How a replay worker is started: its script and resource limits. */
function replayWorkerStart(maxHeapMb: number): WorkerStart {
  return {
    script: workerScript('replay-worker'),
    resourceLimits: {
      maxOldGenerationSizeMb: maxHeapMb,
      // A roomier young generation: replay allocates many short-lived objects per event.
      maxYoungGenerationSizeMb: 48,
      stackSizeMb: 4,
    },
  };
}

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
  prestartWorkers(replayWorkerStart(maxHeapMb), count);
}

/** Workers started by prespawnReplayWorkers and not taken yet. */
export function standbyWorkers(): number {
  return prestartedWorkers();
}

export class ReplayPool {
  private readonly slots: Slot[] = [];
  private readonly backlog: Assigned[] = [];
  private readonly supervisor: Supervisor<FromWorker, ToWorker>;
  private stoppedCalls = 0;
  /** Events of the chunks that came back: with the stopped calls, what "most events" is measured against. */
  private eventsDone = 0;
  private failure: Error | undefined;
  private waiters: (() => void)[] = [];
  private closed = false;
  /** Crash count per chunk (or part) outside any function call (a bug or a bad chunk): give up after 2. */
  private readonly crashes = new Map<string, number>();

  constructor(
    init: Omit<WorkerInit, 'clock'>,
    private readonly options: PoolOptions,
    private readonly events: PoolEvents,
  ) {
    const start = replayWorkerStart(options.maxHeapMb ?? DEFAULT_WORKER_HEAP_MB);
    this.supervisor = new Supervisor<FromWorker, ToWorker>({
      timeoutMs: options.timeoutMs,
      ...(options.spareWorker === false ? { spare: false } : {}),
      start(clock): Worker {
        const full: WorkerInit = { ...init, clock };
        const ready = takePrestarted(start);
        if (ready === undefined) return newWorker(start, full);
        ready.postMessage({ type: 'init', init: full } satisfies ToWorker);
        return ready;
      },
    });
    for (let i = 0; i < options.workers; i++) this.slots.push(this.spawn());
  }

  get stopped(): number {
    return this.stoppedCalls;
  }

  /** Workers started so far (the first ones, replacements and spares) and spares taken, for measurements. */
  get workerStarts(): { started: number; sparesTaken: number } {
    return { started: this.supervisor.started, sparesTaken: this.supervisor.sparesTaken };
  }

  private spawn(): Slot {
    const slot: Slot = { worker: this.supervisor.spawn(), assigned: [] };
    slot.worker.attach({
      message: (msg) => this.onMessage(slot, msg),
      stopped: (stop) => this.onStop(slot, stop),
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

  /**
   * The least busy worker that can take `task` now. A part of a split chunk (the run's tail,
   * split.ts) goes only to a worker with nothing in hand: queued behind another chunk it
   * could wait there while another worker runs out of work.
   */
  private slotFor(task: ChunkTask): Slot | undefined {
    const limit = task.part !== undefined ? 1 : (this.options.chunksPerWorker ?? 2);
    return this.slots.filter((s) => !s.worker.gone && s.assigned.length < limit).sort((x, y) => x.assigned.length - y.assigned.length)[0];
  }

  private dispatch(a: Assigned): void {
    const slot = this.slotFor(a.task);
    if (slot === undefined) {
      this.backlog.push(a);
      return;
    }
    this.place(slot, a);
  }

  private place(slot: Slot, a: Assigned): void {
    slot.assigned.push(a);
    slot.worker.post({ type: 'chunk', task: { ...a.task, killed: a.killed } });
  }

  /** Hand out the backlog, in order, while its first task finds a worker. */
  private dispatchBacklog(): void {
    for (let next = this.backlog[0]; next !== undefined; next = this.backlog[0]) {
      const slot = this.slotFor(next.task);
      if (slot === undefined) return;
      this.backlog.shift();
      this.place(slot, next);
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private onMessage(slot: Slot, msg: FromWorker): void {
    switch (msg.type) {
      case 'ready':
        this.events.ready?.();
        return;
      case 'first-call':
        this.events.firstCall?.(msg.at);
        return;
      case 'result': {
        slot.assigned = slot.assigned.filter((a) => !sameTask(a.task, msg.result.chunk, msg.result.part?.index));
        this.eventsDone += msg.result.events;
        this.events.result(msg.result);
        break;
      }
      case 'chunk-error':
        slot.assigned = slot.assigned.filter((a) => !sameTask(a.task, msg.chunk, msg.part));
        this.events.chunkError(msg.chunk, msg.message);
        break;
      case 'fatal':
        this.fail(new Error(`replay worker failed: ${msg.message}`));
        return;
    }
    this.dispatchBacklog();
    this.wake();
  }

  /** A worker is gone (terminated for a timeout, out of memory, crashed): mark the call and re-send its chunks. */
  private onStop(slot: Slot, stop: Stop): void {
    const at = this.slots.indexOf(slot);
    if (this.closed || at < 0) return;
    this.slots.splice(at, 1, this.spawn());
    const pending = slot.assigned;
    slot.assigned = [];
    const version = stop.call !== undefined ? VERSION_OF_STATE[stop.call.tag] : undefined;
    if (stop.call !== undefined && version !== undefined) {
      const { a: index, b: chunk } = stop.call;
      // The call clock names the chunk and the record index in it: a split chunk's part is the one holding that record.
      const current = pending.find((a) => a.task.chunk === chunk && (a.task.part === undefined || (index >= a.task.part.from && index < a.task.part.to)));
      if (current !== undefined) current.killed.push({ index, version, reason: stop.reason });
      this.stoppedCalls++;
      // Stop a function that hangs on most events (each stopped call costs a new worker), not
      // one that hangs on a few of many: past `max`, only while at least half of the events
      // seen so far had a stopped call. Seen: the chunks back, plus every chunk in flight up to
      // its last stopped call (counting only the stopped chunk's position made two workers that
      // each met a few hangs early in their first chunks look like "5 stopped in 1 event").
      const max = this.options.maxStoppedCalls ?? 50;
      const seen = this.eventsSeen(pending);
      if (this.stoppedCalls > max && this.stoppedCalls * 2 >= seen) {
        this.fail(new StopRunError(`${this.stoppedCalls} function calls were stopped (time budget ${this.options.timeoutMs} ms or memory limit) in the first ${seen} events: the function seems to hang or exhaust memory on most events`));
        return;
      }
    } else {
      // Died outside a function call: our bug, or something odd in the chunk. Retry twice, then give up on it.
      const first = pending[0];
      if (first !== undefined) {
        const key = taskKey(first.task);
        const n = (this.crashes.get(key) ?? 0) + 1;
        this.crashes.set(key, n);
        if (n > 2) {
          pending.shift();
          const why = stop.error?.message ?? (stop.exitCode !== undefined ? `worker exited with code ${stop.exitCode}` : stop.reason);
          this.events.chunkError(first.task.chunk, `the replay worker crashed on this chunk 3 times (${why})`);
        }
      }
    }
    for (const a of pending) this.dispatch(a);
    this.wake();
  }

  /** Events done in chunks back, plus each chunk in flight up to its last stopped call. */
  private eventsSeen(pending: readonly Assigned[]): number {
    let seen = this.eventsDone;
    const upTo = (a: Assigned): void => {
      const from = a.task.part?.from ?? 0;
      let last = from - 1;
      for (const k of a.killed) if (k.index > last) last = k.index;
      seen += last + 1 - from;
    };
    for (const a of pending) upTo(a);
    for (const slot of this.slots) for (const a of slot.assigned) upTo(a);
    for (const a of this.backlog) upTo(a);
    return seen;
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.wake();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.supervisor.close();
  }
}

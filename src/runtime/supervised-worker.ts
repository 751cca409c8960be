/**
 * Supervised worker threads: the one place where function code (hostile: it
 * may loop forever or allocate without bound) runs under a time budget and a
 * heap limit. Both the replay pool (replay/pool.ts: many workers, chunks of
 * events) and the one-function sandbox of `run`, `test` and `show`
 * (runtime/worker-runner.ts: one worker, one event at a time) are built on it.
 *
 * What it does:
 * - spawns a worker with V8 resource limits (the heap limit stops unbounded
 *   allocation: ERR_WORKER_OUT_OF_MEMORY);
 * - gives each worker a call clock (CallClock, a SharedArrayBuffer): the
 *   worker marks the start and the end of every function call, and the
 *   supervisor's watchdog charges the time a call stays running to it. A call
 *   past the budget gets its worker terminated: the only way to stop a
 *   synchronous infinite loop in a thread (V8 offers no way to interrupt a
 *   thread's JS from outside and keep the thread). This is THE enforcement
 *   of the call time limit (runtime/limits.ts);
 * - maps the ways a worker goes away to one StopReason: 'timeout' (stopped
 *   here), 'memory' (its heap ran out), 'crash' (anything else), with the
 *   call that was running (its tag and two numbers the owner chose);
 * - keeps a warm spare: once a worker has been stopped or died, a
 *   replacement is started at once; from then on, whenever the owner takes
 *   the spare, the next one is started as soon as the worker taken has
 *   finished a call (not at once: two thread start-ups at the same moment
 *   compete for the cores and slow the first calls), and kept ready (modules
 *   loaded, functions compiled), so the next worker the owner asks for is
 *   there without the 0.3-0.7 s of a cold start; a function that hangs on
 *   many events then costs its time budget per event, not a worker start on
 *   top of it;
 * - workers started ahead of time (prestartWorkers), before their owner
 *   knows what to load: the thread boots while the main thread is still
 *   starting up; the owner sends their set-up as a first message.
 *
 * Not built on it, on purpose (their needs differ):
 * - record/parallel (recording workers parse and encode batches of log lines
 *   in order): our own code on the user's data, no function code, so no call
 *   budget; a batch takes as long as its size needs, and a worker must never
 *   be stopped half-way (a batch lost is recorded data lost): a dead worker
 *   fails the recording instead of being replaced;
 * - record/proxy (the live recorder): one long-lived worker holding the
 *   corpus writer's state; replacing it would lose what it has not flushed.
 *   It is a stream, not calls.
 *
 * Messages from a worker arrive in order; those a spare sends before its
 * owner takes it are kept and delivered when it is taken.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { terminateThroughGate, useTerminationGate, watchGate, type GateCell } from '../util/termination-gate.js';
import { compileOnWorkerThreads } from './worker-jit.js';

export type StopReason = 'timeout' | 'memory' | 'crash';

/** The function call a worker was running when it was stopped or died. */
export interface CallMark {
  /** What the owner called it (never 0: 0 is "no call running"). */
  tag: number;
  a: number;
  b: number;
}

export interface Stop {
  reason: StopReason;
  /** The call running at that moment, if any (a worker can die between calls: an internal error). */
  call: CallMark | undefined;
  /** For 'memory' and 'crash': the worker's error, or its exit code. */
  error?: Error;
  exitCode?: number;
}

// Layout of a call clock: [tag, seq, a, b, gate]. tag 0 = no call running; seq
// changes at every call, so the watchdog tells one long call from many short ones.
// gate: the thread's termination gate (util/termination-gate.ts): every stop goes through it.
const TAG = 0;
const SEQ = 1;
const A = 2;
const B = 3;
const GATE = 4;
const CELLS = 5;

/** A new call clock for one worker (pass it to the worker, which wraps it in a CallClock). */
export function newCallClockBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(CELLS * 4);
}

/** The worker's side of its call clock: mark each function call. */
export class CallClock {
  private readonly cells: Int32Array;
  private seq = 0;

  /** Also makes the clock's gate this thread's termination gate: build it once, at the thread's start. */
  constructor(buffer: SharedArrayBuffer) {
    this.cells = new Int32Array(buffer);
    useTerminationGate({ cells: this.cells, index: GATE });
  }

  /** A call starts: `tag` (not 0), `a` and `b` say which (they come back in Stop.call). */
  starting(tag: number, a = 0, b = 0): void {
    this.cells[A] = a;
    this.cells[B] = b;
    this.cells[SEQ] = ++this.seq;
    Atomics.store(this.cells, TAG, tag);
  }

  finished(): void {
    Atomics.store(this.cells, TAG, 0);
  }
}

export interface SupervisedHandlers<From> {
  message(message: From): void;
  /** The worker is gone: stopped past the budget, out of heap, or crashed. Never called after retire(). */
  stopped(stop: Stop): void;
}

export interface WorkerStart {
  /** The worker's script (compiled JS: compiledSibling). */
  script: URL;
  resourceLimits: ResourceLimits;
  /** Capture the worker's stdout/stderr instead of sharing the process's. */
  quiet?: boolean;
}

/** One worker under supervision. */
export class SupervisedWorker<From = unknown, To = unknown> {
  private readonly cells: Int32Array;
  private readonly gate: GateCell;
  private handlers: SupervisedHandlers<From> | undefined;
  private early: From[] = [];
  private earlyStop: Stop | undefined;
  private lastSeq = -1;
  /** Time charged to the call in progress (see Supervisor.tick). */
  charged = 0;
  /** Stopped, dead or retired: never used again. */
  gone = false;

  constructor(
    readonly worker: Worker,
    readonly clock: SharedArrayBuffer,
    private readonly onGone: (w: SupervisedWorker<From, To>, stop: Stop | undefined) => void,
  ) {
    this.cells = new Int32Array(clock);
    this.gate = { cells: this.cells, index: GATE };
    watchGate(worker, this.gate);
    worker.on('message', (m: From) => {
      if (this.handlers !== undefined) this.handlers.message(m);
      else this.early.push(m);
    });
    worker.on('error', (err: Error & { code?: string }) => this.end({ reason: err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory' : 'crash', call: this.current(), error: err }));
    worker.on('exit', (exitCode) => this.end({ reason: 'crash', call: this.current(), exitCode }));
  }

  /** Start delivering messages and stops to `handlers` (those that came before first). */
  attach(handlers: SupervisedHandlers<From>): void {
    this.handlers = handlers;
    const early = this.early;
    this.early = [];
    for (const m of early) handlers.message(m);
    if (this.earlyStop !== undefined) handlers.stopped(this.earlyStop);
  }

  get attached(): boolean {
    return this.handlers !== undefined;
  }

  post(message: To, transfer?: readonly ArrayBuffer[]): void {
    this.worker.postMessage(message, transfer as ArrayBuffer[] | undefined);
  }

  /** The call running now, if any. */
  current(): CallMark | undefined {
    const tag = Atomics.load(this.cells, TAG);
    if (tag === 0) return undefined;
    return { tag, a: this.cells[A]!, b: this.cells[B]! };
  }

  /** Has it finished at least one call? */
  finishedACall(): boolean {
    const seq = Atomics.load(this.cells, SEQ);
    return seq > 1 || (seq === 1 && Atomics.load(this.cells, TAG) === 0);
  }

  /**
   * Charge `credit` ms to the call in progress (none: reset); true when it is past `budgetMs`.
   */
  charge(credit: number, budgetMs: number): boolean {
    const tag = Atomics.load(this.cells, TAG);
    const seq = Atomics.load(this.cells, SEQ);
    if (tag === 0 || seq !== this.lastSeq) {
      this.lastSeq = seq;
      this.charged = 0;
      return false;
    }
    this.charged += credit;
    return this.charged > budgetMs;
  }

  /** Stop it past its budget: terminate the thread and report 'timeout' with the call it was running. */
  stopForTime(): void {
    const call = this.current();
    this.end({ reason: 'timeout', call });
  }

  /** Terminate it without reporting a stop (the owner is done with it). */
  retire(): Promise<number> {
    this.gone = true;
    this.onGone(this, undefined);
    return terminateThroughGate(this.worker, this.gate);
  }

  private end(stop: Stop): void {
    if (this.gone) return;
    this.gone = true;
    void terminateThroughGate(this.worker, this.gate);
    this.onGone(this, stop);
    if (this.handlers !== undefined) this.handlers.stopped(stop);
    else this.earlyStop = stop;
  }
}

export interface SupervisorOptions {
  /** Time budget of one call, ms. */
  timeoutMs: number;
  /** Start a worker: `clock` is its call clock, to hand over in its set-up. */
  start(clock: SharedArrayBuffer): Worker;
  /** Keep a warm spare once a worker was stopped or died (default true). */
  spare?: boolean;
}

/** Watchdog period for a budget: a quarter of it, 5 to 50 ms (a call is stopped at most a tick or two late). */
function tickFor(budgetMs: number): number {
  return Math.max(5, Math.min(50, Math.floor(budgetMs / 4)));
}

/**
 * Workers of one owner, one budget per call, one watchdog. The watchdog runs
 * every timeoutMs / 4 (5 to 50 ms) and does not keep the process alive.
 */
export class Supervisor<From = unknown, To = unknown> {
  private readonly live = new Set<SupervisedWorker<From, To>>();
  private spareWorker: SupervisedWorker<From, To> | undefined;
  private budgetMs: number;
  private tickMs: number;
  private lastTick = performance.now();
  private watchdog: NodeJS.Timeout | undefined;
  private closed = false;
  /** A worker was lost: from now on a spare is kept ready. */
  private sparing = false;
  /** The next spare is started once this worker (the last one handed out) has finished a call. */
  private spareAfter: SupervisedWorker<From, To> | undefined;
  /** Workers this supervisor started (spares included), for measurements and tests. */
  started = 0;
  /** Spares taken by spawn(). */
  sparesTaken = 0;

  constructor(private readonly options: SupervisorOptions) {
    this.budgetMs = options.timeoutMs;
    this.tickMs = tickFor(options.timeoutMs);
  }

  get timeoutMs(): number {
    return this.budgetMs;
  }

  /** A new budget for the calls from now on (a sandbox whose calls each have their own). */
  set timeoutMs(ms: number) {
    if (ms === this.budgetMs) return;
    this.budgetMs = ms;
    const tick = tickFor(ms);
    if (tick === this.tickMs) return;
    this.tickMs = tick;
    if (this.watchdog !== undefined) {
      clearInterval(this.watchdog);
      this.watchdog = this.startWatchdog();
    }
  }

  /**
   * A worker for the owner: the warm spare when there is one, else a new one.
   * Nothing is delivered until the owner attaches its handlers (attach).
   */
  spawn(): SupervisedWorker<From, To> {
    if (this.closed) throw new Error('Supervisor.spawn after close');
    let w = this.spareWorker;
    this.spareWorker = undefined;
    if (w !== undefined) this.sparesTaken++;
    else w = this.startOne();
    // The next spare waits until this one has finished a call: started now, its start-up
    // would compete for a core with this worker's own (a first call is the slowest).
    if (this.sparing) this.spareAfter = w;
    return w;
  }

  /** A warm spare is ready or starting. */
  get hasSpare(): boolean {
    return this.spareWorker !== undefined;
  }

  private startOne(): SupervisedWorker<From, To> {
    const clock = newCallClockBuffer();
    const w = new SupervisedWorker<From, To>(this.options.start(clock), clock, (gone, stop) => this.onGone(gone, stop));
    this.started++;
    this.live.add(w);
    this.watchdog ??= this.startWatchdog();
    return w;
  }

  private startWatchdog(): NodeJS.Timeout {
    this.lastTick = performance.now();
    const t = setInterval(() => this.tick(), this.tickMs);
    t.unref();
    return t;
  }

  private onGone(w: SupervisedWorker<From, To>, stop: Stop | undefined): void {
    this.live.delete(w);
    if (this.spareWorker === w) this.spareWorker = undefined;
    // A worker was lost: from now on have the next one ready before it is asked for (its
    // replacement takes this spare and spawn starts the next). A spare that dies before it
    // is taken (a function that fails to load, say) is not replaced.
    if (stop !== undefined && w.attached && !this.closed && this.options.spare !== false) {
      this.sparing = true;
      this.spareWorker ??= this.startOne();
    }
  }

  /**
   * A call is charged the time between two ticks, but at most two tick
   * intervals per tick: when the machine is overloaded the ticks themselves
   * come late, and a worker thread that was merely descheduled must not be
   * mistaken for a hanging function. A real hang keeps accumulating and is
   * stopped.
   */
  private tick(): void {
    const now = performance.now();
    const credit = Math.min(now - this.lastTick, this.tickMs * 2);
    this.lastTick = now;
    for (const w of [...this.live]) {
      if (!w.gone && w.charge(credit, this.budgetMs)) w.stopForTime();
    }
    const after = this.spareAfter;
    if (after !== undefined && !this.closed && (after.gone || after.finishedACall())) {
      this.spareAfter = undefined;
      this.spareWorker ??= this.startOne();
    }
  }

  /** Terminate every worker (the spare too); no more stops are reported. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.watchdog !== undefined) clearInterval(this.watchdog);
    this.watchdog = undefined;
    this.spareWorker = undefined;
    this.spareAfter = undefined;
    await Promise.all([...this.live].map((w) => w.retire()));
  }
}

/** Workers started ahead of time (prestartWorkers), by script and limits. */
const prestarted: { key: string; worker: Worker }[] = [];

function prestartKey(start: WorkerStart): string {
  return `${start.script.href} ${JSON.stringify(start.resourceLimits)} ${start.quiet === true}`;
}

export function newWorker(start: WorkerStart, workerData: unknown): Worker {
  compileOnWorkerThreads();
  return new Worker(start.script, { workerData, resourceLimits: start.resourceLimits, ...(start.quiet === true ? { stdout: true, stderr: true } : {}) });
}

/**
 * Start workers now, with no set-up (workerData null): their owner sends it
 * as the first message when it takes them (takePrestarted). Tops up to
 * `count` waiting workers of this kind (never piles them up). They do not
 * keep the process alive, and one that dies while waiting is dropped.
 */
export function prestartWorkers(start: WorkerStart, count: number): void {
  const key = prestartKey(start);
  const waiting = prestarted.filter((p) => p.key === key).length;
  for (let i = waiting; i < count; i++) {
    const worker = newWorker(start, null);
    worker.unref();
    const drop = () => {
      const at = prestarted.findIndex((p) => p.worker === worker);
      if (at >= 0) prestarted.splice(at, 1);
    };
    worker.once('error', drop);
    worker.once('exit', drop);
    prestarted.push({ key, worker });
  }
}

/** A worker started by prestartWorkers with the same script and limits, if one is waiting (the caller sends its set-up). */
export function takePrestarted(start: WorkerStart): Worker | undefined {
  const key = prestartKey(start);
  const at = prestarted.findIndex((p) => p.key === key);
  if (at < 0) return undefined;
  const worker = prestarted.splice(at, 1)[0]!.worker;
  worker.removeAllListeners();
  worker.ref();
  return worker;
}

/** Workers started ahead of time and not taken yet. */
export function prestartedWorkers(): number {
  return prestarted.length;
}

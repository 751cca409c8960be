/**
 * Terminating a worker thread without aborting the process: a gate around node:zlib.
 *
 * `worker.terminate()` stops a thread's JavaScript wherever it is. If that is
 * inside one of node:zlib's constructors, after the native handle is created
 * and before its `init()` (both happen in Node's own zlib.js, in every
 * brotli/gzip/deflate call, sync or not), the thread's clean-up closes a
 * handle that was never initialised and Node aborts the WHOLE process:
 * `Assertion failed: init_done_ && "close before init"` (node_zlib.cc), then
 * a fatal HandleScope error. Node 20.20 does this: threads looping on
 * brotliDecompressSync, each terminated 0-3 ms into the loop, took it down
 * after 1 to 51 of them (test/helpers/gate-hazard.mjs; 6 runs of 400 aborted
 * every time, 300 through the gate never did). Our workers
 * decode chunks (brotli), encode them (brotli) and their latency histograms
 * (deflate), so every stop of a worker (a call past its budget, a replay or
 * a recording closed early) could land there.
 *
 * The gate: one Int32 cell the thread and its owner share.
 * - The thread holds it while it is inside node:zlib's synchronous part
 *   (zlibSection): a CAS from OPEN to HELD, and back to OPEN after.
 * - The owner closes it for good before terminating (terminateThroughGate):
 *   a CAS from OPEN to CLOSED. If it finds it HELD, it marks it CLOSING and
 *   waits (one zlib call: milliseconds); the thread, ending its section and
 *   finding CLOSING, sets CLOSED and runs nothing more.
 * - A thread that finds it CLOSED or CLOSING runs nothing more: it waits
 *   (Atomics.wait, which the termination interrupts) for the end it was sent.
 *   So an owner never waits for more than the zlib call in progress (a thread
 *   that loops on zlib cannot keep taking the gate back), and a thread asked
 *   to stop inside zlib runs none of its own code after it.
 *
 * So a termination through the gate lands anywhere but inside zlib. On the
 * owner's process exit every gate still open is closed the same way
 * (synchronously), since Node then terminates the threads that are left.
 *
 * Not covered: a thread Node stops by itself (its heap limit reached inside a
 * zlib constructor). That needs a function that keeps its heap full between
 * calls, and the sandbox resets what a call leaves (runtime/loader.ts).
 */
import type { Worker } from 'node:worker_threads';

/** Atomics.waitAsync (Node 16 and later; the project's TypeScript lib predates its types). */
const waitAsync = (Atomics as unknown as {
  waitAsync(cells: Int32Array, index: number, value: number, timeoutMs: number): { async: false; value: string } | { async: true; value: Promise<string> };
}).waitAsync;

const OPEN = 0;
const HELD = 1;
const CLOSED = 2;
/** Held, and the owner wants it closed: the thread closes it as its section ends. */
const CLOSING = 3;

/** One gate: a cell of a shared Int32Array (a worker's call clock has one, runtime/supervised-worker.ts). */
export interface GateCell {
  cells: Int32Array;
  index: number;
}

/** A gate of its own (the recording workers'): pass it to the thread (its Int32Array is shared, not copied), which calls useTerminationGate. */
export function newGate(): GateCell {
  return { cells: new Int32Array(new SharedArrayBuffer(4)), index: 0 };
}

// ---- the thread's side ----

let mine: GateCell | undefined;

/** This thread's zlib sections go through `gate` (call once, at the thread's start). */
export function useTerminationGate(gate: GateCell): void {
  mine = gate;
}

/**
 * Run `fn`, which calls node:zlib, where a termination cannot reach it. On a
 * thread with no gate (the main thread) it simply runs `fn`. For an async
 * zlib call, wrap the call itself: its handle is created and initialised
 * before it returns. Not reentrant (`fn` must not open another section: it
 * would wait for itself); util/zlib.ts's wrappers, the only callers, call
 * node:zlib directly.
 */
export function zlibSection<T>(fn: () => T): T {
  const gate = mine;
  if (gate === undefined) return fn();
  if (Atomics.compareExchange(gate.cells, gate.index, OPEN, HELD) !== OPEN) park(gate);
  try {
    return fn();
  } finally {
    if (Atomics.compareExchange(gate.cells, gate.index, HELD, OPEN) !== HELD) {
      // CLOSING: the owner is waiting to terminate this thread.
      Atomics.store(gate.cells, gate.index, CLOSED);
      Atomics.notify(gate.cells, gate.index);
      park(gate);
    }
  }
}

/** This thread is being terminated: run nothing more until it is. */
function park(gate: GateCell): never {
  for (;;) Atomics.wait(gate.cells, gate.index, CLOSED);
}

// ---- the owner's side ----

/** Gates of this thread's workers that may still be running (closed on exit). */
const open = new Set<GateCell>();
let exitHook = false;

/** Close `worker`'s gate at the latest when this process exits, unless the worker has exited first (call when it starts). */
export function watchGate(worker: Worker, gate: GateCell): void {
  open.add(gate);
  worker.once('exit', () => open.delete(gate));
  if (!exitHook) {
    exitHook = true;
    process.on('exit', closeOpenGates);
  }
}

/** Close it, or ask the thread to as its zlib call ends: true once closed. */
function tryClose(gate: GateCell): boolean {
  const was = Atomics.compareExchange(gate.cells, gate.index, OPEN, CLOSED);
  if (was === OPEN || was === CLOSED) return true;
  if (was === HELD) Atomics.compareExchange(gate.cells, gate.index, HELD, CLOSING);
  return Atomics.load(gate.cells, gate.index) === CLOSED;
}

/**
 * Close the gate (waiting while the thread is in zlib), then terminate the
 * thread. A thread that has exited meanwhile (threadId -1) is not waited for.
 */
export async function terminateThroughGate(worker: Worker, gate: GateCell): Promise<number> {
  while (worker.threadId !== -1 && !tryClose(gate)) {
    const wait = waitAsync(gate.cells, gate.index, CLOSING, 100);
    if (wait.async) await wait.value;
  }
  open.delete(gate);
  return worker.terminate();
}

/** On exit: close every gate still open, waiting at most a second in all for threads inside zlib. */
function closeOpenGates(): void {
  const until = performance.now() + 1000;
  for (const gate of open) {
    while (!tryClose(gate) && performance.now() < until) Atomics.wait(gate.cells, gate.index, CLOSING, 20);
  }
  open.clear();
}

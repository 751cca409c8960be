// The supervised worker: the one enforcement of the call time limit (a call past its
// budget is stopped by terminating its worker), the mapping of a worker's end to a
// reason, and the warm spare kept once a worker was lost.
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { Supervisor, type Stop, type SupervisedWorker } from '../../src/runtime/supervised-worker.js';

const CLOCK_MODULE = new URL('../../dist/runtime/supervised-worker.js', import.meta.url).href;
const ZLIB_MODULE = new URL('../../dist/util/zlib.js', import.meta.url).href;

// A worker that marks a call per message: {loop} loops forever inside it, {alloc} allocates
// without bound, {zlib} loops forever in node:zlib (the project's gated call, util/zlib.ts)
// inside the call, {zlibBetween} the same between calls (as a replay worker decoding a chunk);
// anything else is answered at once. Its first message says it is up.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
Promise.all([import(${JSON.stringify(CLOCK_MODULE)}), import(${JSON.stringify(ZLIB_MODULE)})]).then(([{ CallClock }, ours]) => {
  const clock = new CallClock(workerData.clock);
  const packed = require('node:zlib').brotliCompressSync(Buffer.alloc(4096, 7));
  parentPort.on('message', (m) => {
    if (m.zlibBetween) for (;;) ours.brotliDecompressSync(packed);
    clock.starting(m.tag, m.a, m.b);
    if (m.loop) for (;;) {}
    if (m.zlib) for (;;) ours.brotliDecompressSync(packed);
    if (m.alloc) { const keep = []; for (;;) keep.push(new Array(1e5).fill(keep.length)); }
    parentPort.postMessage({ echo: m.a });
    clock.finished();
  });
  parentPort.postMessage({ up: true });
});`;

interface Msg {
  up?: true;
  echo?: number;
}
type Call = { tag: number; a: number; b: number; loop?: true; alloc?: true; zlib?: true; zlibBetween?: true };

let supervisor: Supervisor<Msg, Call> | undefined;
afterEach(async () => {
  await supervisor?.close();
  supervisor = undefined;
});

/** Workers of the last make() that have booted (said { up: true }), attached or not. */
let workersUp = 0;

function make(timeoutMs: number, spare?: boolean): Supervisor<Msg, Call> {
  workersUp = 0;
  supervisor = new Supervisor<Msg, Call>({
    timeoutMs,
    ...(spare !== undefined ? { spare } : {}),
    start: (clock) => {
      const w = new Worker(WORKER, { eval: true, workerData: { clock }, resourceLimits: { maxOldGenerationSizeMb: 32 } });
      w.on('message', (m: Msg) => {
        if (m.up === true) workersUp++;
      });
      return w;
    },
  });
  return supervisor;
}

/** Attach and collect what the worker says, and how it ends. */
function watch(w: SupervisedWorker<Msg, Call>) {
  const messages: Msg[] = [];
  let resolveStop: (s: Stop) => void = () => undefined;
  const stopped = new Promise<Stop>((resolve) => (resolveStop = resolve));
  let resolveUp: () => void = () => undefined;
  const up = new Promise<void>((resolve) => (resolveUp = resolve));
  w.attach({
    message(m) {
      messages.push(m);
      if (m.up === true) resolveUp();
    },
    stopped: (s) => resolveStop(s),
  });
  return { messages, stopped, up };
}

describe('supervised worker', () => {
  it('stops a call past its budget, reports it with its marks, and answers other calls meanwhile', async () => {
    const s = make(100);
    const first = s.spawn();
    const f = watch(first);
    await f.up;
    const t0 = performance.now();
    first.post({ tag: 2, a: 7, b: 0 });
    first.post({ tag: 3, a: 41, b: 9, loop: true });
    const stop = await f.stopped;
    const took = performance.now() - t0;
    expect(f.messages).toContainEqual({ echo: 7 });
    expect(stop.reason).toBe('timeout');
    expect(stop.call).toEqual({ tag: 3, a: 41, b: 9 });
    expect(took).toBeGreaterThanOrEqual(100);
    expect(took).toBeLessThan(5000);
    expect(first.gone).toBe(true);
  });

  // Terminated inside node:zlib, a thread aborts the whole process (util/termination-gate.ts):
  // were the stops not through the clock's gate, vitest's own process would die here.
  it('60 calls stopped past their budget while they loop inside node:zlib: each is a timeout, and the process lives', async () => {
    const s = make(10);
    for (let i = 0; i < 60; i++) {
      const w = s.spawn();
      const seen = watch(w);
      await seen.up;
      w.post({ tag: 4, a: i, b: 0, zlib: true });
      const stop = await seen.stopped;
      expect(stop).toMatchObject({ reason: 'timeout', call: { tag: 4, a: i, b: 0 } });
    }
  }, 60_000);

  it('40 supervisors closed while their worker loops inside node:zlib between calls: closed, and the process lives', async () => {
    for (let i = 0; i < 40; i++) {
      const s = make(10_000);
      const w = s.spawn();
      const seen = watch(w);
      await seen.up;
      w.post({ tag: 1, a: 0, b: 0, zlibBetween: true });
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      await s.close();
      supervisor = undefined;
      expect(w.gone).toBe(true);
    }
  }, 60_000);

  it('a worker out of heap is reported as memory, with the call it was running', async () => {
    const s = make(20_000);
    const w = s.spawn();
    const seen = watch(w);
    await seen.up;
    w.post({ tag: 5, a: 1, b: 2, alloc: true });
    const stop = await seen.stopped;
    expect(stop.reason).toBe('memory');
    expect(stop.call).toEqual({ tag: 5, a: 1, b: 2 });
  });

  it('once a worker was lost, a warm spare is kept: the next spawn takes it (already up) and another is started', async () => {
    const s = make(50);
    expect(s.hasSpare).toBe(false);
    const first = s.spawn();
    const a = watch(first);
    await a.up;
    expect(s.hasSpare).toBe(false); // nothing lost yet: no spare
    first.post({ tag: 1, a: 0, b: 0, loop: true });
    await a.stopped;
    expect(s.hasSpare).toBe(true); // started as the worker was lost
    // Let it boot: waited for (it says { up: true }), not a fixed 1.5 s a loaded machine may not meet.
    await expect.poll(() => workersUp, { timeout: 60_000 }).toBe(2);
    const second = s.spawn();
    expect(s.sparesTaken).toBe(1);
    const b = watch(second);
    // What the spare said before it was taken is delivered on attach, in order.
    expect(b.messages).toEqual([{ up: true }]);
    await new Promise((r) => setTimeout(r, 100));
    expect(s.hasSpare).toBe(false); // the next spare waits for the first call of this one
    second.post({ tag: 1, a: 3, b: 0 });
    await expect.poll(() => b.messages.length).toBe(2);
    expect(b.messages[1]).toEqual({ echo: 3 });
    await expect.poll(() => s.hasSpare).toBe(true);
    expect(s.started).toBe(3);
  });

  it('with spare: false a lost worker is replaced only when asked', async () => {
    const s = make(50, false);
    const first = s.spawn();
    const a = watch(first);
    await a.up;
    first.post({ tag: 1, a: 0, b: 0, loop: true });
    await a.stopped;
    expect(s.hasSpare).toBe(false);
    s.spawn();
    expect(s.sparesTaken).toBe(0);
    expect(s.started).toBe(2);
  });

  it('a retired worker reports no stop, and close ends every worker, the spare too', async () => {
    const s = make(50);
    const first = s.spawn();
    const a = watch(first);
    await a.up;
    let stops = 0;
    void a.stopped.then(() => stops++);
    await first.retire();
    await new Promise((r) => setTimeout(r, 100));
    expect(stops).toBe(0);
    const second = s.spawn();
    const b = watch(second);
    await b.up;
    second.post({ tag: 1, a: 0, b: 0, loop: true });
    await b.stopped;
    expect(s.hasSpare).toBe(true);
    await s.close();
    expect(s.hasSpare).toBe(false);
    expect(() => s.spawn()).toThrow(/after close/);
  });
});

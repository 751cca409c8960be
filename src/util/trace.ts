/**
 * Start-up timeline, for measuring only: with CFREPLAY_TRACE=1 in the environment every mark
 * writes `cfreplay-trace <thread> <ms since the process started> cpu=<CPU ms of that thread> <label>`
 * to stderr (worker threads too: they inherit the variable and the main thread's start time,
 * CFREPLAY_TRACE_T0). bench/replay-phases.mjs reads these lines. Without the variable a mark
 * costs one test. Each thread's first mark, `code from bundle/` (or dist/, src/), says where its
 * code was loaded from (util/worker-scripts.ts).
 */
import { readFileSync } from 'node:fs';
import { isMainThread, threadId } from 'node:worker_threads';
import { RUNNING_FROM } from './worker-scripts.js';
import { codeCacheState } from './code-cache-state.js';

const on = process.env['CFREPLAY_TRACE'] === '1';
if (on && isMainThread) process.env['CFREPLAY_TRACE_T0'] ??= String(performance.timeOrigin);
const t0 = Number(process.env['CFREPLAY_TRACE_T0'] ?? performance.timeOrigin);

/** CPU time of the calling thread so far, ms (Linux: /proc/thread-self/schedstat, ns on the CPU), or NaN. */
function threadCpuMs(): number {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}

/** Marks `label`; the main thread's last mark, `exit`, is made once as the process exits. */
export function traceMark(label: string): void {
  if (on) traceMarks([label]);
}

/** Several marks at this instant, in one write (a worker's output reaches the main thread in pieces, the last ones maybe not at all). */
function traceMarks(labels: readonly string[]): void {
  if (!on) return;
  const ms = performance.timeOrigin + performance.now() - t0;
  const head = `cfreplay-trace ${isMainThread ? 'main' : `w${threadId}`} ${ms.toFixed(1)} cpu=${threadCpuMs().toFixed(1)}`;
  process.stderr.write(labels.map((l) => `${head} ${l}\n`).join(''));
}

// The thread's first marks: where its code is from and, for a bundle file run with a V8 code
// cache (util/code-cache.ts), what became of the cache.
const codeCache = codeCacheState();
traceMarks([`code from ${RUNNING_FROM}/`, ...(codeCache !== undefined ? [`code cache ${codeCache}`] : [])]);
if (on && isMainThread) process.once('exit', () => traceMark('exit'));

/**
 * How the optimizing compiler of a function-running worker thread works: in the thread
 * itself, not on V8's background threads.
 *
 * By default V8 compiles a hot function with TurboFan on a helper thread (concurrent
 * recompilation) while the thread that asked goes on in its slower tiers. A replay keeps
 * both cores busy with its workers, so the helper threads do not run beside them: they
 * take cores from them, and meanwhile the workers run their first chunk in the interpreter
 * and baseline code. Compiling in the worker (`--no-concurrent-recompilation`) stops the
 * worker for the few milliseconds of each compile and then runs optimized code at once.
 * Measured (bench/e2e-bench.mjs, 300,000 events, 2 workers, 2 cores, paired rounds): the
 * whole command 4% less wall and CPU on a quiet machine, 2% at 1,000,000, the same with a
 * CPU-bound neighbour (where the helper threads' share of the cores made up for the time
 * they wasted).
 *
 * What it changes for the function: nothing in what it computes. A compile now falls inside
 * whichever call reaches the tier-up, so that call's measured latency includes it (a few
 * milliseconds, well inside the call budget of runtime/limits.ts; a CloudFront function is
 * at most 10 KB of code); before, the calls around the compile ran slower instead.
 *
 * V8 reads the flag when an isolate starts (Isolate::Init creates the compile dispatcher
 * only when it is set), so it is set once in the process, before the first supervised
 * worker starts, and applies to every worker thread started after it. The main thread's
 * isolate, already running, keeps its background compiles. Node documents
 * v8.setFlagsFromString after start-up as "use with care": this flag is only read at
 * isolate start (and by debug-build checks), and the test suite runs every worker with it.
 *
 * Before adding another flag here: a flag that takes part in V8's flag hash (heap sizes such
 * as --initial-old-space-size or --min-semi-space-size, compiler limits such as
 * --max-inlined-bytecode-size-cumulative or --max-lazy) makes every isolate started after it
 * reject node's embedded code cache for its own built-in modules, and compile them instead:
 * measured +8-14 ms of CPU for a node started with the flag that requires http, zlib and
 * worker_threads (46 ms without), +10-25 ms per replay worker's start-up.
 * This flag, --no-memory-reducer and --stack-size cost nothing there. --initial-old-space-size=128
 * (one full GC per replay worker instead of three or four) gained 2-4% at 300,000 events and
 * nothing at 1,000,000, lost 2% on the 10,000-event sample through that start-up cost, and took
 * 55-106 MB more memory: not kept (issue 19, session 13).
 */
import { setFlagsFromString } from 'node:v8';

let set = false;

/** Make worker threads started from now on compile optimized code on their own thread (idempotent). */
export function compileOnWorkerThreads(): void {
  if (set) return;
  set = true;
  setFlagsFromString('--no-concurrent-recompilation');
}

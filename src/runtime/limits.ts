/**
 * The limits of one function call, in one place for every command that runs functions.
 *
 * Time budget (wall clock, per call; `--timeout-ms` overrides it):
 * - DEFAULT_TIMEOUT_MS, 250 ms: each call of a replay (`replay`, distributed workers, and
 *   `show` when it runs a replayed event again without the report's own budget). The
 *   README promises it; a CloudFront function runs in about a millisecond, so 250 ms
 *   leaves room for a loaded machine while a hanging function costs little per event.
 * - RUN_TIMEOUT_MS, 1000 ms: `run` (one event) and `test` (a few cases), where a person
 *   waits for one answer from a freshly started worker; kept at the 1000 ms these
 *   commands always had, so they behave as before.
 * Where it is enforced, for every command: one path, runtime/supervised-worker.ts. The
 * function runs in a worker thread that marks each call on its call clock (CallClock); the
 * owner's Supervisor ticks every budget / 4 (5 to 50 ms), charges the time a call stays
 * running to it (Supervisor.tick, SupervisedWorker.charge) and, past the budget, terminates
 * the thread (SupervisedWorker.stopForTime): the call's outcome is `timeout` and the owner
 * gets a warm spare worker for what comes next (unless it asked for none). The replay pool (replay/pool.ts: `replay`,
 * distributed workers) and the one-function sandbox (runtime/worker-runner.ts: `run`, `test`,
 * `show`) both sit on it; only the budget they pass differs (the constants below).
 * Not a second path: the in-process `timeoutMs` of LoadedFunction.invoke (a vm timeout,
 * runtime/loader.ts) is for library users running a call in their own thread; no command
 * uses it. The njs engine's instruction budget (runtime/njs/loader.ts) is that engine's
 * model of CloudFront's compute limit, counted in opcodes, not a time limit; the wall-clock
 * budget above still bounds it.
 *
 * Heap: DEFAULT_MAX_HEAP_MB, the V8 old generation of each replay worker (README: 256 MB).
 */
export const DEFAULT_TIMEOUT_MS = 250;
export const RUN_TIMEOUT_MS = 1000;
export const DEFAULT_MAX_HEAP_MB = 256;

/** The njs engine's default instruction budget per call (see README "njs engine": about 0.1-0.3 s of wasm time; runtime/njs/loader.ts). */
export const DEFAULT_STEP_LIMIT = 10_000_000;

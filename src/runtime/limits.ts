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
 * Where it is enforced: a call in a worker thread is stopped by its supervisor, which
 * terminates the thread (replay/pool.ts for replay workers, by heartbeat;
 * runtime/worker-runner.ts for one sandbox, by timer); the in-process `timeoutMs` of
 * LoadedFunction.invoke (a vm timeout) is only for library users running a single call.
 *
 * Heap: DEFAULT_MAX_HEAP_MB, the V8 old generation of each replay worker (README: 256 MB).
 */
export const DEFAULT_TIMEOUT_MS = 250;
export const RUN_TIMEOUT_MS = 1000;
export const DEFAULT_MAX_HEAP_MB = 256;

/**
 * Worker-thread entry (plain JS at run time: dist/runtime/sandbox-worker.js).
 * Loads one function, then answers `invoke` messages one at a time. Each call
 * is marked on the call clock, from the message to the posted result: the
 * supervisor (supervised-worker.ts, for worker-runner.ts) enforces the time
 * budget by terminating this thread, and the memory limit through
 * `resourceLimits`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadFunctionWith } from './engines.js';
import { loadKvsFile } from './kvs.js';
import { toJsonSafe } from './json-safe.js';
import type { FromWorker, ToWorker, WorkerLoadSpec } from './worker-protocol.js';
import type { RunResult } from './types.js';
import type { SourceProblem } from './errors.js';
import { CallClock } from './supervised-worker.js';

const port = parentPort;
if (!port) throw new Error('sandbox-worker must run in a worker thread');
const post = (m: FromWorker): void => port.postMessage(m);

/** A structured-clonable copy: field by field (the effective form may be a getter, which a spread would miss). */
function plainResult(r: RunResult): RunResult {
  return {
    outcome: r.outcome,
    raw: toJsonSafe(r.raw),
    effective: r.effective,
    logs: Array.from(r.logs),
    logsTruncated: r.logsTruncated,
    sideEffects: r.sideEffects,
    durationNs: r.durationNs,
    runtime: r.runtime,
    eventType: r.eventType,
    ...(r.steps !== undefined ? { steps: r.steps } : {}),
  };
}

const { spec, clock: clockBuffer } = workerData as { spec: WorkerLoadSpec; clock: SharedArrayBuffer };
const clock = new CallClock(clockBuffer);
try {
  const kvs = spec.kvs ?? (spec.kvsPath !== undefined ? loadKvsFile(spec.kvsPath) : undefined);
  const fn = loadFunctionWith(spec.engine ?? 'v8', spec.source, {
    ...(spec.runtime ? { runtime: spec.runtime } : {}),
    ...(kvs ? { kvs } : {}),
    ...(spec.filename !== undefined ? { filename: spec.filename } : {}),
    ...(spec.eventType ? { eventType: spec.eventType } : {}),
    ...(spec.edgeLocation ? { edgeLocation: spec.edgeLocation } : {}),
  });
  port.on('message', (m: ToWorker) => {
    if (m.type !== 'invoke') return;
    clock.starting(1);
    void Promise.resolve(fn.invoke(m.event, m.opts)).then((result) => {
      post({ type: 'result', id: m.id, result: plainResult(result) });
      clock.finished();
    });
  });
  post({ type: 'ready', runtime: fn.runtime, kind: fn.kind, isAsync: fn.isAsync });
} catch (e) {
  const err = e as { name?: string; message?: string; problems?: SourceProblem[] };
  post({ type: 'load-error', name: String(err.name ?? 'Error'), message: String(err.message ?? e), problems: err.problems ?? [] });
}

/**
 * Replay worker thread: loads both functions once, then replays the chunks
 * it is sent. Marks each call on its call clock (runtime/supervised-worker.ts)
 * so the supervisor can stop a call that exceeds the time budget.
 *
 * Its init comes as workerData, or (a worker started ahead of time, see
 * prespawnReplayWorkers in pool.ts) as the first message: the thread and its
 * modules are then loaded while the main thread is still starting up.
 */
// First: tells msgpackr's native-addon loader which C library this is before anything loads msgpackr.
import './libc-hint.js';
import { parentPort, workerData } from 'node:worker_threads';
import { loadFunctionWith, type Engine } from '../runtime/engines.js';
import { otherEngine } from './engine-check.js';
import { compileIgnore } from '../diff/index.js';
import { ChunkDecodeError } from '../store/chunk.js';
import { processChunk, type CallObserver, type FunctionPair } from './chunk-processor.js';
import { STATE_OF_VERSION, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.js';
import { CallClock } from '../runtime/supervised-worker.js';
import { traceMark } from '../util/trace.js';
import { codeCacheCheckpoint } from '../util/code-cache-state.js';

traceMark('worker modules loaded');

const port = parentPort!;

function send(msg: FromWorker): void {
  port.postMessage(msg);
}

function start(init: WorkerInit): void {
  traceMark('init');
  const clock = new CallClock(init.clock);
  let fns: FunctionPair;
  try {
    const kvs = init.kvs;
    // A connection function has no viewer event type to fix.
    const viewerType = init.eventType === 'connection' ? {} : { eventType: init.eventType };
    const pair = (engine: Engine) => ({
      old: loadFunctionWith(engine, init.old.source, { runtime: init.old.runtime, filename: init.old.filename, ...viewerType, ...(kvs ? { kvs } : {}) }, init.old.checked),
      new: loadFunctionWith(engine, init.new.source, { runtime: init.new.runtime, filename: init.new.filename, ...viewerType, ...(kvs ? { kvs } : {}) }, init.new.checked),
    });
    const engine = init.engine ?? 'v8';
    fns = { ...pair(engine), ...(init.crossCheck === true ? { cross: pair(otherEngine(engine)) } : {}) };
  } catch (e) {
    send({ type: 'fatal', message: (e as Error).message });
    throw e;
  }
  traceMark('functions loaded');
  const ignore = compileIgnore(init.ignore);
  let currentChunk = 0;
  const observer: CallObserver = {
    starting(index, version) {
      clock.starting(STATE_OF_VERSION[version], index, currentChunk);
    },
    finished() {
      clock.finished();
    },
  };

  // Chunks are processed one after another, in arrival order.
  let queue = Promise.resolve();
  let firstCall = true;
  port.on('message', (msg: ToWorker) => {
    if (msg.type !== 'chunk') return;
    queue = queue.then(async () => {
      currentChunk = msg.task.chunk;
      if (firstCall) {
        firstCall = false;
        send({ type: 'first-call', at: performance.timeOrigin + performance.now() });
        traceMark('first chunk');
      }
      try {
        const result = await processChunk(
          msg.task,
          fns,
          { eventType: init.eventType, noise: init.noise, seed: init.seed, samplesPerChunk: init.samplesPerChunk, ...(ignore ? { ignore } : {}), ...(init.engine ? { engine: init.engine } : {}) },
          observer,
        );
        send({ type: 'result', result });
        traceMark(`chunk ${msg.task.chunk} done`);
        // The build's cache-making run: what a chunk needs is compiled by now (util/code-cache.ts).
        codeCacheCheckpoint();
      } catch (e) {
        clock.finished();
        if (e instanceof ChunkDecodeError) send({ type: 'chunk-error', chunk: msg.task.chunk, ...(msg.task.part !== undefined ? { part: msg.task.part.index } : {}), message: e.message });
        else send({ type: 'fatal', message: (e as Error).stack ?? String(e) });
      }
    });
  });
  send({ type: 'ready' });
}

const given = workerData as WorkerInit | null | undefined;
if (given?.clock !== undefined) start(given);
else {
  port.once('message', (msg: ToWorker) => {
    if (msg.type === 'init') start(msg.init);
  });
}

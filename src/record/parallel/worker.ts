/**
 * A recording worker thread: records the batches of lines it is sent (see
 * batch-recorder.ts) and answers each with its framed chunks and summary
 * counts. The chunk buffers are transferred, not copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { BatchRecorder } from './batch-recorder.js';
import type { BatchMessage, WorkerData, WorkerReply } from './protocol.js';
import { userErrorMessage } from '../../util/user-error.js';
import { useTerminationGate } from '../../util/termination-gate.js';

const port = parentPort!;
const data = workerData as WorkerData;
useTerminationGate(data.gate);
const recorder = new BatchRecorder(data.setup);

/** A buffer that can be transferred: its own whole ArrayBuffer (small Buffers share a pool). */
function owned(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? b : new Uint8Array(b);
}

// The parsing and encoding of a batch are synchronous (they run in the
// order the batches arrive, as the parsers' state requires); only the
// compression is awaited, on libuv's pool, while the next batch is parsed.
port.on('message', (m: BatchMessage) => {
  recorder.record(m.job).then(
    (result) => {
      result.chunks = result.chunks.map(owned);
      const reply: WorkerReply = { id: m.id, ok: true, result };
      port.postMessage(reply, result.chunks.map((c) => c.buffer as ArrayBuffer));
    },
    (e: unknown) => {
      const err = e as Error;
      const reply: WorkerReply = { id: m.id, ok: false, message: err.message, userFacing: userErrorMessage(e) !== undefined, stack: err.stack ?? '' };
      port.postMessage(reply);
    },
  );
});

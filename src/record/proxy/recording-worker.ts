/**
 * The recording side of `cfreplay record proxy`, in a worker thread: the
 * proxy's event loop only forwards traffic and hands each completed exchange
 * over; checks, the event builder, sampling, redaction and the corpus writer
 * (whose chunk encoding takes milliseconds of synchronous work) run here, so
 * they never delay a request. Runs the same `runRecordCommand` as every
 * source, with a stand-in source fed by messages from the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runRecordCommand, type RecordCommonArgs } from '../cli.js';
import type { RecordSink, RecordSource, SourceItem, SourceReport } from '../types.js';
import type { MainToWorker, WorkerData, WorkerToMain } from './worker-protocol.js';
import { ItemQueue } from '../item-queue.js';
import { captureItem } from './capture.js';
import { CountedSink } from '../sink-stats.js';
import { PROGRESS_TICK_MS } from './progress.js';
import { lowerThisThreadPriority } from '../../util/thread-priority.js';
import { UserError, userErrorMessage } from '../../util/user-error.js';
import { useTerminationGate } from '../../util/termination-gate.js';

const RECORDER_NICE = 10;

// Recording is background work: when the proxy's event loop and this thread
// both want a core, the proxy goes first (a request waits for nobody's chunk
// encoding). The recorder needs a fraction of a core and catches up in gaps;
// its queue is bounded by the flush interval, so nothing is lost.
lowerThisThreadPriority(RECORDER_NICE);

const port = parentPort!;
const data = workerData as WorkerData;
useTerminationGate(data.gate);
const send = (m: WorkerToMain) => port.postMessage(m);

// Progress line on: the main thread draws it; this thread reports what it has written a few times a second.
let counted: CountedSink | undefined;
const statsTimer =
  data.progress === true
    ? setInterval(() => {
        if (counted !== undefined) send({ type: 'stats', stats: counted.stats() });
      }, PROGRESS_TICK_MS)
    : undefined;
statsTimer?.unref();

class RemoteSource implements RecordSource {
  readonly totalBytes = undefined;
  bytesRead = 0;
  private readonly queue = new ItemQueue();
  private finalReport: SourceReport = { warnings: [], info: {} };

  constructor(public label: string) {}

  accept(m: MainToWorker): void {
    if (m.type === 'captures') {
      this.bytesRead = m.bytesRead;
      for (const capture of m.captures) this.queue.push(captureItem(capture));
    } else if (m.type === 'end') {
      this.bytesRead = m.bytesRead;
      this.finalReport = m.report;
      this.queue.end();
    }
  }

  items(): AsyncGenerator<SourceItem> {
    return this.queue.drain();
  }

  report(): SourceReport {
    return this.finalReport;
  }
}

const source = new RemoteSource(data.label);
let opened: ((ok: true) => void) | undefined;
let openFailed: ((e: Error) => void) | undefined;
port.on('message', (m: MainToWorker) => {
  if (m.type === 'opened') {
    source.label = m.label;
    opened?.(true);
  }
  else if (m.type === 'open-failed') openFailed?.(new UserError(m.message));
  else source.accept(m);
});

try {
  await runRecordCommand(
    data.args as unknown as RecordCommonArgs,
    async () => {
      const started = new Promise<true>((resolve, reject) => {
        opened = resolve;
        openFailed = reject;
      });
      send({ type: 'open' });
      await started;
      return [source];
    },
    {
      interrupt: 'finish',
      flushIntervalMs: data.flushIntervalMs,
      ...(statsTimer !== undefined ? { wrapSink: (sink: RecordSink) => (counted = new CountedSink(sink)) } : {}),
    },
  );
  send({ type: 'done' });
} catch (e) {
  const err = e as Error;
  send({ type: 'error', message: err.message, userFacing: userErrorMessage(e) !== undefined, stack: err.stack ?? '' });
} finally {
  clearInterval(statsTimer);
  port.close();
}

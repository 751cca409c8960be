/**
 * `cfreplay record proxy`: the proxy serves on the main thread, the recording
 * pipeline runs in a worker (recording-worker.ts). Completed exchanges cross
 * over in batches at most HANDOFF_MS old (one postMessage per exchange cost
 * the proxy's event loop ~20 us per request, a tenth of its whole work); the
 * worker's flush interval is shortened by the same amount, so an exchange
 * still reaches the corpus file within the promised interval. The stop
 * (signal, --max-events, --duration) ends the items, the worker finishes the
 * corpus and prints the summary.
 *
 * A plain worker, not a supervised one (runtime/supervised-worker.ts): it runs
 * no function code, has no per-call budget, and holds the corpus writer's
 * unflushed state, so stopping or replacing it would lose recorded data.
 */
import { Worker } from 'node:worker_threads';
import { workerScript } from '../../util/worker-scripts.js';
import { newGate, watchGate } from '../../util/termination-gate.js';
import type { RecordCommonArgs } from '../cli.js';
import { InputError } from '../errors.js';
import type { ProxyItem } from './capture.js';
import { startProxySource, type ProxyOptions, type ProxySource } from './proxy-source.js';
import type { MainToWorker, WorkerData, WorkerToMain } from './worker-protocol.js';
import { ProxyProgress } from './progress.js';

const BATCH = 256;
const HANDOFF_MS = 20;

export async function runProxyRecording(args: RecordCommonArgs, proxyOptions: ProxyOptions, flushIntervalMs = 1000): Promise<void> {
  const plainArgs = JSON.parse(JSON.stringify(args)) as Record<string, unknown>;
  // The progress line is drawn here, where stderr is the terminal; the worker only counts what it writes.
  const progress = new ProxyProgress({ stream: process.stderr, enabled: args.progress ?? process.stderr.isTTY === true, delayMs: args.progress === true ? 0 : 1000 });
  plainArgs.progress = false;
  const log = proxyOptions.log;
  const options: ProxyOptions = log === undefined ? proxyOptions : { ...proxyOptions, log: (line) => progress.aside(() => log(line)) };
  const label = `proxy ${proxyOptions.listen.host}:${proxyOptions.listen.port} -> ${proxyOptions.target.origin}`;
  const gate = newGate();
  const data: WorkerData = { args: plainArgs, label, progress: progress.enabled, flushIntervalMs: Math.max(1, flushIntervalMs - HANDOFF_MS), gate };
  const worker = new Worker(workerScript('recording-worker'), { workerData: data });
  watchGate(worker, gate);
  const post = (m: MainToWorker) => worker.postMessage(m);
  let proxy: ProxySource | undefined;
  let failure: Error | undefined;

  const forward = async (p: ProxySource) => {
    let batch: ProxyItem[] = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (batch.length === 0) return;
      post({ type: 'captures', captures: batch, bytesRead: p.bytesRead });
      batch = [];
    };
    for await (const capture of p.captures()) {
      batch.push(capture);
      if (batch.length >= BATCH) flush();
      else timer ??= setTimeout(flush, HANDOFF_MS);
    }
    flush();
    progress.stop(); // before the worker prints the summary
    post({ type: 'end', report: p.report(), bytesRead: p.bytesRead });
  };

  await new Promise<void>((resolve) => {
    worker.on('message', (m: WorkerToMain) => {
      if (m.type === 'open') {
        startProxySource(options).then(
          (p) => {
            proxy = p;
            progress.start(() => p.progress());
            post({ type: 'opened', label: p.label });
            forward(p).catch((e: Error) => {
              failure ??= e;
            });
          },
          (e: Error) => post({ type: 'open-failed', message: e.message }),
        );
      } else if (m.type === 'stats') {
        progress.recorderStats(m.stats);
      } else if (m.type === 'error') {
        failure ??= m.userFacing ? new InputError(m.message) : Object.assign(new Error(m.message), { stack: m.stack });
        proxy?.stop('recording failed', 0);
      }
    });
    worker.on('error', (e) => {
      failure ??= e;
      proxy?.stop('recording failed', 0);
    });
    worker.on('exit', () => {
      progress.stop();
      resolve();
    });
  });
  if (failure !== undefined) throw failure;
}

/**
 * One source recorded by the worker threads: the main thread reads and cuts
 * the input into batches of lines (a few per worker in flight, so memory
 * stays bounded), and takes the results back in input order: the framed
 * chunks go to the sink as they are, the counts into the summary and the
 * steps (redaction counts). Ends with exactly the summary and the records
 * the main thread alone would have produced; only where chunks end may
 * differ (a batch's records make their own chunks).
 */
import type { PortableStep } from '../portable-step.js';
import type { SummaryBuilder } from '../summary.js';
import type { RecordSink, RecordSource } from '../types.js';
import type { BatchJob } from './batch-recorder.js';
import type { RecordingWorkers } from './recording-workers.js';

/** A source whose lines the workers can parse: its batches name its line-parser module (see line-parsers.ts). */
export interface BatchedSource extends RecordSource {
  /** The input as batches of whole lines, each with what a worker needs to parse it; used instead of items(). */
  workerBatches(targetLines: () => number, maxBytes: number): AsyncIterable<BatchJob>;
  /** The data lines the workers parsed, once every batch is recorded (for report()). */
  parsedInWorkers(lines: number): void;
  /** Roughly how many bytes of text the input holds (decompressed). */
  readonly textBytes: number;
}

export function isBatchedSource(source: RecordSource): source is BatchedSource {
  return typeof (source as Partial<BatchedSource>).workerBatches === 'function';
}

export type FramedSink = RecordSink & Required<Pick<RecordSink, 'appendFramed'>>;

export interface WorkerRun {
  sink: FramedSink;
  summary: SummaryBuilder;
  steps: readonly PortableStep[];
  chunkEvents: number;
  /** After each batch: progress line, and Ctrl-C (throws to stop). */
  afterBatch(): void;
}

/** Batches larger than this are cut early (memory: a few per worker are in flight). */
export const MAX_BATCH_BYTES = 16 * 1024 * 1024;

/** Batches in flight per worker: one being parsed, one waiting, so a worker never idles on the main thread. */
const IN_FLIGHT_PER_WORKER = 2;

export async function recordInWorkers(source: BatchedSource, workers: RecordingWorkers, run: WorkerRun): Promise<void> {
  const { sink, summary, steps, chunkEvents } = run;
  let lines = 0;
  let fileLines = 0;
  let records = 0;
  // A batch should make one full chunk: as many lines as give chunkEvents
  // records at the share of lines recorded so far (all of them at first).
  const targetLines = () => {
    const share = fileLines > 0 ? records / fileLines : 1;
    if (share >= 0.999) return chunkEvents;
    return Math.floor((chunkEvents * 0.95) / Math.max(share, 1 / 1024));
  };
  const takeOne = async () => {
    const r = await workers.next();
    for (const chunk of r.chunks) await sink.appendFramed(chunk);
    summary.merge(r.summary);
    r.stepCounts.forEach((counts, i) => {
      if (counts.length > 0) steps[i]!.absorb?.(counts);
    });
    lines += r.lines;
    records += r.summary.written;
    fileLines += r.fileLines;
    run.afterBatch();
  };
  const limit = workers.size * IN_FLIGHT_PER_WORKER;
  for await (const job of source.workerBatches(targetLines, MAX_BATCH_BYTES)) {
    workers.submit(job);
    while (workers.inFlight >= limit) await takeOne();
  }
  while (workers.inFlight > 0) await takeOne();
  source.parsedInWorkers(lines);
}

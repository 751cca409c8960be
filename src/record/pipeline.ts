/**
 * The recording pipeline every recorder shares:
 *
 *   sources --> checks (scheme, method, time, CloudFront size limits)
 *           --> filters (host / URL / method)
 *           --> buildRecordedExchange (all CloudFront event rules)
 *           --> sink (corpus file, Redis, memory)
 *
 * with the summary (every skip counted with its reason) and progress. Any
 * error aborts the sink, so no partial output is left looking complete.
 * Sources that can (CloudFront logs) run everything but the reading and the
 * storing in worker threads (src/record/parallel/), with the same results.
 */
import { availableParallelism } from 'node:os';
import { DEFAULT_BUILD_OPTIONS, type BuildOptions } from '../event/index.js';
import { DEFAULT_CHUNK_EVENTS } from '../store/writer.js';
import { compileFilters, isCompiledFilter, type ExchangeFilter, type FilterOptions } from './filters.js';
import { ItemRecorder } from './item-recorder.js';
import { isPortableStep, type PortableStep } from './portable-step.js';
import { isBatchedSource, recordInWorkers, type BatchedSource, type FramedSink } from './parallel/record-in-workers.js';
import { RecordingWorkers } from './parallel/recording-workers.js';
import { silentProgress, type ProgressReporter } from './progress.js';
import { SummaryBuilder, type RecordSummary } from './summary.js';
import type { RecordSink, RecordSource, RecordStep, SinkCloseResult, SourceItem } from './types.js';
import { UserError } from '../util/user-error.js';

export interface RecordingOptions {
  /** Event builder options (distribution, default viewer IP); defaults from DEFAULT_BUILD_OPTIONS. */
  build?: Partial<BuildOptions>;
  /** Filter options, or a compiled filter. */
  filters?: FilterOptions | ExchangeFilter;
  progress?: ProgressReporter;
  /** For the summary: where the records go and whether they were appended. */
  output?: string;
  append?: boolean;
  /** Stop early (Ctrl-C): the sink is aborted and RecordingInterrupted thrown. */
  signal?: AbortSignal;
  /** Run on each built record, in order, before the sink (sampling, then redaction). */
  steps?: readonly RecordStep[];
  /**
   * Worker threads for the sources that can use them (CloudFront logs; see
   * src/record/parallel/). Undefined: one per core on machines with two or
   * more, for inputs of a few MB and up. 0: everything on this thread. A
   * number: that many, whatever the input size. Either way only when the
   * filters and steps can be rebuilt in a worker (the CLI's always can) and
   * the sink takes framed chunks.
   */
  workers?: number;
  /** Records per chunk the workers encode (default: the corpus writers' DEFAULT_CHUNK_EVENTS); a batch holds about as many lines. */
  chunkEvents?: number;
}

/** Thrown when `signal` fired; the sink has been aborted. */
export class RecordingInterrupted extends UserError {
  override name = 'RecordingInterrupted';
}

const PROGRESS_EVERY = 64;

/** Below this much text the workers' start-up (~50 ms) costs more than they save. */
const AUTO_WORKERS_MIN_TEXT_BYTES = 8 * 1024 * 1024;
const MAX_AUTO_WORKERS = 4;

/**
 * Read every source in order into the sink. Resolves with the summary after
 * the sink closed; on any error the sink is aborted and the error rethrown.
 */
export async function runRecording(sources: readonly RecordSource[], sink: RecordSink, options: RecordingOptions = {}): Promise<RecordSummary> {
  const build: BuildOptions = { ...DEFAULT_BUILD_OPTIONS, ...stripUndefined(options.build ?? {}) };
  const filter = typeof options.filters === 'function' ? options.filters : compileFilters(options.filters);
  const progress = options.progress ?? silentProgress;
  const summary = new SummaryBuilder(options.output, options.append ?? false);
  const signal = options.signal;
  const steps = options.steps ?? [];
  const allKnown = sources.every((s) => s.totalBytes !== undefined);
  const totalBytes = allKnown ? sources.reduce((n, s) => n + (s.totalBytes ?? 0), 0) : undefined;
  const recorder = new ItemRecorder(build, filter, steps, summary);
  const portable = portableParts(filter, steps, sink);
  const workerCount = options.workers ?? (availableParallelism() >= 2 ? Math.min(availableParallelism(), MAX_AUTO_WORKERS) : 0);
  const inWorkers = (source: RecordSource): source is BatchedSource =>
    workerCount > 0 && isBatchedSource(source) && (options.workers !== undefined || source.textBytes >= AUTO_WORKERS_MIN_TEXT_BYTES);
  const chunkEvents = options.chunkEvents ?? DEFAULT_CHUNK_EVENTS;
  let workers: RecordingWorkers | undefined;
  let doneBytes = 0;
  let closed: SinkCloseResult;
  try {
    for (const source of sources) {
      summary.beginSource(source.label);
      const showProgress = () => {
        if (signal?.aborted) throw new RecordingInterrupted('interrupted: nothing recorded (output removed)');
        progress.update({
          label: source.label,
          bytesRead: doneBytes + source.bytesRead,
          totalBytes,
          entries: summary.entriesRead,
          written: summary.recordsWritten,
        });
      };
      if (portable !== undefined && inWorkers(source)) {
        workers ??= new RecordingWorkers({ build, filters: portable.filters, steps: portable.steps.map((s) => s.spec), chunkEvents }, workerCount);
        await recordInWorkers(source, workers, { sink: portable.sink, summary, steps: portable.steps, chunkEvents, afterBatch: showProgress });
      } else {
        await recordOnThisThread(source, recorder, sink, showProgress);
      }
      if (signal?.aborted) throw new RecordingInterrupted('interrupted: nothing recorded (output removed)');
      const bytes = source.bytesRead;
      doneBytes += bytes;
      summary.endSource(bytes, source.report?.());
    }
    progress.done();
    closed = await sink.close();
  } catch (e) {
    progress.done();
    try {
      await sink.abort();
    } catch {
      /* the original error is what the user needs */
    }
    throw e;
  } finally {
    await workers?.close();
  }
  return summary.finish(closed);
}

/** One source item by item on this thread; `tick` (progress, Ctrl-C) every PROGRESS_EVERY items. */
async function recordOnThisThread(source: RecordSource, recorder: ItemRecorder, sink: RecordSink, tick: () => void): Promise<void> {
  let n = 0;
  /** Record one item; the sink's promise when it asks the caller to wait. */
  const take = (item: SourceItem): void | Promise<void> => {
    const record = recorder.record(item);
    if (++n % PROGRESS_EVERY === 0) tick();
    if (record === undefined) return undefined;
    const pending = sink.write(record);
    recorder.stored(record, item);
    return pending;
  };
  if (source.itemBatches !== undefined) {
    for await (const batch of source.itemBatches()) {
      for (const item of batch) {
        const pending = take(item);
        if (pending !== undefined) await pending;
      }
    }
    return;
  }
  for await (const item of source.items()) {
    const pending = take(item);
    if (pending !== undefined) await pending;
  }
}

/** The filter, steps and sink as the recording workers need them, or undefined when one of them cannot be (a closure). */
function portableParts(filter: ExchangeFilter, steps: readonly RecordStep[], sink: RecordSink): { filters: FilterOptions; steps: PortableStep[]; sink: FramedSink } | undefined {
  if (!isCompiledFilter(filter) || sink.appendFramed === undefined) return undefined;
  const portableSteps: PortableStep[] = [];
  for (const step of steps) {
    if (!isPortableStep(step)) return undefined;
    portableSteps.push(step);
  }
  return { filters: filter.options, steps: portableSteps, sink: sink as FramedSink };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

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
 */
import { DEFAULT_BUILD_OPTIONS, type BuildOptions } from '../event/index.js';
import { compileFilters, type ExchangeFilter, type FilterOptions } from './filters.js';
import { ItemRecorder } from './item-recorder.js';
import { silentProgress, type ProgressReporter } from './progress.js';
import { SummaryBuilder, type RecordSummary } from './summary.js';
import type { RecordSink, RecordSource, RecordStep, SinkCloseResult } from './types.js';

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
}

/** Thrown when `signal` fired; the sink has been aborted. */
export class RecordingInterrupted extends Error {
  override name = 'RecordingInterrupted';
  readonly userFacing = true;
}

const PROGRESS_EVERY = 64;

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
  let doneBytes = 0;
  let closed: SinkCloseResult;
  try {
    for (const source of sources) {
      summary.beginSource(source.label);
      let n = 0;
      for await (const item of source.items()) {
        const record = recorder.record(item);
        if (++n % PROGRESS_EVERY === 0) {
          if (signal?.aborted) throw new RecordingInterrupted('interrupted: nothing recorded (output removed)');
          progress.update({
            label: source.label,
            bytesRead: doneBytes + source.bytesRead,
            totalBytes,
            entries: summary.entriesRead,
            written: summary.recordsWritten,
          });
        }
        if (record === undefined) continue;
        const pending = sink.write(record);
        if (pending !== undefined) await pending;
        recorder.stored(record, item);
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
  }
  return summary.finish(closed);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/**
 * What a recording worker does with one batch of lines: decode, parse each
 * line, run the shared item pipeline (checks, filters, builder, steps: the
 * same ItemRecorder as the main thread), and column-encode and compress the
 * records into framed chunks. It answers with the chunks and what the batch
 * added to the summary; the main thread stores and merges them in input
 * order. Plain code, no thread API: the worker module is a thin shell.
 */
import { isAscii } from 'node:buffer';
import type { BuildOptions } from '../../event/index.js';
import { ColumnsEncoder } from '../../store/columns.js';
import { encodeChunkOf } from '../../store/chunk.js';
import { compileFilters, type ExchangeFilter, type FilterOptions } from '../filters.js';
import { ItemRecorder } from '../item-recorder.js';
import type { StepSpec } from '../portable-step.js';
import { Redactor } from '../redaction.js';
import { CredentialScanner } from '../credential-scan.js';
import { createSampler } from '../sampling.js';
import { SummaryBuilder, type SummaryDelta } from '../summary.js';
import type { RecordStep } from '../types.js';
import type { LineBatch } from './line-batches.js';
import { LineParsers, type LineParserSpec } from './line-parsers.js';

/** The recording options, as plain data. */
export interface RecorderSetup {
  build: BuildOptions;
  filters: FilterOptions;
  steps: StepSpec[];
  /** Records per chunk. */
  chunkEvents: number;
}

export interface BatchJob extends LineBatch {
  parser: LineParserSpec;
}

export interface BatchResult {
  /** Framed chunks, in order (each owns its buffer). */
  chunks: Uint8Array[];
  summary: SummaryDelta;
  /** Per step of the setup: what it counted in this batch (redactions), in the order counted. */
  stepCounts: [string, number][][];
  /** Data lines the parser saw in this batch. */
  lines: number;
  /** Lines of the file in this batch (data, directives, blank). */
  fileLines: number;
}

interface BuiltStep {
  step: RecordStep;
  /** What the step counted since the last call. */
  takeCounts(): [string, number][];
}

function buildStep(spec: StepSpec): BuiltStep {
  if (spec.kind === 'sample') return { step: createSampler(spec.options), takeCounts: () => [] };
  const counter = spec.kind === 'redact' ? new Redactor(spec.rules, spec.key) : new CredentialScanner();
  return {
    step: counter.step(),
    takeCounts: () => {
      const counts = [...counter.counts];
      counter.counts.clear();
      return counts;
    },
  };
}

/** The batch's lines as strings, without line breaks (a trailing "\r" removed, as FileInput does). */
export function batchLines(batch: LineBatch): string[] {
  const b = batch.bytes;
  // CloudFront URL-encodes its fields: most batches are ASCII, and latin1 is the fast exact decoding for it.
  const text = isAscii(b)
    ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1')
    : new TextDecoder('utf-8', { ignoreBOM: !batch.first }).decode(b);
  const lines = text.split('\n');
  if (lines.length > batch.lines) lines.pop(); // the "" after the last "\n"
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
  }
  return lines;
}

export class BatchRecorder {
  private readonly filter: ExchangeFilter;
  private readonly steps: BuiltStep[];
  private readonly parsers = new LineParsers();

  constructor(private readonly setup: RecorderSetup) {
    this.filter = compileFilters(setup.filters);
    this.steps = setup.steps.map(buildStep);
  }

  /**
   * Batches are parsed in call order: everything but the compression (and,
   * for a source's first batch, the loading of its parser module) happens
   * before this returns its promise.
   */
  async record(job: BatchJob): Promise<BatchResult> {
    const found = this.parsers.for(job.parser);
    const parser = found instanceof Promise ? await found : found;
    // From here to the compression, synchronous: no other batch is parsed in between.
    parser.resume(job.parser.state);
    const linesBefore = parser.lines;
    const summary = new SummaryBuilder(undefined, false);
    const recorder = new ItemRecorder(
      this.setup.build,
      this.filter,
      this.steps.map((s) => s.step),
      summary,
    );
    const chunks: Promise<Buffer>[] = [];
    let encoder = new ColumnsEncoder();
    const lines = batchLines(job);
    for (let i = 0; i < lines.length; i++) {
      const item = parser.item(lines[i]!, job.firstLine + i);
      if (item === undefined) continue;
      const record = recorder.record(item);
      if (record === undefined) continue;
      encoder.add(record);
      recorder.stored(record, item);
      if (encoder.count >= this.setup.chunkEvents) {
        chunks.push(encodeChunkOf(encoder));
        encoder = new ColumnsEncoder();
      }
    }
    if (encoder.count > 0) chunks.push(encodeChunkOf(encoder));
    // Taken before awaiting the compression: the next batch may be parsed meanwhile.
    const counts = { summary: summary.delta(), stepCounts: this.steps.map((s) => s.takeCounts()), lines: parser.lines - linesBefore, fileLines: job.lines };
    return { chunks: await Promise.all(chunks), ...counts };
  }
}

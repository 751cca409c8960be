// CloudFront logs recorded by the worker threads (src/record/parallel/) give
// exactly what the main thread alone gives: records, skips with their line
// numbers and order, filters, sampling, redaction counts, errors, Ctrl-C.
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MemorySink, runRecording, type RecordingOptions, type RecordSink, type RecordSummary } from '../../src/record/index.js';
import { openCflogSource } from '../../src/record/cflog/cflog-source.js';
import { openCorpusSink } from '../../src/record/corpus-sink.js';
import { compileFilters } from '../../src/record/filters.js';
import { createSampler } from '../../src/record/sampling.js';
import { Redactor } from '../../src/record/redaction.js';
import { RecordingInterrupted } from '../../src/record/pipeline.js';
import { cutLineBatches } from '../../src/record/parallel/line-batches.js';
import { lastFieldsLine } from '../../src/record/cflog/fields.js';
import { SummaryBuilder } from '../../src/record/summary.js';
import { openCorpus } from '../../src/store/index.js';
import type { RecordedExchange } from '../../src/event/types.js';
import { messyCflog } from '../helpers/cflog-gen.js';
import { useTempDir } from '../helpers/tmp.js';
import { cfreplay } from '../helpers/cli.js';

/** The summary without what depends on timing, on where chunks end, or on the kind of sink. */
function comparable(s: RecordSummary): Partial<RecordSummary> {
  const { durationMs: _d, inputMBps: _m, chunks: _c, fileBytes: _f, bytesWritten: _b, bytesPerRecord: _p, totalRecords: _t, ...rest } = s;
  return rest;
}

async function recordBoth(paths: string[], options: () => RecordingOptions = () => ({})) {
  const run = async (workers: number) => {
    const sink = new MemorySink();
    const opts = options();
    const summary = await runRecording(await Promise.all(paths.map((p) => openCflogSource(p))), sink, { ...opts, workers, chunkEvents: 97 });
    return { summary, records: sink.records, opts };
  };
  return { main: await run(0), workers: await run(2) };
}

function expectSame(a: { summary: RecordSummary; records: RecordedExchange[] }, b: { summary: RecordSummary; records: RecordedExchange[] }) {
  expect(b.records.length).toBe(a.records.length);
  expect(JSON.stringify(b.records)).toBe(JSON.stringify(a.records));
  expect(comparable(b.summary)).toEqual(comparable(a.summary));
}

describe('record cflog in worker threads', () => {
  const tmp = useTempDir();
  const write = (name: string, text: string | Buffer) => {
    const p = join(tmp.path, name);
    writeFileSync(p, text);
    return p;
  };

  it('gives the same records and summary as the main thread: bad lines, CRLF, UTF-8, a second #Fields header, across many batches', async () => {
    const log = write('messy.log', messyCflog({ lines: 3000 }));
    const { main, workers } = await recordBoth([log]);
    // The file does exercise the awkward cases.
    expect(main.summary.skipped.reasons.length).toBeGreaterThanOrEqual(5);
    expect(main.summary.notes.length).toBeGreaterThanOrEqual(3);
    expect(main.records.some((r) => r.request.uri.startsWith('/second/'))).toBe(true);
    expectSame(main, workers);
  });

  it('the same for gzip input, a byte order mark and no final line break, and several files in one run', async () => {
    const gz = write('messy.log.gz', gzipSync(messyCflog({ lines: 1500, seed: 11 })));
    const bom = write('bom.log', messyCflog({ lines: 700, seed: 3, bom: true, noFinalNewline: true }));
    const { main, workers } = await recordBoth([gz, bom, gz]);
    expect(main.summary.sources).toHaveLength(3);
    expectSame(main, workers);
  });

  it('filters, sampling and redaction run in the workers with the same outcome and counts', async () => {
    const log = write('messy.log', messyCflog({ lines: 2500, seed: 5 }));
    const options = (): RecordingOptions & { redactor: Redactor } => {
      const redactor = new Redactor([{ kind: 'cookie', name: 'session', mode: 'hash' }, { kind: 'header', name: 'user-agent', mode: 'drop' }, { kind: 'query', name: 'a', mode: 'hash' }], 'k');
      return {
        filters: compileFilters({ excludeHosts: ['example.com'], exclude: ['/q$'], methods: ['GET', 'HEAD'] }),
        steps: [createSampler({ rate: 0.5, key: { kind: 'cookie', name: 'session' } }), redactor.step()],
        redactor,
      };
    };
    const { main, workers } = await recordBoth([log], options);
    expect(main.summary.filtered.reasons.length).toBeGreaterThanOrEqual(3);
    expectSame(main, workers);
    const notes = (o: RecordingOptions) => (o as { redactor: Redactor }).redactor.notes();
    expect(notes(main.opts).length).toBeGreaterThan(0);
    expect(notes(workers.opts)).toEqual(notes(main.opts));
  });

  it('a step the workers cannot rebuild (a closure) keeps the recording on the main thread, with the same result', async () => {
    const log = write('messy.log', messyCflog({ lines: 400 }));
    const { main, workers } = await recordBoth([log], () => ({ steps: [(r) => (r.request.uri.length % 2 === 0 ? r : { filtered: 'odd' })] }));
    expectSame(main, workers);
  });

  it('a log line before any #Fields line stops the recording with the same message, and the sink is aborted', async () => {
    const lines = Array.from({ length: 250 }, (_, i) => `#comment ${i}`);
    lines.push('2024-05-01\t10:00:00\t1.2.3.4\tGET\t/');
    const log = write('headless.log', `${lines.join('\n')}\n`);
    const messages: string[] = [];
    for (const workers of [0, 2]) {
      const sink = new MemorySink();
      const error = await runRecording([await openCflogSource(log)], sink, { workers, chunkEvents: 50 }).catch((e: Error) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error & { userFacing?: boolean }).userFacing).toBe(true);
      expect(sink.state).toBe('aborted');
      messages.push((error as Error).message);
    }
    expect(messages[0]).toMatch(/line 251: a log line before any #Fields line/);
    expect(messages[1]).toBe(messages[0]);
  });

  it('Ctrl-C (the abort signal) stops a recording in the workers and aborts the sink', async () => {
    const log = write('messy.log', messyCflog({ lines: 3000 }));
    const controller = new AbortController();
    const sink = new MemorySink();
    let updates = 0;
    const progress = {
      update() {
        if (++updates === 2) controller.abort();
      },
      done() {},
    };
    await expect(runRecording([await openCflogSource(log)], sink, { workers: 2, chunkEvents: 50, signal: controller.signal, progress })).rejects.toBeInstanceOf(
      RecordingInterrupted,
    );
    expect(sink.state).toBe('aborted');
  });

  it('writes a corpus file (replacing an existing one) that reads back to the same records', async () => {
    const log = write('messy.log', messyCflog({ lines: 2000, seed: 9 }));
    const out = join(tmp.path, 'out.cfr');
    writeFileSync(out, 'old content');
    const sink: RecordSink = await openCorpusSink(out, { force: true });
    const summary = await runRecording([await openCflogSource(log)], sink, { workers: 2, chunkEvents: 300 });
    const memory = new MemorySink();
    await runRecording([await openCflogSource(log)], memory, { workers: 0 });
    const corpus = await openCorpus(out);
    const back: RecordedExchange[] = [];
    for await (const r of corpus.records()) back.push(r);
    await corpus.close();
    expect(summary.recordsWritten).toBe(memory.records.length);
    expect(summary.chunks).toBeGreaterThan(1);
    expect(JSON.stringify(back)).toBe(JSON.stringify(memory.records));
  });
});

describe('cutting a file into batches of lines', () => {
  async function* chunksOf(text: string, size: number) {
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  }

  it('numbers lines like the line reader, keeps a last line without "\\n", and owns each batch', async () => {
    const lines = Array.from({ length: 103 }, (_, i) => (i % 10 === 0 ? '' : `line ${i} ${'x'.repeat(i % 17)}`));
    const text = `${lines.join('\n')}`; // no final newline
    for (const size of [1, 7, 64, 10_000]) {
      const batches = [];
      for await (const b of cutLineBatches(chunksOf(text, size), () => 10, 1 << 20)) batches.push(b);
      expect(batches[0]!.first).toBe(true);
      expect(batches.slice(1).every((b) => !b.first)).toBe(true);
      let expectedFirst = 0;
      const got: string[] = [];
      for (const b of batches) {
        expect(b.firstLine).toBe(expectedFirst);
        expect(b.bytes.byteOffset).toBe(0);
        expect(b.bytes.byteLength).toBe(b.bytes.buffer.byteLength);
        const parts = Buffer.from(b.bytes).toString().split('\n');
        if (parts[parts.length - 1] === '') parts.pop();
        expect(parts).toHaveLength(b.lines);
        got.push(...parts);
        expectedFirst += b.lines;
      }
      expect(got).toEqual(lines);
      expect(batches.slice(0, -1).every((b) => b.lines === 10)).toBe(true);
    }
  });

  it('cuts early at the first line end past maxBytes, and asks for the target before each batch', async () => {
    const text = Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(99, '.')).join('\n') + '\n';
    const targets = [3, 5, 1000];
    let asked = 0;
    const sizes: number[] = [];
    for await (const b of cutLineBatches(chunksOf(text, 256), () => targets[Math.min(asked++, 2)]!, 1000)) sizes.push(b.lines);
    expect(sizes.slice(0, 2)).toEqual([3, 5]);
    expect(Math.max(...sizes.slice(2))).toBe(10); // 10 lines of 100 bytes reach maxBytes
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(40);
  });
});

describe('the field list a batch ends with', () => {
  it('is the last #Fields line that starts a line (after a byte order mark at the start of the file too)', () => {
    const text = '#Fields: a b\nx\t#Fields: not-a-header\n#Fields: date time cs-uri-stem\r\ny\n';
    expect(lastFieldsLine(Buffer.from(text), false)).toEqual(['date', 'time', 'cs-uri-stem']);
    expect(lastFieldsLine(Buffer.from('x\t#Fields: in a field\n'), false)).toBeUndefined();
    expect(lastFieldsLine(Buffer.from('\ufeff#Fields: date time c-ip\n'), true)).toEqual(['date', 'time', 'c-ip']);
    expect(lastFieldsLine(Buffer.from('\ufeff#Fields: date time c-ip\n'), false)).toBeUndefined();
    expect(lastFieldsLine(Buffer.from('#Fields: date time'), false)).toEqual(['date', 'time']);
  });
});

describe('summary deltas', () => {
  it('merged in order, they give the summary of counting everything in one place', () => {
    const events: [string, number][] = [
      ['a', 1],
      ['b', 2],
      ['a', 3],
      ['c', 4],
      ['b', 5],
    ];
    const one = new SummaryBuilder(undefined, false);
    one.beginSource('x');
    const merged = new SummaryBuilder(undefined, false);
    merged.beginSource('x');
    for (const half of [events.slice(0, 2), events.slice(2)]) {
      const part = new SummaryBuilder(undefined, false);
      for (const [reason, entry] of half) {
        for (const s of [one, part]) {
          s.entry();
          s.skip(reason, { file: 'f', entry }, `line ${entry}`);
          s.note(`n${reason}`);
        }
      }
      merged.merge(part.delta());
    }
    expect(comparable(merged.finish(undefined))).toEqual(comparable(one.finish(undefined)));
  });
});

describe('cfreplay record cflog on a log of several MB', () => {
  const tmp = useTempDir();

  it('goes through the worker threads and stores the same events, with the same summary, as the main thread alone', async () => {
    const log = join(tmp.path, 'big.log');
    writeFileSync(log, messyCflog({ lines: 56_000, seed: 21 }));
    expect(statSync(log).size).toBeGreaterThan(8 * 1024 * 1024);
    const out = join(tmp.path, 'big.cfr');
    const r = cfreplay(['record', 'cflog', log, '-o', out, '--json-summary', '-q', '--sample', '50%', '--redact', 'cookie:session', '--redact-key', 'k']);
    expect(r.status, r.stderr).toBe(0);
    const cli = JSON.parse(r.stdout) as RecordSummary;

    const memory = new MemorySink();
    const redactor = new Redactor([{ kind: 'cookie', name: 'session', mode: 'hash' }], 'k');
    const main = await runRecording([await openCflogSource(log)], memory, {
      workers: 0,
      output: out,
      steps: [createSampler({ rate: 0.5, key: { kind: 'ip' } }), redactor.step()],
    });
    main.notes.push(...redactor.notes());
    expect(comparable(cli)).toEqual(comparable(main));
    const corpus = await openCorpus(out);
    const stored: RecordedExchange[] = [];
    for await (const rec of corpus.records()) stored.push(rec);
    await corpus.close();
    expect(JSON.stringify(stored)).toBe(JSON.stringify(memory.records));
    // Chunks follow the workers' batches (the main thread would fill every chunk but the last).
    expect(cli.chunks).toBeGreaterThan(Math.ceil(cli.recordsWritten / 8192));
  }, 120_000);
});


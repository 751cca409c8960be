// The recording workers' engine (src/record/parallel/) knows no capture source: a batch names
// its line parser by the module in the source's folder. Shown with a parser that is not a
// CloudFront log (test/fixtures/line-parser/method-url-lines.mjs) recorded by real worker
// threads, giving what the same parser gives on this thread; a module outside the package is
// refused; and no file of the engine imports a source's folder.
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MemorySink, runRecording, type RecordSource, type SourceItem } from '../../src/record/index.js';
import { BatchRecorder, type BatchJob } from '../../src/record/parallel/batch-recorder.js';
import { cutLineBatches } from '../../src/record/parallel/line-batches.js';
import type { BatchedSource } from '../../src/record/parallel/record-in-workers.js';
import type { LineParserFactory } from '../../src/record/parallel/line-parsers.js';
import { importEdges } from '../helpers/import-graph.js';

const FIXTURE = new URL('../fixtures/line-parser/method-url-lines.mjs', import.meta.url).href;
const SRC = new URL('../../src/', import.meta.url).pathname;

interface State {
  file: string;
  prefix: string;
}

/** The fixture's text: comments, bad lines, and a state change ("prefix=") the batches after it must start with. */
function text(lines: number): string {
  const out: string[] = ['# method url'];
  for (let i = 0; i < lines; i++) {
    if (i === Math.floor(lines / 2)) out.push('prefix=/second');
    out.push(i % 97 === 5 ? 'BROKEN' : `${['GET', 'POST', 'HEAD'][i % 3]} /p/${i}?q=${i}`);
  }
  return `${out.join('\n')}\n`;
}

/** A source of the fixture's format, as a capture source folder would write one. */
class MethodUrlSource implements BatchedSource {
  readonly label = 'method-url.txt';
  readonly totalBytes: number;
  bytesRead = 0;
  parsed = -1;

  constructor(
    private readonly content: Buffer,
    private readonly module: string = FIXTURE,
  ) {
    this.totalBytes = content.length;
  }

  get textBytes(): number {
    return this.content.length;
  }

  async *items(): AsyncGenerator<SourceItem> {
    const { lineParser } = (await import(FIXTURE)) as { lineParser: LineParserFactory<State> };
    const parser = lineParser.create({ file: 'method-url.txt', prefix: '' });
    const lines = this.content.toString('utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    for (let i = 0; i < lines.length; i++) {
      const item = parser.item(lines[i]!, i);
      if (item !== undefined) yield item;
    }
    this.bytesRead = this.content.length;
  }

  async *workerBatches(targetLines: () => number, maxBytes: number): AsyncGenerator<BatchJob> {
    let prefix = '';
    async function* chunks(b: Buffer) {
      for (let i = 0; i < b.length; i += 1000) yield Buffer.from(b.subarray(i, i + 1000));
    }
    for await (const batch of cutLineBatches(chunks(this.content), targetLines, maxBytes)) {
      const state: State = { file: 'method-url.txt', prefix };
      // The state where the next batch starts: after this batch's last "prefix=" line.
      const found = /(?:^|\n)prefix=([^\n]*)\n(?![\s\S]*\nprefix=)/.exec(Buffer.from(batch.bytes).toString('utf8'));
      if (found !== null) prefix = found[1]!;
      yield { ...batch, parser: { module: this.module, source: 1, state } };
    }
    this.bytesRead = this.content.length;
  }

  parsedInWorkers(lines: number): void {
    this.parsed = lines;
  }
}

describe('the recording workers run any source line parser named by its module', () => {
  it('a parser that is not a CloudFront log gives in the workers what it gives on this thread (records, skips, state across batches)', async () => {
    const content = Buffer.from(text(3000));
    const main = new MemorySink();
    const mainSummary = await runRecording([new MethodUrlSource(content) as RecordSource], main, { workers: 0 });
    const inWorkers = new MemorySink();
    const source = new MethodUrlSource(content);
    const workerSummary = await runRecording([source], inWorkers, { workers: 2, chunkEvents: 50 });
    expect(main.records.length).toBeGreaterThan(2900);
    expect(JSON.stringify(inWorkers.records)).toBe(JSON.stringify(main.records));
    expect(workerSummary.recordsWritten).toBe(mainSummary.recordsWritten);
    expect(workerSummary.skipped).toEqual(mainSummary.skipped);
    expect(mainSummary.skipped.total).toBe(31);
    // Many batches, and the state change reached the batches after it.
    expect(source.parsed).toBe(3001);
    const uris = inWorkers.records.map((r) => ('request' in r ? r.request.uri : ''));
    expect(uris.filter((u) => u.startsWith('/second/p/')).length).toBeGreaterThan(1400);
    expect(uris.filter((u) => u.startsWith('/p/')).length).toBeGreaterThan(1400);
  });

  it("batches given while the parser's module loads are each parsed from their own state, in order", async () => {
    const recorder = new BatchRecorder({ build: {}, filters: {}, steps: [], chunkEvents: 100 });
    const job = (firstLine: number, line: string, prefix: string): BatchJob => ({
      bytes: Buffer.from(`${line}\n`),
      firstLine,
      lines: 1,
      first: firstLine === 0,
      parser: { module: FIXTURE, source: 7, state: { file: 'f', prefix } },
    });
    // Both handed over before the module has loaded (the first await is the import).
    const results = await Promise.all([recorder.record(job(0, 'GET /a', '')), recorder.record(job(1, 'GET /b', '/second')), recorder.record(job(2, 'GET /c', ''))]);
    const sink = new MemorySink();
    for (const r of results) for (const c of r.chunks) await sink.appendFramed(c);
    expect(sink.records.map((r) => ('request' in r ? r.request.uri : ''))).toEqual(['/a', '/second/b', '/c']);
  });

  it('a module outside the package is refused (the recording stops with that error)', async () => {
    const outside = pathToFileURL('/tmp/not-a-parser.mjs').href;
    await expect(runRecording([new MethodUrlSource(Buffer.from(text(10)), outside)], new MemorySink(), { workers: 1 })).rejects.toThrow(
      /line parser module outside this package's record\/ folders: file:\/\/\/tmp\/not-a-parser\.mjs/,
    );
  });

  it('no file of the engine (src/record/parallel/) imports a capture source folder', () => {
    const sources = readdirSync(`${SRC}record`, { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== 'parallel')
      .map((d) => `record/${d.name}/`);
    expect(sources).toEqual(expect.arrayContaining(['record/cflog/', 'record/har/', 'record/gor/', 'record/events/', 'record/proxy/']));
    const fromEngine = importEdges(SRC).filter((e) => e.from.startsWith('record/parallel/'));
    expect(fromEngine.length).toBeGreaterThan(5);
    expect(fromEngine.filter((e) => sources.some((s) => e.to.startsWith(s)))).toEqual([]);
  });
});

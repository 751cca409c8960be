// The replay pool over the supervised workers: stopped calls are counted once per event,
// every chunk comes back, and once a worker was lost a warm spare takes the next stop
// (same report with and without it).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ReplayPool } from '../../src/replay/pool.js';
import { replay } from '../../src/replay/replay.js';
import { openCorpusFile } from '../../src/store/index.js';
import type { ChunkResult } from '../../src/results/chunk-result.js';
import { checkedSource, prepareSource } from '../../src/runtime/function-source.js';
import { syntheticRecords, syntheticRecordsWithSearches } from '../helpers/synthetic.js';
import { writeSyntheticCorpus } from '../helpers/corpus.js';
import { useTempDir } from '../helpers/tmp.js';

const fx = (name: string) => new URL(`../fixtures/replay/${name}`, import.meta.url).pathname;
const tmp = useTempDir();
// The call budget, ms. The stop rules and the spare workers are under test, not the budget:
// hang-on-search.js never ends on /search, so those calls are stopped whatever the budget, and a
// budget this large keeps every other call (a passthrough, the cold first call of a new worker)
// from being stopped on a loaded machine. (At 100-150 ms, a worker thread starved by other
// processes took a passthrough call for a hang: more timeouts than searches, or an early stop.)
const BUDGET_MS = 1_000;

async function runPool(corpusPath: string, spareWorker: boolean) {
  const corpus = await openCorpusFile(corpusPath);
  const fn = (path: string) => ({ source: readFileSync(path, 'utf8'), filename: path, runtime: 'cloudfront-js-1.0' as const });
  const results: ChunkResult[] = [];
  const pool = new ReplayPool(
    { old: fn(fx('passthrough.js')), new: fn(fx('hang-on-search.js')), eventType: 'viewer-request', ignore: [], noise: false, seed: 1, samplesPerChunk: 5 },
    { workers: 1, timeoutMs: BUDGET_MS, maxStoppedCalls: 1000, spareWorker },
    { result: (r) => results.push(r), chunkError: (chunk, message) => expect.fail(`chunk ${chunk}: ${message}`) },
  );
  try {
    let firstPosition = 0;
    for (const chunk of corpus.chunks) {
      await pool.waitForCapacity();
      pool.submit({ chunk: chunk.index, framed: await corpus.readFramedChunk(chunk.index), firstPosition });
      firstPosition += chunk.events;
    }
    await pool.drain();
    return { results, stopped: pool.stopped, starts: pool.workerStarts };
  } finally {
    await pool.close();
    await corpus.close();
  }
}

describe('replay pool', () => {
  it("a worker handed the main thread's syntax gate verdict of another source runs the gate itself and refuses what it refuses", async () => {
    const corpus = await openCorpusFile(await writeSyntheticCorpus(tmp.path, 20, 20, syntheticRecords(20)));
    const runtime = 'cloudfront-js-1.0' as const;
    const clean = { source: readFileSync(fx('passthrough.js'), 'utf8'), filename: fx('passthrough.js'), runtime };
    const verdict = checkedSource(clean.source, prepareSource(clean.source, clean));
    const hostile = { ...clean, source: 'function handler(event) { var { request } = event; return request; }\n', checked: verdict };
    const pool = new ReplayPool(
      { old: { ...clean, checked: verdict }, new: hostile, eventType: 'viewer-request', ignore: [], noise: false, seed: 1, samplesPerChunk: 5 },
      { workers: 1, timeoutMs: 1000 },
      { result: () => expect.fail('no chunk can be replayed'), chunkError: (chunk, message) => expect.fail(`chunk ${chunk}: ${message}`) },
    );
    try {
      pool.submit({ chunk: 0, framed: await corpus.readFramedChunk(0), firstPosition: 0 });
      await expect(pool.drain()).rejects.toThrow(/^replay worker failed: .*passthrough\.js.*destructuring is not supported/);
    } finally {
      await pool.close();
      await corpus.close();
    }
  }, 60_000);

  it('once a call was stopped, each replacement is a spare started at the stop before (the first at that stop); without spares a worker is started at each stop', async () => {
    const records = syntheticRecordsWithSearches(120, 4);
    const searches = records.filter((x) => x.request.uri === '/search').length;
    expect(searches).toBe(4);
    const corpus = await writeSyntheticCorpus(tmp.path, 120, 40, records);

    const warm = await runPool(corpus, true);
    expect(warm.stopped).toBe(searches);
    expect(warm.results.map((r) => r.chunk).sort()).toEqual([0, 1, 2]);
    expect(warm.results.reduce((n, r) => n + r.events, 0)).toBe(120);
    // Every replacement is the spare (the first was started by the first stop); each one taken
    // starts the next once it has finished a call (the last may come after the run ended).
    expect(warm.starts.sparesTaken).toBe(searches);
    expect(warm.starts.started).toBeGreaterThanOrEqual(1 + searches);
    expect(warm.starts.started).toBeLessThanOrEqual(2 + searches);

    const cold = await runPool(corpus, false);
    expect(cold.stopped).toBe(searches);
    expect(cold.starts).toEqual({ started: 1 + searches, sparesTaken: 0 });
  }, 120_000);

  it('the report is the same with and without the spare', async () => {
    const records = syntheticRecordsWithSearches(200, 6);
    const corpus = await writeSyntheticCorpus(tmp.path, 200, 50, records);
    const searches = records.filter((x) => x.request.uri === '/search').length;
    expect(searches).toBe(6);
    const run = (spareWorker: boolean) => replay({ oldPath: fx('passthrough.js'), newPath: fx('hang-on-search.js'), corpus, workers: 2, timeoutMs: BUDGET_MS, maxStoppedCalls: 1000, spareWorker });
    const [warm, cold] = [await run(true), await run(false)];
    const shape = (r: typeof warm) => ({ events: r.events, outcomes: r.outcomes, transitions: r.outcomeTransitions, diffs: r.diffs.map((d) => ({ path: d.path, count: d.count })) });
    expect(shape(warm)).toEqual(shape(cold));
    expect(warm.outcomes.new['timeout']).toBe(searches);
  }, 90_000);

  it('a few hangs early in two chunks in flight do not stop the run (the events seen include every chunk in flight, not only the stopped one)', async () => {
    // Two chunks, one per worker, each hanging on its events 2 and 5: the fourth stopped call (past
    // maxStoppedCalls 3) comes when 12 events were seen, 4 of them hung. Counting only the stopped
    // chunk's position (6) made it "4 stopped in the first 6 events" and stopped the run.
    const records = syntheticRecords(8000, 5).map((r, i) => (i % 4000 === 2 || i % 4000 === 5 ? { ...r, request: { ...r.request, uri: '/search' } } : r.request.uri === '/search' ? { ...r, request: { ...r.request, uri: '/searched' } } : r));
    const corpus = await writeSyntheticCorpus(tmp.path, 8000, 4000, records);
    const r = await replay({ oldPath: fx('passthrough.js'), newPath: fx('hang-on-search.js'), corpus, workers: 2, timeoutMs: BUDGET_MS, maxStoppedCalls: 3 });
    expect(r.run.stoppedEarly).toBeFalsy();
    expect(r.events).toBe(8000);
    expect(r.outcomes.new['timeout']).toBe(4);
  }, 90_000);
});

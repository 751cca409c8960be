import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { replay, type ReplayProgress } from '../../src/replay/replay.js';
import { MIN_PART_RECORDS, splitPlan } from '../../src/replay/split.js';
import { openCorpusFile, CHUNK_HEADER_SIZE } from '../../src/store/index.js';
import { syntheticRecords } from '../helpers/synthetic.js';
import { writeSyntheticCorpus } from '../helpers/corpus.js';
import { useTempDir } from '../helpers/tmp.js';

const SPA = new URL('../fixtures/functions/spa-rewrite.js', import.meta.url).pathname;
const V2 = new URL('../../examples/spa-rewrite-v2.js', import.meta.url).pathname;
const fx = (name: string) => new URL(`../fixtures/replay/${name}`, import.meta.url).pathname;
const tmp = useTempDir();

describe('splitPlan', () => {
  it('splits the last chunk of each worker into one part per worker, covering every record once', () => {
    const plan = splitPlan([2000, 2000, 2000, 2000, 2000], 2);
    expect(plan.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(plan[3]).toEqual([
      { index: 0, of: 2, from: 0, to: 1000 },
      { index: 1, of: 2, from: 1000, to: 2000 },
    ]);
    expect(plan[4]).toEqual(plan[3]);
    const odd = splitPlan([8192, 5001], 3)[1]!;
    expect(odd.map((p) => [p.from, p.to])).toEqual([
      [0, 1667],
      [1667, 3334],
      [3334, 5001],
    ]);
  });

  it('leaves whole what one worker runs, and chunks too small for two parts', () => {
    expect(splitPlan([2000, 2000], 1)).toEqual([undefined, undefined]);
    expect(splitPlan([2000, 2 * MIN_PART_RECORDS - 1], 2)[1]).toBeUndefined();
    // fewer parts than workers when the chunk is small
    expect(splitPlan([3 * MIN_PART_RECORDS], 8)[0]).toHaveLength(3);
    expect(splitPlan([], 2)).toEqual([]);
  });
});

describe('replay with the last chunks split between the workers', () => {
  it('gives the report one worker gives (whole chunks), and replays parts', async () => {
    const records = syntheticRecords(3600);
    const corpus = await writeSyntheticCorpus(tmp.path, 3600, 1200, records);
    const progress: number[] = [];
    const one = await replay({ oldPath: SPA, newPath: V2, corpus, workers: 1, timeoutMs: 5000 });
    const two = await replay({ oldPath: SPA, newPath: V2, corpus, workers: 2, timeoutMs: 5000, onProgress: (p: ReplayProgress) => progress.push(p.recordsDone) });
    // Parts of 600 records came back one at a time: some progress step is a part, not a whole chunk.
    const steps = progress.map((n, i) => n - (progress[i - 1] ?? 0));
    expect(steps).toContain(600);
    expect(steps.reduce((a, b) => a + b, 0)).toBe(3600);
    expect(progress.at(-1)).toBe(3600);
    const shape = (x: typeof one) => ({
      events: x.events,
      changed: x.changed,
      outcomes: x.outcomes,
      transitions: x.outcomeTransitions,
      diffs: x.diffs,
      errors: x.errors,
      noise: x.noise,
      samples: x.samples.map((s) => [s.eventId, s.position, s.old.effective, s.new.effective]),
      latency: [x.latency.old.count, x.latency.new.count],
    });
    expect(one.changed).toBeGreaterThan(0);
    expect(shape(two)).toEqual(shape(one));
  }, 60_000);

  it('counts a corrupt split chunk once, as lost whole', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 3000, 1000);
    const c = await openCorpusFile(corpus);
    const bad = c.chunks[2]!;
    await c.close();
    const bytes = readFileSync(corpus);
    bytes[bad.offset + CHUNK_HEADER_SIZE + 100]! ^= 0xff;
    writeFileSync(corpus, bytes);
    expect(splitPlan([1000, 1000, 1000], 2)[2]).toHaveLength(2);
    let last: ReplayProgress | undefined;
    const r = await replay({ oldPath: SPA, newPath: SPA, corpus, workers: 2, onProgress: (p) => (last = p) });
    // both parts fail to decode: the progress counts the chunk once
    expect(last).toMatchObject({ recordsDone: 3000, recordsTotal: 3000, chunksDone: 3, chunksTotal: 3 });
    expect(r.events).toBe(2000);
    expect(r.skipped['corrupt chunk']).toBe(1000);
    expect(r.run.problems.filter((p) => /chunk 2 at byte \d+ is corrupt/.test(p))).toHaveLength(1);
    expect(r.run.damage?.lostEvents).toBe(1000);
  }, 60_000);

  it('stops a call that hangs in a part and counts it once, at its position', async () => {
    // Two hanging events, both in the second half of the last chunk (a part of its own).
    const records = syntheticRecords(2000).map((x, i) => (x.request.uri === '/search' ? { ...x, request: { ...x.request, uri: `/searching/${i}` } } : x));
    for (const i of [1700, 1900]) records[i] = { ...records[i]!, request: { ...records[i]!.request, uri: '/search' } };
    const corpus = await writeSyntheticCorpus(tmp.path, 2000, 1000, records);
    // 1 s: the two hangs are stopped whatever the budget; the 3,998 other calls must not be (at
    // 300 ms a call in a worker starved by other processes could be).
    const r = await replay({ oldPath: fx('passthrough.js'), newPath: fx('hang-on-search.js'), corpus, workers: 2, timeoutMs: 1_000, maxStoppedCalls: 1000 });
    expect(r.events).toBe(2000);
    expect(r.outcomes.new['timeout']).toBe(2);
    expect(r.outcomes.new['forward']).toBe(1998);
    expect(r.errors.new[0]).toMatchObject({ outcome: 'timeout', count: 2 });
    expect(r.errors.new[0]!.examples.map((e) => e.position)).toEqual([1700, 1900]);
  }, 60_000);
});

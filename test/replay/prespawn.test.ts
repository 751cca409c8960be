// Workers started ahead of time (prespawnReplayWorkers) are the ones the next replay uses,
// and it gives the same report as workers started by the pool itself.
import { describe, expect, it } from 'vitest';
import { replay } from '../../src/replay/replay.js';
import { prespawnReplayWorkers, standbyWorkers } from '../../src/replay/pool.js';
import { writeSyntheticCorpus } from '../helpers/corpus.js';
import { useTempDir } from '../helpers/tmp.js';

const SPA = new URL('../fixtures/functions/spa-rewrite.js', import.meta.url).pathname;
const FIXED = new URL('../fixtures/replay/spa-fixed.js', import.meta.url).pathname;
const tmp = useTempDir();

describe('replay workers started ahead of time', () => {
  it('are taken by the next pool, which reports as with its own workers', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 1500, 300);
    const own = await replay({ oldPath: SPA, newPath: FIXED, corpus, workers: 2 });
    prespawnReplayWorkers(2);
    prespawnReplayWorkers(2); // tops up to 2, never piles up
    expect(standbyWorkers()).toBe(2);
    const early = await replay({ oldPath: SPA, newPath: FIXED, corpus, workers: 2 });
    expect(standbyWorkers()).toBe(0);
    const shape = (r: typeof own) => ({ events: r.events, changed: r.changed, outcomes: r.outcomes, diffs: r.diffs, errors: r.errors });
    expect(shape(early)).toEqual(shape(own));
    expect(early.changed).toBeGreaterThan(0);
  });

  it('a pool with another heap limit leaves them alone', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 300, 300);
    prespawnReplayWorkers(1, 128);
    const r = await replay({ oldPath: SPA, newPath: SPA, corpus, workers: 1 });
    expect(r.events).toBe(300);
    expect(standbyWorkers()).toBe(1);
    const taken = await replay({ oldPath: SPA, newPath: SPA, corpus, workers: 1, maxHeapMb: 128 });
    expect(taken.events).toBe(300);
    expect(standbyWorkers()).toBe(0);
  });
});

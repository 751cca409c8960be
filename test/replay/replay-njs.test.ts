// replay --engine njs: both functions run in the njs WebAssembly engine inside the replay workers.
import { describe, expect, it } from 'vitest';
import { replay } from '../../src/replay/replay.js';
import { writeSyntheticCorpus } from '../helpers/corpus.js';
import { useTempDir } from '../helpers/tmp.js';

const SPA = new URL('../fixtures/functions/spa-rewrite.js', import.meta.url).pathname;
const fx = (name: string) => new URL(`../fixtures/replay/${name}`, import.meta.url).pathname;
const tmp = useTempDir();

describe('replay on the njs engine', () => {
  it('finds the same differences as the V8 engine and records the engine in the report', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 600, 200);
    // Neither function hangs: a 10 s call budget on both sides. With the default 250 ms, a call
    // in a worker starved by other processes (the first njs call also loads the engine) was
    // stopped as a timeout in one run and not in the other, and the shapes differed by an event.
    const v8 = await replay({ oldPath: SPA, newPath: fx('spa-fixed.js'), corpus, workers: 2, timeoutMs: 10_000 });
    const njs = await replay({ oldPath: SPA, newPath: fx('spa-fixed.js'), corpus, workers: 2, engine: 'njs', timeoutMs: 10_000 });
    expect(njs.functions.old.engine).toBe('njs');
    expect(v8.functions.old.engine).toBeUndefined();
    const shape = (x: typeof v8) => ({ events: x.events, changed: x.changed, outcomes: x.outcomes, diffs: x.diffs.map((d) => [d.path, d.kind, d.signature, d.count]) });
    expect(shape(njs)).toEqual(shape(v8));
    expect(njs.changed).toBeGreaterThan(0);
  }, 120_000);

  it('a function that loops forever is stopped by the step budget, not by the wall clock', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 50, 50);
    const r = await replay({ oldPath: SPA, newPath: fx('hang-on-search.js'), corpus, workers: 1, engine: 'njs', timeoutMs: 60_000 });
    expect(r.events).toBe(50);
    const timeouts = Object.entries(r.outcomes.new).filter(([k]) => k.includes('timeout'));
    expect(timeouts.length).toBe(1);
  });
});

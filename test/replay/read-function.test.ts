// readFunctionSource (the checks a replay does before starting its workers) tells what
// readFunction (the same checks plus a load on the main thread) tells: kind, notes, runtime.
import { describe, expect, it } from 'vitest';
import { readFunctionSource, replay } from '../../src/replay/replay.js';
import { readFunction } from '../../src/replay/read-function.js';
import { writeSyntheticCorpus } from '../helpers/corpus.js';
import { useTempDir } from '../helpers/tmp.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const fn = (name: string) => new URL(`../fixtures/functions/${name}`, import.meta.url).pathname;
const tmp = useTempDir();

/** A source the syntax gate passes and only the engine refuses (V8 11 has no duplicate named groups). */
const ENGINE_ONLY_ERROR = 'var r = /(?<a>x)|(?<a>y)/;\nfunction handler(event) {\n  return event.request;\n}\n';

describe('reading a function before the workers start', () => {
  it.each(['spa-rewrite.js', 'async-origin.js', 'connection.js', 'security-headers.js', 'jwt-kvs.js'])('%s: the same facts as readFunction', async (name) => {
    const early = readFunctionSource(fn(name), 'OLD', undefined);
    const full = readFunction(fn(name), 'OLD', undefined);
    expect({ info: early.info, kind: early.kind, source: early.source }).toEqual({ info: full.info, kind: full.kind, source: full.source });
    await expect(early.load()).resolves.toBeUndefined();
  });

  it('a function the syntax gate refuses fails before any load, naming its line', () => {
    const bad = join(tmp.path, 'bad.js');
    writeFileSync(bad, 'function handler(event) {\n  return event.request\n}}\n');
    expect(() => readFunctionSource(bad, 'NEW', undefined)).toThrow(/bad\.js:3:2: SyntaxError/);
  });

  it('errors keep their order: a broken OLD is named before a missing NEW, and the run does not start', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 20, 10);
    const bad = join(tmp.path, 'broken-old.js');
    writeFileSync(bad, 'function handler(event) {\n  return event.request\n}}\n');
    await expect(replay({ oldPath: bad, newPath: join(tmp.path, 'missing.js'), corpus, workers: 1 })).rejects.toThrow(/broken-old\.js:3:2/);
    await expect(replay({ oldPath: fn('spa-rewrite.js'), newPath: join(tmp.path, 'missing.js'), corpus, workers: 1 })).rejects.toThrow(/missing\.js: NEW function not found/);
    await expect(replay({ oldPath: fn('spa-rewrite.js'), newPath: fn('spa-rewrite.js'), corpus: join(tmp.path, 'nope.cfr'), workers: 1 })).rejects.toThrow(/nope\.cfr: corpus file not found/);
  });

  it('what only the engine refuses (a compile error past the syntax gate) is the error of the run, named with its file, not a worker failure', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 20, 10);
    const clash = join(tmp.path, 'clash.js');
    // Passes the syntax gate (acorn takes duplicate named groups, an ES2025 form); V8 11 refuses it when it compiles.
    writeFileSync(clash, ENGINE_ONLY_ERROR);
    expect(() => readFunctionSource(clash, 'NEW', undefined)).not.toThrow();
    for (const workers of [1, 2]) {
      const run = replay({ oldPath: fn('spa-rewrite.js'), newPath: clash, corpus, workers });
      await expect(run).rejects.toThrow(/clash\.js: SyntaxError: Invalid regular expression: .*Duplicate capture group name/);
      await expect(run).rejects.not.toThrow(/replay worker failed/);
    }
    // before the corpus's own error too
    await expect(replay({ oldPath: fn('spa-rewrite.js'), newPath: clash, corpus: join(tmp.path, 'nope.cfr'), workers: 1 })).rejects.toThrow(/clash\.js: SyntaxError/);
  });

  it('a corpus without events still fails a function only the engine refuses (no worker loaded it, the main thread does)', async () => {
    const empty = await writeSyntheticCorpus(tmp.path, 0, 10);
    const clash = join(tmp.path, 'clash-empty.js');
    writeFileSync(clash, ENGINE_ONLY_ERROR);
    await expect(replay({ oldPath: fn('spa-rewrite.js'), newPath: clash, corpus: empty, workers: 1 })).rejects.toThrow(/clash-empty\.js: SyntaxError: Invalid regular expression: .*Duplicate capture group name/);
    // the same corpus with two good functions is a run without events, not an error
    const report = await replay({ oldPath: fn('spa-rewrite.js'), newPath: fn('spa-rewrite.js'), corpus: empty, workers: 1 });
    expect(report.events).toBe(0);
  });
});

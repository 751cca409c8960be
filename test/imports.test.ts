// The layering of src/, checked over its imports. The pipeline runs event -> record ->
// store -> runtime -> replay -> diff -> report; imports run down this table, never up, and
// two folders of the same height are siblings that do not import each other. Allowed lists
// hold the violations still waiting for their move: they may only shrink (an entry that no
// longer occurs fails the test too, so it is taken out when fixed).
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCircles, importEdges, layerViolations } from './helpers/import-graph.js';
import { useTempDir } from './helpers/tmp.js';

const src = new URL('../src/', import.meta.url).pathname;
const test = new URL('./', import.meta.url).pathname;

/** Height of each top folder of src/ (and of src/index.ts, the package's public face). */
const RANK: Record<string, number> = {
  util: 0, //        small helpers with no project imports
  event: 1, //       the event model
  store: 2, //       corpus format, file and Redis
  runtime: 2, //     the sandbox that runs a function on one event
  record: 3, //      capture sources and the recording pipeline (writes through store/)
  inspect: 3, //     corpus statistics
  diff: 4, //        comparing two outputs: kinds, risk, outcome labels, grouping keys
  results: 5, //     a run's accumulated outcome: groups, merges, latency, report types
  replay: 6, //      running a corpus through two functions; fills results/
  report: 6, //      renders results/ (JSON, terminal, HTML, Markdown, JUnit)
  testmode: 7, //    `cfreplay test` cases
  distributed: 7, // coordinator and workers over Redis
  cli: 8, //         the thin command layer
  'index.ts': 9, //  the public API
};

/** Imports that still run up or sideways (from -> to); remove an entry when its move is done. */
const ALLOWED_UPWARD: string[] = [];

/** Circles between files still waiting to be cut (the files of each, sorted). */
const ALLOWED_CIRCLES: string[] = [];

describe('src/ imports', () => {
  const edges = importEdges(src);

  it('are read from the tree (the reader sees imports)', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({ from: 'cli/main.ts', to: 'cli/commands/index.ts' });
  });

  it('run only from a higher layer to a lower one, apart from the allowed list', () => {
    const found = layerViolations(edges, RANK);
    expect(found.filter((v) => !ALLOWED_UPWARD.includes(v)), 'new imports that run up').toEqual([]);
    expect(ALLOWED_UPWARD.filter((v) => !found.includes(v)), 'fixed: take these out of ALLOWED_UPWARD').toEqual([]);
  });

  it('make no circles between files, apart from the allowed list', () => {
    const found = importCircles(edges);
    expect(found.filter((c) => !ALLOWED_CIRCLES.includes(c)), 'new circles').toEqual([]);
    expect(ALLOWED_CIRCLES.filter((c) => !found.includes(c)), 'fixed: take these out of ALLOWED_CIRCLES').toEqual([]);
  });
});

/** Folders of test/ that are not a mirror of src/: shared helpers, the build, the package, the real captures, the vitest reporter. */
const TEST_ONLY = new Set(['helpers', 'setup', 'package', 'captures', 'reporters']);

describe('test/', () => {
  it('mirrors src/: every test folder (but fixtures and the test-only ones) is a folder of src/', () => {
    const folders = (dir: string, rel: string): string[] =>
      readdirSync(dir)
        .filter((n) => n !== 'fixtures' && statSync(join(dir, n)).isDirectory() && !(rel === '' && TEST_ONLY.has(n)))
        .flatMap((n) => [`${rel}${n}`, ...folders(join(dir, n), `${rel}${n}/`)]);
    const found = folders(test, '');
    expect(found).toContain('store/redis');
    expect(found.filter((f) => !existsSync(join(src, f))), 'test folders without a src folder').toEqual([]);
  });
});

describe('the import checks', () => {
  const dir = useTempDir();
  function tree(files: Record<string, string>): string {
    const root = dir.path;
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }

  it('find an upward import, a sibling import, a dynamic import and an unranked folder', () => {
    const root = tree({
      'low/a.ts': "import { b } from '../high/b.js';\nexport const a = b;\n",
      'high/b.ts': "export type { S } from '../side/s.js';\nexport const b = 1;\n",
      'side/s.ts': "export type S = number;\nexport const load = () => import('../high/b.js');\n",
      'other/o.ts': "import type { S } from '../low/a.js';\n",
    });
    expect(layerViolations(importEdges(root), { low: 0, high: 1, side: 1 })).toEqual([
      'high/b.ts -> side/s.ts',
      'low/a.ts -> high/b.ts',
      'other/o.ts -> low/a.ts (unranked)',
      'side/s.ts -> high/b.ts',
    ]);
  });

  it('find circles through type-only imports and leave a chain alone', () => {
    const root = tree({
      'x/a.ts': "import type { B } from './b.js';\nexport type A = B;\n",
      'x/b.ts': "import type { C } from './c.js';\nexport type B = C;\n",
      'x/c.ts': "import type { A } from './a.js';\nexport type C = A | 1;\n",
      'x/d.ts': "import type { A } from './a.js';\nexport type D = A;\n",
      'x/e.ts': "import { f } from './f.js';\nexport const e = f;\n",
      'x/f.ts': 'export const f = 1;\n',
    });
    expect(importCircles(importEdges(root))).toEqual(['x/a.ts + x/b.ts + x/c.ts']);
  });
});

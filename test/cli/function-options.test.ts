// The function-loading options shared by run and replay: deploy transforms, the KeyValueStore gate,
// partial events completed and said so, runtime detection said so.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cfreplay } from '../helpers/cli.js';
import { writeSyntheticCorpus } from '../helpers/corpus.js';
import { useTempDir } from '../helpers/tmp.js';
import type { ReplayReport } from '../../src/results/types.js';

const fn = (n: string) => new URL(`../fixtures/functions/${n}`, import.meta.url).pathname;
const kvsFile = new URL('../fixtures/kvs/secrets.json', import.meta.url).pathname;
const tmp = useTempDir();

const EXPORTED = "function handler(event) {\n  event.request.headers['x-env'] = { value: '__ENV__' };\n  return event.request;\n}\nexport { handler };\n";

describe('run: deploy transforms, filled-in defaults, runtime note', () => {
  it('an export fails as CloudFront fails, with a hint; --strip-export and --define make it run', () => {
    const f = join(tmp.path, 'exported.js');
    writeFileSync(f, EXPORTED);
    const ev = join(tmp.path, 'partial.json');
    writeFileSync(ev, JSON.stringify({ request: { uri: '/a' } }));
    const refused = cfreplay(['run', f, '--event', ev]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe(`cfreplay: ${f}:5:1: SyntaxError: Illegal export statement; if your deploy step removes the export, pass --strip-export\n`);
    const ok = cfreplay(['run', f, '--event', ev, '--strip-export', '--define', '__ENV__=staging']);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('"x-env": {\n        "value": "staging"');
    expect(ok.stdout).toContain('Runtime: cloudfront-js-1.0 (detected: no 2.0 syntax)');
    expect(ok.stdout).toContain('Transforms: define __ENV__ (1 replacement); strip-export (1 statement, line 5)');
    expect(ok.stdout).toMatch(/Filled in: version=1\.0, context\.eventType=viewer-request \(the function does not read event\.response\), viewer\.ip=203\.0\.113\.10, request\.method=GET/);
  });
  it('a function using cf.kvs() without --kvs is a usage error naming the option; --kvs-empty runs it on purpose', () => {
    const ev = join(tmp.path, 'e.json');
    writeFileSync(ev, JSON.stringify({ request: { uri: '/a', querystring: { jwt: { value: 'a.b.c' } } } }));
    const refused = cfreplay(['run', fn('jwt-kvs.js'), '--event', ev]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/^cfreplay: .*jwt-kvs\.js:5: the function uses a KeyValueStore .*--kvs .*--kvs-empty/);
    const empty = cfreplay(['run', fn('jwt-kvs.js'), '--event', ev, '--kvs-empty', '--json']);
    expect(empty.status).toBe(1); // the store has no secret: the function throws
    expect(JSON.parse(empty.stdout).FunctionErrorMessage).not.toMatch(/no KeyValueStore is associated/);
    const both = cfreplay(['run', fn('jwt-kvs.js'), '--event', ev, '--kvs-empty', '--kvs', kvsFile]);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/--kvs and --kvs-empty/);
  });
});

describe('replay: the KeyValueStore gate and transforms in the report', () => {
  it('refuses to replay store-using functions without a store; records transforms and runtime detection', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 50, 50);
    const refused = cfreplay(['replay', '--old', fn('jwt-kvs.js'), '--new', fn('jwt-kvs.js'), '--corpus', corpus]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/jwt-kvs\.js:5: the function uses a KeyValueStore/);
    const f = join(tmp.path, 'exported.js');
    writeFileSync(f, EXPORTED);
    const json = join(tmp.path, 'r.json');
    const r = cfreplay(['replay', '--old', f, '--new', f, '--corpus', corpus, '--strip-export', '--define', '__ENV__=prod', '--json', json]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('cloudfront-js-1.0 (detected: no 2.0 syntax)');
    expect(r.stdout).toContain('transforms: define __ENV__ (1 replacement); strip-export (1 statement, line 5)');
    const report = JSON.parse(readFileSync(json, 'utf8')) as ReplayReport;
    expect(report.functions.old.transforms).toEqual(['define __ENV__ (1 replacement)', 'strip-export (1 statement, line 5)']);
    expect(report.functions.new.runtimeNote).toBe('detected: no 2.0 syntax');
    const typo = cfreplay(['replay', '--old', f, '--new', f, '--corpus', corpus, '--strip-export', '--define', '__ENVV__=prod']);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toMatch(/--define __ENVV__: "__ENVV__" does not occur in/);
  });
});

describe('show: re-running an event of a transformed replay', () => {
  it('takes the same transforms, and says so when they are missing', async () => {
    const { replay } = await import('../../src/replay/replay.js');
    const { showEvent } = await import('../../src/cli/commands/show.js');
    const corpus = await writeSyntheticCorpus(tmp.path, 60, 60);
    const oldF = join(tmp.path, 'old.js');
    const newF = join(tmp.path, 'new.js');
    writeFileSync(oldF, EXPORTED);
    writeFileSync(newF, EXPORTED.replace("'__ENV__'", "'__ENV__-2'"));
    const transforms = { stripExport: true, defines: [{ name: '__ENV__', value: 'prod' }] };
    const report = await replay({ oldPath: oldF, newPath: newF, corpus, workers: 1, transforms });
    const json = join(tmp.path, 'r.json');
    writeFileSync(json, JSON.stringify(report));
    const sampled = new Set(report.samples.map((x) => x.eventId));
    const ex = report.diffs[0]!.examples.find((e) => !sampled.has(e.eventId))!;
    await expect(showEvent({ report: json, 'event-id': ex.eventId })).rejects.toThrow(/Illegal export statement; if your deploy step removes the export, pass --strip-export/);
    const view = await showEvent({ report: json, 'event-id': ex.eventId, 'strip-export': true, define: ['__ENV__=prod'] });
    expect(view.source).toBe('rerun');
    expect(view.warnings.filter((w) => /transformed/.test(w))).toEqual([]);
    expect(JSON.stringify(view.new)).toContain('prod-2');
  });
});

// `--engine njs` on `cfreplay run` and `cfreplay test`, `--cross-check` / `--engine both` on `cfreplay replay` (through the command functions and the built CLI).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCommand, formatReport } from '../../src/cli/commands/run.js';
import { fixturePath } from '../runtime/helpers.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { writeSyntheticCorpus } from '../helpers/corpus.js';
import type { ReplayReport } from '../../src/report/types.js';
import { join } from 'node:path';
import { cfreplay } from '../helpers/cli.js';
import { useTempDir } from '../helpers/tmp.js';

const root = new URL('../../', import.meta.url).pathname;
const fn = (n: string) => fixturePath('functions', n);
const ev = (n: string) => fixturePath('events', n);

describe('cfreplay run --engine njs', () => {
  it('runs the function in njs and reports its steps and njs error texts', async () => {
    const ok = await runCommand({ 'timeout-ms': 5000, function: fn('spa-rewrite.js'), event: ev('viewer-request.json'), engine: 'njs', now: '0' });
    expect(JSON.parse(ok.FunctionOutput).request.uri).toBe('/media/index/index.html');
    expect(ok.steps).toBeGreaterThan(0);
    expect(formatReport(ok)).toMatch(/\(njs engine\).*Steps: \d+/);
    const v8 = await runCommand({ 'timeout-ms': 5000, function: fn('spa-rewrite.js'), event: ev('viewer-request.json'), now: '0' });
    expect(v8.steps).toBeUndefined();
    expect(ok.FunctionOutput).toBe(v8.FunctionOutput);
    const bad = await runCommand({ 'timeout-ms': 5000, function: fn('throws.js'), event: ev('viewer-request.json'), engine: 'njs' });
    expect(bad.FunctionErrorMessage).toBe('TypeError: cannot get property "value" of undefined');
  });

  it('the CLI takes --engine njs and refuses an unknown engine', () => {
    const r = spawnSync(process.execPath, [root + 'bin/cfreplay', 'run', fn('spa-rewrite.js'), '--event', ev('viewer-request.json'), '--engine', 'njs', '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).steps).toBeGreaterThan(0);
    const bad = spawnSync(process.execPath, [root + 'bin/cfreplay', 'run', fn('spa-rewrite.js'), '--event', ev('viewer-request.json'), '--engine', 'quickjs'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/engine/);
  });
});

describe('cfreplay test --engine njs', () => {
  const tmp = useTempDir();

  it('runs the cases on njs: its number printing fails a case V8 passes, and a loop stops at the step budget', () => {
    const sum = join(tmp.path, 'sum.js');
    writeFileSync(sum, "function handler(event) {\n  var r = event.request;\n  r.headers['x-sum'] = { value: String(0.1 + 0.2) };\n  return r;\n}\n");
    const cases = join(tmp.path, 'cases.jsonl');
    writeFileSync(cases, JSON.stringify({ name: 'sum', event: { request: { uri: '/' } }, expect: { 'request.headers.x-sum': '0.30000000000000004' } }) + '\n');
    const v8 = cfreplay(['test', sum, cases]);
    expect(v8.status).toBe(0);
    expect(v8.stdout).not.toContain('engine njs');
    const njs = cfreplay(['test', sum, cases, '--engine', 'njs']);
    expect(njs.stderr).toBe('');
    expect(njs.status).toBe(1);
    expect(njs.stdout.split('\n')[0]).toMatch(/, engine njs$/);
    expect(njs.stdout).toContain('FAIL sum (' + cases + ':1): request.headers.x-sum: expected "0.30000000000000004", got "0.30000000000000007"');

    const loop = join(tmp.path, 'loop.jsonl');
    writeFileSync(loop, JSON.stringify({ name: 'loop', event: { request: { uri: '/' } }, expect: { outcome: 'forward' } }) + '\n');
    const stopped = cfreplay(['test', fn('infinite-loop.js'), loop, '--engine', 'njs', '--timeout-ms', '20000']);
    expect(stopped.status).toBe(1);
    expect(stopped.stdout).toMatch(/FAIL loop .*outcome: expected "forward", got "timeout"/);
  });

  it('refuses an unknown engine', () => {
    const r = cfreplay(['test', fn('spa-rewrite.js'), '--stdin', '--engine', 'quickjs'], { input: '{}\n' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/engine/);
  });
});

describe('cfreplay replay --cross-check (and its alias --engine both)', () => {
  const tmp = useTempDir();
  const ex = (name: string) => new URL(`../fixtures/engines/${name}`, import.meta.url).pathname;

  it('runs both engines, prints the engines section, fails the engines-agree check (exit 1) and writes it to the JSON report', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 80, 80);
    const json = join(tmp.path, 'r.json');
    const r = cfreplay(['replay', '--old', ex('cross-old.js'), '--new', ex('cross-new.js'), '--corpus', corpus, '--cross-check', '--workers', '1', '--timeout-ms', '10000', '--json', json]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as ReplayReport;
    expect(report.engines!.disagreeing).toBeGreaterThan(0);
    expect(r.stdout).toContain(`engines: v8 vs njs on 80 events: disagree on ${report.engines!.disagreeing}`);
    expect(r.stdout).toMatch(/FAIL engines-agree: v8 and njs disagree on \d+ of 80 events/);
    expect(r.stdout).toContain('cost per call (njs instructions)');
    const both = cfreplay(['replay', '--old', ex('cross-old.js'), '--new', ex('cross-new.js'), '--corpus', corpus, '--engine', 'both', '--workers', '1', '--timeout-ms', '10000', '--json', json]);
    expect(both.status).toBe(1);
    const again = JSON.parse(readFileSync(json, 'utf8')) as ReplayReport;
    expect({ ...again.engines, groups: again.engines!.groups.length }).toEqual({ ...report.engines, groups: report.engines!.groups.length });
    // The same pair without --cross-check: no engines section, no engines-agree check.
    const plain = cfreplay(['replay', '--old', ex('cross-old.js'), '--new', ex('cross-new.js'), '--corpus', corpus, '--workers', '1']);
    expect(plain.stdout).not.toMatch(/^engines:/m);
    expect(plain.stdout).not.toContain('engines-agree');
    // `test` takes v8 or njs only.
    const t = cfreplay(['test', fn('spa-rewrite.js'), '--stdin', '--engine', 'both'], { input: '{}\n' });
    expect(t.status).toBe(2);
  }, 180_000);
});

describe('cfreplay run --cross-check', () => {
  const tmp = useTempDir();

  it('runs the event on both engines: a real disagreement exits 1 with both values; a seed-dependent one is named, not counted', () => {
    const sum = join(tmp.path, 'sum.js');
    writeFileSync(sum, "function handler(event) {\n  var r = event.request;\n  r.headers['x-sum'] = { value: String(0.1 + 0.2) };\n  return r;\n}\n");
    const bad = cfreplay(['run', sum, '--event', ev('viewer-request.json'), '--cross-check', '--now', '0']);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/Cross-check: v8 and njs DISAGREE: this result cannot be trusted to be CloudFront's {2}\(njs steps: \d+\)/);
    expect(bad.stdout).toContain('  request.headers.x-sum changed: v8 0.30000000000000004 / njs 0.30000000000000007');
    const json = cfreplay(['run', sum, '--event', ev('viewer-request.json'), '--engine', 'both', '--json', '--now', '0']);
    expect(json.status).toBe(1);
    const rep = JSON.parse(json.stdout) as { crossCheck: { agree: boolean; disagreements: unknown[]; FunctionOutput: string } };
    expect(rep.crossCheck.agree).toBe(false);
    expect(rep.crossCheck.disagreements).toEqual([{ path: 'request.headers.x-sum', kind: 'changed', old: '0.30000000000000004', new: '0.30000000000000007' }]);
    expect(JSON.parse(rep.crossCheck.FunctionOutput).request.headers['x-sum'].value).toBe('0.30000000000000007');

    // With this clock and seed the first random number prints differently on the two engines.
    const rand = join(tmp.path, 'rand.js');
    writeFileSync(rand, "function handler(event) {\n  var r = event.request;\n  r.headers['x-rand'] = { value: String(Math.random()) };\n  return r;\n}\n");
    const seeded = cfreplay(['run', rand, '--event', ev('viewer-request.json'), '--cross-check', '--now', '1700000000000', '--seed', '5']);
    expect(seeded.status).toBe(0);
    expect(seeded.stdout).toMatch(/Cross-check: v8 and njs agree {2}\(njs steps: \d+\)/);
    expect(seeded.stdout).toContain('differ only with the Math.random seed (not counted): request.headers.x-rand');
  });
});

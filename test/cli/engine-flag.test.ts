// `--engine njs` on `cfreplay run` and `cfreplay test` (through the command functions and the built CLI).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCommand, formatReport } from '../../src/cli/commands/run.js';
import { fixturePath } from '../runtime/helpers.js';
import { writeFileSync } from 'node:fs';
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

// `--engine njs` on `cfreplay run` (through runCommand and the built CLI).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCommand, formatReport } from '../../src/cli/commands/run.js';
import { fixturePath } from '../runtime/helpers.js';

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

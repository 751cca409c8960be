// `cfreplay run`: through runCommand and through the built CLI (bin/cfreplay).
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../runtime/helpers.js';

const root = new URL('../../', import.meta.url).pathname;
const fn = (n: string) => fixturePath('functions', n);
const ev = (n: string) => fixturePath('events', n);

describe('runCommand', async () => {
  const { runCommand, formatReport } = await import('../../src/cli/commands/run.js');
  const { UsageError } = await import('../../src/cli/errors.js');
  const base = { 'timeout-ms': 1000 };
  it('runs a function like TestFunction and reports the outcome and run time', async () => {
    const rep = await runCommand({ ...base, function: fn('spa-rewrite.js'), event: ev('viewer-request.json'), now: '2024-01-01T00:00:00Z' });
    expect(rep.outcome.kind).toBe('forward');
    expect(JSON.parse(rep.FunctionOutput).request.uri).toBe('/media/index/index.html');
    expect(rep.now).toBe(Date.UTC(2024, 0, 1));
    expect(rep.durationNs).toBeGreaterThan(0);
    const text = formatReport(rep);
    expect(text).toMatch(/FunctionOutput:/);
    expect(text).toMatch(/Outcome: forward/);
    expect(text).toMatch(/Run time: \d+\.\d{3} ms/);
  });
  it('uses the KVS file and detects 2.0', async () => {
    const rep = await runCommand({ ...base, function: fn('jwt-kvs.js'), event: ev('viewer-request.json'), kvs: fixturePath('kvs', 'secrets.json') });
    expect(rep.runtime).toBe('cloudfront-js-2.0');
    expect(rep.outcome.kind).toBe('response');
    expect(rep.FunctionExecutionLogs).toEqual(['no token']);
  });
  it('an infinite loop is an execution error after --timeout-ms', async () => {
    const rep = await runCommand({ 'timeout-ms': 100, function: fn('infinite-loop.js'), event: ev('viewer-request.json') });
    expect(rep.outcome.kind === 'execution-error' && rep.outcome.reason).toBe('timeout');
    expect(rep.FunctionErrorMessage).toMatch(/time limit/);
  });
  it.each([
    ['missing function file', { function: '/nope/f.js', event: ev('viewer-request.json') }, /\/nope\/f\.js: function file not found/],
    ['not JavaScript', { function: fn('not-js.js'), event: ev('viewer-request.json') }, /not-js\.js:1:1: SyntaxError/],
    ['no handler', { function: fn('no-handler.js'), event: ev('viewer-request.json') }, /no-handler\.js: no handler/],
    ['Lambda@Edge function', { function: fn('lambda-edge.js'), event: ev('viewer-request.json') }, /Lambda@Edge/],
    ['Lambda@Edge event', { function: fn('spa-rewrite.js'), event: ev('lambda-edge.json') }, /lambda-edge\.json: this is a Lambda@Edge event/],
    ['not an event', { function: fn('spa-rewrite.js'), event: fixturePath('kvs', 'secrets.json') }, /secrets\.json: not a CloudFront Functions event/],
    ['bad KVS file', { function: fn('jwt-kvs.js'), event: ev('viewer-request.json'), kvs: fixturePath('kvs', 'wrong-format.json') }, /wrong-format\.json: not a KeyValueStore import file/],
    ['missing event', { function: fn('spa-rewrite.js'), event: '/nope/e.json' }, /\/nope\/e\.json: event file not found/],
  ])('%s is a one-line UsageError', async (_n, args, re) => {
    const p = runCommand({ ...base, ...args });
    await expect(p).rejects.toBeInstanceOf(UsageError);
    await expect(p).rejects.toThrow(re);
    await p.catch((e: Error) => expect(e.message).not.toContain('\n'));
  });
});

describe('built CLI: node bin/cfreplay run', () => {
  it('--json prints TestFunction-like fields', () => {
    const out = execFileSync('node', [`${root}bin/cfreplay`, 'run', fn('redirect-by-country.js'), '--event', ev('viewer-request.json'), '--json'], { encoding: 'utf8' });
    const rep = JSON.parse(out);
    expect(rep.outcome.kind).toBe('response');
    expect(JSON.parse(rep.FunctionOutput).response.statusCode).toBe(302);
    expect(rep.FunctionExecutionLogs).toEqual([]);
    expect(rep.FunctionErrorMessage).toBe('');
  });
  it('runs an async arrow (AWS sample shape) and prints the load note', () => {
    const r = spawnSync('node', [`${root}bin/cfreplay`, 'run', fn('async-origin.js'), '--event', ev('viewer-request.json')], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Outcome: forward/);
    expect(r.stdout).toMatch(/Note: .*async-origin\.js:5:19: AWS documents "async arguments and closures are not supported"/);
    const j = spawnSync('node', [`${root}bin/cfreplay`, 'run', fn('async-origin.js'), '--event', ev('viewer-request.json'), '--json'], { encoding: 'utf8' });
    const rep = JSON.parse(j.stdout);
    expect(rep.notes).toHaveLength(1);
    expect(rep.effective.request.headers['X-Origin']).toEqual(['www.example.com']);
  });
  it('reads the event from stdin', () => {
    const r = spawnSync('node', [`${root}bin/cfreplay`, 'run', fn('spa-rewrite.js'), '--event', '-', '--json'], {
      encoding: 'utf8',
      input: JSON.stringify({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '1.2.3.4' }, request: { method: 'GET', uri: '/a/', querystring: {}, headers: {}, cookies: {} } }),
    });
    expect(JSON.parse(r.stdout).effective.request.uri).toBe('/a/index.html');
  });
  it('user errors exit 2 with one line', () => {
    const r = spawnSync('node', [`${root}bin/cfreplay`, 'run', fn('lambda-edge.js'), '--event', ev('viewer-request.json')], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^cfreplay: .*Lambda@Edge/);
  });
});

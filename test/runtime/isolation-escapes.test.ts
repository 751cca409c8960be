/**
 * Issue 12: every known escape path gives an EvalError (no `process`), in
 * process (loadFunction, both runtimes), through `cfreplay run` (the CLI as a
 * child process) and through a replay with 2 workers. A hostile function that
 * would write a file with fs and kill its own process when it gets `process`
 * leaves no file, and the run or replay completes.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFunction, parseKvsSnapshot, type Runtime } from '../../src/runtime/index.js';
import { replay } from '../../src/replay/replay.js';
import { runCli, requireCliBuilt } from '../helpers/cli-process.js';
import { writeSyntheticCorpus } from '../helpers/corpus.js';
import { useTempDir } from '../helpers/tmp.js';
import { escapePaths, expectedSource, hostileSource } from './escape-paths.js';
import { vrEvent } from './helpers.js';

const RUNTIMES: Runtime[] = ['cloudfront-js-1.0', 'cloudfront-js-2.0'];
const KVS = parseKvsSnapshot({ data: [{ key: 'k', value: '{"a":1}' }] });
const tmp = useTempDir();

/** Files the hostile code would have written. */
const markers = (dir: string): string[] => readdirSync(dir).filter((f) => f.startsWith('escaped'));

describe.each(RUNTIMES)('%s: escape paths in process (loadFunction)', (runtime) => {
  it.each(escapePaths(runtime).map((p) => [p.name, p] as const))('%s gives EvalError, no process', async (_name, path) => {
    const marker = join(tmp.path, 'escaped');
    // No kill in process: an escape would take the test runner down instead of failing the test.
    const f = loadFunction(hostileSource([path], marker, false), { runtime, kvs: KVS });
    const r = await f.invokeAsync(vrEvent(), { rawQuery: 'a=1', timeoutMs: 2000 });
    expect(r.outcome.kind).toBe('forward');
    expect((r.raw as { headers: Record<string, { value: string }> }).headers['x-esc-0']!.value).toBe('EvalError');
    expect(markers(tmp.path)).toEqual([]);
  });
});

describe('escape paths through the CLI and replay workers', () => {
  it.each(RUNTIMES)('%s: `cfreplay run` of a function trying every path exits 0 with EvalError everywhere and writes nothing', async (runtime) => {
    requireCliBuilt();
    const paths = escapePaths(runtime);
    const fn = join(tmp.path, 'hostile.js');
    const ev = join(tmp.path, 'event.json');
    const kvs = join(tmp.path, 'kvs.json');
    writeFileSync(fn, hostileSource(paths, join(tmp.path, 'escaped'), true));
    writeFileSync(ev, JSON.stringify(vrEvent()));
    writeFileSync(kvs, JSON.stringify({ data: [{ key: 'k', value: '{"a":1}' }] }));
    const args = ['run', fn, '--event', ev, '--runtime', runtime, '--json', '--timeout-ms', '5000'];
    if (runtime === 'cloudfront-js-2.0') args.push('--kvs', kvs);
    const r = await runCli(args, { timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { outcome: { kind: string }; FunctionOutput: string };
    expect(out.outcome.kind).toBe('forward');
    const headers = (JSON.parse(out.FunctionOutput) as { request: { headers: Record<string, { value: string }> } }).request.headers;
    const got = Object.fromEntries(paths.map((p, i) => [p.name, headers[`x-esc-${i}`]?.value]));
    expect(got).toEqual(Object.fromEntries(paths.map((p) => [p.name, 'EvalError'])));
    expect(markers(tmp.path)).toEqual([]);
  });

  it.each(RUNTIMES)('%s: a replay with 2 workers of a function trying every path on every event completes with no difference from EvalError everywhere', async (runtime) => {
    const paths = escapePaths(runtime);
    const hostile = join(tmp.path, 'hostile.js');
    const expected = join(tmp.path, 'expected.js');
    const kvs = join(tmp.path, 'kvs.json');
    writeFileSync(hostile, hostileSource(paths, join(tmp.path, 'escaped'), true));
    writeFileSync(expected, expectedSource(paths));
    writeFileSync(kvs, JSON.stringify({ data: [{ key: 'k', value: '{"a":1}' }] }));
    const corpus = await writeSyntheticCorpus(tmp.path, 60, 15);
    const r = await replay({
      oldPath: expected,
      newPath: hostile,
      corpus,
      workers: 2,
      runtime,
      eventType: 'viewer-request',
      ...(runtime === 'cloudfront-js-2.0' ? { kvsPath: kvs } : {}),
      timeoutMs: 5000,
    });
    // A path that escaped shows as a difference on its header (request.headers.x-esc-<i>).
    expect(r.diffs.map((d) => `${d.path} ${d.signature}`)).toEqual([]);
    expect(r.events).toBe(60);
    expect(r.outcomes.new).toEqual({ forward: 60 });
    expect(r.run.stoppedEarly).toBeFalsy();
    expect(markers(tmp.path)).toEqual([]);
    expect(existsSync(hostile)).toBe(true);
  }, 120_000);
});

/**
 * The realm's promise reactions belong to the call that queued them. The sandbox has its own
 * microtask queue (microtaskMode 'afterEvaluate') drained inside each call, under the call's
 * time limit: an endless chain of reactions started by a synchronous handler is that event's
 * timeout (it used to take over the worker's event loop and hang `replay --workers 2`), and
 * a reaction that changes the returned request runs before the output is read, as in njs,
 * which runs pending jobs before it reads the result.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFunction, type Runtime } from '../../src/runtime/index.js';
import { loadFunctionWith } from '../../src/runtime/engines.js';
import { replay } from '../../src/replay/replay.js';
import { WorkerSandbox } from '../../src/runtime/worker-runner.js';
import { writeSyntheticCorpus } from '../helpers/corpus.js';
import { syntheticRecords } from '../helpers/synthetic.js';
import { useTempDir } from '../helpers/tmp.js';
import { vrEvent } from './helpers.js';

const RUNTIMES: Runtime[] = ['cloudfront-js-1.0', 'cloudfront-js-2.0'];

/** Starts an endless chain of reactions when the URI ends in the given digit; returns the request. */
const chainOn = (digit: string): string => `
function handler(event) {
  var uri = event.request.uri;
  if (uri.charAt(uri.length - 1) === '${digit}') {
    var again = function () { Promise.resolve().then(again); };
    again();
  }
  return event.request;
}
`;

const LATE = `
function handler(event) {
  var r = event.request;
  Promise.resolve().then(function () { r.headers['x-late'] = { value: 'set by a reaction' }; });
  return r;
}
`;

describe('promise reactions run inside their call', () => {
  it.each(RUNTIMES)('%s: an endless chain from a sync handler is a timeout, and the next call is unaffected', (runtime) => {
    const f = loadFunction(chainOn('7'), { runtime });
    const loop = vrEvent();
    (loop as { request: { uri: string } }).request.uri = '/a7';
    const r = f.invoke(loop, { timeoutMs: 100 });
    expect(r).not.toBeInstanceOf(Promise);
    const res = r as Awaited<typeof r>;
    expect(res.outcome.kind === 'execution-error' && res.outcome.reason).toBe('timeout');
    // The next call is unaffected: it gets room (10 s), as a call that must not time out (with
    // 100 ms it was stopped as well, in a process starved by other processes on the cores).
    const next = f.invoke(vrEvent(), { timeoutMs: 10_000 }) as Awaited<typeof r>;
    expect(next.outcome.kind).toBe('forward');
  });

  it('an endless chain inside an async handler is a timeout too', () => {
    const f = loadFunction('async function handler(e) { var again = function () { return Promise.resolve().then(again); }; again(); await null; return e.request; }', { runtime: 'cloudfront-js-2.0' });
    const r = f.invoke(vrEvent(), { timeoutMs: 100 }) as Awaited<ReturnType<typeof f.invoke>>;
    expect(r.outcome.kind === 'execution-error' && r.outcome.reason).toBe('timeout');
  });

  it.each(RUNTIMES)('%s: a reaction that changes the returned request is seen in the output, on both engines', async (runtime) => {
    for (const engine of ['v8', 'njs'] as const) {
      const f = loadFunctionWith(engine, LATE, { runtime });
      const r = await f.invokeAsync(vrEvent());
      const headers = (r.raw as { headers: Record<string, unknown> }).headers;
      expect([engine, headers['x-late']]).toEqual([engine, { value: 'set by a reaction' }]);
    }
  });
});

/**
 * Every way function code can queue a promise job, each setting a header from the job. The
 * untimed call (the replay workers' path) drains the realm's queue only when the call may have
 * queued one: a route the realm does not flag would leave the header out.
 */
const ROUTES: [string, Runtime, string][] = [
  ['then', 'cloudfront-js-1.0', 'Promise.resolve(1).then(set);'],
  ['catch', 'cloudfront-js-1.0', 'Promise.reject(1).catch(set);'],
  ['finally', 'cloudfront-js-1.0', 'Promise.resolve(1).finally(set);'],
  ['executor resolving a thenable', 'cloudfront-js-1.0', 'new Promise(function (res) { res({ then: function () { set(); } }); });'],
  ['Promise.resolve of a thenable', 'cloudfront-js-1.0', 'Promise.resolve({ then: function () { set(); } });'],
  ['Promise.all of a thenable', 'cloudfront-js-1.0', 'Promise.all([{ then: function () { set(); } }]);'],
  ['Promise.race', 'cloudfront-js-1.0', 'Promise.race([{ then: function () { set(); } }]);'],
  ['Promise.allSettled', 'cloudfront-js-2.0', 'Promise.allSettled([{ then: function () { set(); } }]);'],
  ['Promise.any', 'cloudfront-js-2.0', 'Promise.any([{ then: function () { set(); } }]);'],
  ['an async closure', 'cloudfront-js-2.0', 'const f = async () => { await null; set(); }; f();'],
  ['an async function returning a thenable', 'cloudfront-js-2.0', 'async function g() { return { then: function () { set(); } }; } g();'],
];

describe('every route to a promise job is drained inside the call', () => {
  it.each(ROUTES)('%s', (_name, runtime, code) => {
    const src = `function handler(event) {\n  var r = event.request;\n  function set() { r.headers['x-job'] = { value: 'ran' }; }\n  ${code}\n  return r;\n}`;
    const f = loadFunction(src, { runtime });
    const r = f.invoke(vrEvent()) as Awaited<ReturnType<typeof f.invoke>>;
    expect(r.outcome.kind).toBe('forward');
    expect((r.raw as { headers: Record<string, unknown> }).headers['x-job']).toEqual({ value: 'ran' });
  });

  it('an endless chain in the untimed path (a worker under its supervisor) is that call\'s timeout', async () => {
    const w = new WorkerSandbox({ source: chainOn('7'), runtime: 'cloudfront-js-1.0' });
    try {
      await w.ready();
      const loop = vrEvent();
      (loop as { request: { uri: string } }).request.uri = '/a7';
      const a = await w.invoke(loop, { timeoutMs: 300 });
      expect(a.outcome.kind === 'execution-error' && a.outcome.reason).toBe('timeout');
      const b = await w.invoke(vrEvent(), { timeoutMs: 300 });
      expect(b.outcome.kind).toBe('forward');
    } finally {
      await w.close();
    }
  }, 60_000);
});

describe('replay workers and endless reactions', () => {
  const tmp = useTempDir();

  it('a replay with 2 workers completes: the events that start an endless chain are timeouts, the others pass (more stopped calls than maxStoppedCalls, but on a few of many events)', async () => {
    const count = 200;
    // Five events start the endless chain (the other uris ending in 7 get a suffix): with a 1 s
    // budget the wait for them stays short. At 100 ms a passthrough call in a worker starved by
    // other processes could be stopped too (more timeouts than looping events, or an early stop).
    let kept = 0;
    const records = syntheticRecords(count).map((r) => (r.request.uri.endsWith('7') && kept++ >= 5 ? { ...r, request: { ...r.request, uri: `${r.request.uri}-x` } } : r));
    const looping = records.filter((r) => r.request.uri.endsWith('7')).length;
    expect(looping).toBe(5);
    expect(looping).toBeGreaterThan(0);
    expect(looping).toBeLessThan(40);
    const corpus = await writeSyntheticCorpus(tmp.path, count, 50, records);
    const oldPath = join(tmp.path, 'old.js');
    const newPath = join(tmp.path, 'new.js');
    writeFileSync(oldPath, 'function handler(event) { return event.request; }');
    writeFileSync(newPath, chainOn('7'));
    const r = await replay({ oldPath, newPath, corpus, workers: 2, timeoutMs: 1_000, maxStoppedCalls: 3, eventType: 'viewer-request' });
    expect(r.run.stoppedEarly).toBeFalsy();
    expect(r.events).toBe(count);
    expect(r.outcomes.new.timeout).toBe(looping);
    expect(r.outcomes.new.forward).toBe(count - looping);
    expect(r.outcomes.old.forward).toBe(count);
  }, 180_000);

  it('a function that hangs on every event stops the run once the stopped calls pass maxStoppedCalls', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 100, 50);
    const oldPath = join(tmp.path, 'old2.js');
    const newPath = join(tmp.path, 'hang.js');
    writeFileSync(oldPath, 'function handler(event) { return event.request; }');
    writeFileSync(newPath, 'function handler(event) { var again = function () { Promise.resolve().then(again); }; again(); return event.request; }');
    const r = await replay({ oldPath, newPath, corpus, workers: 2, timeoutMs: 100, maxStoppedCalls: 3, eventType: 'viewer-request' });
    expect(r.run.stoppedEarly).toMatch(/^4 function calls were stopped .* in the first \d+ events: the function seems to hang/);
  }, 120_000);
});

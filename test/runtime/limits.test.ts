import { describe, expect, it } from 'vitest';
import { FunctionLoadError, loadFunction, runInWorker, WorkerSandbox } from '../../src/runtime/index.js';
import { fixture, sync, vrEvent } from './helpers.js';

describe('in-process limits', () => {
  it('timeoutMs stops a synchronous infinite loop (reason timeout) and the function stays usable', () => {
    const f = loadFunction('var n = 0; function handler(e) { if (e.request.uri === "/loop") { while (true) {} } return e.request; }');
    const t0 = Date.now();
    const r = sync(f.invoke(vrEvent({ uri: '/loop' }), { timeoutMs: 50 }));
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(r.outcome.kind === 'execution-error' && r.outcome.reason).toBe('timeout');
    expect(sync(f.invoke(vrEvent())).outcome.kind).toBe('forward');
    expect(sync(f.invoke(vrEvent(), { timeoutMs: 1000 })).outcome.kind).toBe('forward');
  });
  it('a promise that never settles is an execution error', async () => {
    const r = await loadFunction('async function handler(e) { await new Promise(function () {}); return e.request; }').invoke(vrEvent());
    expect(r.outcome.kind === 'execution-error' && r.outcome.reason).toBe('never-settled');
  });
  it('async handlers settle inside the call (the realm\'s microtasks are drained before invoke returns), rejections are execution errors', async () => {
    const f = loadFunction('async function two() { return 2; }\nasync function handler(e) { e.request.uri = "/" + (await two()); return e.request; }');
    expect(f.isAsync).toBe(true);
    const r = f.invoke(vrEvent());
    expect(r).not.toBeInstanceOf(Promise);
    expect(((await r).effective as any).request.uri).toBe('/2');
    const rej = await loadFunction('async function handler(e) { throw new TypeError("boom"); }').invoke(vrEvent());
    expect(rej.outcome.kind === 'execution-error' && rej.outcome.error.message).toBe('boom');
  });
  it('overlapping async invocations are serialized (each sees its own clock)', async () => {
    const f = loadFunction('async function handler(e) { await 0; e.request.uri = "/" + Date.now(); await 0; e.request.headers["x-t"] = {value: String(Date.now())}; return e.request; }');
    const [a, b] = await Promise.all([f.invoke(vrEvent(), { now: 1 }), f.invoke(vrEvent(), { now: 2 })]);
    expect((a.raw as any).uri + (a.raw as any).headers['x-t'].value).toBe('/11');
    expect((b.raw as any).uri + (b.raw as any).headers['x-t'].value).toBe('/22');
  });
  it('sync handler returns synchronously with a duration', () => {
    const r = loadFunction(fixture('spa-rewrite.js')).invoke(vrEvent());
    expect(r).not.toBeInstanceOf(Promise);
    expect(sync(r).durationNs).toBeGreaterThan(0);
  });
});

describe('worker runner', () => {
  it('runs a function and returns a plain result', async () => {
    const r = await runInWorker({ source: fixture('spa-rewrite.js') }, vrEvent({ uri: '/x/' }), { now: 5 });
    expect(r.outcome.kind).toBe('forward');
    expect((r.effective as any).request.uri).toBe('/x/index.html');
    expect((r.raw as any).uri).toBe('/x/index.html');
  });
  it('an infinite loop is stopped after the budget (reason timeout); the sandbox restarts for the next event', async () => {
    const w = new WorkerSandbox({ source: 'function handler(e) { if (e.request.uri === "/loop") { while (true) {} } return e.request; }' });
    try {
      const t0 = Date.now();
      const r = await w.invoke(vrEvent({ uri: '/loop' }), { timeoutMs: 150 });
      expect(r.outcome.kind === 'execution-error' && r.outcome.reason).toBe('timeout');
      expect(Date.now() - t0).toBeLessThan(5000);
      expect((await w.invoke(vrEvent())).outcome.kind).toBe('forward');
    } finally {
      await w.close();
    }
  });
  it('unbounded allocation is reported as a memory execution error without taking the host down', async () => {
    const r = await runInWorker({ source: fixture('memory-hog.js') }, vrEvent(), { timeoutMs: 20_000 }, { maxOldGenerationSizeMb: 32 });
    expect(r.outcome.kind === 'execution-error' && r.outcome.reason).toBe('memory');
    expect(r.effective).toEqual({ error: { status: 503, type: 'FunctionExecutionError' } });
  });
  it('load errors reject with FunctionLoadError', async () => {
    await expect(runInWorker({ source: 'class A {}\nfunction handler(e) { return e.request; }', filename: 'c.js' }, vrEvent())).rejects.toThrow(FunctionLoadError);
    await expect(runInWorker({ source: 'class A {}', filename: 'c.js' }, vrEvent())).rejects.toThrow(/c\.js:1:1: SyntaxError: classes/);
  });
});

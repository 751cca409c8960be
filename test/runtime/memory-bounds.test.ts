/**
 * Issue 12, goal 3: memory is bounded per call. Allocations outside the V8
 * heap (ArrayBuffer, typed arrays, Buffer) past the per-call budget make the
 * call a `memory` outcome, caught or not, and the next call runs normally;
 * strings and arrays grown until the heap limit are a `memory` outcome of the
 * worker; a replay of a function that allocates without bound on every event
 * completes, and the CLI's peak RSS (VmHWM of the child process) stays within
 * 1 GiB of a replay of a pass-through function on the same corpus.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFunction, WorkerSandbox, type RunResult, type Runtime } from '../../src/runtime/index.js';
import { ALLOCATION_LIMIT_BYTES } from '../../src/runtime/globals.js';
import { replay } from '../../src/replay/replay.js';
import { requireCliBuilt, startCli } from '../helpers/cli-process.js';
import { writeSyntheticCorpus } from '../helpers/corpus.js';
import { useTempDir } from '../helpers/tmp.js';
import { vrEvent } from './helpers.js';

const tmp = useTempDir();
const reason = (r: RunResult): string => (r.outcome.kind === 'execution-error' ? r.outcome.reason : r.outcome.kind);
const header = (r: RunResult, name: string): string | undefined =>
  (r.raw as { headers?: Record<string, { value: string }> } | undefined)?.headers?.[name]?.value;

const FORWARD_AFTER = `function handler(event) { event.request.headers['x-ok'] = { value: 'yes' }; return event.request; }`;

/** Allocations past the budget (statements run in the handler; `event` in scope). */
const OVER_BUDGET: Record<string, { body: string; runtime: Runtime }> = {
  'a 4 GB ArrayBuffer': { body: 'new ArrayBuffer(4 * 1024 * 1024 * 1024);', runtime: 'cloudfront-js-1.0' },
  'a 4 GB ArrayBuffer, caught': { body: 'try { new ArrayBuffer(4 * 1024 * 1024 * 1024); } catch (e) { }', runtime: 'cloudfront-js-1.0' },
  'a huge Uint8Array': { body: 'new Uint8Array(2147483647);', runtime: 'cloudfront-js-1.0' },
  'a huge Float64Array from a length-like object': { body: 'new Float64Array({ length: 1e9 });', runtime: 'cloudfront-js-1.0' },
  'Uint8Array.from a huge array-like': { body: 'Uint8Array.from({ length: 1e9 });', runtime: 'cloudfront-js-1.0' },
  'many 1 MiB typed arrays kept, each caught': {
    body: 'var kept = []; for (var i = 0; i < 200; i++) { try { kept.push(new Uint8Array(1048576)); } catch (e) { } }',
    runtime: 'cloudfront-js-1.0',
  },
  'subarray/slice copies past the budget': {
    body: 'var a = new Uint8Array(8 * 1048576); var k = []; for (var i = 0; i < 10; i++) k.push(a.slice());',
    runtime: 'cloudfront-js-1.0',
  },
  'Buffer.alloc(1e9)': { body: 'Buffer.alloc(1e9);', runtime: 'cloudfront-js-2.0' },
  'Buffer.allocUnsafe(1e9), caught': { body: 'try { Buffer.allocUnsafe(1e9); } catch (e) { }', runtime: 'cloudfront-js-2.0' },
  'Buffer.concat growing past the budget': {
    body: "var b = Buffer.alloc(1048576, 'a'); for (var i = 0; i < 40; i++) b = Buffer.concat([b, Buffer.alloc(1048576)]);",
    runtime: 'cloudfront-js-2.0',
  },
  'TextEncoder output past the budget': {
    // (the in-realm encoder takes ~0.2 s per MiB: fill most of the budget first)
    body: "var k = [new Uint8Array(31 * 1048576)]; k.push(new TextEncoder().encode('x'.repeat(2 * 1048576)));",
    runtime: 'cloudfront-js-2.0',
  },
};

describe('per-call allocation budget (in process)', () => {
  it('is 32 MiB', () => {
    expect(ALLOCATION_LIMIT_BYTES).toBe(32 * 1024 * 1024);
  });

  it.each(Object.entries(OVER_BUDGET))('%s is a memory outcome and the next call runs normally', async (_name, { body, runtime }) => {
    const f = loadFunction(`function handler(event) {
  if (event.request.uri === '/hog') { ${body} }
  event.request.headers['x-ok'] = { value: 'yes' };
  return event.request;
}`, { runtime });
    const hog = await f.invokeAsync(vrEvent({ uri: '/hog' }), { timeoutMs: 5000 });
    expect(reason(hog)).toBe('memory');
    expect(hog.outcome.kind === 'execution-error' && hog.outcome.error.name).toBe('MemoryError');
    const next = await f.invokeAsync(vrEvent({ uri: '/next' }), { timeoutMs: 5000 });
    expect(next.outcome.kind).toBe('forward');
    expect(header(next, 'x-ok')).toBe('yes');
  });

  it('allocations within the budget on every call never add up across calls', async () => {
    const f = loadFunction(`function handler(event) {
  var k = []; for (var i = 0; i < 24; i++) { var a = new Uint8Array(1048576); a[0] = i; k.push(a); }
  event.request.headers['x-n'] = { value: String(k.length) };
  return event.request;
}`, { runtime: 'cloudfront-js-1.0' });
    for (let i = 0; i < 10; i++) {
      const r = await f.invokeAsync(vrEvent(), { timeoutMs: 5000 });
      expect(r.outcome.kind).toBe('forward');
      expect(header(r, 'x-n')).toBe('24');
    }
  });
});

describe('heap exhaustion in a worker', () => {
  it.each([
    ['growing strings', "var s = 'x', a = []; for (;;) { s = s + s + event.request.uri; a.push(s); if (s.length > 1e7) s = 'y' + a.length; }"],
    ['growing arrays of objects', 'var a = []; for (;;) a.push({ i: a.length, s: "v" + a.length });'],
  ])('%s: a memory outcome, and the same sandbox runs the next event', async (_name, body) => {
    const w = new WorkerSandbox({ source: `function handler(event) { if (event.request.uri === '/hog') { ${body} } event.request.headers['x-ok'] = { value: 'yes' }; return event.request; }`, runtime: 'cloudfront-js-1.0' }, { maxOldGenerationSizeMb: 48 });
    try {
      const hog = await w.invoke(vrEvent({ uri: '/hog' }), { timeoutMs: 30_000 });
      expect(reason(hog)).toBe('memory');
      const next = await w.invoke(vrEvent({ uri: '/next' }), { timeoutMs: 30_000 });
      expect(next.outcome.kind).toBe('forward');
      expect(header(next, 'x-ok')).toBe('yes');
    } finally {
      await w.close();
    }
  }, 90_000);
});

/** A function that allocates without bound on every event (budgeted buffers, then the heap). */
const HOG_BUFFERS = `function handler(event) {
  var kept = [];
  try { kept.push(new ArrayBuffer(4 * 1024 * 1024 * 1024)); } catch (e) { }
  try { kept.push(Buffer.alloc(1e9)); } catch (e) { }
  for (var i = 0; i < 64; i++) { try { var a = new Uint8Array(1048576); a.fill(i); kept.push(a); } catch (e) { } }
  event.request.headers['x-kept'] = { value: String(kept.length) };
  return event.request;
}
`;
// Flat strings (toUpperCase copies) and dense arrays: the heap fills in a few hundred steps.
const HOG_HEAP = `function handler(event) {
  var big = 'x'.repeat(1048576), a = [];
  for (var i = 0; ; i++) { a.push((big + i).toUpperCase()); a.push(new Array(65536).fill(i)); }
}
`;

describe('replays of functions that allocate without bound on every event', () => {
  it('budgeted buffers: every NEW call is a memory outcome and the replay completes (2 workers)', async () => {
    const old = join(tmp.path, 'old.js');
    const hog = join(tmp.path, 'hog.js');
    writeFileSync(old, FORWARD_AFTER.replace('function handler', '// cloudfront-js-2.0\nfunction handler'));
    writeFileSync(hog, HOG_BUFFERS);
    const corpus = await writeSyntheticCorpus(tmp.path, 80, 20);
    const r = await replay({ oldPath: old, newPath: hog, corpus, workers: 2, runtime: 'cloudfront-js-2.0', eventType: 'viewer-request', timeoutMs: 5000 });
    expect(r.events).toBe(80);
    expect(r.outcomes.new).toEqual({ memory: 80 });
    expect(r.outcomes.old).toEqual({ forward: 80 });
    expect(r.run.stoppedEarly).toBeFalsy();
  }, 120_000);

  it('heap exhaustion: every NEW call is a memory outcome and the replay completes (2 workers)', async () => {
    const old = join(tmp.path, 'old.js');
    const hog = join(tmp.path, 'hog.js');
    writeFileSync(old, FORWARD_AFTER);
    writeFileSync(hog, HOG_HEAP);
    const corpus = await writeSyntheticCorpus(tmp.path, 6, 2);
    const r = await replay({
      oldPath: old, newPath: hog, corpus, workers: 2, runtime: 'cloudfront-js-1.0', eventType: 'viewer-request',
      timeoutMs: 20_000, maxHeapMb: 64,
    });
    expect(r.events).toBe(6);
    expect(r.outcomes.new).toEqual({ memory: 6 });
    expect(r.outcomes.old).toEqual({ forward: 6 });
    expect(r.run.stoppedEarly).toBeFalsy();
  }, 180_000);
});

/** Run the CLI; sample the child's VmHWM (peak RSS, kB) until it exits. */
async function peakRssKb(args: string[]): Promise<{ code: number | string; peakKb: number; stderr: string }> {
  const run = startCli(args, { env: { FORCE_COLOR: '0' } });
  let peak = 0;
  const sample = (): void => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${run.child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]));
    } catch {
      /* exited */
    }
  };
  const timer = setInterval(sample, 25);
  const kill = setTimeout(() => run.child.kill('SIGKILL'), 240_000);
  // The last sample before exit: 'exit' fires while /proc/<pid> may still be readable.
  run.child.on('exit', sample);
  const code = await run.exit;
  clearInterval(timer);
  clearTimeout(kill);
  return { code, peakKb: peak, stderr: run.stderr() };
}

describe('peak RSS of `cfreplay replay --workers 2` (child process)', () => {
  it('stays within 1 GiB of a pass-through replay whatever the function allocates', async () => {
    requireCliBuilt();
    const pass = join(tmp.path, 'pass.js');
    const bufHog = join(tmp.path, 'buf-hog.js');
    const heapHog = join(tmp.path, 'heap-hog.js');
    writeFileSync(pass, '// cloudfront-js-2.0\nfunction handler(event) { return event.request; }\n');
    writeFileSync(bufHog, HOG_BUFFERS);
    writeFileSync(heapHog, HOG_HEAP);
    const corpus = await writeSyntheticCorpus(tmp.path, 200, 50);
    // Heap exhaustion takes seconds per call (last-resort GCs, a new worker): a few events show the peak.
    const small = join(tmp.path, 'small');
    mkdirSync(small);
    const smallCorpus = await writeSyntheticCorpus(small, 8, 2);
    const common = ['replay', '--old', pass, '--workers', '2', '--event-type', 'viewer-request', '--runtime', 'cloudfront-js-2.0'];
    const base = await peakRssKb([...common, '--corpus', corpus, '--new', pass]);
    expect(base.code).toBe(0);
    const buf = await peakRssKb([...common, '--corpus', corpus, '--new', bufHog, '--timeout-ms', '5000']);
    expect(buf.stderr).not.toMatch(/FATAL|out of memory/i);
    expect(buf.code).toBe(1); // every NEW call is a memory outcome: a difference
    const heap = await peakRssKb([...common, '--corpus', smallCorpus, '--new', heapHog, '--timeout-ms', '20000']);
    expect(heap.stderr).not.toMatch(/FATAL ERROR/);
    expect(heap.code).toBe(1);
    expect(base.peakKb).toBeGreaterThan(10_000);
    const GiB = 1024 * 1024;
    expect(buf.peakKb - base.peakKb).toBeLessThan(GiB);
    expect(heap.peakKb - base.peakKb).toBeLessThan(GiB);
    if (process.env.CFREPLAY_PRINT_RSS) console.log(`peak RSS kB: pass-through ${base.peakKb}, buffer hog ${buf.peakKb} (+${buf.peakKb - base.peakKb}), heap hog ${heap.peakKb} (+${heap.peakKb - base.peakKb})`);
  }, 600_000);
});

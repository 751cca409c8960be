/**
 * The example functions and the fixture functions give the same outputs on
 * both engines, in each runtime they load in, over the sample corpus and the
 * fixture events (issues 13, point 7, and 14). The one known
 * difference, listed here: njs prints some doubles with other last digits
 * than V8 (its dtoa is not always the shortest form; Debian's native njs
 * prints the same), so a function that writes String(Math.random()) into a
 * header differs in the text of ~13% of its values although both engines
 * draw the same numbers. Errors carry no line/column/stack in the njs engine
 * (njs runs without backtraces): they compare by name and message.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FunctionLoadError, loadFunction, parseKvsSnapshot, type LoadedFunction, type RunResult, type Runtime } from '../../../src/runtime/index.js';
import { loadNjsFunction } from '../../../src/runtime/njs/loader.js';
import { openCorpus } from '../../../src/store/index.js';
import { toEvent } from '../../../src/event/views.js';
import type { RecordedExchange } from '../../../src/event/types.js';

const root = new URL('../../../', import.meta.url);
const dirs = ['examples/', 'test/fixtures/functions/', 'test/fixtures/replay/'];
const RUNTIMES: Runtime[] = ['cloudfront-js-1.0', 'cloudfront-js-2.0'];
// Memory hogs would take this test process's V8 heap (test/runtime/limits and memory tests run them in workers).
const SKIP = /memory-hog|oom-on/;
// Functions that loop forever on some events: compared on a few events by outcome kind and reason
// (the V8 engine under a wall-clock limit, the njs engine under its step budget).
const BOUNDED = /infinite-loop|hang-on/;
// Header values that are String(number): compared as numbers (see above).
const NUMBER_TEXT = new Set(['x-request-token']);

// Errors compare by name and message: the V8 engine adds a position and a stack, and
// v8Message holds each engine's own text.
const outcome = (r: RunResult): unknown =>
  r.outcome.kind === 'execution-error' ? { ...r.outcome, error: { name: r.outcome.error.name, message: r.outcome.error.message } } : r.outcome;
const norm = (r: RunResult): string =>
  JSON.stringify({ o: outcome(r), e: r.effective, l: r.logs, s: r.sideEffects }, (k, v: unknown) => {
    if (NUMBER_TEXT.has(k.toLowerCase()) && Array.isArray(v)) return v.map(Number);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v;
  });
const kindAndReason = (r: RunResult): string => (r.outcome.kind === 'execution-error' ? `execution-error/${r.outcome.reason}` : r.outcome.kind);

function loadError(load: () => LoadedFunction): string | LoadedFunction {
  try {
    return load();
  } catch (e) {
    if (e instanceof FunctionLoadError) return e.message;
    throw e;
  }
}

describe('njs engine vs V8 engine: every example and fixture function, in each runtime, over the sample corpus and the fixture events', async () => {
  const corpus = await openCorpus(new URL('recordings/sample.cfr', root).pathname);
  const records: RecordedExchange[] = [];
  for await (const r of corpus.records()) {
    records.push(r);
    if (records.length >= 60) break;
  }
  await corpus.close();
  const fixtureEvent = (name: string): unknown => JSON.parse(readFileSync(new URL(`test/fixtures/events/${name}`, root), 'utf8'));
  const kvs = parseKvsSnapshot(JSON.parse(readFileSync(new URL('test/fixtures/kvs/secrets.json', root), 'utf8')), 'secrets.json');
  const files = dirs.flatMap((d) => readdirSync(new URL(d, root)).map((f) => d + f)).filter((f) => f.endsWith('.js') && !SKIP.test(f));
  const cases = files.flatMap((f) => RUNTIMES.map((rt) => [f, rt] as const));

  /** [event, invoke options] pairs for a viewer function: the corpus records as both event types, then the fixture events. */
  const viewerEvents = (): [unknown, { now: number; seed: number; rawQuery?: string }][] => {
    const out: [unknown, { now: number; seed: number; rawQuery?: string }][] = [];
    for (const r of records) {
      for (const type of ['viewer-request', 'viewer-response'] as const) {
        const ev = toEvent(r, type);
        if (ev !== undefined) out.push([ev, { now: r.time, seed: r.time, ...(r.rawQuery !== undefined ? { rawQuery: r.rawQuery } : {}) }]);
      }
    }
    out.push([fixtureEvent('viewer-request.json'), { now: 1_700_000_000_000, seed: 7 }], [fixtureEvent('viewer-response.json'), { now: 1_700_000_000_000, seed: 7 }]);
    return out;
  };

  it.each(cases)('%s (%s)', async (file, runtime) => {
    const source = readFileSync(new URL(file, root), 'utf8');
    const v8 = loadError(() => loadFunction(source, { filename: file, kvs, runtime }));
    // A smaller step budget for the functions that loop forever (the outcome is the same, sooner).
    const njs = loadError(() => loadNjsFunction(source, { filename: file, kvs, runtime, ...(BOUNDED.test(file) ? { stepLimit: 1_000_000 } : {}) }));
    if (typeof v8 === 'string' || typeof njs === 'string') {
      // Refused: by both engines, with the same message (the syntax gate is shared; njs's own parser must not refuse more).
      expect(njs).toBe(v8);
      return;
    }
    if (BOUNDED.test(file)) {
      const uri = (ev: unknown): string => (ev as { request: { uri: string } }).request.uri;
      const all = viewerEvents();
      const events = [all.find(([ev]) => uri(ev) === '/search')!, all.find(([ev]) => uri(ev) !== '/search')!];
      for (const [ev, opts] of events) {
        const a = await v8.invokeAsync(structuredClone(ev), { ...opts, timeoutMs: 300 });
        const b = njs.invoke(structuredClone(ev), opts) as RunResult;
        expect(kindAndReason(b), `${file} on ${uri(ev)}`).toBe(kindAndReason(a));
      }
      return;
    }
    const events: [unknown, { now: number; seed: number; rawQuery?: string }][] =
      v8.kind === 'connection' ? [[fixtureEvent('connection.json'), { now: 1_700_000_000_000, seed: 7 }]] : viewerEvents();
    let compared = 0;
    for (const [ev, opts] of events) {
      const a = await v8.invokeAsync(structuredClone(ev), opts);
      const b = njs.invoke(structuredClone(ev), opts) as RunResult;
      expect(norm(b), `${file} (${runtime}) on event ${compared}`).toBe(norm(a));
      compared++;
    }
    expect(compared).toBe(events.length);
  });
});

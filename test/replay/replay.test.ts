import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replay } from '../../src/replay/replay.js';
import { openCorpusFile, CHUNK_HEADER_SIZE } from '../../src/store/index.js';
import { syntheticRecords, syntheticRecordsWithSearches } from '../helpers/synthetic.js';
import { writeSyntheticCorpus } from '../helpers/corpus.js';
import { useTempDir } from '../helpers/tmp.js';

/** The AWS SPA-rewrite sample (shared with the runtime tests). */
const SPA = new URL('../fixtures/functions/spa-rewrite.js', import.meta.url).pathname;
const fx = (name: string) => new URL(`../fixtures/replay/${name}`, import.meta.url).pathname;
const tmp = useTempDir();

describe('replay', () => {
  it('finds no difference between a function and itself', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 1200);
    const r = await replay({ oldPath: SPA, newPath: SPA, corpus, workers: 2 });
    expect(r.events).toBe(1200);
    expect(r.changed).toBe(0);
    expect(r.unchanged).toBe(1200);
    expect(r.diffs).toEqual([]);
    expect(r.outcomes.old).toEqual({ forward: 1200 });
    expect(r.gate.passed).toBe(true);
    expect(r.latency.old.count).toBe(1200);
    expect(r.latency.new.count).toBe(1200);
    // time to the first call, within the run; the process start-up is the CLI's to report
    expect(r.run.firstEventMs).toBeGreaterThanOrEqual(0);
    expect(r.run.firstEventMs).toBeLessThanOrEqual(r.run.durationMs);
    expect(r.run.startupMs).toBeUndefined();
  });

  it('hands its report to onReport before it resolves (the workers torn down meanwhile), and rejects with its error', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 300);
    const seen: unknown[] = [];
    const r = await replay({ oldPath: SPA, newPath: SPA, corpus, workers: 2, onReport: (report) => void seen.push(report) });
    expect(seen).toEqual([r]);
    expect(seen[0]).toBe(r);
    const late = replay({
      oldPath: SPA,
      newPath: SPA,
      corpus,
      workers: 2,
      onReport: async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new Error('cannot write the report');
      },
    });
    await expect(late).rejects.toThrow('cannot write the report');
  });

  it('groups the effect of a fix by path and signature, with routes and examples', async () => {
    const records = syntheticRecords(1500);
    const corpus = await writeSyntheticCorpus(tmp.path, 1500, 400, records);
    const r = await replay({ oldPath: SPA, newPath: fx('spa-fixed.js'), corpus, workers: 2 });
    const api = records.filter((x) => x.request.uri.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(100);
    expect(r.changed).toBe(api.length);
    expect(r.diffs).toHaveLength(1);
    const g = r.diffs[0]!;
    expect(g.path).toBe('request.uri');
    expect(g.kind).toBe('changed');
    expect(g.risk).toBe('high');
    expect(g.count).toBe(api.length);
    expect(g.share).toBeCloseTo(api.length / 1500, 6);
    expect(g.routes).toEqual([{ route: '/api/v1/users/:id/orders', count: api.length }]);
    // examples are the first affected events in corpus order, with their values
    const firstApi = records.findIndex((x) => x.request.uri.startsWith('/api/'));
    expect(g.examples[0]!.position).toBe(firstApi);
    expect(g.examples[0]!.eventId).toBe(records[firstApi]!.id);
    expect(g.examples[0]!.old).toBe(`${records[firstApi]!.request.uri}/index.html`);
    expect(g.examples[0]!.new).toBe(records[firstApi]!.request.uri);
    expect(r.gate.passed).toBe(false);
    expect(r.samples.some((s) => s.eventId === records[firstApi]!.id)).toBe(true);
  });

  it('gives the same report with 1 and 2 workers', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 1500, 300);
    // A generous time budget: on a machine starved by other work one call past 250 ms made the runs differ by an event.
    const newPath = new URL('../../examples/spa-rewrite-v2.js', import.meta.url).pathname;
    const one = await replay({ oldPath: SPA, newPath, corpus, workers: 1, timeoutMs: 5000 });
    const two = await replay({ oldPath: SPA, newPath, corpus, workers: 2, timeoutMs: 5000 });
    expect(one.outcomes.new.timeout ?? 0).toBe(0);
    const shape = (x: typeof one) => ({ changed: x.changed, outcomes: x.outcomes, transitions: x.outcomeTransitions, diffs: x.diffs });
    expect(shape(two)).toEqual(shape(one));
    expect(one.outcomeTransitions.find((t) => t.from === 'forward' && t.to === 'response')?.count).toBeGreaterThan(0);
  });

  it('reports a field that differs between two runs of OLD as noise, apart from real changes', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 800);
    const r = await replay({ oldPath: fx('random-old.js'), newPath: fx('random-new.js'), corpus, workers: 1 });
    expect(r.noise.map((n) => n.path)).toEqual(['request.headers.x-request-token']);
    expect(r.noise[0]!.noisyCount).toBe(800);
    expect(r.diffs.map((d) => [d.path, d.kind, d.risk])).toEqual([['request.headers.x-version', 'added', 'low']]);
    expect(r.changed).toBe(800);
    // without the noise check the random header is reported as a change
    const raw = await replay({ oldPath: fx('random-old.js'), newPath: fx('random-new.js'), corpus, workers: 1, noise: false });
    expect(raw.diffs.some((d) => d.path === 'request.headers.x-request-token')).toBe(true);
  });

  it('leaves out ignored paths', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 300);
    const r = await replay({ oldPath: fx('random-old.js'), newPath: fx('random-new.js'), corpus, workers: 1, ignore: ['request.headers.x-version'] });
    expect(r.diffs).toEqual([]);
    expect(r.changed).toBe(0);
    expect(r.options.ignore).toEqual(['request.headers.x-version']);
  });

  it('stops a call that hangs, counts it as a timeout, and goes on', async () => {
    // A budget well above a normal call even on a loaded machine: a descheduled
    // worker thread must not be mistaken for a hanging function (at 150 ms, a passthrough call
    // in a worker starved by other processes was stopped: one timeout more than searches).
    // The hanging calls are stopped whatever the budget; six of them keep the wait short.
    const records = syntheticRecordsWithSearches(200, 6);
    const corpus = await writeSyntheticCorpus(tmp.path, 200, 100, records);
    const searches = records.filter((x) => x.request.uri === '/search').length;
    expect(searches).toBe(6);
    const r = await replay({ oldPath: fx('passthrough.js'), newPath: fx('hang-on-search.js'), corpus, workers: 2, timeoutMs: 1_000, maxStoppedCalls: 1000 });
    expect(r.events).toBe(200);
    expect(r.outcomes.new['timeout']).toBe(searches);
    expect(r.outcomes.new['forward']).toBe(200 - searches);
    expect(r.outcomeTransitions).toEqual([{ from: 'forward', to: 'timeout', count: searches }]);
    expect(r.errors.new[0]).toMatchObject({ outcome: 'timeout', count: searches });
    expect(r.diffs[0]).toMatchObject({ path: 'outcome', risk: 'high', count: searches });
    expect(r.latency.new.count).toBe(200 - searches); // stopped calls are not timed
  }, 60_000);

  it('stops the run with a clear reason when a function hangs on most events', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 600, 200);
    // The stop rule is under test, not the budget: 1 s stays above the first (cold) call of a
    // passthrough in a new worker on a loaded machine, while a spare worker boots beside it
    // (100 ms did not, with the worker thread starved by other processes).
    const r = await replay({ oldPath: fx('passthrough.js'), newPath: new URL('../fixtures/functions/infinite-loop.js', import.meta.url).pathname, corpus, workers: 1, timeoutMs: 1_000, maxStoppedCalls: 3 });
    expect(r.run.stoppedEarly).toMatch(/^4 function calls were stopped \(time budget 1000 ms or memory limit\) in the first 4 events: the function seems to hang/);
    expect(r.gate.passed).toBe(false);
    expect(r.gate.checks.find((c) => c.name === 'completed')?.passed).toBe(false);
  }, 60_000);

  it('turns unbounded allocation into a memory outcome without taking the tool down', async () => {
    const records = syntheticRecords(300);
    const corpus = await writeSyntheticCorpus(tmp.path, 300, 100, records);
    const searches = records.filter((x) => x.request.uri === '/search').length;
    const r = await replay({ oldPath: fx('passthrough.js'), newPath: fx('oom-on-search.js'), corpus, workers: 1, maxHeapMb: 32, timeoutMs: 5000, maxStoppedCalls: 1000 });
    expect(r.events).toBe(300);
    expect(r.outcomes.new['memory']).toBe(searches);
  }, 120_000);

  it('reports a function that throws on every event', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 400);
    const r = await replay({ oldPath: fx('passthrough.js'), newPath: fx('throws.js'), corpus, workers: 2 });
    expect(r.outcomes.new).toEqual({ 'execution-error': 400 });
    expect(r.errors.new).toHaveLength(1);
    expect(r.errors.new[0]!.message).toMatch(/cannot get property "here" of undefined/);
    expect(r.errors.new[0]!.count).toBe(400);
    expect(r.changed).toBe(400);
  });

  it('refuses a function that fails to load, naming line and column', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 10);
    await expect(replay({ oldPath: SPA, newPath: fx('broken.js'), corpus })).rejects.toThrow(/broken\.js:2:\d+: .*destructuring/i);
    await expect(replay({ oldPath: fx('missing.js'), newPath: SPA, corpus })).rejects.toThrow(/missing\.js: OLD function not found/);
    await expect(replay({ oldPath: SPA, newPath: SPA, corpus: join(tmp.path, 'nope.cfr') })).rejects.toThrow(/nope\.cfr: corpus file not found/);
  });

  it('skips a corrupt chunk, says so, and replays the rest', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 1000, 250);
    const c = await openCorpusFile(corpus);
    const bad = c.chunks[1]!;
    await c.close();
    const bytes = readFileSync(corpus);
    bytes[bad.offset + CHUNK_HEADER_SIZE + 100]! ^= 0xff;
    writeFileSync(corpus, bytes);
    const r = await replay({ oldPath: SPA, newPath: SPA, corpus, workers: 2 });
    expect(r.events).toBe(750);
    expect(r.skipped['corrupt chunk']).toBe(250);
    expect(r.run.problems.join('\n')).toMatch(new RegExp(`chunk 1 at byte ${bad.offset} is corrupt`));
  });

  it('replays viewer-response functions on eligible responses only, inferring the event type', async () => {
    const records = syntheticRecords(800);
    const corpus = await writeSyntheticCorpus(tmp.path, 800, 200, records);
    const eligible = records.filter((x) => x.response !== undefined && x.response.statusCode >= 200 && x.response.statusCode < 400).length;
    const r = await replay({ oldPath: fx('security-headers.js'), newPath: fx('security-headers-v2.js'), corpus, workers: 2 });
    expect(r.eventType).toBe('viewer-response');
    expect(r.events).toBe(eligible);
    expect(r.skipped['viewer-response not run: origin status >= 400']).toBe(800 - eligible);
    expect(r.diffs.map((d) => [d.path, d.kind, d.risk, d.count])).toEqual([['response.headers.x-frame-options', 'added', 'low', eligible]]);
    expect(r.outcomes.old).toEqual({ 'modified-response': eligible });
  });

  it('asks for the event type when the two functions disagree', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 10);
    await expect(replay({ oldPath: SPA, newPath: fx('security-headers.js'), corpus })).rejects.toThrow(/--event-type/);
  });

  it('passes the gate within --max-diff-rate and fails above it', async () => {
    const records = syntheticRecords(1000);
    const corpus = await writeSyntheticCorpus(tmp.path, 1000, 250, records);
    const share = records.filter((x) => x.request.uri.startsWith('/api/')).length / 1000;
    const pass = await replay({ oldPath: SPA, newPath: fx('spa-fixed.js'), corpus, workers: 1, maxDiffRate: share + 0.01 });
    expect(pass.gate.passed).toBe(true);
    const fail = await replay({ oldPath: SPA, newPath: fx('spa-fixed.js'), corpus, workers: 1, maxDiffRate: share - 0.01 });
    expect(fail.gate.passed).toBe(false);
    expect(fail.gate.checks[0]).toMatchObject({ name: 'diff-rate', passed: false });
  });
});

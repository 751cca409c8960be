import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cfreplay } from '../helpers/cli.js';
import { writeSyntheticCorpus } from '../helpers/corpus.js';
import { useTempDir } from '../helpers/tmp.js';
import type { ReplayReport } from '../../src/results/types.js';

/** The AWS SPA-rewrite sample (shared with the runtime tests). */
const SPA = new URL('../fixtures/functions/spa-rewrite.js', import.meta.url).pathname;
const fx = (name: string) => new URL(`../fixtures/replay/${name}`, import.meta.url).pathname;
const tmp = useTempDir();

describe('cfreplay replay (CLI)', () => {
  it('exits 0 without differences and 1 with, writing the JSON report', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 600, 200);
    const same = cfreplay(['replay', '--old', SPA, '--new', SPA, '--corpus', corpus]);
    expect(same.stderr).toBe('');
    expect(same.status).toBe(0);
    expect(same.stdout).toMatch(/differences: none/);
    expect(same.stdout).toMatch(/PASSED/);

    const json = join(tmp.path, 'report.json');
    const diff = cfreplay(['replay', '--old', SPA, '--new', fx('spa-fixed.js'), '--corpus', corpus, '--json', json]);
    expect(diff.status).toBe(1);
    expect(diff.stdout).toMatch(/HIGH\s+request\.uri changed/);
    expect(diff.stdout).toMatch(/latency per call/);
    expect(diff.stdout).toMatch(/FAILED/);
    const report = JSON.parse(readFileSync(json, 'utf8')) as ReplayReport;
    expect(report.schema).toBe('cfreplay-report/1');
    expect(report.events).toBe(600);
    expect(report.changed).toBeGreaterThan(0);
    expect(report.diffs[0]!.path).toBe('request.uri');
    expect(report.functions.new.sha256).toMatch(/^[0-9a-f]{64}$/);
    // the summary shows the same count as the JSON
    expect(diff.stdout).toContain(`${report.changed.toLocaleString('en-US')} changed`);
    // the start-up budget: process start to replay start, replay start to the first call (within the run)
    expect(report.run.startupMs).toBeGreaterThan(0);
    expect(report.run.firstEventMs).toBeGreaterThanOrEqual(0);
    expect(report.run.firstEventMs).toBeLessThanOrEqual(report.run.durationMs);
    expect(diff.stdout).toContain(`first call after ${report.run.firstEventMs!.toLocaleString('en-US')} ms`);
  });

  it('passes within --max-diff-rate given as a percentage', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 400, 200);
    const r = cfreplay(['replay', '--old', SPA, '--new', fx('spa-fixed.js'), '--corpus', corpus, '--max-diff-rate', '60%']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/pass diff-rate/);
  });

  it('gives one-line errors with exit 2 for usage and input mistakes', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 10, 10);
    const cases: [string[], RegExp][] = [
      [['replay', '--old', SPA, '--corpus', corpus], /Missing required argument: new/],
      [['replay', '--old', fx('nope.js'), '--new', SPA, '--corpus', corpus], /nope\.js: OLD function not found/],
      [['replay', '--old', SPA, '--new', fx('broken.js'), '--corpus', corpus], /broken\.js:2:\d+/],
      [['replay', '--old', SPA, '--new', SPA, '--corpus', join(tmp.path, 'x.cfr')], /x\.cfr: corpus file not found/],
      [['replay', '--old', SPA, '--new', SPA, '--corpus', SPA], /spa-rewrite\.js: not a cfreplay corpus/],
      [['replay', '--old', SPA, '--new', SPA, '--corpus', tmp.path], /: is a directory, expected a corpus file$/m],
      [['replay', '--old', SPA, '--new', SPA, '--corpus', corpus, '--max-diff-rate', 'lots'], /--max-diff-rate: expected/],
      [['replay', '--old', SPA, '--new', SPA, '--corpus', corpus, '--ignore', 'outcome'], /outcome/],
      [['replay', '--old', SPA, '--new', fx('security-headers.js'), '--corpus', corpus], /--event-type/],
    ];
    for (const [args, message] of cases) {
      const r = cfreplay(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
    }
  });
});

describe('cfreplay inspect and cat (CLI)', () => {
  it('summarises a corpus and prints events as JSON lines', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 300, 100);
    const inspect = cfreplay(['inspect', corpus]);
    expect(inspect.status).toBe(0);
    expect(inspect.stdout).toMatch(/events\s+300 viewer-request, \d+ viewer-response/);
    expect(inspect.stdout).toMatch(/integrity\s+ok/);
    const json = JSON.parse(cfreplay(['inspect', corpus, '--json']).stdout) as { records: number; chunks: number };
    expect(json).toMatchObject({ records: 300, chunks: 3 });

    const cat = cfreplay(['cat', corpus, '--limit', '5']);
    expect(cat.status).toBe(0);
    const lines = cat.stdout.trim().split('\n').map((l) => JSON.parse(l) as { version: string; context: { eventType: string }; request: { uri: string } });
    expect(lines).toHaveLength(5);
    expect(lines[0]!.version).toBe('1.0');
    expect(lines[0]!.context.eventType).toBe('viewer-request');
    const vr = cfreplay(['cat', corpus, '--event-type', 'viewer-response', '--limit', '3']);
    for (const l of vr.stdout.trim().split('\n')) expect((JSON.parse(l) as { response: { statusCode: number } }).response.statusCode).toBeLessThan(400);
  });

  it('reports a corrupt chunk on stderr, prints the rest, and exits 2', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 300, 100);
    const bytes = readFileSync(corpus);
    bytes[bytes.length - 400]! ^= 0xff; // inside the last chunk's payload
    writeFileSync(corpus, bytes);
    const cat = cfreplay(['cat', corpus]);
    expect(cat.status).toBe(2);
    expect(cat.stdout.trim().split('\n')).toHaveLength(200);
    expect(cat.stderr).toMatch(/chunk 2 at byte \d+ is corrupt/);
    const inspect = cfreplay(['inspect', corpus]);
    expect(inspect.status).toBe(2);
    expect(inspect.stdout).toMatch(/1 problem/);
  });
});

describe('cfreplay run on a corpus record (CLI)', () => {
  it('runs record N with its capture time as the clock, and refuses an index past the end', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 50, 20);
    const ok = cfreplay(['run', SPA, '--event', corpus, '--index', '42', '--json']);
    expect(ok.status).toBe(0);
    const out = JSON.parse(ok.stdout) as { outcome: { kind: string }; now: number };
    expect(out.outcome.kind).toBe('forward');
    const cat = cfreplay(['cat', corpus, '--records']);
    const record = JSON.parse(cat.stdout.trim().split('\n')[42]!) as { time: number };
    expect(ok.stdout).toContain(String(record.time));
    const past = cfreplay(['run', SPA, '--event', corpus, '--index', '50']);
    expect(past.status).toBe(2);
    expect(past.stderr).toMatch(/no record at --index 50 \(the corpus holds 50\)/);
  });
});

// `record gor|cflog|events -` reads standard input through a pipe, exactly as the same file would be read
// (HAR's `-` is tested in har.test.ts). The bin runs dist/: `npm test` builds it first.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { generateRequests, legacyLog, v2Parquet, EVENT_FIELDS } from '../helpers/cflog-v2-gen.js';
import { requireCliBuilt, root, bin } from '../helpers/cli-process.js';
import { useTempDir } from '../helpers/tmp.js';

requireCliBuilt();
const fixtures = join(root, 'test/fixtures');

/** Run the CLI with `input` on a pipe as standard input. */
function run(args: string[], input: Buffer | string, cwd: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { input, cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The JSON summary of recording `args` (a file or "-"), as the CLI prints it. */
function summary(args: string[], input: Buffer | string, cwd: string) {
  const r = run([...args, '--dry-run', '--json-summary', '--quiet'], input, cwd);
  expect(r.stderr).not.toMatch(/^cfreplay: (?!warning: )/m);
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { recordsWritten: number; entriesRead: number; skipped: { total: number } };
}

/** Events of a written corpus, as `cat` prints them, without the request id (generated from the input's name). */
function events(corpus: string, cwd: string): unknown[] {
  const r = run(['cat', corpus], '', cwd);
  expect(r.code).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => {
      const e = JSON.parse(l) as { context?: { requestId?: string } };
      if (e.context !== undefined) delete e.context.requestId;
      return e;
    });
}

describe('record <source> - (standard input on a pipe)', () => {
  const tmp = useTempDir();

  it('gor: the same records as the file, plain and gzip-compressed', () => {
    const file = join(fixtures, 'gor/sessions-3field.gor');
    const bytes = readFileSync(file);
    const fromFile = summary(['record', 'gor', file], '', tmp.path);
    expect(fromFile.recordsWritten).toBe(24);
    const fromStdin = summary(['record', 'gor', '-'], bytes, tmp.path);
    expect([fromStdin.entriesRead, fromStdin.recordsWritten, fromStdin.skipped]).toEqual([fromFile.entriesRead, fromFile.recordsWritten, fromFile.skipped]);
    const a = join(tmp.path, 'file.cfr');
    const b = join(tmp.path, 'stdin.cfr');
    expect(run(['record', 'gor', file, '-o', a], '', tmp.path).code).toBe(0);
    expect(run(['record', 'gor', '-', '-o', b], gzipSync(bytes), tmp.path).code).toBe(0);
    expect(events(b, tmp.path)).toEqual(events(a, tmp.path));
  });

  it('cflog: a legacy log (plain and gzip) and a v2 Parquet file (random access after the copy)', () => {
    const requests = generateRequests(40, 5);
    const log = legacyLog(requests);
    const logFile = join(tmp.path, 'a.log');
    writeFileSync(logFile, log);
    const expected = summary(['record', 'cflog', logFile], '', tmp.path).recordsWritten;
    expect(expected).toBeGreaterThan(30);
    expect(summary(['record', 'cflog', '-'], log, tmp.path).recordsWritten).toBe(expected);
    expect(summary(['record', 'cflog', '-'], gzipSync(log), tmp.path).recordsWritten).toBe(expected);
    const parquet = Buffer.from(v2Parquet(requests, EVENT_FIELDS, { rowGroupSize: 16 }));
    const pq = run(['record', 'cflog', '-', '-o', join(tmp.path, 'pq.cfr')], parquet, tmp.path);
    expect(pq.code).toBe(0);
    expect(pq.stderr).toMatch(new RegExp(`recorded ${expected} exchanges`));
    expect(pq.stderr).toMatch(/Parquet/);
    const legacy = join(tmp.path, 'legacy.cfr');
    expect(run(['record', 'cflog', logFile, '-o', legacy], '', tmp.path).code).toBe(0);
    expect(events(join(tmp.path, 'pq.cfr'), tmp.path)).toEqual(events(legacy, tmp.path));
  });

  it('events: one JSON event, and JSON lines with bad lines counted (told from the content, not a name)', () => {
    const one = readFileSync(join(fixtures, 'events/viewer-request.json'));
    expect(summary(['record', 'events', '-'], one, tmp.path).recordsWritten).toBe(1);
    const lines = readFileSync(join(fixtures, 'events-src/mixed.jsonl'));
    const fromFile = summary(['record', 'events', join(fixtures, 'events-src/mixed.jsonl')], '', tmp.path);
    const fromStdin = summary(['record', 'events', '-'], lines, tmp.path);
    expect(fromStdin.recordsWritten).toBe(fromFile.recordsWritten);
    expect(fromStdin.skipped.total).toBe(fromFile.skipped.total);
    expect(fromStdin.skipped.total).toBeGreaterThan(0);
    expect(summary(['record', 'events', '-'], gzipSync(lines), tmp.path).recordsWritten).toBe(fromFile.recordsWritten);
    // A connection (mTLS) event on stdin.
    const conn = readFileSync(join(fixtures, 'events/connection.json'));
    const out = join(tmp.path, 'conn.cfr');
    const r = run(['record', 'events', '-', '-o', out], conn, tmp.path);
    expect(r.code).toBe(0);
    expect(events(out, tmp.path)).toHaveLength(1);
  });

  it('an empty pipe, garbage, and "-" named twice are one-line errors (exit 2), no corpus left', () => {
    for (const source of ['gor', 'cflog', 'events']) {
      const out = join(tmp.path, `empty-${source}.cfr`);
      const r = run(['record', source, '-', '-o', out], '', tmp.path);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^cfreplay: \/dev\/stdin: standard input is empty, expected /);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(() => readFileSync(out)).toThrow();
    }
    const garbage = run(['record', 'events', '-', '-o', join(tmp.path, 'g.cfr')], 'not json at all\n', tmp.path);
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toMatch(/\/dev\/stdin: not valid JSON/);
    const twice = run(['record', 'gor', '-', '-', '-o', join(tmp.path, 't.cfr')], readFileSync(join(fixtures, 'gor/mixed.gor')), tmp.path);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/standard input \(-\) can be read only once/);
  });
});

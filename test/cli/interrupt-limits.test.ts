// Interrupts and limits of `cfreplay replay` (a real SIGINT / SIGTERM to the
// CLI process): stop promptly, write the partial reports marked
// stoppedEarly "interrupted", exit 130; --workers capped at 4 per core;
// --timeout-ms must be a positive number; `show` on a damaged report.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { useTempDir } from '../helpers/tmp.js';
import { writeSyntheticCorpus } from '../helpers/corpus.js';
import { requireCliBuilt, root, runCli, startCli } from '../helpers/cli-process.js';

const slowOld = `${root}test/fixtures/replay/slow-old.js`;
const slowNew = `${root}test/fixtures/replay/slow-new.js`;
const fn = `${root}test/fixtures/replay/passthrough.js`;

async function waitFor(what: string, probe: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('replay interrupts and limits', () => {
  const tmp = useTempDir();

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} during replay: stops at once, writes the partial reports marked interrupted, exits 130`, { timeout: 120_000 }, async () => {
      requireCliBuilt();
      const corpus = await writeSyntheticCorpus(tmp.path, 3000, 20);
      const json = join(tmp.path, 'out', 'r.json');
      const html = join(tmp.path, 'out', 'r.html');
      const run = startCli(['replay', '--old', slowOld, '--new', slowNew, '--corpus', corpus, '--workers', '2', '--progress', '--json', json, '--html', html]);
      // Some chunks done, most not.
      await waitFor('progress', () => /replay [\d.]+%\s+([1-9][\d,]*)\//.test(run.stderr()));
      const sent = Date.now();
      run.child.kill(signal);
      const code = await run.exit;
      const stoppedMs = Date.now() - sent;
      expect(code).toBe(130);
      // "Within a second" on a quiet machine; the bound leaves room for a loaded CI host.
      expect(stoppedMs).toBeLessThan(5000);
      expect(run.stderr()).toMatch(/interrupted: writing the reports of the events done/);
      const report = JSON.parse(readFileSync(json, 'utf8')) as { events: number; run: { stoppedEarly?: string }; gate: { passed: boolean; checks: { name: string; passed: boolean }[] } };
      expect(report.run.stoppedEarly).toBe('interrupted');
      expect(report.events).toBeGreaterThan(0);
      expect(report.events).toBeLessThan(3000);
      expect(report.gate.passed).toBe(false);
      expect(report.gate.checks.find((c) => c.name === 'completed')).toMatchObject({ passed: false });
      expect(readFileSync(html, 'utf8')).toMatch(/stopped early: interrupted/i);
      expect(run.stdout()).toMatch(/FAIL completed: run stopped early: interrupted/);
    });
  }

  it('a second SIGINT quits at once (130), and the workers still running end without a native abort', { timeout: 120_000 }, async () => {
    requireCliBuilt();
    const corpus = await writeSyntheticCorpus(tmp.path, 3000, 20);
    const run = startCli(['replay', '--old', slowOld, '--new', slowNew, '--corpus', corpus, '--workers', '2', '--progress']);
    await waitFor('progress', () => /replay [\d.]+%\s+([1-9][\d,]*)\//.test(run.stderr()));
    run.child.kill('SIGINT');
    await waitFor('the first interrupt', () => /interrupted: writing the reports/.test(run.stderr()));
    run.child.kill('SIGINT');
    // 130 from the handler (process.exit with the workers running: every termination goes
    // through their gates, util/termination-gate.ts, never inside node:zlib); or, if the second
    // signal lands once the reports are being written (the handler is off then, replay.ts
    // present), the signal itself ends the process, as a shell reports with 130 too.
    expect([130, 'SIGINT']).toContain(await run.exit);
    expect(run.stderr()).not.toMatch(/Assertion failed|FATAL ERROR|Native stack trace/);
  });

  it('--workers above 4 per core is capped with a note; --timeout-ms must be a positive number', { timeout: 120_000 }, async () => {
    requireCliBuilt();
    const corpus = await writeSyntheticCorpus(tmp.path, 40, 20);
    const json = join(tmp.path, 'w.json');
    const cap = availableParallelism() * 4;
    const r = await runCli(['replay', '--old', fn, '--new', fn, '--corpus', corpus, '--workers', '10000', '--json', json]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`--workers 10000 is more than 4 per core on this machine \\(\\d+ cores\\): using ${cap}`));
    expect((JSON.parse(readFileSync(json, 'utf8')) as { options: { workers: number } }).options.workers).toBe(cap);
    for (const bad of ['0', '-5', 'abc', 'Infinity']) {
      const t = await runCli(['replay', '--old', fn, '--new', fn, '--corpus', corpus, '--timeout-ms', bad]);
      expect({ bad, code: t.code }).toEqual({ bad, code: 2 });
      expect(t.stderr).toMatch(/^cfreplay: --timeout-ms: expected a positive number of milliseconds/);
    }
  });

  it('show on a damaged report: one line, exit 2', { timeout: 120_000 }, async () => {
    requireCliBuilt();
    const corpus = await writeSyntheticCorpus(tmp.path, 40, 20);
    const json = join(tmp.path, 'r.json');
    expect((await runCli(['replay', '--old', fn, '--new', fn, '--corpus', corpus, '--json', json])).code).toBe(0);
    const text = readFileSync(json, 'utf8');
    const report = JSON.parse(text) as Record<string, unknown>;
    const cases: [string, string, RegExp][] = [
      ['cut.json', text.slice(0, Math.floor(text.length / 2)), /cut\.json: not JSON \(.*\); expected a report written by cfreplay replay --json/],
      ['no-samples.json', JSON.stringify({ ...report, samples: 'x' }), /damaged report: samples must be a list/],
      ['bad-sample.json', JSON.stringify({ ...report, samples: [{ eventId: 'e1' }] }), /damaged report: samples\[0\] must have old and new runs/],
      ['bad-examples.json', JSON.stringify({ ...report, diffs: [{ examples: [null] }] }), /damaged report: diffs\[0\]\.examples must be objects with an eventId/],
    ];
    for (const [name, content, message] of cases) {
      const p = join(tmp.path, name);
      writeFileSync(p, content);
      const r = await runCli(['show', p, 'e1']);
      expect({ name, code: r.code }).toEqual({ name, code: 2 });
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});

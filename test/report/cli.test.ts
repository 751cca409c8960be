// `cfreplay report <report.json>` through the CLI's main() in-process: the
// outputs it writes, Markdown on stdout by default, and one-line errors with
// exit code 2 for a missing, non-JSON or wrong-schema report.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { generateReport } from '../helpers/report-fixtures.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { useTempDir } from '../helpers/tmp.js';
import { parseXml } from './xml.js';

const root = new URL('../../', import.meta.url).pathname;
const built = existsSync(`${root}dist/cli/commands/report.js`);
if (!built) throw new Error('dist/ is not built: run `npx tsc -p tsconfig.json` first (`npm test` does)');

async function cfreplay(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const so = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
  const se = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
  process.exitCode = undefined;
  try {
    await main(argv);
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('cfreplay report', () => {
  const dir = useTempDir();
  const report = generateReport({ seed: 8, groups: 12 });

  it('writes HTML, Markdown and JUnit (creating directories); Markdown to stdout when no output is named', async () => {
    const json = join(dir.path, 'report.json');
    writeFileSync(json, JSON.stringify(report, null, 2));
    const r = await cfreplay('report', json, '--html', join(dir.path, 'out/r.html'), '--markdown', join(dir.path, 'out/s.md'), '--junit', join(dir.path, 'ci/junit.xml'));
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(readFileSync(join(dir.path, 'out/s.md'), 'utf8')).toBe(renderMarkdown(report));
    expect(parseXml(readFileSync(join(dir.path, 'ci/junit.xml'), 'utf8')).root.attrs.tests).toBe(String(12 + report.gate.checks.length));
    const html = readFileSync(join(dir.path, 'out/r.html'), 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<script type="application/json" id="cfr-data">');
    const md = await cfreplay('report', json);
    expect(md.code).toBe(0);
    expect(md.stdout).toBe(renderMarkdown(report));
  });

  it('a missing, non-JSON or wrong-schema report is a one-line error with exit code 2', async () => {
    const bad = (name: string, text: string) => {
      const p = join(dir.path, name);
      writeFileSync(p, text);
      return p;
    };
    const cases: [string, RegExp][] = [
      [join(dir.path, 'nope.json'), /^cfreplay: .*nope\.json: JSON report not found\n$/],
      [dir.path, /^cfreplay: .*: is a directory, expected a JSON report\n$/],
      [bad('corpus.cfr', 'CFR1\u0000\u0001binary'), /^cfreplay: .*corpus\.cfr: not JSON \(.*\); expected a report written by cfreplay replay --json\n$/],
      [bad('other.json', '{"schema":"something-else/2"}'), /^cfreplay: .*other\.json: not a cfreplay-report\/1 report \(schema is "something-else\/2"\)\n$/],
      [bad('array.json', '[1,2]'), /^cfreplay: .*array\.json: not a cfreplay report \(expected a JSON object\)\n$/],
      [bad('risk.json', JSON.stringify({ ...report, diffs: [{ ...report.diffs[0], risk: 'severe' }] })), /^cfreplay: .*risk\.json: not a valid cfreplay-report\/1 report: diffs\[0\]\.risk must be one of high, medium, low\n$/],
      [bad('latency.json', JSON.stringify({ ...report, latency: { ...report.latency, histograms: undefined } })), /^cfreplay: .*latency\.json: not a valid cfreplay-report\/1 report: latency\.histograms must be an object\n$/],
    ];
    for (const [file, message] of cases) {
      const out = join(dir.path, 'never.html');
      const r = await cfreplay('report', file, '--html', out);
      expect(r.stderr, file).toMatch(message);
      expect(r.code, file).toBe(2);
      expect(existsSync(out)).toBe(false);
    }
  });

  // yargs exits the process after --help, so this one runs the built CLI (npm test builds first).
  it('--help documents the options with examples (built CLI)', () => {
    const r = spawnSync(process.execPath, [`${root}bin/cfreplay`, 'report', '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const o of ['--html', '--markdown', '--junit', 'Examples:', 'cfreplay report report.json --html report.html']) expect(r.stdout).toContain(o);
    const top = spawnSync(process.execPath, [`${root}bin/cfreplay`, '--help'], { encoding: 'utf8' });
    expect(top.stdout).toMatch(/cfreplay report <report>/);
  });
});

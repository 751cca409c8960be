// `cfreplay record har` end to end through the built CLI (bin/cfreplay runs
// dist/: `npm test` builds first), plus the shared command helper in-process.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createProgress, runRecordCommand, MemorySink, openHarSource, type RecordCommonArgs } from '../../src/record/index.js';
import { runRecordCommand as runViaCliModule } from '../../src/record/cli.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = `${root}bin/cfreplay`;
const built = existsSync(`${root}dist/cli/main.js`) && existsSync(`${root}dist/record/cli.js`);
if (!built) throw new Error('dist/ is not built: run `npx tsc -p tsconfig.json` first (`npm test` does)');
const fixtures = `${root}test/fixtures/har/`;
const tmp = mkdtempSync(join(tmpdir(), 'cfreplay-record-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cfreplay(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: tmp });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

if (!built) console.warn('SKIPPED: dist/ is not built (run `npx tsc -p tsconfig.json` or `npm test`)');

describe('node bin/cfreplay record har', () => {
  it('records a HAR, prints the summary on stderr, exit 0; --append adds; inspect reads it', () => {
    const out = join(tmp, 'site.cfr');
    const r = cfreplay('record', 'har', `${fixtures}edge-cases.har`, '-o', out);
    expect(r.stderr).toMatch(/^cfreplay: recorded 9 exchanges from 1 input into .*site\.cfr$/m);
    expect(r.stderr).toMatch(/entries read\s+19/);
    expect(r.stderr).toMatch(/skipped\s+10/);
    expect(r.stderr).toMatch(/data: URL \(never sent over the network\)\s+1\s+\(first: edge-cases\.har entry 3/);
    expect(r.stderr).toMatch(/no viewer-response event for 4:/);
    expect(r.stderr).toMatch(/bytes written\s+[\d,]+ \([\d.]+ bytes per exchange\)/);
    expect(r.code).toBe(0);
    expect(statSync(out).size).toBeGreaterThan(0);

    const again = cfreplay('record', 'har', `${fixtures}chrome-sanitized.har`, '-o', out, '--append', '--json-summary', '--quiet');
    expect(again.code).toBe(0);
    const summary = JSON.parse(again.stdout);
    expect(summary).toMatchObject({ append: true, recordsWritten: 2, totalRecords: 11 });
    expect(again.stderr).toMatch(/^cfreplay: warning: .*chrome-sanitized\.har: .* looks sanitized/m);
  });

  it('--help documents the options, the default viewer IP and examples', () => {
    const r = cfreplay('record', 'har', '--help');
    expect(r.code).toBe(0);
    for (const o of ['--output', '--append', '--include-host', '--exclude-host', '--include', '--exclude', '--method', '--viewer-ip', '--distribution-domain', '--distribution-id', '--json-summary', '--dry-run']) {
      expect(r.stdout).toContain(o);
    }
    expect(r.stdout).toContain('203.0.113.10');
    expect(r.stdout).toMatch(/Examples:/);
    const top = cfreplay('record', '--help');
    expect(top.stdout).toMatch(/record har <files\.\.>/);
  });

  it('applies the options to the events', () => {
    const r = cfreplay('record', 'har', `${fixtures}edge-cases.har`, '--dry-run', '--json-summary', '--quiet', '--include-host', 'www.example.com', '--method', 'GET', '--viewer-ip', '198.51.100.9');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.filtered.total).toBeGreaterThan(0);
    expect(s.recordsWritten).toBeGreaterThan(0);
  });

  const cases: [string, () => string[], RegExp][] = [
    ['not JSON', () => [write('notjson.har', 'not json at all'), '-o', join(tmp, 'a.cfr')], /^cfreplay: .*notjson\.har: not JSON: the file starts with the text "not" .* at line 1, column 1, byte 0$/],
    ['truncated JSON', () => [`${fixtures}truncated.har`, '-o', join(tmp, 'b.cfr')], /^cfreplay: .*truncated\.har: truncated JSON: the file ends inside log\.entries\[1\]/],
    ['JSON that is not a HAR', () => [write('event.json', '{"version":"1.0","context":{},"viewer":{},"request":{}}'), '-o', join(tmp, 'c.cfr')], /not a HAR: no top-level "log" member .*record events/],
    ['a missing input', () => [join(tmp, 'missing.har'), '-o', join(tmp, 'd.cfr')], /^cfreplay: .*missing\.har: HAR file not found$/],
    ['an output in a missing directory', () => [`${fixtures}edge-cases.har`, '-o', join(tmp, 'nodir', 'x.cfr')], /^cfreplay: .*nodir\/x\.cfr: directory .*nodir does not exist$/],
    ['appending to a file that is not a corpus', () => [`${fixtures}edge-cases.har`, '-o', write('notcorpus.cfr', 'hello'), '--append'], /^cfreplay: .*notcorpus\.cfr: /],
    ['an existing output without --append/--force', () => [`${fixtures}edge-cases.har`, '-o', write('exists.cfr', 'x')], /exists\.cfr: already exists \(use --append to add to it, or --force to replace it\)$/],
    ['no output', () => [`${fixtures}edge-cases.har`], /^cfreplay: name the corpus file to write with -o/],
    ['a bad --viewer-ip', () => [`${fixtures}edge-cases.har`, '--dry-run', '--viewer-ip', '1.2.3'], /^cfreplay: --viewer-ip: "1\.2\.3" is not an IPv4 or IPv6 address$/],
    ['a bad --include regex', () => [`${fixtures}edge-cases.har`, '--dry-run', '--include', '(['], /^cfreplay: --include: invalid regular expression/],
  ];
  function write(name: string, content: string): string {
    const p = join(tmp, name);
    writeFileSync(p, content);
    return p;
  }

  it.each(cases)('%s: one line, exit 2, no corpus left', (_n, args, re) => {
    const a = args();
    const r = cfreplay('record', 'har', ...a);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(re);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const o = a.indexOf('-o');
    if (o >= 0) {
      const out = a[o + 1]!;
      if (out.endsWith('notcorpus.cfr')) expect(readFileSync(out, 'utf8')).toBe('hello');
      else if (out.endsWith('exists.cfr')) expect(readFileSync(out, 'utf8')).toBe('x');
      else expect(existsSync(out)).toBe(false);
    }
  });

  it('a bad input after a good one leaves no corpus; --force keeps the old file on failure', () => {
    const out = join(tmp, 'multi.cfr');
    const r = cfreplay('record', 'har', `${fixtures}edge-cases.har`, `${fixtures}truncated.har`, '-o', out);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
    const keep = write('keep.cfr', 'old');
    const f = cfreplay('record', 'har', `${fixtures}edge-cases.har`, `${fixtures}truncated.har`, '-o', keep, '--force');
    expect(f.code).toBe(2);
    expect(readFileSync(keep, 'utf8')).toBe('old');
    const ok = cfreplay('record', 'har', `${fixtures}edge-cases.har`, '-o', keep, '--force', '--quiet');
    expect(ok.code).toBe(0);
    expect(readFileSync(keep).subarray(0, 3).toString()).not.toBe('old');
  });

  it('a failed --append restores the corpus as it was', () => {
    const out = join(tmp, 'app.cfr');
    expect(cfreplay('record', 'har', `${fixtures}edge-cases.har`, '-o', out, '--quiet').code).toBe(0);
    const before = readFileSync(out);
    const r = cfreplay('record', 'har', `${fixtures}chrome-sanitized.har`, `${fixtures}truncated.har`, '-o', out, '--append');
    expect(r.code).toBe(2);
    expect(readFileSync(out).equals(before)).toBe(true);
  });
});

describe('runRecordCommand (in process)', () => {
  const base: RecordCommonArgs = {
    append: false,
    force: false,
    'distribution-domain': 'd1.cloudfront.net',
    'distribution-id': 'E1',
    'json-summary': false,
    quiet: false,
  };
  it('is what every record subcommand calls: summary to stderr, JSON to stdout', async () => {
    expect(runViaCliModule).toBe(runRecordCommand);
    const stderr = new PassThrough();
    const stdout = new PassThrough();
    let err = '';
    let out = '';
    stderr.on('data', (d) => (err += d));
    stdout.on('data', (d) => (out += d));
    const sink = new MemorySink();
    const summary = await runRecordCommand({ ...base, 'json-summary': true }, async () => [await openHarSource(`${fixtures}chrome-sanitized.har`)], { sink, stderr, stdout });
    expect(summary?.recordsWritten).toBe(2);
    expect(sink.state).toBe('closed');
    expect(sink.records[0]!.distributionId).toBe('E1');
    expect(err).toMatch(/recorded 2 exchanges from 1 input/);
    expect(JSON.parse(out).recordsWritten).toBe(2);
  });
});

describe('progress', () => {
  it('draws on a TTY only, after the delay, and clears its line', () => {
    const chunks: string[] = [];
    const tty = { isTTY: true, columns: 80, write: (s: string) => chunks.push(s) } as unknown as NodeJS.WriteStream;
    const p = createProgress(tty, { delayMs: 0, intervalMs: 0 });
    p.update({ label: 'a.har', bytesRead: 5e6, totalBytes: 10e6, entries: 100, written: 90 });
    expect(chunks[0]).toMatch(/^\rrecording a\.har: 5\.0\/10 MB 50\.0%, 100 entries, 90 recorded, [\d.]+ MB\/s\x1b\[K$/);
    p.done();
    expect(chunks[1]).toBe('\r\x1b[K');
    const pipe = { isTTY: false, write: () => { throw new Error('must not write'); } } as unknown as NodeJS.WriteStream;
    const q = createProgress(pipe, { delayMs: 0, intervalMs: 0 });
    q.update({ label: 'a.har', bytesRead: 1, totalBytes: 2, entries: 1, written: 1 });
    q.done();
  });
});

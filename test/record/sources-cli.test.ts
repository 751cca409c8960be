// `node bin/cfreplay record gor|cflog|events` end to end (the bin runs dist/: build first).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const bin = `${root}bin/cfreplay`;
const built = existsSync(`${root}dist/record/sources.js`);
if (!built) throw new Error('dist/ is not built: run `npx tsc -p tsconfig.json` first (`npm test` does)');
const fixtures = join(root, 'test/fixtures');
const tmp = mkdtempSync(join(tmpdir(), 'cfreplay-sources-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cfreplay(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: tmp, env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

if (!built) console.warn('SKIPPED: dist/ is not built (run `npx tsc -p tsconfig.json`)');

describe('node bin/cfreplay record <source>', () => {
  it('gor: records a capture; the summary counts; cat shows the events', () => {
    const out = join(tmp, 'gor.cfr');
    const r = cfreplay(['record', 'gor', join(fixtures, 'gor/sessions-3field.gor'), '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/recorded 24 exchanges from 1 input/);
    const cat = cfreplay(['cat', out, '--limit', '1']);
    expect(JSON.parse(cat.stdout).request.headers.host.value).toBe('shop.example.com');
  });

  it('cflog: every log layout records (real-time with --fields); RTMP is refused (exit 2, one line, no corpus)', () => {
    const logs = join(fixtures, 'cflog');
    const files = ['standard.log', 'standard-33-trailing-tab.log', 'realtime-with-fields.log'].map((f) => join(logs, f));
    const r = cfreplay(['record', 'cflog', ...files, '--dry-run', '--json-summary', '--quiet']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ recordsWritten: 2 + 2 + 1, skipped: { total: 0 } });
    const rt = cfreplay(['record', 'cflog', join(logs, 'realtime-no-fields.log'), '--fields', join(logs, 'realtime.fields.txt'), '--dry-run', '--json-summary', '--quiet']);
    expect(JSON.parse(rt.stdout).recordsWritten).toBe(2);
    const out = join(tmp, 'rtmp.cfr');
    const rtmp = cfreplay(['record', 'cflog', join(logs, 'rtmp.log'), '-o', out]);
    expect(rtmp.code).toBe(2);
    expect(rtmp.stderr.trim().split('\n')).toHaveLength(1);
    expect(rtmp.stderr).toMatch(/RTMP \(streaming distribution\) access log/);
    expect(existsSync(out)).toBe(false);
  });

  it('events: a Lambda@Edge file is refused (exit 2); a folder records; --time sets the clock', () => {
    const le = cfreplay(['record', 'events', join(root, 'test/fixtures/events/lambda-edge.json'), '--dry-run']);
    expect(le.code).toBe(2);
    expect(le.stderr).toMatch(/Lambda@Edge event/);
    const out = join(tmp, 'events.cfr');
    const r = cfreplay(['record', 'events', join(root, 'test/fixtures/events-src'), '-o', out, '--time', '2024-05-01T10:00:00Z']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/recorded 5 exchanges/);
    const recs = cfreplay(['cat', out, '--records']).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(recs.every((x) => x.time === Date.UTC(2024, 4, 1, 10))).toBe(true);
  });

  it('sampling and redaction options work through the CLI; the generated key is never printed, written to a 0600 file, not stored', () => {
    const out = join(tmp, 'redacted.cfr');
    const r = cfreplay(['record', 'gor', join(root, 'test/fixtures/gor/mixed.gor'), '-o', out, '--redact', 'cookie:session', '--redact', 'header:user-agent=drop']);
    expect(r.code).toBe(0);
    const keyFile = /generated an HMAC key, written to (\S+) \(readable by you only/.exec(r.stderr)?.[1];
    expect(keyFile).toBe(`${out}.redact-key`);
    expect(statSync(keyFile!).mode & 0o777).toBe(0o600);
    const key = readFileSync(keyFile!, 'utf8').trim();
    expect(key.length).toBeGreaterThan(20);
    expect(r.stderr).not.toContain(key);
    expect(readFileSync(out).includes(Buffer.from(key!))).toBe(false);
    expect(r.stderr).toMatch(/note: redacted cookie:session=hash: 1/);
    const ev = JSON.parse(cfreplay(['cat', out, '--limit', '1']).stdout);
    expect(ev.request.cookies.session.value).toMatch(/^hmac\./);
    expect(ev.request.headers['user-agent']).toBeUndefined();
    // The same key from the environment gives the same hashes, and prints no key.
    const again = cfreplay(['record', 'gor', join(root, 'test/fixtures/gor/mixed.gor'), '-o', join(tmp, 'r2.cfr'), '--redact', 'cookie:session'], { CFREPLAY_REDACT_KEY: key! });
    expect(again.stderr).not.toMatch(/generated an HMAC key/);
    expect(JSON.parse(cfreplay(['cat', join(tmp, 'r2.cfr'), '--limit', '1']).stdout).request.cookies.session.value).toBe(ev.request.cookies.session.value);
    const sampled = cfreplay(['record', 'gor', join(fixtures, 'gor/sessions-3field.gor'), '--dry-run', '--json-summary', '--quiet', '--sample', '50%', '--sample-key', 'cookie:_shop_session']);
    const s = JSON.parse(sampled.stdout);
    expect(s.recordsWritten + s.filtered.total).toBe(24);
    expect(s.filtered.total).toBeGreaterThan(0);
    expect(s.recordsWritten).toBeGreaterThan(0);
    const bad = cfreplay(['record', 'gor', join(root, 'test/fixtures/gor/mixed.gor'), '--dry-run', '--sample', '200%']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--sample: "200%"/);
  });

  it('--help of each source lists the shared options', () => {
    for (const source of ['proxy', 'gor', 'cflog', 'events']) {
      const r = cfreplay(['record', source, '--help']);
      expect(r.code).toBe(0);
      for (const o of ['--output', '--include', '--exclude', '--method', '--host', '--sample', '--sample-key', '--redact', '--redact-key']) expect(r.stdout).toContain(o);
    }
    expect(cfreplay(['record', 'proxy', '--help']).stdout).toMatch(/--trust-forwarded[\s\S]*--max-events[\s\S]*--duration/);
  });
});

// `node bin/cfreplay record gor|cflog` end to end on the real captures (the bin runs dist/).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { capture } from './location.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = `${root}bin/cfreplay`;
const tmp = mkdtempSync(join(tmpdir(), 'cfreplay-captures-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function cfreplay(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: tmp });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('node bin/cfreplay record <source> on the real captures', () => {
  it('gor: records the DataDog capture; the summary counts; cat shows the events', () => {
    const out = join(tmp, 'gor.cfr');
    const r = cfreplay(['record', 'gor', capture('gor', 'datadog-ecommerce-requests_0.gor'), '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/recorded 101 exchanges from 1 input/);
    const cat = cfreplay(['cat', out, '--limit', '1']);
    expect(JSON.parse(cat.stdout).request.headers.host.value).toBe('localhost:3000');
  });

  it('cflog: every real log records (real-time with --fields); RTMP is refused (exit 2, one line, no corpus)', () => {
    const logs = capture('cloudfront-logs');
    const files = ['claygregory-web-1-0.log', 'claygregory-web-1-0-2019-12.log', 'jsherz-file.log.gz', 'rkalla-example-100.log.gz', 'REALTIME-claygregory-kinesis-1-0.log']
      .map((f) => capture('cloudfront-logs', f));
    const r = cfreplay(['record', 'cflog', ...files, '--dry-run', '--json-summary', '--quiet']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ recordsWritten: 2 + 3 + 2 + 100 + 1, skipped: { total: 0 } });
    const rt = cfreplay(['record', 'cflog', join(logs, 'REALTIME-ownstats-rawTabEventData.log'), '--fields', join(logs, 'REALTIME-ownstats.fields.txt'), '--dry-run', '--json-summary', '--quiet']);
    expect(JSON.parse(rt.stdout).recordsWritten).toBe(1);
    const out = join(tmp, 'rtmp.cfr');
    const rtmp = cfreplay(['record', 'cflog', join(logs, 'RTMP-claygregory-rtmp-1-0.log'), '-o', out]);
    expect(rtmp.code).toBe(2);
    expect(rtmp.stderr.trim().split('\n')).toHaveLength(1);
    expect(rtmp.stderr).toMatch(/RTMP \(streaming distribution\) access log/);
    expect(existsSync(out)).toBe(false);
  });

  it('--sample by user agent on a 100-line log: kept + filtered = read', () => {
    const sampled = cfreplay(['record', 'cflog', capture('cloudfront-logs', 'rkalla-example-100.log.gz'), '--dry-run', '--json-summary', '--quiet', '--sample', '50%', '--sample-key', 'header:user-agent']);
    const s = JSON.parse(sampled.stdout);
    expect(s.recordsWritten + s.filtered.total).toBe(100);
  });
});

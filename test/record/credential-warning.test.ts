// Recording without --redact warns once about the credentials it stores, naming the fields and the option;
// `--redact credentials` is the ready preset (through the CLI), and the worker threads count the same.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemorySink, runRecording } from '../../src/record/index.js';
import { openCflogSource } from '../../src/record/cflog/cflog-source.js';
import { CredentialScanner } from '../../src/record/credential-scan.js';
import { cfreplay } from '../helpers/cli.js';
import { useTempDir } from '../helpers/tmp.js';

function viewerEvent(id: number, extra: { headers?: Record<string, string>; cookies?: Record<string, string>; query?: Record<string, string> }) {
  const map = (o: Record<string, string> = {}) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, { value: v }]));
  return {
    version: '1.0',
    context: { eventType: 'viewer-request', requestId: `req-${id}` },
    viewer: { ip: '198.51.100.7' },
    request: { method: 'GET', uri: `/p/${id}`, querystring: map(extra.query), headers: { host: { value: 'www.example.com' }, ...map(extra.headers) }, cookies: map(extra.cookies) },
  };
}

const SECRET = 'Bearer s3cr3t-t0ken';

describe('credentials without --redact', () => {
  const tmp = useTempDir();
  const cases = () => {
    const lines = [
      viewerEvent(1, { headers: { authorization: SECRET } }),
      viewerEvent(2, { headers: { authorization: SECRET, 'x-api-key': 'k-123' } }),
      viewerEvent(3, { cookies: { session: 'abc' } }),
      viewerEvent(4, { query: { token: 'qq', page: '2' } }),
      viewerEvent(5, { query: { Access_Token: 'zz' } }),
      viewerEvent(6, {}),
    ];
    const p = join(tmp.path, 'events.jsonl');
    writeFileSync(p, lines.map((l) => JSON.stringify(l)).join('\n'));
    return p;
  };

  it('prints one warning naming every field found and the option, and stores the values as captured', () => {
    const file = cases();
    const out = join(tmp.path, 'plain.cfr');
    const r = cfreplay(['record', 'events', file, '-o', out]);
    expect(r.status).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => /credentials stored as captured/.test(l));
    expect(warnings).toHaveLength(1);
    const w = warnings[0]!;
    for (const field of ['Authorization in 2', 'X-Api-Key in 1', 'Cookie in 1', 'query token in 1', 'query access_token in 1']) expect(w).toContain(field);
    expect(w).toContain('--redact credentials');
    expect(cfreplay(['cat', out]).stdout).toContain(SECRET);
  });

  it('--redact credentials: no warning, every one of those values hashed, other values kept', () => {
    const file = cases();
    const out = join(tmp.path, 'redacted.cfr');
    const r = cfreplay(['record', 'events', file, '-o', out, '--redact', 'credentials', '--redact-key', 'test-key']);
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/credentials stored as captured/);
    const text = cfreplay(['cat', out]).stdout;
    for (const secret of ['s3cr3t-t0ken', 'k-123', '"abc"', '"qq"', '"zz"']) expect(text).not.toContain(secret);
    const events = text.trim().split('\n').map((l) => JSON.parse(l) as ReturnType<typeof viewerEvent>);
    expect(events[0]!.request.headers.authorization!.value).toMatch(/^Bearer hmac\./);
    expect(events[3]!.request.querystring.page!.value).toBe('2');
    // Another --redact rule alone is a choice made: no warning either.
    const one = cfreplay(['record', 'events', file, '--dry-run', '--redact', 'header:authorization=drop']);
    expect(one.stderr).not.toMatch(/credentials stored as captured/);
  });

  it('a capture without credentials gives no warning', () => {
    const p = join(tmp.path, 'clean.json');
    writeFileSync(p, JSON.stringify(viewerEvent(9, { query: { page: '1' } })));
    const r = cfreplay(['record', 'events', p, '--dry-run']);
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/credentials/);
  });

  it('counts the same in the recording worker threads as on the main thread (CloudFront log with cookies)', async () => {
    const header = '#Version: 1.0\n#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie)\n';
    const rows: string[] = [];
    for (let i = 0; i < 500; i++) {
      rows.push(['2024-03-07', '08:15:42', 'FRA56-P1', '512', `198.51.100.${i % 200}`, 'GET', 'd1.cloudfront.net', `/a/${i}`, '200', '-', 'curl/8', i % 3 === 0 ? `token=t${i}` : '-', i % 2 === 0 ? `sid=${i}` : '-'].join('\t'));
    }
    const p = join(tmp.path, 'c.log');
    writeFileSync(p, header + rows.join('\n') + '\n');
    const counts = async (workers: number) => {
      const scanner = new CredentialScanner();
      await runRecording([await openCflogSource(p)], new MemorySink(), { workers, chunkEvents: 37, steps: [scanner.step()] });
      return Object.fromEntries(scanner.counts);
    };
    const main = await counts(0);
    expect(main).toEqual({ Cookie: 250, 'query token': 167 });
    expect(await counts(2)).toEqual(main);
  });
});

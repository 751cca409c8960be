// Redaction finds secrets however they are spelled: names in any case,
// percent-encoded query names, tokens inside the URLs of Referer, Location and
// Origin; `--redact credentials` is a ready preset. Records built from a real
// GoReplay capture (the event builder's own path).
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemorySink, runRecording } from '../../src/record/index.js';
import { openGorSource } from '../../src/record/gor/gor-source.js';
import { parseRedactRules, Redactor } from '../../src/record/redaction.js';
import type { RecordedExchange } from '../../src/event/types.js';
import { useTempDir } from '../helpers/tmp.js';

const SEP = '\n🐵🙈🙉\n';
const SECRET = 'S3CRET-t0ken-value';

async function recordGor(dir: string, request: string, response?: string): Promise<RecordedExchange> {
  const p = join(dir, 'r.gor');
  let text = `1 aaaaaaaaaaaaaaaaaaaaaaa1 1700000000123456789 0\n${request}${SEP}`;
  if (response !== undefined) text += `2 aaaaaaaaaaaaaaaaaaaaaaa1 1700000000200000000 1000\n${response}${SEP}`;
  writeFileSync(p, text);
  const sink = new MemorySink();
  await runRecording([await openGorSource(p)], sink);
  return sink.records[0]!;
}

describe('redaction names and URLs', () => {
  const tmp = useTempDir();

  it('matches header, cookie and query names case-insensitively and query names percent-encoded; covers Referer, Location and Origin URLs', async () => {
    const record = await recordGor(
      tmp.path,
      `GET /p?TOKEN=${SECRET}&tok%65n=${SECRET}&keep=1 HTTP/1.1\r\nHost: example.com\r\nX-API-KEY: ${SECRET}\r\nReferer: https://example.com/login?token=${SECRET}&next=/a#frag\r\nOrigin: https://example.com\r\nCookie: SESSION=${SECRET}; theme=dark\r\n\r\n`,
      `HTTP/1.1 302 Found\r\nLocation: https://example.com/cb?Token=${SECRET}\r\nSet-Cookie: Session=${SECRET}; Path=/\r\n\r\n`,
    );
    const redactor = new Redactor([...parseRedactRules('query:token'), ...parseRedactRules('header:x-api-key'), ...parseRedactRules('cookie:session')], 'k');
    const r = redactor.apply(structuredClone(record));
    const text = JSON.stringify(r);
    expect(text).not.toContain(SECRET);
    expect(r.request.querystring['keep']).toEqual({ value: '1' });
    expect(r.request.headers['referer']!.value).toMatch(/^https:\/\/example\.com\/login\?token=hmac\.[\w-]+&next=\/a#frag$/);
    expect(r.response!.headers['location']!.value).toMatch(/^https:\/\/example\.com\/cb\?Token=hmac\./);
    expect(r.request.headers['origin']!.value).toBe('https://example.com');
    expect(r.rawQuery).toMatch(/^TOKEN=hmac\.[\w-]+&tok%65n=hmac\.[\w-]+&keep=1$/);
    // Equal secrets stay equal under the same key, wherever they were.
    expect(r.request.querystring['TOKEN']!.value).toBe(r.request.querystring['tok%65n']!.value);
    expect(r.request.cookies['SESSION']!.value).toMatch(/^hmac\./);
    expect(r.request.cookies['theme']).toEqual({ value: 'dark' });
    expect(r.response!.cookies['Session']!.value).toMatch(/^hmac\./);
  });

  it('--redact credentials covers Authorization, Cookie, Set-Cookie, X-Api-Key and token-like query parameters; =drop removes them', async () => {
    const record = await recordGor(
      tmp.path,
      `GET /p?access_token=${SECRET}&X-Amz-Signature=${SECRET}&page=2 HTTP/1.1\r\nHost: example.com\r\nAuthorization: Bearer ${SECRET}\r\nx-api-key: ${SECRET}\r\nCookie: sid=${SECRET}\r\n\r\n`,
      `HTTP/1.1 200 OK\r\nSet-Cookie: sid=${SECRET}\r\n\r\n`,
    );
    const hashed = new Redactor(parseRedactRules('credentials'), 'k').apply(structuredClone(record));
    expect(JSON.stringify(hashed)).not.toContain(SECRET);
    expect(hashed.request.headers['authorization']!.value).toMatch(/^Bearer hmac\./);
    expect(hashed.request.querystring['page']).toEqual({ value: '2' });
    const dropped = new Redactor(parseRedactRules('Credentials=drop'), undefined).apply(structuredClone(record));
    expect(JSON.stringify(dropped)).not.toContain(SECRET);
    expect(dropped.request.headers['authorization']).toBeUndefined();
    expect(Object.keys(dropped.request.querystring)).toEqual(['page']);
    expect(dropped.rawQuery).toBe('page=2');
  });
});

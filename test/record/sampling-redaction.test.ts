// Consistent sampling and redaction, shared by every source.
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MemorySink, runRecording, type RecordStep } from '../../src/record/index.js';
import { openCorpusSink } from '../../src/record/corpus-sink.js';
import { createSampler, parseSampleKey, parseSampleRate, sampleHash } from '../../src/record/sampling.js';
import { parseRedactRule, Redactor, resolveRedactKey } from '../../src/record/redaction.js';
import { openGorSource } from '../../src/record/gor/gor-source.js';
import { openEventSources } from '../../src/record/events/events-source.js';
import { openCflogSource } from '../../src/record/cflog/cflog-source.js';
import { seedOfRequestId } from '../../src/event/index.js';
import { useTempDir } from '../helpers/tmp.js';
import { decisionsByCookie } from '../helpers/sampling.js';

const root = new URL('../../', import.meta.url).pathname;
const sessionsGor = join(root, 'test/fixtures/gor/sessions-3field.gor');
const mixedGor = join(root, 'test/fixtures/gor/mixed.gor');
const mixedEvents = join(root, 'test/fixtures/events-src/mixed.jsonl');

describe('sampling', () => {
  it('parses rates and keys', () => {
    expect(parseSampleRate('10%')).toBeCloseTo(0.1);
    expect(parseSampleRate('0.25')).toBe(0.25);
    expect(parseSampleRate('1/8')).toBe(0.125);
    for (const bad of ['0', '0%', '150%', 'abc', '', '2']) expect(() => parseSampleRate(bad)).toThrow(/--sample/);
    expect(parseSampleKey('cookie:session')).toEqual({ kind: 'cookie', name: 'session' });
    expect(parseSampleKey('header:X-User')).toEqual({ kind: 'header', name: 'x-user' });
    expect(parseSampleKey('IP')).toEqual({ kind: 'ip' });
    expect(() => parseSampleKey('cookie:')).toThrow(/--sample-key/);
  });

  it('hashes uniformly enough: about the asked share of keys is kept', () => {
    let kept = 0;
    for (let i = 0; i < 20000; i++) if (sampleHash(`ip\u0000198.51.${i >> 8}.${i & 255}`) < 0.1) kept++;
    expect(kept / 20000).toBeGreaterThan(0.085);
    expect(kept / 20000).toBeLessThan(0.115);
  });

  const tmpLog = useTempDir();

  it('is consistent: same key, same decision, in every run; a session is kept or dropped whole', async () => {
    const bigLog = join(tmpLog.path, 'many-ips.log');
    const lines = ['#Version: 1.0', '#Fields: date time c-ip cs-method cs(Host) cs-uri-stem sc-status cs(User-Agent) cs-uri-query'];
    for (let i = 0; i < 400; i++) lines.push(`2024-05-01\t10:00:${String(i % 60).padStart(2, '0')}\t198.51.100.${i % 40}\tGET\td1.cloudfront.net\t/p${i}\t200\tcurl/8\t-`);
    writeFileSync(bigLog, `${lines.join('\n')}\n`);
    const sampler = createSampler({ rate: 0.3, key: { kind: 'ip' } });
    const run = async () => {
      const sink = new MemorySink();
      const summary = await runRecording([await openCflogSource(bigLog)], sink, { steps: [sampler] });
      return { summary, ips: sink.records.map((r) => r.viewerIp) };
    };
    const a = await run();
    const b = await run();
    expect(a.ips).toEqual(b.ips);
    expect(a.summary.filtered.reasons[0]!.reason).toBe('outside --sample 30% (key ip)');
    // Every record of a kept IP is kept; none of a dropped IP.
    const all = new MemorySink();
    await runRecording([await openCflogSource(bigLog)], all);
    const keptIps = new Set(a.ips);
    expect(all.records.filter((r) => keptIps.has(r.viewerIp)).length).toBe(a.ips.length);
    expect(keptIps.size).toBeGreaterThan(4);
    expect(keptIps.size).toBeLessThan(24);
  });

  it('by cookie: requests sharing the cookie value go together; requests without it fall back', async () => {
    const sampler = createSampler({ rate: 0.5, key: parseSampleKey('cookie:_shop_session') });
    const all = new MemorySink();
    await runRecording([await openGorSource(sessionsGor)], all);
    const kept = new MemorySink();
    await runRecording([await openGorSource(sessionsGor)], kept, { steps: [sampler] });
    const bySession = decisionsByCookie(all.records, kept.records, '_shop_session');
    expect(bySession.size).toBe(6);
    for (const decisions of bySession.values()) expect(new Set(decisions).size).toBe(1);
    // Both decisions occur, and the requests without the cookie are sampled by the fallback key.
    expect(new Set([...bySession.values()].map((d) => d[0])).size).toBe(2);
    expect(all.records.filter((r) => r.request.cookies._shop_session === undefined)).toHaveLength(4);
  });
});

describe('redaction', () => {
  const tmp = useTempDir();
  const key = 'test-key-0123456789';

  async function redacted(rules: string[], k: string | undefined = key) {
    const redactor = new Redactor(rules.map(parseRedactRule), k);
    const sink = new MemorySink();
    const steps: RecordStep[] = [redactor.step()];
    await runRecording([await openGorSource(mixedGor), ...(await openEventSources([mixedEvents], { time: 0 }))], sink, { steps });
    return { records: sink.records, redactor };
  }

  it('parses rules', () => {
    expect(parseRedactRule('header:Authorization')).toEqual({ kind: 'header', name: 'authorization', mode: 'hash' });
    expect(parseRedactRule('cookie:session=drop')).toEqual({ kind: 'cookie', name: 'session', mode: 'drop' });
    expect(parseRedactRule('query:token=hash')).toEqual({ kind: 'query', name: 'token', mode: 'hash' });
    expect(() => parseRedactRule('body:x')).toThrow(/--redact/);
    expect(() => parseRedactRule('cookie:x=blank')).toThrow(/hash or drop/);
  });

  it('hash: equal values stay equal, different values differ, the auth scheme is kept; request and Set-Cookie sides', async () => {
    const { records, redactor } = await redacted(['header:authorization', 'cookie:session']);
    const byUri = Object.fromEntries(records.map((r) => [r.request.uri, r]));
    const one = byUri['/one']!;
    expect(one.request.cookies.session!.value).toBe(redactor.hash('s1'));
    expect(one.response!.cookies.session!.value).toBe(one.request.cookies.session!.value);
    expect(one.response!.cookies.session!.attributes).toBe('Path=/');
    expect(one.request.cookies.theme).toEqual({ value: 'dark' });
    const a = byUri['/a']!;
    expect(a.request.headers.authorization!.value).toBe(`Bearer ${redactor.hash('secret-token-1')}`);
    expect(a.request.cookies.session!.value).not.toBe(one.request.cookies.session!.value);
    expect(redactor.hash('x')).toBe(new Redactor([], key).hash('x'));
    expect(new Redactor([], 'other-key').hash('x')).not.toBe(redactor.hash('x'));
    expect(redactor.notes().map((n) => n.note)).toContain('redacted header:authorization=hash');
  });

  it('drop removes; query rules rewrite the raw query too', async () => {
    const { records } = await redacted(['cookie:session=drop', 'query:a=hash', 'query:x=drop']);
    const byUri = Object.fromEntries(records.map((r) => [r.request.uri, r]));
    expect(byUri['/one']!.request.cookies.session).toBeUndefined();
    expect(byUri['/one']!.response!.cookies.session).toBeUndefined();
    const q = byUri['/one']!.request.querystring.a!;
    expect(q.multiValue!.map((m) => m.value)).toEqual([q.value, expect.stringMatching(/^hmac\./)]);
    expect(byUri['/one']!.rawQuery).toBe(`a=${q.multiValue![0]!.value}&a=${q.multiValue![1]!.value}`);
    expect(byUri['/a']!.request.querystring).toEqual({});
    expect(byUri['/a']!.rawQuery).toBe('');
  });

  it('generated ids are derived again from the redacted record; given ids are kept', async () => {
    const plain = await redacted([]);
    const { records } = await redacted(['cookie:session']);
    const before = Object.fromEntries(plain.records.map((r) => [r.request.uri, r.id]));
    const after = Object.fromEntries(records.map((r) => [r.request.uri, r.id]));
    expect(after['/one']).not.toBe(before['/one']);
    expect(seedOfRequestId(after['/one']!)).toBeDefined();
    expect(after['/b']).toBe('custom-id-2');
  });

  it('neither the key nor the secret values are in the corpus bytes', async () => {
    const out = join(tmp.path, 'r.cfr');
    const redactor = new Redactor(['header:authorization', 'cookie:session'].map(parseRedactRule), key);
    await runRecording([...(await openEventSources([mixedEvents], { time: 0 }))], await openCorpusSink(out), { steps: [redactor.step()] });
    const bytes = readFileSync(out);
    // Chunks are brotli-compressed: look in the decoded records too.
    const { openCorpusFile } = await import('../../src/store/index.js');
    const f = await openCorpusFile(out);
    const texts: string[] = [bytes.toString('latin1')];
    for await (const r of f.records()) texts.push(JSON.stringify(r));
    await f.close();
    const all = texts.join('\n');
    expect(all).not.toContain(key);
    expect(all).not.toContain('secret-token-1');
    expect(all).not.toContain('"s-1"');
  });

  it('key: option, then environment, then generated', () => {
    expect(resolveRedactKey('k1', {})).toMatchObject({ key: 'k1', from: 'option' });
    expect(resolveRedactKey(undefined, { CFREPLAY_REDACT_KEY: 'k2' })).toMatchObject({ key: 'k2', from: 'env' });
    const g = resolveRedactKey(undefined, {});
    expect(g.generated).toBe(true);
    expect(g.key.length).toBeGreaterThanOrEqual(32);
  });
});

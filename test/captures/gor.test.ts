// GoReplay: the real DataDog capture (<captures>/gor): 3-field headers, requests only, cookie sampling.
import { describe, expect, it } from 'vitest';
import { MemorySink, runRecording } from '../../src/record/index.js';
import { openGorSource } from '../../src/record/gor/gor-source.js';
import { createSampler, parseSampleKey } from '../../src/record/sampling.js';
import { capture } from './location.js';
import { decisionsByCookie } from '../helpers/sampling.js';

const datadog = capture('gor', 'datadog-ecommerce-requests_0.gor');

describe('record gor: the real DataDog capture', () => {
  it('records every request with the event rules', async () => {
    const sink = new MemorySink();
    const summary = await runRecording([await openGorSource(datadog)], sink);
    expect(summary.recordsWritten).toBe(101);
    expect(summary.skipped.total).toBe(0);
    const first = sink.records[0]!;
    expect(first.time).toBe(1568139746437);
    expect(first.request.method).toBe('GET');
    expect(first.request.uri).toBe('/');
    expect(first.request.headers.host).toEqual({ value: 'localhost:3000' });
    // Connection is dropped (disallowed), Cookie parsed into cookies, not in headers.
    expect(first.request.headers.connection).toBeUndefined();
    expect(first.request.headers.cookie).toBeUndefined();
    expect(first.request.cookies.csrftoken?.value).toMatch(/^Oic3/);
    expect(first.request.cookies.__profilin).toEqual({ value: 'p%3Dt' });
    expect(first.response).toBeUndefined();
    expect(summary.sources[0]!.info.format).toMatch(/3-field/);
  });

  it('sampling by cookie: requests sharing the session cookie are kept or dropped together', async () => {
    const sampler = createSampler({ rate: 0.5, key: parseSampleKey('cookie:_sandbox_session') });
    const all = new MemorySink();
    await runRecording([await openGorSource(datadog)], all);
    const kept = new MemorySink();
    await runRecording([await openGorSource(datadog)], kept, { steps: [sampler] });
    const bySession = decisionsByCookie(all.records, kept.records, '_sandbox_session');
    expect(bySession.size).toBeGreaterThan(1);
    for (const decisions of bySession.values()) expect(new Set(decisions).size).toBe(1);
  });
});

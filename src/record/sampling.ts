/**
 * Consistent sampling (`--sample 10% --sample-key cookie:session`): whether a
 * record is kept depends only on a hash of its key value, so every request of
 * one session (one cookie value, one header value, one client address) is kept
 * or dropped together, in every run and from every source.
 *
 * Key kinds:
 * - `ip` (default): the viewer address the capture knows;
 * - `cookie:NAME`, `header:NAME`, `query:NAME`: that value of the request.
 * When the key is absent from a request (no session cookie yet), the viewer
 * address decides when the capture knows it, else the request itself (its
 * stable id): such requests are sampled one by one. A connection (mTLS)
 * event is decided by its client address.
 */
import type { NormalizedExchange, RecordedConnection, RecordedExchange } from '../event/index.js';
import { InputError } from './errors.js';
import type { RecordStep } from './types.js';

export type SampleKey = { kind: 'ip' } | { kind: 'cookie' | 'header' | 'query'; name: string };

export interface SamplingOptions {
  /** Share of keys kept, in (0, 1]. */
  rate: number;
  key: SampleKey;
}

/** "10%", "0.1", "1/10" to a rate in (0, 1]. */
export function parseSampleRate(text: string): number {
  const t = text.trim();
  let rate: number;
  const frac = /^(\d+)\s*\/\s*(\d+)$/.exec(t);
  if (t.endsWith('%')) rate = Number(t.slice(0, -1)) / 100;
  else if (frac !== null) rate = Number(frac[1]) / Number(frac[2]);
  else rate = Number(t);
  if (t === '' || t === '%' || !Number.isFinite(rate) || rate <= 0 || rate > 1) {
    throw new InputError(`--sample: "${text}" is not a share between 0 and 100% (e.g. 10%, 0.1 or 1/10)`);
  }
  return rate;
}

export function parseSampleKey(text: string): SampleKey {
  const t = text.trim();
  if (t.toLowerCase() === 'ip') return { kind: 'ip' };
  const colon = t.indexOf(':');
  const kind = colon > 0 ? t.slice(0, colon).toLowerCase() : '';
  const name = colon > 0 ? t.slice(colon + 1).trim() : '';
  if ((kind === 'cookie' || kind === 'header' || kind === 'query') && name !== '') {
    return { kind, name: kind === 'header' ? name.toLowerCase() : name };
  }
  throw new InputError(`--sample-key: "${text}" is not ip, cookie:NAME, header:NAME or query:NAME`);
}

export function describeSampleKey(key: SampleKey): string {
  return key.kind === 'ip' ? 'ip' : `${key.kind}:${key.name}`;
}

/**
 * 32-bit FNV-1a over the UTF-16 code units, finished with murmur3's fmix32 so
 * nearby values spread over the whole range. Fixed forever: changing it would
 * change which sessions a given rate keeps.
 */
export function sampleHash(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 0x100000000;
}

/** The value the decision is made on (see the module comment for the fallbacks). */
export function sampleKeyValue(key: SampleKey, record: RecordedExchange, exchange: NormalizedExchange): string {
  let v: string | undefined;
  switch (key.kind) {
    case 'cookie':
      v = record.request.cookies[key.name]?.value;
      break;
    case 'header':
      v = record.request.headers[key.name]?.value;
      break;
    case 'query':
      v = record.request.querystring[key.name]?.value;
      break;
    case 'ip':
      break;
  }
  if (v !== undefined) return `${key.kind}\0${v}`;
  if (exchange.viewerIp !== undefined) return `ip\0${record.viewerIp}`;
  return `id\0${record.id}`;
}

export function keepSample(rate: number, keyValue: string): boolean {
  return rate >= 1 || sampleHash(keyValue) < rate;
}

function formatRate(rate: number): string {
  const pct = rate * 100;
  return `${Number.isInteger(pct) ? pct : Number(pct.toPrecision(4))}%`;
}

/** The sampling step, with the plain data a recording worker rebuilds it from (portable-step.ts). */
export type SampleStep = RecordStep & { readonly spec: { kind: 'sample'; options: SamplingOptions } };

/** The pipeline step: keeps a record when its key falls in the sampled share. */
export function createSampler(options: SamplingOptions): SampleStep {
  const reason = `outside --sample ${formatRate(options.rate)} (key ${describeSampleKey(options.key)})`;
  const filtered = { filtered: reason };
  const step: RecordStep = (record, exchange) => (keepSample(options.rate, sampleKeyValue(options.key, record, exchange)) ? record : filtered);
  // A connection (mTLS) event has no cookie, header or query: its client address decides, the value a request of
  // that client without the key falls back to, so a handshake is kept or dropped with that client's requests.
  const connection = (record: RecordedConnection) =>
    keepSample(options.rate, typeof record.event.clientIp === 'string' && record.event.clientIp !== '' ? `ip\0${record.event.clientIp}` : `id\0${record.id}`) ? record : filtered;
  return Object.assign(step, { spec: { kind: 'sample', options } as const, connection });
}

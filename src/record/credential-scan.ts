/**
 * Recording without `--redact`: a step that looks for credentials in what is
 * about to be stored (the places `--redact credentials` covers) and counts
 * them by field, so the recording ends with one warning naming the fields
 * found and the option that hashes them. Records pass unchanged.
 */
import type { RecordedExchange } from '../event/index.js';
import type { RecordStep } from './types.js';
import { CREDENTIAL_HEADERS, CREDENTIAL_QUERY_NAMES, matchName } from './redaction.js';

/** How a header is named in the warning (the usual spelling, not the lower-case key). */
const HEADER_LABEL: Record<string, string> = {
  authorization: 'Authorization',
  'proxy-authorization': 'Proxy-Authorization',
  cookie: 'Cookie',
  'set-cookie': 'Set-Cookie',
  'x-api-key': 'X-Api-Key',
  'x-auth-token': 'X-Auth-Token',
  'x-amz-security-token': 'X-Amz-Security-Token',
};

const QUERY_NAMES = new Set(CREDENTIAL_QUERY_NAMES);

/** The scanning step, with the plain data a recording worker rebuilds it from and how it adds the worker's counts (portable-step.ts). */
export type CredentialScanStep = RecordStep & {
  readonly spec: { kind: 'scan-credentials' };
  readonly absorb: (counts: readonly [string, number][]) => void;
};

export class CredentialScanner {
  /** Records holding each field, by its label ("Authorization", "query token"). */
  readonly counts = new Map<string, number>();

  private count(label: string): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
  }

  scan(record: RecordedExchange): RecordedExchange {
    const req = record.request;
    const seen = new Set<string>();
    for (const name of Object.keys(req.headers)) {
      const n = name.toLowerCase();
      if (CREDENTIAL_HEADERS.includes(n)) seen.add(HEADER_LABEL[n] ?? name);
    }
    if (Object.keys(req.cookies).length > 0) seen.add('Cookie');
    for (const name of Object.keys(req.querystring)) {
      const n = matchName(name);
      if (QUERY_NAMES.has(n)) seen.add(`query ${n}`);
    }
    const res = record.response;
    if (res !== undefined) {
      if (Object.keys(res.cookies).length > 0) seen.add('Set-Cookie');
      for (const name of Object.keys(res.headers)) {
        const n = name.toLowerCase();
        if (CREDENTIAL_HEADERS.includes(n)) seen.add(HEADER_LABEL[n] ?? name);
      }
    }
    for (const label of seen) this.count(label);
    return record;
  }

  step(): CredentialScanStep {
    return Object.assign((record: RecordedExchange) => this.scan(record), {
      spec: { kind: 'scan-credentials' } as const,
      absorb: (counts: readonly [string, number][]) => {
        for (const [label, n] of counts) this.counts.set(label, (this.counts.get(label) ?? 0) + n);
      },
    });
  }

  /**
   * The one warning for the summary, or undefined when nothing was found:
   * `credentials stored as captured: Authorization in 12 requests, Cookie in 40, query token in 2; ...`.
   */
  warning(): string | undefined {
    if (this.counts.size === 0) return undefined;
    const found = [...this.counts].sort((a, b) => b[1] - a[1]).map(([label, n], i) => `${label} in ${n}${i === 0 ? ` record${n === 1 ? '' : 's'}` : ''}`);
    return (
      `credentials stored as captured (no --redact): ${found.join(', ')}; ` +
      'record with --redact credentials to hash them (equal values stay equal), or --redact header:NAME=drop / query:NAME=drop per field'
    );
  }
}

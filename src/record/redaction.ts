/**
 * Redaction of secrets before anything is stored
 * (`--redact header:authorization --redact cookie:session=drop`).
 *
 * Rules: `header:NAME`, `cookie:NAME` or `query:NAME`, with an optional mode
 * suffix `=hash` (default) or `=drop`.
 * - `hash` replaces each value by a keyed HMAC-SHA256 (base64url, prefixed
 *   `hmac.`): equal values stay equal and different values stay different, so
 *   a function that compares tokens or buckets on a cookie behaves the same.
 *   For `authorization` the scheme word is kept (`Bearer hmac.…`).
 * - `drop` removes the header / cookie / query parameter.
 * - `header:cookie` / `header:set-cookie` mean every request / response cookie.
 * Headers are matched case-insensitively; cookies and query names exactly.
 * Request and response sides are both redacted (a `cookie:` rule covers the
 * Set-Cookie of that name too). A query rule rewrites the raw query as well.
 *
 * The key comes from `--redact-key`, else CFREPLAY_REDACT_KEY, else a random
 * one printed once; it is never written to the corpus. When a record changed
 * and its id was generated from the capture (and so from the secret), the id
 * is regenerated from the redacted record.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import {
  requestIdFromSeed,
  seedFromDigest,
  seedOfRequestId,
  type MultiValueEntry,
  type RecordedExchange,
  type SetCookieMap,
} from '../event/index.js';
import { InputError } from './errors.js';
import { detached } from '../util/detached.js';
import type { RecordStep } from './types.js';

export type RedactMode = 'hash' | 'drop';

/** The redaction step, with the plain data a recording worker rebuilds it from and how it adds the worker's counts (portable-step.ts). */
export type RedactStep = RecordStep & {
  readonly spec: { kind: 'redact'; rules: readonly RedactRule[]; key: string | undefined };
  readonly absorb: (counts: readonly [string, number][]) => void;
};

export interface RedactRule {
  kind: 'header' | 'cookie' | 'query';
  /** Lowercase for headers. */
  name: string;
  mode: RedactMode;
}

export const REDACT_KEY_ENV = 'CFREPLAY_REDACT_KEY';

export function parseRedactRule(text: string): RedactRule {
  let t = text.trim();
  let mode: RedactMode = 'hash';
  const eq = t.lastIndexOf('=');
  if (eq > 0) {
    const m = t.slice(eq + 1).trim().toLowerCase();
    if (m !== 'hash' && m !== 'drop') throw new InputError(`--redact: "${text}": the mode after "=" must be hash or drop`);
    mode = m;
    t = t.slice(0, eq).trim();
  }
  const colon = t.indexOf(':');
  const kind = colon > 0 ? t.slice(0, colon).trim().toLowerCase() : '';
  const name = colon > 0 ? t.slice(colon + 1).trim() : '';
  if ((kind !== 'header' && kind !== 'cookie' && kind !== 'query') || name === '') {
    throw new InputError(`--redact: "${text}" is not header:NAME, cookie:NAME or query:NAME (optionally followed by =hash or =drop)`);
  }
  // Names match case-insensitively everywhere (Token, TOKEN and token are one secret), and a
  // query name also in its percent-decoded form (tok%65n is token).
  return { kind, name: matchName(name), mode };
}

/** The form names are compared in: percent-decoded (when valid) and lowercased. */
export function matchName(name: string): string {
  let n = name;
  if (n.indexOf('%') >= 0) {
    try {
      n = decodeURIComponent(n);
    } catch {
      // kept as written
    }
  }
  return n.toLowerCase();
}

/** Headers that carry credentials (lower case): `--redact credentials` hashes them; without --redact they are warned about. */
export const CREDENTIAL_HEADERS: readonly string[] = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-auth-token', 'x-amz-security-token'];

/** Token-like query parameter names (compared lower-cased and percent-decoded). */
export const CREDENTIAL_QUERY_NAMES: readonly string[] = [
  'token', 'access_token', 'id_token', 'refresh_token', 'api_key', 'apikey', 'key', 'secret', 'password', 'signature', 'sig', 'auth', 'code',
  'x-amz-signature', 'x-amz-credential', 'x-amz-security-token',
];

/** `--redact credentials`: the usual places of secrets, hashed. */
export const CREDENTIAL_RULES: readonly string[] = [...CREDENTIAL_HEADERS.map((h) => `header:${h}`), ...CREDENTIAL_QUERY_NAMES.map((q) => `query:${q}`)];

/** One --redact value: a rule, or a preset (`credentials`, optionally `=drop`). */
export function parseRedactRules(text: string): RedactRule[] {
  const m = /^\s*credentials\s*(?:=\s*(hash|drop)\s*)?$/i.exec(text);
  if (m !== null) return CREDENTIAL_RULES.map((r) => parseRedactRule(m[1] !== undefined ? `${r}=${m[1].toLowerCase()}` : r));
  return [parseRedactRule(text)];
}

/** Headers whose value is a URL: a redacted query parameter is redacted inside them too. */
const URL_HEADERS = new Set(['referer', 'location', 'origin', 'content-location', 'refresh']);

/** The key to use: given, from the environment, or generated (then `generated` is true and the caller prints it once). */
export function resolveRedactKey(given: string | undefined, env: NodeJS.ProcessEnv = process.env): { key: string; generated: boolean; from: 'option' | 'env' | 'generated' } {
  if (given !== undefined) {
    if (given === '') throw new InputError('--redact-key: the key is empty');
    return { key: given, generated: false, from: 'option' };
  }
  const fromEnv = env[REDACT_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { key: fromEnv, generated: false, from: 'env' };
  return { key: randomBytes(32).toString('base64url'), generated: true, from: 'generated' };
}

const HASH_PREFIX = 'hmac.';
const AUTH_SCHEME_RE = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*) +(\S.*)$/s;

export class Redactor {
  /** Values redacted per rule (for the summary). */
  readonly counts = new Map<string, number>();
  private readonly headerRules = new Map<string, RedactMode>();
  private readonly cookieRules = new Map<string, RedactMode>();
  private readonly queryRules = new Map<string, RedactMode>();
  private readonly allCookies: RedactMode | undefined;
  private readonly allSetCookies: RedactMode | undefined;
  private readonly cache = new Map<string, string>();

  constructor(
    readonly rules: readonly RedactRule[],
    private readonly key: string | undefined,
  ) {
    for (const r of rules) {
      if (r.mode === 'hash' && key === undefined) throw new Error('Redactor: a hash rule needs a key');
      if (r.kind === 'header') this.headerRules.set(r.name, r.mode);
      else if (r.kind === 'cookie') this.cookieRules.set(r.name, r.mode);
      else this.queryRules.set(r.name, r.mode);
    }
    this.allCookies = this.headerRules.get('cookie');
    this.allSetCookies = this.headerRules.get('set-cookie');
  }

  get needsKey(): boolean {
    return this.rules.some((r) => r.mode === 'hash');
  }

  /** Keyed HMAC of a value (equal in, equal out). */
  hash(value: string): string {
    let out = this.cache.get(value);
    if (out === undefined) {
      out = HASH_PREFIX + createHmac('sha256', this.key ?? '').update(value, 'utf8').digest('base64url');
      if (this.cache.size > 4096) this.cache.clear();
      this.cache.set(detached(value), out);
    }
    return out;
  }

  private count(label: string): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
  }

  private headerValue(name: string, value: string): string {
    if (name === 'authorization' || name === 'proxy-authorization') {
      const m = AUTH_SCHEME_RE.exec(value);
      if (m !== null) return `${m[1]} ${this.hash(m[2]!)}`;
    }
    return this.hash(value);
  }

  /** Apply the rules to a value map in place; true when something changed. */
  private redactMap(map: Record<string, MultiValueEntry>, rules: Map<string, RedactMode>, all: RedactMode | undefined, kind: string, header: boolean): boolean {
    let changed = false;
    for (const name of Object.keys(map)) {
      const mode = all ?? rules.get(matchName(name));
      if (mode === undefined) continue;
      changed = true;
      this.count(`${kind}:${all !== undefined ? '*' : matchName(name)}=${mode}`);
      if (mode === 'drop') {
        delete map[name];
        continue;
      }
      const entry = map[name]!;
      const h = (v: string) => (header ? this.headerValue(name, v) : this.hash(v));
      entry.value = h(entry.value);
      if (entry.multiValue !== undefined) for (const m of entry.multiValue) m.value = h(m.value);
    }
    return changed;
  }

  private redactSetCookies(map: SetCookieMap): boolean {
    let changed = false;
    for (const name of Object.keys(map)) {
      const mode = this.allSetCookies ?? this.cookieRules.get(matchName(name));
      if (mode === undefined) continue;
      changed = true;
      this.count(`set-cookie:${this.allSetCookies !== undefined ? '*' : matchName(name)}=${mode}`);
      if (mode === 'drop') {
        delete map[name];
        continue;
      }
      const entry = map[name]!;
      entry.value = this.hash(entry.value);
      if (entry.multiValue !== undefined) for (const m of entry.multiValue) m.value = this.hash(m.value);
    }
    return changed;
  }

  private redactRawQuery(raw: string): string {
    const parts = raw.split('&');
    const out: string[] = [];
    for (const part of parts) {
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      const mode = part === '' ? undefined : this.queryRules.get(matchName(name));
      if (mode === undefined) out.push(part);
      else if (mode === 'hash') out.push(`${name}=${this.hash(eq < 0 ? '' : part.slice(eq + 1))}`);
    }
    return out.join('&');
  }

  /** Query parameters covered by the rules, inside the URL headers (Referer, Location, Origin...) of a map. */
  private redactUrlHeaders(map: Record<string, MultiValueEntry>): boolean {
    let changed = false;
    for (const name of Object.keys(map)) {
      if (!URL_HEADERS.has(name.toLowerCase())) continue;
      const entry = map[name]!;
      const fix = (v: string): string => {
        const q = v.indexOf('?');
        if (q < 0) return v;
        const hash = v.indexOf('#', q);
        const query = hash < 0 ? v.slice(q + 1) : v.slice(q + 1, hash);
        const out = this.redactRawQuery(query);
        if (out === query) return v;
        changed = true;
        this.count(`${name.toLowerCase()} URL query`);
        return `${v.slice(0, q)}${out === '' ? '' : `?${out}`}${hash < 0 ? '' : v.slice(hash)}`;
      };
      entry.value = fix(entry.value);
      if (entry.multiValue !== undefined) for (const m of entry.multiValue) m.value = fix(m.value);
    }
    return changed;
  }

  /** Redact one record in place; returns it. */
  apply(record: RecordedExchange): RecordedExchange {
    const req = record.request;
    let changed = false;
    if (this.headerRules.size > 0) changed = this.redactMap(req.headers, this.headerRules, undefined, 'header', true) || changed;
    if (this.cookieRules.size > 0 || this.allCookies !== undefined) changed = this.redactMap(req.cookies, this.cookieRules, this.allCookies, 'cookie', false) || changed;
    if (this.queryRules.size > 0) {
      if (this.redactMap(req.querystring, this.queryRules, undefined, 'query', false)) {
        changed = true;
        if (record.rawQuery !== undefined) record.rawQuery = this.redactRawQuery(record.rawQuery);
      }
      changed = this.redactUrlHeaders(req.headers) || changed;
      if (record.response !== undefined) changed = this.redactUrlHeaders(record.response.headers) || changed;
    }
    const res = record.response;
    if (res !== undefined) {
      if (this.headerRules.size > 0) changed = this.redactMap(res.headers, this.headerRules, undefined, 'header', true) || changed;
      if (this.cookieRules.size > 0 || this.allSetCookies !== undefined) changed = this.redactSetCookies(res.cookies) || changed;
    }
    if (changed && seedOfRequestId(record.id) !== undefined) {
      // The generated id hashed the original (secret) values: derive it again from what is stored.
      const h = createHash('sha256');
      h.update(JSON.stringify([record.source, record.time, req, record.rawQuery ?? null, res ?? null]));
      record.id = requestIdFromSeed(seedFromDigest(h.digest()));
    }
    return record;
  }

  step(): RedactStep {
    return Object.assign((record: RecordedExchange) => this.apply(record), {
      spec: { kind: 'redact', rules: this.rules, key: this.key } as const,
      absorb: (counts: readonly [string, number][]) => {
        for (const [label, n] of counts) this.counts.set(label, (this.counts.get(label) ?? 0) + n);
      },
    });
  }

  /** Summary notes ("redacted header:authorization=hash: 12 values"). */
  notes(): { note: string; count: number }[] {
    return [...this.counts].map(([rule, count]) => ({ note: `redacted ${rule}`, count }));
  }
}

/**
 * Connection (mTLS) events: what a CloudFront connection function
 * (`connectionHandler(connection)`, cloudfront-js-2.0) receives for one TLS
 * handshake that presented a client certificate, and the corpus record that
 * keeps one.
 *
 * What AWS documents (read with the search tool, December 2026):
 * - the revocation tutorial ("Step 2: Create the revocation Connection
 *   Function", docs.aws.amazon.com and docs.amazonaws.cn, every language)
 *   reads `connection.clientCertInfo.serialNumber` and looks it up in a
 *   KeyValueStore whose keys are written `ABC123DEF456` (hex, upper case, no
 *   separators); it ends with `return connection.allow()` / `connection.deny()`;
 * - "Overview and workflow": the function "can access client certificate
 *   information, mTLS configuration parameters, certificate revocation check
 *   results, and the client IP address"; it runs after CloudFront's own
 *   validation (trust chain, expiry, signature), "even if certificate
 *   revocation checks fail", and with IgnoreCertificateExpiry (ViewerMtlsConfig)
 *   for expired but otherwise valid certificates;
 * - "Test connection functions": the test object is a blob of up to 40 KB
 *   whose structure "is defined by the CloudFront Connection Functions
 *   runtime" (not spelled out there);
 * - the connection logs name the leaf's fields ClientLeafCertSerialNumber,
 *   ClientLeafCertIssuer, ClientLeafCertSubject, ClientLeafCertValidity.
 * Where the field list is (searched again, session 6): the "Connection event
 * structure" section of functions-event-structure has none; it says connection
 * functions receive another event structure and points to "Associate a
 * CloudFront Connection Function" (read in the Chinese edition,
 * https://docs.amazonaws.cn/AmazonCloudFront/latest/DeveloperGuide/functions-event-structure.html).
 * The list itself is the section #connection-function-event-structure ("event
 * structure and response format", beside #connection-function-helper-methods)
 * of write-connection-function-code (its table of contents in
 * https://docs.aws.amazon.com/zh_tw/AmazonCloudFront/latest/DeveloperGuide/write-connection-function-code.md
 * and https://docs.amazonaws.cn/AmazonCloudFront/latest/DeveloperGuide/write-connection-function-code.md);
 * the search tool gives only the first part of those pages, so the section
 * body (and with it the revocation-result and mTLS-configuration names) could
 * not be read. The API (API_TestConnectionFunction.html) takes the test
 * connection object as a blob of 0 to 40,960 bytes and answers
 * ComputeUtilization, ConnectionFunctionErrorMessage,
 * ConnectionFunctionExecutionLogs and ConnectionFunctionOutput.
 * The reference (shared/reference) gives
 * `clientCertificate.certificates.leaf.{serialNumber, issuer, subject,
 * validity: {notBefore, notAfter}, sha256Fingerprint}`, `clientIp`,
 * `endpoint`, `distributionId`, `connectionId`. Both spellings of the
 * certificate are documented, so an event carries both: the leaf under
 * `clientCertificate.certificates.leaf` and the same fields under
 * `clientCertInfo` (a function written after AWS's tutorial and one written
 * after the reference both run). Events recorded before `clientCertInfo` was
 * added, and test events written with only one of the two, are completed
 * when read (`completeConnectionEvent`), so older corpora replay the same.
 * The revocation-check result and mTLS configuration fields are not modelled:
 * their names are not documented where they could be read.
 *
 * `allow()`, `deny()` and `logCustomData()` are added by the runtime, never
 * stored. An event read from a file is kept as written (fields this model
 * does not name included).
 */
import { createHash } from 'node:crypto';
import type { EventSource } from './types.js';

export interface CertificateValidity {
  /** As CloudFront gives them: ISO 8601 (UTC). */
  notBefore: string;
  notAfter: string;
}

export interface LeafCertificate {
  /** Hexadecimal, upper case, as openssl prints it without separators. */
  serialNumber: string;
  /** Distinguished names in RFC 4514 order of appearance: "CN=client-1,O=Example,C=US". */
  issuer: string;
  subject: string;
  validity: CertificateValidity;
  /** Lower-case hex SHA-256 of the DER certificate. */
  sha256Fingerprint: string;
}

export interface ConnectionEvent {
  clientCertificate?: { certificates: { leaf: LeafCertificate } };
  /** The leaf's fields as AWS's revocation tutorial reads them (`connection.clientCertInfo.serialNumber`). */
  clientCertInfo?: LeafCertificate;
  clientIp: string;
  endpoint: string;
  distributionId: string;
  connectionId: string;
  [field: string]: unknown;
}

/** One connection event in the corpus: the event exactly as the function receives it (without its methods). */
export interface RecordedConnection {
  kind: 'connection';
  /** The connection id (the event's `connectionId`). */
  id: string;
  /** Handshake time in epoch milliseconds: the frozen clock for replay. */
  time: number;
  source: EventSource;
  event: ConnectionEvent;
}

export function isRecordedConnection(r: object): r is RecordedConnection {
  return (r as { kind?: unknown }).kind === 'connection';
}

/** What node's TLS layer gives for a peer certificate (tls.PeerCertificate), the parts used here. */
export interface PeerCertificateLike {
  serialNumber?: string;
  issuer?: Record<string, string | string[] | undefined> | undefined;
  subject?: Record<string, string | string[] | undefined> | undefined;
  valid_from?: string;
  valid_to?: string;
  fingerprint256?: string;
  raw?: Buffer;
}

/**
 * A distinguished name as one string, "CN=...,O=...,C=..." in the order node
 * lists the attributes (the certificate's order); a multi-valued attribute
 * repeats. Commas, plus signs and the like inside values are escaped as RFC
 * 4514 says.
 */
export function distinguishedName(dn: Record<string, string | string[] | undefined> | undefined): string {
  if (dn === undefined) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(dn)) {
    if (v === undefined) continue;
    for (const value of Array.isArray(v) ? v : [v]) parts.push(`${k}=${escapeDnValue(value)}`);
  }
  return parts.join(',');
}

function escapeDnValue(v: string): string {
  let out = v.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`);
  if (out.startsWith(' ') || out.startsWith('#')) out = `\\${out}`;
  if (out.endsWith(' ') && out.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** "Jan  1 00:00:00 2026 GMT" (node's form) to ISO 8601; unparseable text is kept as given. */
function isoDate(s: string | undefined): string {
  if (s === undefined) return '';
  const t = Date.parse(s);
  return Number.isNaN(t) ? s : new Date(t).toISOString();
}

/** The leaf as a connection function sees it, from the certificate the client presented. */
export function leafOf(cert: PeerCertificateLike): LeafCertificate {
  const fingerprint = cert.raw !== undefined ? createHash('sha256').update(cert.raw).digest('hex') : (cert.fingerprint256 ?? '').replace(/:/g, '').toLowerCase();
  return {
    serialNumber: (cert.serialNumber ?? '').toUpperCase(),
    issuer: distinguishedName(cert.issuer),
    subject: distinguishedName(cert.subject),
    validity: { notBefore: isoDate(cert.valid_from), notAfter: isoDate(cert.valid_to) },
    sha256Fingerprint: fingerprint,
  };
}

export interface ConnectionContext {
  clientIp: string;
  endpoint: string;
  distributionId: string;
  connectionId: string;
}

export function connectionEventOf(cert: PeerCertificateLike, context: ConnectionContext): ConnectionEvent {
  return {
    clientCertificate: { certificates: { leaf: leafOf(cert) } },
    clientCertInfo: leafOf(cert),
    clientIp: context.clientIp,
    endpoint: context.endpoint,
    distributionId: context.distributionId,
    connectionId: context.connectionId,
  };
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The client certificate's leaf, from either documented place (`clientCertificate.certificates.leaf` first). */
export function leafOfEvent(event: ConnectionEvent): Obj | undefined {
  const cc = (event as Obj).clientCertificate;
  const leaf = isObj(cc) && isObj(cc.certificates) && isObj(cc.certificates.leaf) ? cc.certificates.leaf : undefined;
  if (leaf !== undefined) return leaf;
  const info = (event as Obj).clientCertInfo;
  return isObj(info) ? info : undefined;
}

/**
 * The event as a connection function receives it: when only one of the two
 * documented places of the certificate is there (a corpus recorded before
 * `clientCertInfo` existed, a hand-written test event), the other is filled
 * with a copy of the same fields. Anything else is left exactly as it is;
 * the event passed in is not changed.
 */
export function completeConnectionEvent(event: ConnectionEvent): ConnectionEvent {
  const hasLeaf = (() => {
    const cc = (event as Obj).clientCertificate;
    return isObj(cc) && isObj(cc.certificates) && isObj(cc.certificates.leaf);
  })();
  const hasInfo = isObj((event as Obj).clientCertInfo);
  if (hasLeaf === hasInfo) return event;
  const leaf = leafOfEvent(event)!;
  const copy = JSON.parse(JSON.stringify(leaf)) as LeafCertificate;
  if (hasLeaf) return { ...event, clientCertInfo: copy };
  if ((event as Obj).clientCertificate !== undefined) return event; // a clientCertificate of another shape: kept as written
  return { ...event, clientCertificate: { certificates: { leaf: copy } } };
}

/** Anything the corpus holds: an HTTP exchange or a TLS connection. */
export type CorpusRecord = import('./types.js').RecordedExchange | RecordedConnection;

/**
 * The subject with its varying parts (numbers, long hex ids) as `*`:
 * "CN=device-0042,O=Acme" and "CN=device-0043,O=Acme" are one population.
 */
export function subjectPattern(subject: string): string {
  return subject.replace(/[0-9a-f]{8,}|\d+/gi, '*');
}

/** The client's network: an IPv4 /24 or an IPv6 /48, the unit a person reads a population by. */
export function clientNetwork(ip: string): string {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/.exec(ip.startsWith('::ffff:') ? ip.slice(7) : ip);
  if (v4 !== null) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  if (ip.includes(':')) {
    const [head = '', tail = ''] = ip.split('::');
    const h = head === '' ? [] : head.split(':');
    const t = ip.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
    const groups = [...h, ...new Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t];
    return `${groups.slice(0, 3).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/48`;
  }
  return ip === '' ? '(no client ip)' : ip;
}

/**
 * Who a connection event stands for, as the replay report groups them: the
 * issuer, the subject pattern and the client network, so a person sees
 * which population of clients a change locks out or lets in.
 */
export function populationOf(event: ConnectionEvent): string {
  const leaf = leafOfEvent(event);
  const issuer = typeof leaf?.issuer === 'string' && leaf.issuer !== '' ? leaf.issuer : '(no issuer)';
  const subject = typeof leaf?.subject === 'string' && leaf.subject !== '' ? subjectPattern(leaf.subject) : '(no certificate)';
  return `issuer ${issuer} | subject ${subject} | net ${clientNetwork(typeof event.clientIp === 'string' ? event.clientIp : '')}`;
}

/** What a replay runs: viewer events of the exchanges, or the connection events. */
export type ReplayEventType = import('./types.js').EventType | 'connection';

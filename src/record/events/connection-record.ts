/**
 * Connection (mTLS) test events to corpus records: kept exactly as written
 * (fields cfreplay does not know included), after checking the fields a
 * connection function reads have the documented types.
 */
import { createHash } from 'node:crypto';
import type { ConnectionEvent, EventSource, RecordedConnection } from '../../event/index.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const LEAF_STRINGS = ['serialNumber', 'issuer', 'subject', 'sha256Fingerprint'] as const;

/** What is wrong with a connection event, or undefined when it can be recorded. */
export function connectionEventProblem(e: Obj): string | undefined {
  if (typeof e.clientIp !== 'string' || e.clientIp === '') return 'clientIp: expected the client address as a string';
  for (const f of ['endpoint', 'distributionId', 'connectionId'] as const) {
    if (e[f] !== undefined && typeof e[f] !== 'string') return `${f}: expected a string`;
  }
  const cert = e.clientCertificate;
  if (cert !== undefined) {
    if (!isObj(cert) || !isObj(cert.certificates) || !isObj(cert.certificates.leaf)) {
      return 'clientCertificate: expected { certificates: { leaf: { serialNumber, issuer, subject, validity, sha256Fingerprint } } }';
    }
    const problem = leafProblem(cert.certificates.leaf, 'clientCertificate.certificates.leaf');
    if (problem !== undefined) return problem;
  }
  const info = e.clientCertInfo;
  if (info !== undefined) {
    if (!isObj(info)) return 'clientCertInfo: expected { serialNumber, issuer, subject, validity, sha256Fingerprint }';
    return leafProblem(info, 'clientCertInfo');
  }
  return undefined;
}

/** The certificate fields a function reads, with the documented types. */
function leafProblem(leaf: Obj, at: string): string | undefined {
  for (const f of LEAF_STRINGS) {
    if (leaf[f] !== undefined && typeof leaf[f] !== 'string') return `${at}.${f}: expected a string`;
  }
  const validity = leaf.validity;
  if (validity !== undefined && (!isObj(validity) || ['notBefore', 'notAfter'].some((k) => validity[k] !== undefined && typeof validity[k] !== 'string'))) {
    return `${at}.validity: expected { notBefore, notAfter } as strings`;
  }
  return undefined;
}

/** The record of a checked event; its id is the event's connectionId, or one made from where it was read. */
export function connectionRecordOf(event: ConnectionEvent, source: EventSource, time: number): RecordedConnection {
  const id =
    typeof event.connectionId === 'string' && event.connectionId !== ''
      ? event.connectionId
      : `conn-${createHash('sha256').update(`${source.file}\0${source.entry}\0${time}`).digest('hex').slice(0, 32)}`;
  return { kind: 'connection', id, time, source, event };
}

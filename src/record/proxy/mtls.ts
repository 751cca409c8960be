/**
 * The proxy's TLS side when it is given a certificate and key: it terminates
 * TLS for the viewers, asks for a client certificate when given a CA bundle
 * (--client-ca), and turns each handshake that presented one into a
 * connection (mTLS) event, what CloudFront would pass to a connection
 * function.
 *
 * CloudFront runs the connection function only for a certificate that passed
 * its own validation against the trust store (docs: "If the client
 * certificates are invalid, Connection Functions will not be invoked"). So
 * only a certificate that verifies against --client-ca gives an event; one
 * that does not is counted as skipped with the TLS layer's reason. A
 * connection without a certificate gives none (no function would run). The
 * proxy itself serves every connection (it records, it does not enforce).
 */
import { randomBytes } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { connectionEventOf } from '../../event/index.js';
import { normalizeIp } from '../viewer-ip.js';
import type { ConnectionCapture } from './capture.js';

export interface ProxyTlsOptions {
  /** The proxy's own certificate chain and key (PEM). */
  cert: string;
  key: string;
  /** CA certificates (PEM) client certificates are verified against; without it no client certificate is asked for. */
  clientCa?: string;
  /** The event's endpoint when the viewer sent no SNI name (default: the distribution domain). */
  endpoint: string;
  distributionId: string;
}

export const MTLS_SKIP = {
  untrusted: 'client certificate not verified against --client-ca (CloudFront would not run the connection function)',
} as const;

/** Options for tls.createServer. */
export function tlsServerOptions(o: ProxyTlsOptions) {
  return {
    cert: o.cert,
    key: o.key,
    ALPNProtocols: ['http/1.1'],
    ...(o.clientCa !== undefined ? { requestCert: true, rejectUnauthorized: false, ca: o.clientCa } : {}),
  };
}

/** The connection capture of a finished handshake, or undefined when no client certificate was presented. */
export function handshakeCapture(socket: TLSSocket, index: number, o: ProxyTlsOptions, time = Date.now()): ConnectionCapture | undefined {
  if (o.clientCa === undefined) return undefined;
  const cert = socket.getPeerCertificate(false);
  if (cert === null || typeof cert !== 'object' || Object.keys(cert).length === 0) return undefined;
  if (!socket.authorized) {
    return { kind: 'connection-skip', reason: MTLS_SKIP.untrusted, index, detail: String(socket.authorizationError ?? 'not authorized') };
  }
  const connectionId = randomBytes(16).toString('hex');
  const servername = typeof socket.servername === 'string' && socket.servername !== '' ? socket.servername : undefined;
  const event = connectionEventOf(cert, {
    clientIp: normalizeIp(socket.remoteAddress ?? ''),
    endpoint: servername ?? o.endpoint,
    distributionId: o.distributionId,
    connectionId,
  });
  return { kind: 'connection', record: { kind: 'connection', id: connectionId, time, source: { file: 'proxy-tls', entry: index }, event } };
}

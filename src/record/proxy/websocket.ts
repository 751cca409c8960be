/**
 * WebSocket through the recording proxy. The handshake is an ordinary
 * viewer request to CloudFront, so it is forwarded with the same request
 * line and headers (the proxy's Host and X-Forwarded-For rules, plus
 * Connection/Upgrade, which a normal request drops) and recorded as one
 * exchange; once the origin answers 101 the connection relays bytes both
 * ways and the frames are neither parsed nor recorded (a CloudFront Function
 * never sees them). The relay itself is in relay-connection.ts.
 *
 * The 101 is stored as the exchange's response: CloudFront does not run a
 * viewer-response function on it, and `viewerResponseSkipReason` (event/views)
 * gives 'interim 1xx response' for it, so replay runs the handshake through
 * viewer-request functions only. CloudFront forwards no other protocol
 * upgrade: those are answered 501 and not recorded.
 */
import { forwardRequestHeaders } from './forward.js';
import { fieldFacts, type FieldFacts } from './http1/heads.js';

/** Does an Upgrade header ask for WebSocket? (It is a comma-separated list of protocols.) */
export function isWebSocketUpgrade(value: string | undefined): boolean {
  if (value === undefined) return false;
  for (const p of value.split(',')) if (p.trim().toLowerCase() === 'websocket') return true;
  return false;
}

/** The handshake's headers for the origin: the usual forwarding rules, plus the two an upgrade needs. */
export function upgradeRequestHeaders(raw: readonly string[], host: string | undefined, clientIp: string | undefined, facts: FieldFacts = fieldFacts(raw)): string[] {
  const out = forwardRequestHeaders(raw, { host, clientIp, facts });
  out.push('Connection', 'Upgrade', 'Upgrade', facts.upgrade ?? 'websocket');
  return out;
}

/** The proxy's WebSocket counts, for the summary. */
export class UpgradeCounts {
  /** Handshakes the origin answered 101 (tunnels opened). */
  upgraded = 0;
  /** Handshakes the origin answered with something else (relayed, then closed). */
  declined = 0;
  /** Upgrades to another protocol (answered 501, not recorded). */
  notWebSocket = 0;
  /** WebSocket connections open now. */
  open = 0;

  report(): { info: Record<string, string>; warnings: string[] } {
    const info: Record<string, string> = {};
    const warnings: string[] = [];
    if (this.upgraded > 0) info.websockets = `${this.upgraded} (handshakes recorded, frames relayed only)`;
    if (this.declined > 0) info['websocket upgrades declined by the origin'] = String(this.declined);
    if (this.notWebSocket > 0) warnings.push(`${this.notWebSocket} protocol upgrade request(s) other than WebSocket answered 501 and not recorded: only WebSocket upgrades are forwarded`);
    return { info, warnings };
  }
}

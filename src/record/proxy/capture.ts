/**
 * The request half of a recorded exchange, as the viewer sent it: request
 * line, headers in order (rawHeaders), capture time, and the viewer IP from
 * the socket, or from the first X-Forwarded-For hop when the proxy is told to
 * trust it. Shared by plain requests and WebSocket handshakes.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { NormalizedExchange } from '../../event/index.js';
import { firstForwardedHop, normalizeIp } from '../viewer-ip.js';
import { headerLines } from './forward.js';

export interface CapturedRequest {
  exchange: NormalizedExchange;
  /** The peer address of the viewer's connection (what X-Forwarded-For to the origin gets appended). */
  socketIp: string | undefined;
}

export function captureRequest(req: IncomingMessage, index: number, trustForwarded: boolean): CapturedRequest {
  const raw = req.rawHeaders;
  const socketIp = req.socket.remoteAddress !== undefined ? normalizeIp(req.socket.remoteAddress) : undefined;
  const exchange: NormalizedExchange = {
    time: Date.now(),
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: headerLines(raw),
    source: { file: 'proxy', entry: index },
  };
  const viewerIp = trustForwarded ? (firstForwardedHop(firstHeader(raw, 'x-forwarded-for')) ?? socketIp) : socketIp;
  if (viewerIp !== undefined && isIP(viewerIp) !== 0) exchange.viewerIp = viewerIp;
  return { exchange, socketIp };
}

/** The first value of a header in a rawHeaders list (`lower`: the name in lower case). */
function firstHeader(raw: readonly string[], lower: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === lower.length && raw[i]!.toLowerCase() === lower) return raw[i + 1];
  }
  return undefined;
}

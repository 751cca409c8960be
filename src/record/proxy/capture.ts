/**
 * A recorded exchange as it passed through the proxy: the request as the
 * viewer sent it (request line, headers in order from rawHeaders, capture
 * time, viewer IP from the socket or from the first X-Forwarded-For hop when
 * the proxy is told to trust it), and the origin's answer. Shared by plain
 * requests and WebSocket handshakes.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { CapturedResponse, NormalizedExchange } from '../../event/index.js';
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

/** The origin's answer as recorded: status, reason phrase when there is one, headers in order. */
export function captureResponse(res: IncomingMessage): CapturedResponse {
  const response: CapturedResponse = { status: res.statusCode ?? 0, headers: headerLines(res.rawHeaders) };
  if (res.statusMessage !== undefined && res.statusMessage !== '') response.statusText = res.statusMessage;
  return response;
}

/** The first value of a header in a rawHeaders list (`lower`: the name in lower case). */
function firstHeader(raw: readonly string[], lower: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === lower.length && raw[i]!.toLowerCase() === lower) return raw[i + 1];
  }
  return undefined;
}

/**
 * A recorded exchange as it passed through the proxy: the request as the
 * viewer sent it (request line, headers in order, capture time, viewer IP
 * from the socket or from the first X-Forwarded-For hop when the proxy is
 * told to trust it), and the origin's answer. Shared by plain requests and
 * WebSocket handshakes.
 */
import { isIP } from 'node:net';
import type { CapturedResponse, NormalizedExchange } from '../../event/index.js';
import { firstForwardedHop } from '../viewer-ip.js';
import { headerLines } from './forward.js';
import type { RequestHead, ResponseHead } from './http1/heads.js';

/**
 * `socketIp`: the viewer connection's peer address (normalized);
 * `forwardedFor`: the request's first X-Forwarded-For value, used only when trusted.
 */
export function captureRequest(head: RequestHead, index: number, socketIp: string | undefined, forwardedFor: string | undefined, trustForwarded: boolean): NormalizedExchange {
  const exchange: NormalizedExchange = {
    time: Date.now(),
    method: head.method,
    url: head.target,
    headers: headerLines(head.raw),
    source: { file: 'proxy', entry: index },
  };
  const viewerIp = trustForwarded ? (firstForwardedHop(forwardedFor) ?? socketIp) : socketIp;
  if (viewerIp !== undefined && isIP(viewerIp) !== 0) exchange.viewerIp = viewerIp;
  return exchange;
}

/** The origin's answer as recorded: status, reason phrase when there is one, headers in order. */
export function captureResponse(head: ResponseHead): CapturedResponse {
  const response: CapturedResponse = { status: head.status, headers: headerLines(head.raw) };
  if (head.reason !== '') response.statusText = head.reason;
  return response;
}

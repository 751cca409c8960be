/**
 * A recorded exchange as it passed through the proxy. The relay keeps what
 * it read, not what it would take to build the event: the request head as
 * the viewer sent it and the origin's answer head, as latin1 text, with the
 * capture time, the viewer IP (from the socket, or from the first
 * X-Forwarded-For hop when the proxy is told to trust it) and notes. Handing
 * two strings to the recording worker costs the proxy's event loop a
 * fraction of cloning an exchange object with one object per header, and
 * the worker turns them into the exchange (`captureItem`) with the same
 * parser that read them. Shared by plain requests and WebSocket handshakes.
 */
import type { CapturedResponse, NormalizedExchange, RecordedConnection } from '../../event/index.js';
import type { SourceItem } from '../types.js';
import { headerLines } from './forward.js';
import { parseRequestHead, parseResponseHead, type ResponseHead } from './http1/heads.js';

export interface ProxyCapture {
  /** The exchange's number in the recording (its source entry). */
  index: number;
  /** When the request head arrived (ms since the epoch). */
  time: number;
  viewerIp: string | undefined;
  /** The request head as received, without the blank line that ends it. */
  request: string;
  /** The answer's head (the origin's, or the proxy's own 502/504), without the blank line; undefined when there was none. */
  response: string | undefined;
  note: string | undefined;
  /** Why there is no response side. */
  responseNote: string | undefined;
}

/** The origin's answer as recorded: status, reason phrase when there is one, headers in order. */
function capturedResponse(head: ResponseHead): CapturedResponse {
  const response: CapturedResponse = { status: head.status, headers: headerLines(head.raw) };
  if (head.reason !== '') response.statusText = head.reason;
  return response;
}

/**
 * A TLS handshake through the proxy (with --cert/--key and --client-ca): the
 * connection event of a client certificate that verified against the CA
 * (what CloudFront passes to a connection function), or why none was made.
 * Plain data, so it crosses to the recording worker as it is.
 */
export type ConnectionCapture =
  | { kind: 'connection'; record: RecordedConnection }
  | { kind: 'connection-skip'; reason: string; index: number; detail: string };

/** What the proxy hands to the recording pipeline: an HTTP exchange, or a TLS handshake. */
export type ProxyItem = ProxyCapture | ConnectionCapture;

/** The recording pipeline's item for a capture (the heads parse: the relay parsed the same text before keeping it). */
export function captureItem(capture: ProxyItem): SourceItem {
  if ('kind' in capture) {
    if (capture.kind === 'connection') return { kind: 'connection', record: capture.record };
    return { kind: 'skip', reason: capture.reason, source: { file: 'proxy-tls', entry: capture.index }, detail: capture.detail };
  }
  const head = parseRequestHead(capture.request);
  const exchange: NormalizedExchange = {
    time: capture.time,
    method: head.method,
    url: head.target,
    headers: headerLines(head.raw),
    source: { file: 'proxy', entry: capture.index },
  };
  if (capture.viewerIp !== undefined) exchange.viewerIp = capture.viewerIp;
  if (capture.response !== undefined) exchange.response = capturedResponse(parseResponseHead(capture.response));
  const item: SourceItem = { kind: 'exchange', exchange };
  if (capture.note !== undefined) item.notes = [capture.note];
  if (capture.responseNote !== undefined) item.responseNote = capture.responseNote;
  return item;
}

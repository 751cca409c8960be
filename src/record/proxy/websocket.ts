/**
 * WebSocket forwarding for the recording proxy (the server's 'upgrade'
 * event). The handshake is an ordinary viewer request to CloudFront, so it is
 * forwarded with the same request line and headers (the proxy's Host and
 * X-Forwarded-For rules, plus Connection/Upgrade, which a normal request
 * drops), recorded as one exchange, and the origin's 101 head is relayed;
 * after that the two sockets are piped both ways and the frames are neither
 * parsed nor recorded (a CloudFront Function never sees them).
 *
 * The 101 is stored as the exchange's response: CloudFront does not run a
 * viewer-response function on it, and `viewerResponseSkipReason` (event/views)
 * gives 'interim 1xx response' for it, so replay runs the handshake through
 * viewer-request functions only.
 *
 * Failures mirror the HTTP path: before the answer's head reached the viewer
 * an origin error is a 502 and a stalled origin a 504 (recorded as such);
 * afterwards both sockets are destroyed. Every socket this module touches is
 * tracked so stopping the proxy leaves none open.
 */
import type http from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SourceItem } from '../types.js';
import { captureRequest, captureResponse } from './capture.js';
import { forwardRequestHeaders, forwardResponseHeaders, headerLines } from './forward.js';
import { PROXY_NOTES, VIEWER_LEFT_EARLY } from './notes.js';

/** What the forwarder needs from the proxy: its exchange accounting, shared with plain requests. */
export interface UpgradeHooks {
  /** Count a new exchange and return its index, or undefined when the proxy takes no more (stopping, --max-events). */
  admit(): number | undefined;
  /** The exchange is complete (handshake answered, failed, or the viewer left): record it. */
  complete(item: SourceItem): void;
  originError(code: string): void;
  originTimeout(): void;
}

export interface UpgradeOptions {
  /** http.request or https.request, as the target's scheme says. */
  request: typeof http.request;
  protocol: string;
  hostname: string;
  port: number;
  /** Host header for the origin; undefined keeps the viewer's. */
  hostForOrigin: string | undefined;
  /** No answer from the origin to the handshake within this: 504. */
  timeoutMs: number;
  trustForwarded: boolean;
}

/** Does an Upgrade header ask for WebSocket? (It is a comma-separated list of protocols.) */
export function isWebSocketUpgrade(value: string | undefined): boolean {
  if (value === undefined) return false;
  for (const p of value.split(',')) if (p.trim().toLowerCase() === 'websocket') return true;
  return false;
}

/** The handshake's headers for the origin: the usual forwarding rules, plus the two an upgrade needs. */
export function upgradeRequestHeaders(raw: readonly string[], host: string | undefined, clientIp: string | undefined): string[] {
  let upgrade = 'websocket';
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'upgrade') {
      upgrade = raw[i + 1]!;
      break;
    }
  }
  const out = forwardRequestHeaders(raw, { host, clientIp });
  out.push('Connection', 'Upgrade', 'Upgrade', upgrade);
  return out;
}

/** A response head written straight to a socket (an upgraded socket has no ServerResponse). */
function responseHead(status: number, statusText: string, raw: readonly string[]): string {
  let head = `HTTP/1.1 ${status} ${statusText}\r\n`;
  for (let i = 0; i < raw.length; i += 2) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return `${head}\r\n`;
}

function plainAnswer(status: number, statusText: string, body: string): string {
  return responseHead(status, statusText, ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(Buffer.byteLength(body)), 'Connection', 'close']) + body;
}

const NOT_WEBSOCKET = plainAnswer(501, 'Not Implemented', 'cfreplay proxy: only WebSocket upgrades are forwarded\n');
const FINISHED = plainAnswer(503, 'Service Unavailable', 'cfreplay proxy: recording has finished\n');

export class UpgradeForwarder {
  /** Handshakes the origin answered 101 (tunnels opened). */
  private upgraded = 0;
  /** Handshakes the origin answered with something else (relayed, then closed). */
  private declined = 0;
  private notWebSocket = 0;
  private tunnels = 0;
  private readonly sockets = new Set<Duplex>();

  constructor(
    private readonly options: UpgradeOptions,
    private readonly hooks: UpgradeHooks,
  ) {}

  /** WebSocket connections currently open through the proxy. */
  get open(): number {
    return this.tunnels;
  }

  /** The server's 'upgrade' event. */
  handle(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.track(socket);
    if (!isWebSocketUpgrade(req.headers.upgrade)) {
      // CloudFront forwards only WebSocket upgrades; another protocol would record something it never sees.
      this.notWebSocket++;
      socket.end(NOT_WEBSOCKET);
      return;
    }
    const index = this.hooks.admit();
    if (index === undefined) {
      socket.end(FINISHED);
      return;
    }
    this.forward(req, socket, head, index);
  }

  private forward(req: IncomingMessage, socket: Duplex, head: Buffer, index: number): void {
    const o = this.options;
    const raw = req.rawHeaders;
    const { exchange, socketIp } = captureRequest(req, index, o.trustForwarded);

    // waiting: nothing sent to the viewer yet; answering: a non-101 answer is being relayed; tunnel: upgraded.
    let state: 'waiting' | 'answering' | 'tunnel' = 'waiting';
    let recorded = false;
    let note: string | undefined;
    let responseNote: string | undefined;
    const record = () => {
      if (recorded) return;
      recorded = true;
      const item: SourceItem = { kind: 'exchange', exchange };
      if (note !== undefined) item.notes = [note];
      if (responseNote !== undefined) item.responseNote = responseNote;
      this.hooks.complete(item);
    };

    const upstream = o.request({
      // The socket becomes the tunnel: never take it from, or give it back to, a keep-alive pool.
      agent: false,
      protocol: o.protocol,
      hostname: o.hostname,
      port: o.port,
      method: req.method,
      path: req.url,
      headers: upgradeRequestHeaders(raw, o.hostForOrigin, socketIp),
      setHost: false,
    });
    upstream.setTimeout(o.timeoutMs, () => {
      const e = new Error(`no answer from the origin within ${o.timeoutMs / 1000} s`) as NodeJS.ErrnoException;
      e.code = 'CFREPLAY_TIMEOUT';
      upstream.destroy(e);
    });

    upstream.on('upgrade', (res, originSocket, originHead) => {
      this.track(originSocket);
      // A WebSocket may stay idle for as long as its ends like: the handshake timeout stops here.
      originSocket.setTimeout(0);
      if (recorded) {
        originSocket.destroy(); // the viewer left while the origin was answering
        return;
      }
      exchange.response = captureResponse(res);
      state = 'tunnel';
      note = PROXY_NOTES.webSocket;
      socket.write(responseHead(res.statusCode ?? 101, res.statusMessage ?? 'Switching Protocols', res.rawHeaders));
      this.upgraded++;
      this.tunnel(socket, originSocket, head, originHead);
      record();
    });

    upstream.on('response', (res) => {
      // The origin declined the upgrade (e.g. 400, 403, 426): an ordinary answer, delimited by closing the connection.
      exchange.response = captureResponse(res);
      state = 'answering';
      this.declined++;
      socket.write(responseHead(res.statusCode ?? 0, res.statusMessage ?? '', [...forwardResponseHeaders(res.rawHeaders), 'Connection', 'close']));
      res.on('error', () => socket.destroy());
      res.on('close', () => {
        if (res.complete || recorded) return;
        note ??= 'origin closed the connection in the middle of the answer';
        socket.destroy();
      });
      res.pipe(socket);
    });

    upstream.on('error', (e: NodeJS.ErrnoException) => {
      if (recorded || state === 'tunnel') return;
      const timeout = e.code === 'CFREPLAY_TIMEOUT';
      if (timeout) this.hooks.originTimeout();
      else this.hooks.originError(e.code ?? e.message);
      if (state === 'waiting' && !socket.destroyed) {
        state = 'answering';
        const status = timeout ? 504 : 502;
        const statusText = timeout ? 'Gateway Timeout' : 'Bad Gateway';
        const body = `cfreplay proxy: ${statusText}: ${timeout ? e.message : (e.code ?? e.message)}\n`;
        const headers = ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(Buffer.byteLength(body)), 'Cache-Control', 'no-store'];
        exchange.response = { status, statusText, headers: headerLines(headers) };
        socket.end(responseHead(status, statusText, [...headers, 'Connection', 'close']) + body);
      } else {
        note = timeout ? 'origin stalled in the middle of the answer (connection cut)' : 'origin failed in the middle of the answer (connection cut)';
        socket.destroy();
      }
    });

    // The answer (declined upgrade or 502/504) is complete once it is all handed to the viewer's connection.
    socket.on('finish', () => {
      if (state === 'answering') record();
    });
    socket.on('close', () => {
      if (state !== 'tunnel') {
        if (exchange.response === undefined) responseNote = VIEWER_LEFT_EARLY;
        else if (!recorded) note ??= PROXY_NOTES.viewerLeft;
        upstream.destroy();
      }
      record();
    });
    upstream.end();
  }

  /** Relay bytes both ways until either end closes; then close the other (half-closes pass through). */
  private tunnel(viewer: Duplex, origin: Duplex, viewerHead: Buffer, originHead: Buffer): void {
    this.tunnels++;
    let closed = 0;
    const onClose = () => {
      // One side gone: the other has nobody to talk to.
      viewer.destroy();
      origin.destroy();
      if (++closed === 2) this.tunnels--;
    };
    viewer.on('close', onClose);
    origin.on('close', onClose);
    if (originHead.length > 0) viewer.write(originHead);
    if (viewerHead.length > 0) origin.write(viewerHead);
    viewer.pipe(origin);
    origin.pipe(viewer);
  }

  private track(socket: Duplex): void {
    this.sockets.add(socket);
    // Errors end in 'close', which every path handles; without a listener an error would crash the process.
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
  }

  /** Destroy every socket (stopping): returns how many WebSocket connections were open. */
  closeAll(): number {
    const open = this.tunnels;
    for (const s of this.sockets) s.destroy();
    return open;
  }

  report(): { info: Record<string, string>; warnings: string[] } {
    const info: Record<string, string> = {};
    const warnings: string[] = [];
    if (this.upgraded > 0) info.websockets = `${this.upgraded} (handshakes recorded, frames relayed only)`;
    if (this.declined > 0) info['websocket upgrades declined by the origin'] = String(this.declined);
    if (this.notWebSocket > 0) warnings.push(`${this.notWebSocket} protocol upgrade request(s) other than WebSocket answered 501 and not recorded: only WebSocket upgrades are forwarded`);
    return { info, warnings };
  }
}

/**
 * One viewer connection of the recording proxy, relayed over one origin
 * connection of its own. Node's HTTP server and client cost about 125 us of
 * main-thread CPU per request on a small answer (most of the proxy's added
 * latency under load), so the proxy works on bytes instead:
 *
 * - viewer -> origin: each request head is parsed (http1/heads.ts), recorded
 *   and rewritten (Host, X-Forwarded-For, hop-by-hop headers: forward.ts);
 *   the body follows untouched, its end found by http1/body-framing.ts.
 * - origin -> viewer: the bytes go back as they came. Heads are parsed to
 *   record the answer and to find where each body ends (HEAD, 1xx, 204, 304,
 *   Content-Length, chunked, or the connection closing); nothing is changed,
 *   so the origin's framing and connection headers stay true for the viewer.
 *
 * Answers come back in the order of the requests (pipelining works), each
 * matched to the oldest request not yet answered. A request is recorded once
 * its answer has been handed to the viewer's connection, or once it ends
 * otherwise (origin error or silence: a 502 or 504 from the proxy, recorded
 * as such; the viewer leaving: recorded with a note). A WebSocket handshake
 * answered 101 turns the connection into a plain two-way pipe.
 *
 * Backpressure both ways: a side whose writes are queued pauses the other.
 */
import { isIP, type Socket } from 'node:net';
import { firstForwardedHop, normalizeIp } from '../viewer-ip.js';
import type { ProxyCapture } from './capture.js';
import { forwardRequestHeaders, requestHeadText } from './forward.js';
import { BodyFramer, FramingError } from './http1/body-framing.js';
import { fieldFacts, HEAD_END, HeadError, isChunkedLast, MAX_HEAD_BYTES, parseRequestHead, parseResponseHead, type RequestHead, type ResponseHead } from './http1/heads.js';
import { PROXY_NOTES, VIEWER_LEFT_EARLY } from './notes.js';
import { isWebSocketUpgrade, upgradeRequestHeaders, type UpgradeCounts } from './websocket.js';

/** What a connection needs from the proxy: its settings and its accounting of exchanges. */
export interface RelayContext {
  /** Host header for the origin; undefined keeps the viewer's. */
  readonly hostForOrigin: string | undefined;
  readonly trustForwarded: boolean;
  /** No sign of life from the origin for this long while an answer is owed: 504 (or a cut answer). */
  readonly timeoutMs: number;
  /** An idle viewer connection is closed after this long, and a request head must be complete within it. */
  readonly idleMs: number;
  /**
   * A coarse clock (ms), advanced by the proxy's sweep a few times a second.
   * Each read and write only stamps it: a timer per socket would be re-armed
   * on every one of them, a cost on every request for a check that fires
   * almost never.
   */
  readonly clock: { readonly ms: number };
  /** Stopping: finish what is in flight, take nothing new. */
  readonly stopping: boolean;
  readonly upgrades: UpgradeCounts;
  /** A new connection to the origin (TCP or TLS). */
  connectOrigin(): Socket;
  /** Count a new exchange and return its index, or undefined when the proxy takes no more (stopping, --max-events). */
  admit(): number | undefined;
  /** The exchange is over: record it. */
  complete(capture: ProxyCapture): void;
  originError(code: string): void;
  originTimeout(): void;
  /** Request and response body bytes relayed. */
  countBody(bytes: number): void;
  closed(connection: RelayConnection): void;
}

/** A request on its way: sent to the origin and not yet answered, or an answer of the proxy's own waiting for its turn. */
interface InFlight {
  capture: ProxyCapture | undefined;
  /** An answer of the proxy's own (with Connection: close), written when the answers before it are done. */
  localAnswer: string | undefined;
  isHead: boolean;
  upgrade: boolean;
  /** The connection ends after this answer. */
  closeAfter: boolean;
}

/** Has the answer's head reached the viewer? (Its head is kept as the capture's response from then on.) */
function answered(request: InFlight): boolean {
  return request.capture?.response !== undefined;
}

// What the viewer's next bytes are.
const REQUEST_HEAD = 0;
const REQUEST_BODY = 1;
/** An upgrade request was sent: later bytes wait for the origin's answer (they may be WebSocket frames). */
const AWAITING_UPGRADE = 2;
/** The connection ends after the answers owed: later bytes are not read. */
const NO_MORE_REQUESTS = 3;
const TUNNEL = 4;

// Why the viewer's socket is paused.
const ORIGIN_BUSY = 1;
const UPGRADE_PENDING = 2;

/** How answers that are not HTTP/1.1 are counted in the summary's origin errors (the 502 body says what was wrong). */
const MALFORMED = 'malformed answer';

const NOT_ANSWERED_ORIGIN_LOST = 'not answered: the origin connection failed on an earlier request of the same connection';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  405: 'Method Not Allowed',
  431: 'Request Header Fields Too Large',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
};

/** The head of an answer of the proxy's own, without its blank line (also what is recorded for a 502 or 504). */
function ownAnswerHead(status: number, body: string, noStore: boolean): string {
  return `HTTP/1.1 ${status} ${STATUS_TEXT[status]!}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}${noStore ? '\r\nCache-Control: no-store' : ''}`;
}

/** Where the search for a head's end resumes once `partial` (kept from earlier reads) is joined to the next: the CRLFCRLF may straddle the join. */
function resumeAt(partial: Buffer): number {
  return Math.max(0, partial.length - (HEAD_END.length - 1));
}

/** The whole answer on the wire: the connection ends after it. */
function ownAnswerText(head: string, body: string): string {
  return `${head}\r\nConnection: close\r\n\r\n${body}`;
}

export class RelayConnection {
  private origin: Socket | undefined;
  /** Oldest first; the first is the one the origin's next answer belongs to. */
  private readonly inFlight: InFlight[] = [];
  private viewerState = REQUEST_HEAD;
  private partialRequestHead: Buffer | undefined;
  private requestBody: BodyFramer | undefined;
  private partialResponseHead: Buffer | undefined;
  private responseBody: BodyFramer | undefined;
  /** Viewer bytes after an upgrade request, until the origin answers it. */
  private held: Buffer[] | undefined;
  private viewerPaused = 0;
  private originPaused = false;
  /** The viewer sent FIN: answer what is owed, then close. */
  private viewerEnded = false;
  private closing = false;
  /** When the origin last sent something or was sent something (ctx.clock). */
  private originSeen = 0;
  /** When the viewer last sent something (ctx.clock). */
  private viewerSeen = 0;
  /** When the first bytes of the incomplete request head in partialRequestHead came (ctx.clock). */
  private headStarted = 0;
  private readonly socketIp: string | undefined;
  /** The socket's address when it is one a CloudFront event can carry. */
  private readonly viewerIp: string | undefined;

  constructor(
    private readonly viewer: Socket,
    private readonly ctx: RelayContext,
  ) {
    this.socketIp = viewer.remoteAddress !== undefined ? normalizeIp(viewer.remoteAddress) : undefined;
    this.viewerIp = this.socketIp !== undefined && isIP(this.socketIp) !== 0 ? this.socketIp : undefined;
    viewer.setNoDelay(true);
    this.viewerSeen = ctx.clock.ms;
    viewer.on('data', this.onViewerData);
    viewer.on('drain', this.onViewerDrain);
    viewer.on('end', this.onViewerEnd);
    // An error always ends in 'close', which records what was in flight.
    viewer.on('error', () => undefined);
    viewer.on('close', this.onViewerClose);
  }

  /** Nothing owed either way: no request in flight or arriving, no WebSocket. */
  private get idle(): boolean {
    return this.viewerState === REQUEST_HEAD && this.inFlight.length === 0 && this.partialRequestHead === undefined;
  }

  /** Stopping: close now if nothing is owed; otherwise after the answers owed (new requests get 503). */
  closeIfIdle(): void {
    if (this.idle) this.closeViewer();
  }

  /**
   * The proxy's periodic check (`now`: ctx.clock; `slackMs`: the clock's
   * step, so a stamp up to one step old never shortens a limit): an origin
   * silent for timeoutMs while an answer is owed gives a 504 (or a cut
   * answer); an idle origin connection is let go; an idle viewer connection
   * is closed after idleMs, and a request head still incomplete after
   * that long gets a 408 however slowly its bytes keep coming (a viewer
   * dribbling a head would otherwise hold a connection forever).
   * WebSockets may idle for as long as they like.
   */
  sweep(now: number, slackMs: number): void {
    if (this.viewerState === TUNNEL || this.closing) return;
    // While the origin is paused for a slow viewer, its quiet is ours, not its own.
    if (this.origin !== undefined && !this.originPaused && now - this.originSeen >= this.ctx.timeoutMs + slackMs) {
      if (this.inFlight[0]?.capture !== undefined) this.originFailed(`no answer from the origin within ${this.ctx.timeoutMs / 1000} s`, true);
      else this.dropOrigin(); // idle: the next request opens a new connection
      return;
    }
    if (this.partialRequestHead !== undefined && now - this.headStarted >= this.ctx.idleMs + slackMs) {
      this.partialRequestHead = undefined;
      this.refuse(408, `request head not complete within ${this.ctx.idleMs / 1000} s`);
      return;
    }
    if (this.inFlight.length === 0 && this.viewerState !== REQUEST_BODY && now - this.viewerSeen >= this.ctx.idleMs + slackMs) this.viewer.destroy();
  }

  /** Cut the connection (what is in flight is recorded with a note). */
  destroy(): void {
    this.viewer.destroy();
  }

  /** Close: after what was written is sent when nothing is owed (or already closing so), cut otherwise. */
  close(): void {
    if (this.closing) return;
    if (this.idle) this.closeViewer();
    else this.viewer.destroy();
  }

  // ---- viewer -> origin

  private readonly onViewerData = (data: Buffer): void => {
    this.viewerSeen = this.ctx.clock.ms;
    let chunk = data;
    // Where the search for the end of the head resumes; -1: a new head starts in this chunk.
    let searchFrom = -1;
    if (this.partialRequestHead !== undefined) {
      searchFrom = resumeAt(this.partialRequestHead);
      chunk = Buffer.concat([this.partialRequestHead, data]);
      this.partialRequestHead = undefined;
    }
    const end = chunk.length;
    let pos = 0;
    while (pos < end) {
      if (this.viewerState === REQUEST_BODY) {
        pos = this.relayRequestBody(chunk, pos, end);
      } else if (this.viewerState === REQUEST_HEAD) {
        pos = this.readRequestHead(chunk, pos, end, searchFrom);
        searchFrom = -1;
      } else if (this.viewerState === AWAITING_UPGRADE) {
        (this.held ??= []).push(chunk.subarray(pos));
        this.pauseViewer(UPGRADE_PENDING);
        return;
      } else {
        return;
      }
    }
  };

  /** Returns where the bytes after the head start (or `end` when the head is incomplete or refused). */
  private readRequestHead(chunk: Buffer, start: number, end: number, searchFrom: number): number {
    let pos = start;
    // Blank lines before a request line are ignored (RFC 9112 §2.2).
    while (pos < end && (chunk[pos] === 13 || chunk[pos] === 10)) pos++;
    if (pos === end) return end;
    const at = chunk.indexOf(HEAD_END, Math.max(pos, searchFrom));
    if (at < 0 || at - pos > MAX_HEAD_BYTES) {
      if (end - pos > MAX_HEAD_BYTES) this.refuse(431, `request head over ${MAX_HEAD_BYTES / 1024} KiB`);
      else {
        if (searchFrom < 0) this.headStarted = this.ctx.clock.ms;
        this.partialRequestHead = Buffer.from(chunk.subarray(pos, end));
      }
      return end;
    }
    const text = chunk.toString('latin1', pos, at);
    let head: RequestHead;
    try {
      head = parseRequestHead(text);
    } catch (e) {
      if (!(e instanceof HeadError)) throw e;
      this.refuse(e.status, e.message);
      return end;
    }
    this.forwardRequest(head, text);
    return at + 4;
  }

  private forwardRequest(head: RequestHead, headText: string): void {
    const facts = fieldFacts(head.raw);
    let body: BodyFramer | undefined;
    if (facts.transferEncoding !== undefined) {
      if (!isChunkedLast(facts.transferEncoding)) return this.refuse(400, 'a request Transfer-Encoding must end with chunked');
      body = BodyFramer.chunked();
    } else if (facts.contentLength !== undefined) {
      if (Number.isNaN(facts.contentLength)) return this.refuse(400, 'invalid Content-Length');
      if (facts.contentLength > 0) body = BodyFramer.length(facts.contentLength);
    }
    if (head.version === 'HTTP/1.1' && !facts.hasHost) return this.refuse(400, 'an HTTP/1.1 request needs a Host header');
    if (head.method === 'CONNECT') return this.refuse(405, 'CONNECT is not forwarded (this is a reverse proxy)');
    const upgrade = facts.upgrade !== undefined && facts.connection?.has('upgrade') === true;
    if (upgrade && !isWebSocketUpgrade(facts.upgrade)) {
      this.ctx.upgrades.notWebSocket++;
      return this.refuse(501, 'only WebSocket upgrades are forwarded');
    }
    const index = this.ctx.admit();
    if (index === undefined) return this.refuse(503, 'recording has finished');

    const closeAfter = facts.connection?.has('close') === true || (head.version === 'HTTP/1.0' && facts.connection?.has('keep-alive') !== true);
    let viewerIp = this.viewerIp;
    if (this.ctx.trustForwarded) viewerIp = firstForwardedHop(facts.forwardedFor) ?? viewerIp;
    const capture: ProxyCapture = { index, time: Date.now(), viewerIp, request: headText, response: undefined, note: undefined, responseNote: undefined };
    let headers: string[];
    if (upgrade) {
      headers = upgradeRequestHeaders(head.raw, this.ctx.hostForOrigin, this.socketIp, facts);
    } else {
      headers = forwardRequestHeaders(head.raw, { host: this.ctx.hostForOrigin, clientIp: this.socketIp, facts });
      // HTTP/1.1 connections persist unless told otherwise; HTTP/1.0 ones only when told.
      if (closeAfter) headers.push('Connection', 'close');
      else if (head.version === 'HTTP/1.0') headers.push('Connection', 'keep-alive');
    }
    const text = requestHeadText(head.method, head.target, head.version, headers);
    const request: InFlight = { capture, localAnswer: undefined, isHead: head.method === 'HEAD', upgrade, closeAfter };
    this.inFlight.push(request);
    this.writeToOrigin(text);
    if (body !== undefined) {
      this.requestBody = body;
      this.viewerState = REQUEST_BODY;
    } else {
      this.requestSent(request);
    }
  }

  private requestSent(request: InFlight): void {
    this.viewerState = request.upgrade ? AWAITING_UPGRADE : request.closeAfter ? NO_MORE_REQUESTS : REQUEST_HEAD;
  }

  private relayRequestBody(chunk: Buffer, pos: number, end: number): number {
    const body = this.requestBody!;
    let n: number;
    try {
      n = body.take(chunk, pos, end);
    } catch (e) {
      if (!(e instanceof FramingError)) throw e;
      // The head went to the origin already: neither side can make sense of the rest.
      this.inFlight[this.inFlight.length - 1]!.capture!.note = `viewer sent a malformed chunked body (${e.message}): connection cut`;
      this.viewer.destroy();
      return end;
    }
    if (n > 0) {
      this.ctx.countBody(n);
      this.writeToOrigin(n === chunk.length ? chunk : chunk.subarray(pos, pos + n));
    }
    if (body.done) {
      this.requestBody = undefined;
      this.requestSent(this.inFlight[this.inFlight.length - 1]!);
    }
    return pos + n;
  }

  private writeToOrigin(data: string | Buffer): void {
    const origin = this.origin ?? this.openOrigin();
    this.originSeen = this.ctx.clock.ms;
    const flowing = typeof data === 'string' ? origin.write(data, 'latin1') : origin.write(data);
    if (!flowing) this.pauseViewer(ORIGIN_BUSY);
  }

  /** The viewer's request (or the proxy's answer to it) cannot go on: answer on our own, then close. */
  private refuse(status: number, reason: string): void {
    this.viewerState = NO_MORE_REQUESTS;
    const body = `cfreplay proxy: ${reason}\n`;
    const text = ownAnswerText(ownAnswerHead(status, body, false), body);
    if (this.inFlight.length === 0) {
      this.viewer.write(text, 'latin1');
      this.closeViewer();
      return;
    }
    this.inFlight.push({ capture: undefined, localAnswer: text, isHead: false, upgrade: false, closeAfter: true });
  }

  // ---- origin -> viewer

  private openOrigin(): Socket {
    const origin = this.ctx.connectOrigin();
    this.origin = origin;
    origin.setNoDelay(true);
    let errorCode: string | undefined;
    origin.on('data', (chunk: Buffer) => {
      if (origin === this.origin) this.onOriginData(chunk);
    });
    origin.on('drain', () => {
      if (origin === this.origin) this.resumeViewer(ORIGIN_BUSY);
    });
    origin.on('error', (e: NodeJS.ErrnoException) => {
      errorCode ??= e.code ?? e.message;
    });
    origin.on('close', () => this.onOriginClose(origin, errorCode));
    return origin;
  }

  private onOriginData(data: Buffer): void {
    // Any sign of life counts: the limit is on the origin's silence, not on the length of an answer.
    this.originSeen = this.ctx.clock.ms;
    let chunk = data;
    let searchFrom = 0;
    if (this.partialResponseHead !== undefined) {
      searchFrom = resumeAt(this.partialResponseHead);
      chunk = Buffer.concat([this.partialResponseHead, data]);
      this.partialResponseHead = undefined;
    }
    const end = chunk.length;
    let pos = 0;
    // Bytes from here up to pos are relayed as they are, in as few writes as possible.
    let from = 0;
    while (pos < end) {
      const body = this.responseBody;
      if (body !== undefined) {
        let n: number;
        try {
          n = body.take(chunk, pos, end);
        } catch (e) {
          if (!(e instanceof FramingError)) throw e;
          this.toViewer(chunk, from, pos);
          this.originFailed(`malformed chunked body from the origin (${e.message})`, false, MALFORMED);
          return;
        }
        pos += n;
        this.ctx.countBody(n);
        if (body.done) {
          this.responseBody = undefined;
          this.toViewer(chunk, from, pos);
          from = pos;
          if (!this.answerComplete()) return;
        }
        continue;
      }
      const request = this.inFlight[0];
      if (request?.capture === undefined) {
        // Bytes nobody asked for: not HTTP any more.
        this.toViewer(chunk, from, pos);
        this.dropOrigin();
        return;
      }
      if (chunk[pos] === 13 || chunk[pos] === 10) {
        // Stray blank lines between answers are skipped, not relayed.
        this.toViewer(chunk, from, pos);
        while (pos < end && (chunk[pos] === 13 || chunk[pos] === 10)) pos++;
        from = pos;
        continue;
      }
      const at = chunk.indexOf(HEAD_END, Math.max(pos, searchFrom));
      searchFrom = 0;
      if (at < 0 || at - pos > MAX_HEAD_BYTES) {
        this.toViewer(chunk, from, pos);
        if (end - pos > MAX_HEAD_BYTES) this.originFailed(`the origin's answer head is over ${MAX_HEAD_BYTES / 1024} KiB`, false, MALFORMED);
        else this.partialResponseHead = Buffer.from(chunk.subarray(pos, end));
        return;
      }
      const headStart = pos;
      const text = chunk.toString('latin1', pos, at);
      let head: ResponseHead;
      try {
        head = parseResponseHead(text);
      } catch (e) {
        if (!(e instanceof HeadError)) throw e;
        this.toViewer(chunk, from, pos);
        this.originFailed(`malformed answer from the origin: ${e.message}`, false, MALFORMED);
        return;
      }
      pos = at + 4;
      if (head.status < 200) {
        if (head.status !== 101) continue; // interim (100 Continue, 103 Early Hints): relayed, the final answer follows
        if (!request.upgrade) {
          this.toViewer(chunk, from, headStart);
          this.originFailed('the origin switched protocols on a request that asked for no upgrade', false, MALFORMED);
          return;
        }
        this.toViewer(chunk, from, pos);
        this.openTunnel(request, text, chunk.subarray(pos));
        return;
      }
      if (!this.startAnswer(request, head, text)) {
        this.toViewer(chunk, from, pos);
        from = pos;
        if (!this.answerComplete()) return;
      }
    }
    this.toViewer(chunk, from, end);
  }

  /** A final answer's head: record it and find how its body ends. Returns false when there is no body. */
  private startAnswer(request: InFlight, head: ResponseHead, headText: string): boolean {
    request.capture!.response = headText;
    const facts = fieldFacts(head.raw);
    if (facts.connection?.has('close') === true || (head.version === 'HTTP/1.0' && facts.connection?.has('keep-alive') !== true)) request.closeAfter = true;
    if (request.upgrade) {
      // A declined handshake: the viewer's next bytes may be frames the origin never agreed to.
      this.ctx.upgrades.declined++;
      request.closeAfter = true;
    }
    if (request.isHead || head.status === 204 || head.status === 304) return false;
    if (facts.transferEncoding !== undefined) {
      if (isChunkedLast(facts.transferEncoding)) this.responseBody = BodyFramer.chunked();
      else {
        this.responseBody = BodyFramer.untilClose();
        request.closeAfter = true;
      }
      return true;
    }
    if (facts.contentLength !== undefined && !Number.isNaN(facts.contentLength)) {
      if (facts.contentLength === 0) return false;
      this.responseBody = BodyFramer.length(facts.contentLength);
      return true;
    }
    // No length (or an invalid one): the body ends when the origin closes.
    this.responseBody = BodyFramer.untilClose();
    request.closeAfter = true;
    return true;
  }

  private toViewer(chunk: Buffer, from: number, to: number): void {
    if (to <= from || this.viewer.destroyed) return;
    if (!this.viewer.write(from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to)) && this.origin !== undefined && !this.originPaused) {
      this.originPaused = true;
      this.origin.pause();
    }
  }

  private readonly onViewerDrain = (): void => {
    if (this.originPaused) {
      this.originPaused = false;
      this.originSeen = this.ctx.clock.ms;
      this.origin?.resume();
    }
  };

  /** The oldest request is fully answered: record it and go on. Returns whether the connection goes on. */
  private answerComplete(): boolean {
    const request = this.inFlight.shift()!;
    this.record(request);
    const next = this.inFlight[0];
    if (next?.localAnswer !== undefined) {
      this.viewer.write(next.localAnswer, 'latin1');
      this.inFlight.length = 0;
      this.closeViewer();
      return false;
    }
    const idle = next === undefined && this.viewerState !== REQUEST_BODY;
    if (request.closeAfter || (idle && (this.viewerEnded || this.ctx.stopping))) {
      this.closeViewer();
      return false;
    }
    return true;
  }

  /** Every caller has taken the request out of inFlight first, so each is recorded once. */
  private record(request: InFlight): void {
    if (request.capture !== undefined) this.ctx.complete(request.capture);
  }

  /**
   * The origin failed (error, silence, malformed answer) while an answer was
   * owed: a 502 or 504 from the proxy when the viewer has not had the head of
   * the answer yet, a cut connection otherwise. Recorded either way.
   */
  private originFailed(why: string, timeout: boolean, code = why): void {
    this.dropOrigin();
    if (timeout) this.ctx.originTimeout();
    else this.ctx.originError(code);
    const request = this.inFlight.shift();
    const rest = this.inFlight.splice(0);
    for (const r of rest) if (r.capture !== undefined) r.capture.responseNote = NOT_ANSWERED_ORIGIN_LOST;
    const capture = request?.capture;
    if (request === undefined || capture === undefined) {
      this.viewer.destroy();
      return;
    }
    if (answered(request)) {
      capture.note = timeout ? 'origin stalled in the middle of the answer (connection cut)' : 'origin failed in the middle of the answer (connection cut)';
      this.record(request);
      for (const r of rest) this.record(r);
      this.viewer.destroy();
      return;
    }
    const status = timeout ? 504 : 502;
    const body = `cfreplay proxy: ${STATUS_TEXT[status]!}: ${why}\n`;
    capture.response = ownAnswerHead(status, body, true);
    if (!this.viewer.destroyed) this.viewer.write(ownAnswerText(capture.response, request.isHead ? '' : body), 'latin1');
    this.record(request);
    for (const r of rest) this.record(r);
    this.closeViewer();
  }

  private onOriginClose(origin: Socket, errorCode: string | undefined): void {
    if (origin !== this.origin) return; // dropped on purpose
    if (this.viewerState === TUNNEL) {
      this.viewer.destroy();
      return;
    }
    this.origin = undefined;
    if (this.inFlight[0]?.capture === undefined) return; // an idle keep-alive connection the origin closed: the next request opens another
    if (this.responseBody?.delimitedByClose === true) {
      this.responseBody = undefined;
      this.answerComplete();
      return;
    }
    this.origin = origin; // so originFailed can drop it (it is closed already)
    if (answered(this.inFlight[0]!)) this.originFailed('origin closed the connection in the middle of the answer', false, errorCode ?? 'ECONNRESET');
    else this.originFailed(errorCode ?? 'ECONNRESET', false);
  }

  private dropOrigin(): void {
    const origin = this.origin;
    if (origin === undefined) return;
    this.origin = undefined;
    this.partialResponseHead = undefined;
    this.responseBody = undefined;
    this.originPaused = false;
    origin.destroy();
  }

  // ---- WebSocket

  private openTunnel(request: InFlight, headText: string, originRest: Buffer): void {
    const origin = this.origin!;
    this.inFlight.shift();
    request.capture!.response = headText;
    request.capture!.note = PROXY_NOTES.webSocket;
    this.record(request);
    this.ctx.upgrades.upgraded++;
    this.ctx.upgrades.open++;
    this.viewerState = TUNNEL;
    origin.removeAllListeners('data');
    origin.removeAllListeners('drain');
    this.viewer.removeListener('data', this.onViewerData);
    this.viewer.removeListener('drain', this.onViewerDrain);
    if (originRest.length > 0) this.viewer.write(originRest);
    for (const b of this.held ?? []) origin.write(b);
    this.held = undefined;
    this.viewerPaused = 0;
    this.originPaused = false;
    this.viewer.pipe(origin);
    origin.pipe(this.viewer);
  }

  // ---- viewer connection

  private pauseViewer(reason: number): void {
    this.viewerPaused |= reason;
    this.viewer.pause();
  }

  private resumeViewer(reason: number): void {
    if ((this.viewerPaused & reason) === 0) return;
    this.viewerPaused &= ~reason;
    if (this.viewerPaused === 0) this.viewer.resume();
  }

  private readonly onViewerEnd = (): void => {
    this.viewerEnded = true;
    if (this.viewerState === TUNNEL) return; // the pipe passes the half-close on
    this.partialRequestHead = undefined;
    if (this.viewerState === REQUEST_BODY) {
      // The request body stopped short: the origin would wait for the rest forever.
      this.viewer.destroy();
      return;
    }
    if (this.viewerState === REQUEST_HEAD) this.viewerState = NO_MORE_REQUESTS;
    if (this.inFlight.length === 0) this.closeViewer();
  };

  /** End the viewer's connection once what was written has been sent. */
  private closeViewer(): void {
    if (this.closing) return;
    this.closing = true;
    this.viewerState = NO_MORE_REQUESTS;
    this.dropOrigin();
    const viewer = this.viewer;
    if (viewer.destroyed) return;
    viewer.end(() => viewer.destroy());
  }

  private readonly onViewerClose = (): void => {
    this.closing = true;
    if (this.viewerState === TUNNEL) {
      this.ctx.upgrades.open--;
      this.origin?.destroy();
      this.origin = undefined;
    } else {
      for (const request of this.inFlight.splice(0)) {
        if (request.capture === undefined) continue;
        if (!answered(request)) request.capture.responseNote = VIEWER_LEFT_EARLY;
        else request.capture.note ??= PROXY_NOTES.viewerLeft;
        this.record(request);
      }
      this.dropOrigin();
    }
    this.ctx.closed(this);
  };
}

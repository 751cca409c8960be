/**
 * The recording reverse proxy (`cfreplay record proxy`) as a live
 * RecordSource. Each viewer connection is relayed over an origin connection
 * of its own (relay-connection.ts): request heads are rewritten for the
 * origin, bodies and answers stream through untouched (never buffered), and
 * when an exchange completes it is queued for the recording pipeline: request
 * line and headers as sent (in order), viewer IP from the socket (or the
 * first X-Forwarded-For hop with trustForwarded), response status and
 * headers. One request gives exactly one recorded exchange, also when the
 * origin fails (502) or times out (504) or the viewer leaves.
 *
 * Stopping (SIGINT/SIGTERM, maxEvents, duration): stop accepting, let the
 * exchanges in flight finish (bounded), end the items so the pipeline closes
 * the corpus normally. A second signal stops at once.
 */
import { connect, createServer, isIP, type Server, type Socket } from 'node:net';
import { connect as connectTls, createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { InputError } from '../errors.js';
import type { RecordSource, SourceItem, SourceReport } from '../types.js';
import { ItemQueue } from '../item-queue.js';
import { captureItem, type ProxyCapture, type ProxyItem } from './capture.js';
import { handshakeCapture, tlsServerOptions, type ProxyTlsOptions } from './mtls.js';
import { PROXY_NOTES } from './notes.js';
import { RelayConnection, type RelayContext } from './relay-connection.js';
import { UpgradeCounts } from './websocket.js';

export { PROXY_NOTES };

export interface ListenAddress {
  host: string;
  port: number;
}

export interface ProxyOptions {
  listen: ListenAddress;
  target: URL;
  trustForwarded?: boolean;
  /** Forward the viewer's Host instead of the origin's. */
  preserveHost?: boolean;
  /** No activity from the origin for this long: 504. */
  timeoutMs?: number;
  maxEvents?: number;
  durationMs?: number;
  /** Status lines (start, stop, first origin error). */
  log?: (line: string) => void;
  /** Install SIGINT/SIGTERM handlers (default true). */
  handleSignals?: boolean;
  /** Skip the start-up reachability check of the origin. */
  skipProbe?: boolean;
  /** An idle viewer connection is closed after this long; a request head must be complete within it (default 65 s). */
  idleMs?: number;
  /** Certificates (PEM) trusted for an https origin, instead of the system's (a staging origin with its own CA). */
  originCa?: string;
  /** Terminate TLS for the viewers (--cert/--key), and record client certificates as connection events (--client-ca). */
  tls?: ProxyTlsOptions;
}

/** "127.0.0.1:8080", "8080", "[::1]:8080", "localhost:8080". */
export function parseListen(value: string): ListenAddress {
  const v = value.trim();
  let host = '127.0.0.1';
  let port: string;
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(v) ?? /^([^:]*):(\d+)$/.exec(v);
  if (m !== null) {
    host = m[1] === '' ? '0.0.0.0' : m[1]!;
    port = m[2]!;
  } else if (/^\d+$/.test(v)) {
    port = v;
  } else {
    throw new InputError(`--listen: "${value}" is not host:port (e.g. 127.0.0.1:8080)`);
  }
  const n = Number(port);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InputError(`--listen: port ${port} is out of range`);
  return { host, port: n };
}

export function parseTarget(value: string): URL {
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `http://${value}`);
  } catch {
    throw new InputError(`--target: "${value}" is not a URL (e.g. http://127.0.0.1:3000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InputError(`--target: "${value}": only http:// and https:// origins are supported`);
  if (url.pathname !== '/' || url.search !== '') throw new InputError(`--target: "${value}": give the origin only (scheme://host:port), requests keep their own path`);
  return url;
}

function targetPort(target: URL): number {
  return target.port !== '' ? Number(target.port) : target.protocol === 'https:' ? 443 : 80;
}

function targetHostname(target: URL): string {
  return target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
}

/** Can a TCP connection to the origin be opened? Resolves, or rejects with a one-line InputError. */
export function probeOrigin(target: URL, timeoutMs = 3000): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: targetHostname(target), port: targetPort(target) });
    const fail = (why: string) => {
      socket.destroy();
      reject(new InputError(`cannot reach the origin ${target.origin}: ${why} (start it first, or check --target)`));
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs / 1000} s`));
    socket.once('connect', () => {
      socket.end();
      socket.destroy();
      resolve();
    });
    socket.once('error', (e: NodeJS.ErrnoException) => fail(e.code === 'ECONNREFUSED' ? 'connection refused' : e.code === 'ENOTFOUND' ? 'unknown host' : (e.code ?? e.message)));
  });
}

function listenError(listen: ListenAddress, e: NodeJS.ErrnoException): InputError {
  const where = `${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return new InputError(`--listen ${where}: address already in use (another process listens there; choose another port)`);
    case 'EACCES':
      return new InputError(`--listen ${where}: permission denied (ports below 1024 need privileges)`);
    case 'EADDRNOTAVAIL':
      return new InputError(`--listen ${where}: not an address of this machine`);
    case 'ENOTFOUND':
      return new InputError(`--listen ${where}: unknown host name`);
    default:
      return new InputError(`--listen ${where}: cannot listen (${e.code ?? e.message})`);
  }
}

/** Live counters for the progress line (read a few times a second, never per request). */
export interface ProxyCounters {
  /** Requests accepted (WebSocket handshakes included). */
  requests: number;
  /** Exchanges completed and handed to the recorder. */
  answered: number;
  /** Origin errors (502) and timeouts (504). */
  originErrors: number;
  webSocketsOpen: number;
  /** Request and response body bytes relayed. */
  bytesRead: number;
}

/** An idle viewer connection is closed after this long (longer than the usual 60 s of load balancers in front). */
const IDLE_MS = 65_000;

export class ProxySource implements RecordSource {
  readonly totalBytes = undefined;
  bytesRead = 0;
  private readonly server: Server;
  private readonly connections = new Set<RelayConnection>();
  private readonly queue = new ItemQueue<ProxyItem>();
  /** TLS handshakes that presented a client certificate (the source entries of their events). */
  private handshakes = 0;
  private stopping: string | undefined;
  private inFlight = 0;
  private started = 0;
  private answered = 0;
  private refused = 0;
  private readonly upgrades = new UpgradeCounts();
  private upstreamErrors = new Map<string, number>();
  private timeouts = 0;
  private durationTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private readonly clock = { ms: performance.now() };
  /** How often connections are checked for silent origins and idle viewers: a tenth of the shorter limit, 10 ms to 1 s. */
  private readonly sweepMs: number;
  private graceTimer: NodeJS.Timeout | undefined;
  private readonly onSignal: (signal: NodeJS.Signals) => void;
  private readonly log: (line: string) => void;
  private address = '';

  constructor(private readonly options: ProxyOptions) {
    const t = options.target;
    const host = targetHostname(t);
    const port = targetPort(t);
    const connectOrigin: () => Socket =
      t.protocol === 'https:'
        ? () => connectTls({ host, port, servername: isIP(host) === 0 ? host : undefined, ALPNProtocols: ['http/1.1'], ...(options.originCa !== undefined ? { ca: options.originCa } : {}) })
        : () => connect({ host, port });
    this.log = options.log ?? (() => {});
    const isStopping = () => this.stopping !== undefined;
    const context: RelayContext = {
      hostForOrigin: options.preserveHost === true ? undefined : t.host,
      trustForwarded: options.trustForwarded === true,
      timeoutMs: options.timeoutMs ?? 30_000,
      idleMs: options.idleMs ?? IDLE_MS,
      clock: this.clock,
      get stopping() {
        return isStopping();
      },
      upgrades: this.upgrades,
      connectOrigin,
      admit: () => this.admit(),
      complete: (item) => this.complete(item),
      originError: (code) => this.countUpstreamError(code),
      originTimeout: () => {
        this.timeouts++;
      },
      countBody: (bytes) => {
        this.bytesRead += bytes;
      },
      closed: (connection) => this.connections.delete(connection),
    };
    // allowHalfOpen: a viewer that sends FIN after its request still gets the answer.
    const tls = options.tls;
    this.server =
      tls === undefined
        ? createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
            this.connections.add(new RelayConnection(socket, context));
          })
        : createTlsServer({ allowHalfOpen: true, noDelay: true, ...tlsServerOptions(tls) }, (socket: TLSSocket) => {
            this.handshake(socket, tls);
            this.connections.add(new RelayConnection(socket, context));
          });
    this.onSignal = (signal) => this.stop(signal === 'SIGTERM' ? 'SIGTERM' : 'Ctrl-C');
    this.sweepMs = Math.min(1000, Math.max(10, Math.round(Math.min(context.timeoutMs, context.idleMs) / 10)));
  }

  /** For the summary: where it listened (the real port once listening, also with --listen ...:0) and the origin. */
  get label(): string {
    return `proxy ${this.options.listen.host}:${this.port} -> ${this.options.target.origin}`;
  }

  /** The address actually listened on (port 0 gives a free port). */
  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a !== null ? a.port : this.options.listen.port;
  }

  async start(): Promise<void> {
    if (this.options.skipProbe !== true) await probeOrigin(this.options.target);
    await new Promise<void>((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException) => reject(listenError(this.options.listen, e));
      this.server.once('error', onError);
      this.server.listen(this.options.listen.port, this.options.listen.host, () => {
        this.server.removeListener('error', onError);
        resolve();
      });
    });
    this.server.on('error', (e) => this.log(`cfreplay: proxy server error: ${e.message}`));
    this.sweepTimer = setInterval(() => {
      const now = (this.clock.ms = performance.now());
      for (const c of this.connections) c.sweep(now, this.sweepMs);
    }, this.sweepMs);
    this.sweepTimer.unref();
    const host = this.options.listen.host;
    this.address = `${this.options.tls !== undefined ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
    if (this.options.handleSignals !== false) {
      process.on('SIGINT', this.onSignal);
      process.on('SIGTERM', this.onSignal);
    }
    if (this.options.durationMs !== undefined) {
      this.durationTimer = setTimeout(() => this.stop(`--duration reached`), this.options.durationMs);
    }
    this.log(`cfreplay: recording proxy on ${this.address} -> ${this.options.target.origin} (Ctrl-C to stop and write the summary)`);
  }

  private get ended(): boolean {
    return this.queue.ended;
  }

  /** Count a new exchange and return its index, or undefined (counted as refused) when no more are taken. */
  private admit(): number | undefined {
    const max = this.options.maxEvents;
    if (this.stopping !== undefined || (max !== undefined && this.started >= max)) {
      this.refused++;
      return undefined;
    }
    const index = this.started++;
    this.inFlight++;
    if (max !== undefined && this.started >= max) setImmediate(() => this.stop(`--max-events ${max} reached`));
    return index;
  }

  private complete(capture: ProxyCapture): void {
    this.inFlight--;
    this.answered++;
    this.queue.push(capture);
    if (this.stopping !== undefined && this.inFlight === 0) this.end();
  }

  /** A finished TLS handshake: its connection event (or why none) goes to the recording, before the connection's exchanges. */
  private handshake(socket: TLSSocket, tls: ProxyTlsOptions): void {
    if (this.stopping !== undefined) return;
    const capture = handshakeCapture(socket, this.handshakes, tls);
    if (capture === undefined) return;
    this.handshakes++;
    this.queue.push(capture);
  }

  private countUpstreamError(code: string): void {
    const n = (this.upstreamErrors.get(code) ?? 0) + 1;
    this.upstreamErrors.set(code, n);
    if (n === 1) {
      const hint = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code) ? " (the origin's TLS certificate is not trusted: --origin-ca <file.pem> trusts its CA)" : '';
      this.log(`cfreplay: origin error ${code}${hint}: the viewer got a 502 (recorded); further ones are counted in the summary`);
    }
  }

  /** Stop accepting and finish: the exchanges in flight complete (at most `graceMs`), then the items end. */
  stop(reason: string, graceMs = Math.min(this.options.timeoutMs ?? 30_000, 10_000)): void {
    if (this.ended) return;
    if (this.stopping !== undefined) {
      this.log(`cfreplay: ${reason} again: stopping now`);
      this.cutAll();
      this.end();
      return;
    }
    this.stopping = reason;
    this.log(`cfreplay: ${reason}: stopping${this.inFlight > 0 ? `, finishing ${this.inFlight} exchange(s) in flight` : ''}`);
    if (this.durationTimer !== undefined) clearTimeout(this.durationTimer);
    this.server.close();
    for (const c of this.connections) c.closeIfIdle();
    if (this.inFlight === 0) {
      this.end();
      return;
    }
    this.graceTimer = setTimeout(() => {
      this.log(`cfreplay: ${this.inFlight} exchange(s) still in flight after ${graceMs / 1000} s: cut`);
      this.cutAll();
      // Their 'close' handlers record them; end once the event loop ran them.
      setImmediate(() => this.end());
    }, graceMs);
    this.graceTimer.unref();
  }

  private end(): void {
    if (this.ended) return;
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer);
    if (this.durationTimer !== undefined) clearTimeout(this.durationTimer);
    if (this.sweepTimer !== undefined) clearInterval(this.sweepTimer);
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
    this.server.close();
    const tunnels = this.upgrades.open;
    // Answers already handed to a connection are still sent before it closes; WebSockets are cut.
    for (const c of this.connections) c.close();
    // A viewer that stopped reading would hold its connection (and the process) open: cut what is left.
    setTimeout(() => this.cutAll(), 2000).unref();
    if (tunnels > 0) this.log(`cfreplay: closed ${tunnels} open WebSocket connection(s)`);
    this.queue.end();
  }

  /** Cut every connection (what is in flight is recorded with a note). */
  private cutAll(): void {
    for (const c of this.connections) c.destroy();
  }

  /** The recorded exchanges in this thread. */
  async *items(): AsyncGenerator<SourceItem> {
    for await (const capture of this.captures()) yield captureItem(capture);
  }

  /** The exchanges as the relay kept them (what the CLI hands to its recording worker, which calls captureItem). */
  async *captures(): AsyncGenerator<ProxyItem> {
    try {
      yield* this.queue.drain();
    } finally {
      // The pipeline gave up (sink error): stop serving.
      if (!this.ended) {
        this.stopping ??= 'recording ended';
        this.end();
      }
    }
  }

  progress(): ProxyCounters {
    let originErrors = this.timeouts;
    for (const n of this.upstreamErrors.values()) originErrors += n;
    return { requests: this.started, answered: this.answered, originErrors, webSocketsOpen: this.upgrades.open, bytesRead: this.bytesRead };
  }

  report(): SourceReport {
    const info: Record<string, string> = { requests: String(this.started), answered: String(this.answered) };
    const warnings: string[] = [];
    if (this.refused > 0) info['refused after stop'] = String(this.refused);
    const upgrades = this.upgrades.report();
    Object.assign(info, upgrades.info);
    warnings.push(...upgrades.warnings);
    if (this.stopping !== undefined) info.stopped = this.stopping;
    const errors = [...this.upstreamErrors].map(([code, n]) => `${code} ${n}`).join(', ');
    if (errors !== '') warnings.push(`origin errors (the viewers got 502, recorded as such): ${errors}`);
    if (this.timeouts > 0) warnings.push(`origin timeouts (the viewers got 504, recorded as such): ${this.timeouts}`);
    return { warnings, info };
  }
}

/** Start the proxy (origin check, then listen); throws one-line InputErrors. */
export async function startProxySource(options: ProxyOptions): Promise<ProxySource> {
  const source = new ProxySource(options);
  await source.start();
  return source;
}

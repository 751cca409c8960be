/**
 * The live status line of `cfreplay record proxy` (stderr, only on a
 * terminal unless --progress says otherwise):
 *
 *   proxy up 1:02:03: 12,345 recorded, 850 req/s, 0 origin errors, 4.2 MB in 12 chunks, 2 WebSockets
 *
 * Kept short for an 80-column terminal (the start message names both
 * addresses); what does not fit is cut from the end, so the figures come in
 * order of interest.
 *
 * Driven by a timer on the proxy's thread, not by requests: a request costs
 * nothing beyond the counters the proxy keeps anyway, and an idle proxy
 * still shows its uptime. Records, chunks and bytes are counted by the
 * recording worker and arrive a few times a second (RecorderStats).
 */
import { ProgressLine } from '../../util/progress-line.js';
import type { ProxyCounters } from './proxy-source.js';
import type { SinkStats } from '../sink-stats.js';

/** How often the line is recomputed and the worker reports (ms). */
export const PROGRESS_TICK_MS = 250;

/** The requests/s figure is taken over about this long, so it neither jumps nor lags. */
const RATE_WINDOW_MS = 2000;

export interface ProxyProgressOptions {
  stream: NodeJS.WriteStream;
  enabled: boolean;
  /** Nothing is shown before this (ms): short runs print no line. */
  delayMs?: number;
}

export function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

function size(n: number): string {
  if (n < 1e3) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(n < 1e4 ? 1 : 0)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;
  return `${(n / 1e9).toFixed(1)} GB`;
}

const int = (n: number) => n.toLocaleString('en-US');

export function formatProxyProgress(c: ProxyCounters, out: SinkStats | undefined, requestsPerSecond: number, uptimeMs: number): string {
  const parts = [`${int(out?.records ?? 0)} recorded`, `${int(Math.round(requestsPerSecond))} req/s`, `${int(c.originErrors)} origin errors`];
  if (out?.bytes !== undefined && out.chunks !== undefined) parts.push(`${size(out.bytes)} in ${int(out.chunks)} chunk${out.chunks === 1 ? '' : 's'}`);
  if (c.webSocketsOpen > 0) parts.push(`${int(c.webSocketsOpen)} WebSocket${c.webSocketsOpen === 1 ? '' : 's'}`);
  return `proxy up ${formatUptime(uptimeMs)}: ${parts.join(', ')}`;
}

export class ProxyProgress {
  private readonly line: ProgressLine;
  private readonly started = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private counters: (() => ProxyCounters) | undefined;
  private recorder: SinkStats | undefined;
  /** [time, requests] samples over the last RATE_WINDOW_MS. */
  private readonly samples: [number, number][] = [];

  constructor(private readonly options: ProxyProgressOptions) {
    // The line's own throttle is the tick: each tick may draw.
    this.line = new ProgressLine(options.stream, options.enabled, options.delayMs ?? 1000, PROGRESS_TICK_MS - 10);
  }

  get enabled(): boolean {
    return this.options.enabled;
  }

  /** Start drawing from the proxy's counters (once it listens). */
  start(counters: () => ProxyCounters): void {
    if (!this.options.enabled || this.timer !== undefined) return;
    this.counters = counters;
    this.timer = setInterval(() => this.draw(), PROGRESS_TICK_MS);
    this.timer.unref();
  }

  /** The recording worker's latest counts. */
  recorderStats(stats: SinkStats): void {
    this.recorder = stats;
  }

  /** A status line for the user: the progress line steps aside and comes back on the next tick. */
  aside(write: () => void): void {
    this.line.clear();
    write();
  }

  /** Stop and clear the line (before the summary). Idempotent. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.line.clear();
  }

  private draw(): void {
    const c = this.counters!();
    const now = performance.now();
    this.samples.push([now, c.requests]);
    while (this.samples.length > 2 && now - this.samples[1]![0] >= RATE_WINDOW_MS) this.samples.shift();
    const [t0, r0] = this.samples[0]!;
    const rate = now - t0 > 0 ? ((c.requests - r0) * 1000) / (now - t0) : 0;
    this.line.update(formatProxyProgress(c, this.recorder, rate, now - this.started));
  }
}

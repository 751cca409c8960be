/**
 * Latency charts as inline SVG, drawn at render time from the report's HDR
 * histograms (the page needs no histogram decoder and no script to show them):
 *
 * - distribution: share of calls per latency bin, log-scaled latency axis,
 *   OLD and NEW overlaid, with p50/p99/p99.9 markers of both;
 * - percentile spectrum: latency (log) against percentile on the usual
 *   1/(1-q) axis, which makes tails readable.
 */
import { histogramToRead, recordedBins, type LatencyHistogram } from '../../results/latency.js';
import type { LatencyStats } from '../../results/types.js';
import { formatNs } from './format.js';
import { esc } from './escape.js';

interface Decoded {
  bins: readonly { value: number; count: number }[];
  total: number;
  h: LatencyHistogram;
}

function decode(encoded: string): Decoded | undefined {
  if (encoded === '') return undefined;
  let h: LatencyHistogram;
  try {
    h = histogramToRead(encoded);
  } catch {
    return undefined;
  }
  // What the library's recorded-values iterator yields (test/results/latency.test.ts), in one loop.
  return { bins: recordedBins(h), total: h.totalCount, h };
}

/** 1-2-5 ticks covering [lo, hi] on a log axis. */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  }
  return out;
}

const W = 640;
const H = 260;
const M = { l: 56, r: 16, t: 34, b: 40 };
const PW = W - M.l - M.r;
const PH = H - M.t - M.b;
const f1 = (n: number) => (Math.round(n * 10) / 10).toString();

export interface ChartInput {
  histograms: { old: string; new: string };
  old: LatencyStats;
  new: LatencyStats;
}

export function renderLatencyCharts(input: ChartInput): string {
  const o = decode(input.histograms.old);
  const n = decode(input.histograms.new);
  if (o === undefined || n === undefined || o.total === 0 || n.total === 0) {
    return '<p class="muted">No latency histogram in this report (no calls were timed, or the histogram could not be decoded).</p>';
  }
  return `<div class="charts">${distribution(o, n, input)}${spectrum(o, n)}</div>`;
}

function distribution(o: Decoded, n: Decoded, input: ChartInput): string {
  let lo = Math.min(o.bins[0]?.value ?? 1, n.bins[0]?.value ?? 1);
  let hi = Math.max(o.bins[o.bins.length - 1]?.value ?? 1, n.bins[n.bins.length - 1]?.value ?? 1);
  lo = Math.max(1, lo / 1.05);
  hi = Math.max(hi * 1.05, lo * 10);
  const llo = Math.log10(lo);
  const span = Math.log10(hi) - llo;
  const NB = 72;
  const binOf = (v: number) => Math.min(NB - 1, Math.max(0, Math.floor(((Math.log10(Math.max(v, lo)) - llo) / span) * NB)));
  const share = (d: Decoded) => {
    const a = new Array<number>(NB).fill(0);
    for (const b of d.bins) a[binOf(b.value)] = (a[binOf(b.value)] ?? 0) + b.count;
    return a.map((c) => c / d.total);
  };
  const so = share(o);
  const sn = share(n);
  const ymax = Math.max(...so, ...sn, 1e-9) * 1.1;
  const x = (v: number) => M.l + ((Math.log10(v) - llo) / span) * PW;
  const xb = (i: number) => M.l + (i / NB) * PW;
  const y = (s: number) => M.t + PH - (s / ymax) * PH;
  const area = (s: number[]) => {
    let d = `M${f1(xb(0))},${f1(y(0))}`;
    s.forEach((v, i) => (d += `L${f1(xb(i))},${f1(y(v))}L${f1(xb(i + 1))},${f1(y(v))}`));
    return `${d}L${f1(xb(NB))},${f1(y(0))}Z`;
  };
  const parts: string[] = [];
  parts.push(`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="dist-title"><title id="dist-title">Latency distribution, OLD and NEW, log-scaled latency axis</title>`);
  parts.push(`<text x="${M.l}" y="14" class="ct">Distribution of call latency</text>`);
  // grid and x ticks
  for (const t of logTicks(lo, hi)) {
    const tx = f1(x(t));
    parts.push(`<line x1="${tx}" x2="${tx}" y1="${M.t}" y2="${M.t + PH}" class="grid"/><text x="${tx}" y="${M.t + PH + 14}" class="tick" text-anchor="middle">${esc(formatNs(t))}</text>`);
  }
  const raw = ymax / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  for (let v = 0; v <= ymax + 1e-12; v += step) {
    const ty = f1(y(v));
    const pct = v * 100;
    parts.push(`<line x1="${M.l}" x2="${M.l + PW}" y1="${ty}" y2="${ty}" class="grid"/><text x="${M.l - 6}" y="${ty}" dy="3" class="tick" text-anchor="end">${pct === 0 ? '0' : pct.toFixed(step * 100 >= 1 ? (Number.isInteger(pct) ? 0 : 1) : 2)}%</text>`);
  }
  parts.push(`<path d="${area(so)}" class="area-old"/><path d="${area(sn)}" class="area-new"/>`);
  // percentile markers: OLD labels on the first row, NEW on the second
  const markers: [string, keyof LatencyStats][] = [['p50', 'p50'], ['p99', 'p99'], ['p99.9', 'p999']];
  (['old', 'new'] as const).forEach((side, row) => {
    for (const [label, key] of markers) {
      const v = input[side][key];
      if (!(v > 0)) continue;
      const mx = f1(x(Math.min(Math.max(v, lo), hi)));
      parts.push(`<line x1="${mx}" x2="${mx}" y1="${M.t}" y2="${M.t + PH}" class="mark mark-${side}"><title>${side.toUpperCase()} ${label} ${esc(formatNs(v))}</title></line>`);
      parts.push(`<text x="${mx}" y="${M.t - 16 + row * 11}" class="mlabel mlabel-${side}" text-anchor="middle">${label}</text>`);
    }
  });
  // hover targets
  for (let i = 0; i < NB; i++) {
    if ((so[i] ?? 0) === 0 && (sn[i] ?? 0) === 0) continue;
    const a = lo * 10 ** ((i / NB) * span);
    const b = lo * 10 ** (((i + 1) / NB) * span);
    parts.push(`<rect x="${f1(xb(i))}" y="${M.t}" width="${f1(PW / NB)}" height="${PH}" class="hit"><title>${esc(formatNs(a))} – ${esc(formatNs(b))}: OLD ${((so[i] ?? 0) * 100).toFixed(2)}%, NEW ${((sn[i] ?? 0) * 100).toFixed(2)}%</title></rect>`);
  }
  parts.push(`<text x="${M.l + PW / 2}" y="${H - 4}" class="axis" text-anchor="middle">latency per call (log scale)</text>`);
  parts.push(`<text transform="translate(12 ${M.t + PH / 2}) rotate(-90)" class="axis" text-anchor="middle">share of calls</text>`);
  parts.push('</svg>');
  return parts.join('');
}

function spectrum(o: Decoded, n: Decoded): string {
  const maxCount = Math.max(o.total, n.total);
  // Percentiles up to the resolution the data supports (and at most 99.999).
  const qmax = Math.min(0.99999, 1 - 1 / Math.max(10, maxCount));
  const xmax = Math.log10(1 / (1 - qmax));
  const STEPS = 160;
  const pts = (d: Decoded) => {
    const out: [number, number][] = [];
    for (let i = 0; i <= STEPS; i++) {
      const lx = (i / STEPS) * xmax;
      const q = 1 - 1 / 10 ** lx;
      out.push([lx, Math.max(1, d.h.getValueAtPercentile(q * 100))]);
    }
    return out;
  };
  const po = pts(o);
  const pn = pts(n);
  let lo = Infinity;
  let hi = 0;
  for (const [, v] of [...po, ...pn]) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  lo = Math.max(1, lo / 1.1);
  hi = Math.max(hi * 1.1, lo * 10);
  const llo = Math.log10(lo);
  const span = Math.log10(hi) - llo;
  const x = (lx: number) => M.l + (lx / xmax) * PW;
  const y = (v: number) => M.t + PH - ((Math.log10(v) - llo) / span) * PH;
  const line = (p: [number, number][]) => p.map(([a, b], i) => `${i === 0 ? 'M' : 'L'}${f1(x(a))},${f1(y(b))}`).join('');
  const parts: string[] = [];
  parts.push(`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="spec-title"><title id="spec-title">Latency by percentile, OLD and NEW, log-scaled axes</title>`);
  parts.push(`<text x="${M.l}" y="14" class="ct">Latency by percentile</text>`);
  for (const [q, label] of [[0, '0'], [0.9, '90'], [0.99, '99'], [0.999, '99.9'], [0.9999, '99.99'], [0.99999, '99.999']] as const) {
    const lx = Math.log10(1 / (1 - q));
    if (lx > xmax + 1e-9) continue;
    const tx = f1(x(lx));
    parts.push(`<line x1="${tx}" x2="${tx}" y1="${M.t}" y2="${M.t + PH}" class="grid"/><text x="${tx}" y="${M.t + PH + 14}" class="tick" text-anchor="middle">${label}</text>`);
  }
  for (const t of logTicks(lo, hi)) {
    const ty = f1(y(t));
    parts.push(`<line x1="${M.l}" x2="${M.l + PW}" y1="${ty}" y2="${ty}" class="grid"/><text x="${M.l - 6}" y="${ty}" dy="3" class="tick" text-anchor="end">${esc(formatNs(t))}</text>`);
  }
  parts.push(`<path d="${line(po)}" class="line-old"/><path d="${line(pn)}" class="line-new"/>`);
  for (const [q, label] of [[0.5, 'p50'], [0.9, 'p90'], [0.99, 'p99'], [0.999, 'p99.9']] as const) {
    const lx = Math.log10(1 / (1 - q));
    if (lx > xmax + 1e-9) continue;
    for (const [side, d] of [['old', o], ['new', n]] as const) {
      const v = d.h.getValueAtPercentile(q * 100);
      parts.push(`<circle cx="${f1(x(lx))}" cy="${f1(y(Math.max(1, v)))}" r="3.5" class="dot-${side}"><title>${side.toUpperCase()} ${label}: ${esc(formatNs(v))}</title></circle>`);
    }
  }
  parts.push(`<text x="${M.l + PW / 2}" y="${H - 4}" class="axis" text-anchor="middle">percentile</text>`);
  parts.push(`<text transform="translate(12 ${M.t + PH / 2}) rotate(-90)" class="axis" text-anchor="middle">latency (log scale)</text>`);
  parts.push('</svg>');
  return parts.join('');
}

/**
 * Number and text formatting shared by the HTML, Markdown and JUnit reports.
 * Locale-independent on purpose: the Markdown summary is compared byte for
 * byte with a recorded example, and CI machines differ in locale.
 */

/** 1234567 -> "1,234,567" (integers; non-integers are rounded). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const neg = n < 0;
  const s = String(Math.round(Math.abs(n)));
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ',';
    out += s[i];
  }
  return neg ? `-${out}` : out;
}

/** A fraction (0..1) as a percentage with enough digits to not show 0% for a few events. */
export function formatPercent(fraction: number): string {
  if (!Number.isFinite(fraction)) return '-';
  const p = fraction * 100;
  if (p === 0) return '0%';
  if (Math.abs(p) >= 10) return `${p.toFixed(1)}%`;
  if (Math.abs(p) >= 0.01) return `${p.toFixed(2)}%`;
  return `${p.toPrecision(2)}%`;
}

/** Nanoseconds as "850 ns", "12.3 µs", "4.56 ms", "1.20 s". */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return '-';
  const a = Math.abs(ns);
  if (a < 1_000) return `${Math.round(ns)} ns`;
  if (a < 1_000_000) return `${sig3(ns / 1_000)} µs`;
  if (a < 1_000_000_000) return `${sig3(ns / 1_000_000)} ms`;
  return `${sig3(ns / 1_000_000_000)} s`;
}

function sig3(v: number): string {
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

/** new/old ratio as "×1.23"; "~" when the change is not statistically significant. */
export function formatRatio(ratio: number, significant: boolean): string {
  if (!significant) return '~';
  if (!Number.isFinite(ratio)) return '×∞';
  return `×${ratio.toFixed(ratio >= 10 ? 1 : 2)}`;
}

/** A p-value for display: "p = 0.042", "p < 0.001". */
export function formatPValue(p: number): string {
  if (!Number.isFinite(p)) return 'p = -';
  if (p < 0.001) return 'p < 0.001';
  return `p = ${p.toFixed(3)}`;
}

export function signedCount(n: number): string {
  if (n === 0) return '0';
  return n > 0 ? `+${formatCount(n)}` : formatCount(n);
}

/** Cut a string to at most `max` characters (by code point), marking the cut. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  const cps = Array.from(s);
  if (cps.length <= max) return s;
  return `${cps.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** First 12 hex digits of a sha256, for headers. */
export function shortSha(sha: string): string {
  return sha.slice(0, 12);
}

export const RISK_ORDER: Record<string, number> = { high: 0, medium: 1, low: 2 };

/** Risk (high first), then count (largest first), then path and id for a stable order. */
export function compareGroups(
  a: { risk: string; count: number; path: string; id: string },
  b: { risk: string; count: number; path: string; id: string },
): number {
  return (
    (RISK_ORDER[a.risk] ?? 3) - (RISK_ORDER[b.risk] ?? 3) ||
    b.count - a.count ||
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** Sum of the values of a count map. */
export function sumCounts(m: Record<string, number>): number {
  let s = 0;
  for (const k of Object.keys(m)) s += m[k] ?? 0;
  return s;
}

/** Outcome labels of both versions, most frequent (old + new) first, then by name. */
export function outcomeLabels(old: Record<string, number>, neu: Record<string, number>): string[] {
  const labels = new Set([...Object.keys(old), ...Object.keys(neu)]);
  return [...labels].sort((a, b) => (neu[b] ?? 0) + (old[b] ?? 0) - ((neu[a] ?? 0) + (old[a] ?? 0)) || (a < b ? -1 : a > b ? 1 : 0));
}

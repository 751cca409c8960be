/**
 * Text rendering of one event's comparison for `cfreplay show`: the event,
 * both outcomes and effective outputs, and the differences per path. Long
 * or multi-line values are shown as a word or line diff (the `diff`
 * package); short ones as `- old` / `+ new`. Colour is optional (ANSI).
 */
import { diffLines, diffWordsWithSpace, type ChangeObject } from 'diff';
import type { Risk } from './types.js';
import type { DiffEntry } from './types.js';

export interface ShowRun {
  label: string;
  /** outcomeDetail, e.g. `response 302`. */
  detail: string;
  effective: unknown;
  error?: string;
  logs: readonly string[];
  durationNs?: number;
}

export interface ShowDiff extends DiffEntry {
  risk: Risk;
  signature: string;
  /** Left out by the report's --ignore patterns. */
  ignored: boolean;
  /** Also differs between two runs of OLD (undefined: not checked). */
  noisy?: boolean;
}

export interface ShowView {
  eventId: string;
  position?: number;
  eventType: string;
  /** Where the outputs come from: the report's sample, or a fresh run of both files. */
  source: 'sample' | 'rerun';
  functions: { old: string; new: string };
  event: unknown;
  old: ShowRun;
  new: ShowRun;
  diffs: ShowDiff[];
  warnings: string[];
}

export interface Palette {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const ansi = (open: number, close: number) => (s: string) => (s === '' ? s : `\u001b[${open}m${s}\u001b[${close}m`);
export const COLOURS: Palette = { bold: ansi(1, 22), dim: ansi(2, 22), red: ansi(31, 39), green: ansi(32, 39), yellow: ansi(33, 39), cyan: ansi(36, 39) };
const id = (s: string) => s;
export const PLAIN: Palette = { bold: id, dim: id, red: id, green: id, yellow: id, cyan: id };

/** Values longer than this (or with newlines) get an inline word/line diff. */
const LONG = 80;

function indent(text: string, by = '    '): string {
  return text
    .split('\n')
    .map((l) => by + l)
    .join('\n');
}

/** Render a word or line diff of two long values, changed parts marked and coloured. */
export function inlineDiff(a: string, b: string, c: Palette): string {
  const multiLine = a.includes('\n') || b.includes('\n');
  if (multiLine) {
    const parts: ChangeObject<string>[] = diffLines(a, b);
    const out: string[] = [];
    for (const p of parts) {
      const lines = p.value.replace(/\n$/, '').split('\n');
      for (const l of lines) out.push(p.added ? c.green(`+ ${l}`) : p.removed ? c.red(`- ${l}`) : c.dim(`  ${l}`));
    }
    return indent(out.join('\n'));
  }
  const parts: ChangeObject<string>[] = diffWordsWithSpace(a, b);
  let s = '';
  for (const p of parts) {
    if (p.added) s += c.green(`{+${p.value}+}`);
    else if (p.removed) s += c.red(`[-${p.value}-]`);
    else s += p.value.length > 60 ? `${p.value.slice(0, 25)}…${p.value.slice(-25)}` : p.value;
  }
  return indent(s);
}

function riskColour(r: Risk, c: Palette): (s: string) => string {
  return r === 'high' ? c.red : r === 'medium' ? c.yellow : c.dim;
}

export function renderDiff(d: ShowDiff, c: Palette): string {
  const tags = [riskColour(d.risk, c)(d.risk), d.kind];
  if (d.ignored) tags.push('ignored');
  if (d.noisy === true) tags.push('noise');
  const head = `  ${c.bold(d.path)}  ${tags.join(' · ')}  ${c.dim(d.signature)}`;
  const a = d.old;
  const b = d.new;
  if (a !== undefined && b !== undefined && (a.length > LONG || b.length > LONG || a.includes('\n') || b.includes('\n'))) {
    return `${head}\n${inlineDiff(a, b, c)}`;
  }
  const lines = [head];
  if (a !== undefined) lines.push(c.red(indent(`- ${a}`)));
  if (b !== undefined) lines.push(c.green(indent(`+ ${b}`)));
  return lines.join('\n');
}

function renderRun(name: string, file: string, r: ShowRun, c: Palette): string {
  const time = r.durationNs !== undefined ? c.dim(`  ${(r.durationNs / 1000).toFixed(1)} µs`) : '';
  const out = [c.bold(`── ${name}  ${file}  → ${r.detail}`) + time];
  if (r.error !== undefined) out.push(c.red(indent(r.error, '  ')));
  out.push(indent(JSON.stringify(r.effective, null, 2), '  '));
  if (r.logs.length > 0) out.push(c.dim(indent(`logs:\n${r.logs.map((l) => `  ${l}`).join('\n')}`, '  ')));
  return out.join('\n');
}

export function renderShow(v: ShowView, c: Palette): string {
  const out: string[] = [];
  const pos = v.position !== undefined ? ` at position ${v.position}` : '';
  out.push(c.bold(`Event ${v.eventId}`) + `${pos} (${v.eventType}; outputs from ${v.source === 'sample' ? "the report's sample" : 'a fresh run of both functions'})`);
  for (const w of v.warnings) out.push(c.yellow(`warning: ${w}`));
  out.push('', c.bold('── Event (as both functions received it)'), indent(JSON.stringify(v.event, null, 2), '  '), '');
  out.push(renderRun('OLD', v.functions.old, v.old, c), '', renderRun('NEW', v.functions.new, v.new, c), '');
  const shown = v.diffs.filter((d) => !d.ignored).length;
  if (v.diffs.length === 0) out.push(c.green('── No behavioural difference'));
  else {
    const extra = v.diffs.length - shown > 0 ? ` (+${v.diffs.length - shown} ignored)` : '';
    out.push(c.bold(`── Differences: ${shown}${extra}`));
    for (const d of v.diffs) out.push(renderDiff(d, c));
  }
  return out.join('\n');
}

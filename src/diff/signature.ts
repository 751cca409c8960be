/**
 * signatureOf: the change of a DiffEntry described independently of the
 * event where possible, so that the replay can group identical changes by
 * (path, kind, signature). Signatures stay short (each quoted piece is at
 * most 120 characters) and low-cardinality for systematic changes.
 *
 * - outcome: `forward -> response 302` (details templated, status kept);
 * - added / removed: `added "tmpl(new)"` / `removed "tmpl(old)"`;
 * - ordering: `reordered "tmpl(old)" -> "tmpl(new)"`;
 * - changed, by the first that fits:
 *   - `lowercase` / `uppercase`: NEW is OLD in another case;
 *   - `append "x"`, `prepend "x"`, `insert "x"`: NEW is OLD with text added
 *     at the end, start or inside;
 *   - `remove suffix "x"`, `remove prefix "x"`, `remove "x"`: the reverse
 *     (for request fields, removing an event-specific piece is `set "tmpl(new)"`);
 *   - `replace "/old/" with "/new/"`: a part of OLD (widened to whole
 *     tokens, between delimiters like `/ ? & = ; ,`) replaced, the rest kept;
 *   - whole value replaced: `"tmpl(old)" -> "tmpl(new)"`, or for request
 *     fields (whose OLD value is the viewer's input, different per event)
 *     `set "tmpl(new)"`; `response.statusCode` is never templated.
 *   Pieces are templated (template.ts); when templating would make both
 *   sides equal (`max-age=60` -> `max-age=300`), the literal pieces are kept.
 */
import { P_STATUS } from './paths.js';
import { quote, templateValue, truncate } from './template.js';
import type { DiffEntry } from './types.js';

const DELIMS = new Set(['/', '?', '&', '=', ';', ',', ':', '"', '[', ']', ' ', '\t', '\n', '|', '#', '(', ')', '{', '}', '<', '>']);

const t = (s: string): string => quote(templateValue(s));
const PLACEHOLDER = /\{(?:n|uuid|hex|token)\}/;

/** A request field set to a value, whatever it was: `set "tmpl(value)"`. */
export function setSignature(value: string): string {
  return `set ${t(value)}`;
}

/**
 * Is this change, seen on one event, possibly a `set` in disguise? Removing a
 * literal prefix (`/search/index.html` -> `/index.html`) cannot be told from
 * setting a constant on one event; the replay merges such groups into the
 * `set` group when every occurrence produced the same NEW value.
 */
export function isPrefixRemoval(path: string, signature: string): boolean {
  return path.startsWith('request.') && signature.startsWith('remove prefix ');
}

function pair(a: string, b: string, sep: string, prefix: string): string {
  let ta = templateValue(a);
  let tb = templateValue(b);
  if (ta === tb) {
    ta = a;
    tb = b;
  }
  return `${prefix}${quote(ta)}${sep}${quote(tb)}`;
}

/**
 * `long` is the shorter string with `k` characters inserted at `at`. The
 * same edit can often sit elsewhere (`/a` -> `/v2/a` inserts `v2/` after the
 * `/` or `/v2` before it): prefer the start or end of the value when the
 * edit can slide there, so `prepend`/`append` are recognised.
 */
function edit(long: string, at: number, k: number, atEnd: string, atStart: string, inside: string): string {
  let l = at;
  while (l > 0 && long.charCodeAt(l - 1) === long.charCodeAt(l - 1 + k)) l--;
  if (l === 0) return `${atStart} ${t(long.slice(0, k))}`;
  let r = at;
  while (r + k < long.length && long.charCodeAt(r) === long.charCodeAt(r + k)) r++;
  if (r + k === long.length) return `${atEnd} ${t(long.slice(r))}`;
  return `${inside} ${t(long.slice(l, l + k))}`;
}

export function changedSignature(path: string, a: string, b: string): string {
  if (path === P_STATUS) return `${a} -> ${b}`;
  if (a.length === b.length && a !== b) {
    if (b === a.toLowerCase()) return 'lowercase';
    if (b === a.toUpperCase()) return 'uppercase';
  }
  const la = a.length;
  const lb = b.length;
  const min = la < lb ? la : lb;
  let p = 0;
  while (p < min && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  let s = 0;
  while (s < min - p && a.charCodeAt(la - 1 - s) === b.charCodeAt(lb - 1 - s)) s++;
  if (p + s === la) return edit(b, p, lb - la, 'append', 'prepend', 'insert');
  if (p + s === lb) {
    const removal = edit(a, p, la - lb, 'remove suffix', 'remove prefix', 'remove');
    // Removing an event-specific piece (`remove prefix "/products/{n}"`) groups
    // nothing; for request fields, what NEW sets is the systematic part.
    if (path.startsWith('request.') && PLACEHOLDER.test(removal)) return setSignature(b);
    return removal;
  }
  // Widen the changed middle to whole tokens, then take the delimiters around it.
  while (p > 0 && !DELIMS.has(a[p - 1]!)) p--;
  while (s > 0 && !DELIMS.has(a[la - s]!)) s--;
  if (p > 0) p--;
  if (s > 0) s--;
  if (p === 0 && s === 0) {
    if (path.startsWith('request.')) return setSignature(b);
    return pair(a, b, ' -> ', '');
  }
  return pair(a.slice(p, la - s), b.slice(p, lb - s), ' with ', 'replace ');
}

function outcomeSide(s: string): string {
  // `response 302` stays literal; error messages are templated.
  const i = s.indexOf(': ');
  return truncate(i < 0 ? s : s.slice(0, i + 2) + templateValue(s.slice(i + 2)));
}

export function signatureOf(entry: DiffEntry): string {
  const a = entry.old ?? '';
  const b = entry.new ?? '';
  switch (entry.kind) {
    case 'outcome':
      return `${outcomeSide(a)} -> ${outcomeSide(b)}`;
    case 'added':
      return `added ${t(b)}`;
    case 'removed':
      return `removed ${t(a)}`;
    case 'ordering':
      return pair(a, b, ' -> ', 'reordered ');
    default:
      return changedSignature(entry.path, a, b);
  }
}

/**
 * --ignore patterns: paths to leave out of the diff on purpose.
 *
 * A path is split into segments: the fixed part on dots (`request`,
 * `headers`) and, for named fields, the whole name as one last segment
 * (`request.querystring.a.b` is `request` / `querystring` / `a.b`).
 * In a pattern:
 * - a segment matches literally; `*` inside a segment matches any run of
 *   characters within that one segment (`x-amz-*`, `*` alone = any one segment);
 * - `**` matches any number of remaining segments (zero or more), so
 *   `request.cookies.**` leaves out every request cookie and `**` everything;
 * - after `headers`, the name is matched lowercase (paths use lowercase header
 *   names, so `request.headers.X-Debug` works too).
 * Examples: `request.headers.x-debug`, `response.headers.*`,
 * `request.headers.x-amz-*`, `*.headers.date`, `request.cookies.**`.
 *
 * `outcome` is never ignored, whatever the pattern: diffRuns reports only
 * the outcome entry when the outcomes differ, so ignoring it would hide all
 * the event did (gate on outcome changes with --max-diff-rate instead). A
 * pattern that can only match `outcome` is refused.
 */
import { P_OUTCOME, splitFieldPath } from './paths.js';
import type { IgnoreMatcher } from './types.js';
import { UserError } from '../util/user-error.js';

/** A pattern the user must fix. One line; the CLI prints it without a stack. */
export class IgnorePatternError extends UserError {
  override name = 'IgnorePatternError';
}

type Seg = { t: 'rest' } | { t: 'lit'; s: string } | { t: 're'; re: RegExp };

function segments(path: string): string[] {
  const f = splitFieldPath(path);
  if (f === undefined) return path.split('.');
  return [...f.prefix.slice(0, -1).split('.'), f.name];
}

function compileSegment(seg: string, lower: boolean): Seg {
  if (seg === '**') return { t: 'rest' };
  const s = lower ? seg.toLowerCase() : seg;
  if (!s.includes('*')) return { t: 'lit', s };
  const body = s
    .split(/\*+/)
    .map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return { t: 're', re: new RegExp(`^${body}$`, 's') };
}

function compilePattern(pattern: string): Seg[] {
  const p = pattern.trim();
  if (p === '') throw new IgnorePatternError('empty --ignore pattern');
  // Split like a path: a family's name is one segment even with dots in it.
  const f = splitFieldPath(p);
  const raw = f === undefined ? p.split('.') : [...f.prefix.slice(0, -1).split('.'), f.name];
  if (raw.some((s) => s === '')) throw new IgnorePatternError(`--ignore ${pattern}: empty segment (expected a path like request.headers.x-debug)`);
  const second = raw[1];
  return raw.map((s, i) => compileSegment(s, i === 2 && second === 'headers'));
}

function matches(pat: readonly Seg[], segs: readonly string[], pi: number, si: number): boolean {
  for (; pi < pat.length; pi++, si++) {
    const p = pat[pi]!;
    if (p.t === 'rest') {
      for (let k = si; k <= segs.length; k++) if (matches(pat, segs, pi + 1, k)) return true;
      return false;
    }
    if (si >= segs.length) return false;
    const s = segs[si]!;
    if (p.t === 'lit' ? p.s !== s : !p.re.test(s)) return false;
  }
  return si === segs.length;
}

const CACHE_LIMIT = 20_000;

/**
 * A matcher for the patterns, or undefined when there are none (so callers
 * can skip the check). Results are cached per path (paths repeat).
 * Throws IgnorePatternError for an empty pattern or one that is just `outcome`.
 */
export function compileIgnore(patterns: readonly string[]): IgnoreMatcher | undefined {
  if (patterns.length === 0) return undefined;
  const compiled = patterns.map((p) => {
    if (p.trim() === P_OUTCOME)
      throw new IgnorePatternError('--ignore outcome: an outcome change cannot be ignored (it hides everything the event did); use --max-diff-rate to tolerate some');
    return compilePattern(p);
  });
  const cache = new Map<string, boolean>();
  return (path: string): boolean => {
    let r = cache.get(path);
    if (r !== undefined) return r;
    if (path === P_OUTCOME) r = false;
    else {
      const segs = segments(path);
      r = compiled.some((pat) => matches(pat, segs, 0, 0));
    }
    if (cache.size < CACHE_LIMIT) cache.set(path, r);
    return r;
  };
}

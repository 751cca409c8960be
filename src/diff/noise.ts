/**
 * Noise (Diffy's lesson): a field that also differs between two runs of OLD
 * (different clock and seed) is nondeterministic, so an OLD-vs-NEW
 * difference there says nothing about NEW.
 */
import { errorText, outcomeLabel, validationText } from './outcome.js';
import {
  FAMILIES,
  P_BODY,
  P_ERROR,
  P_METHOD,
  P_ORIGIN,
  P_OUTCOME,
  P_STATUS,
  P_STATUS_DESCRIPTION,
  P_URI,
  P_VALIDATION,
  formatBody,
  formatSetCookies,
  formatValues,
  splitFieldPath,
} from './paths.js';
import type { DiffEntry, RunView } from './types.js';

/** Look a header up by lowercase name in a map keyed by wire capitalisation. */
function header<T>(map: Record<string, T>, lower: string): T | undefined {
  for (const k in map) if (k.toLowerCase() === lower) return map[k];
  return undefined;
}

function own<T>(map: Record<string, T>, name: string): T | undefined {
  return Object.hasOwn(map, name) ? map[name] : undefined;
}

/**
 * The value at `path` in the string form of DiffEntry.old/new (absent =
 * undefined). `outcome` gives the outcome label. Exported for `show`.
 */
export function valueAt(run: RunView, path: string): string | undefined {
  const o = run.outcome;
  if (path === P_OUTCOME) return outcomeLabel(o);
  if (path === P_ERROR) return o.kind === 'execution-error' ? errorText(o.error) : undefined;
  if (path === P_VALIDATION) return o.kind === 'validation-error' ? validationText(o.problems) : undefined;
  const eff = run.effective;
  if ('request' in eff) {
    const r = eff.request;
    if (path === P_METHOD) return r.method;
    if (path === P_URI) return r.uri;
    if (path === P_ORIGIN) return eff.origin === undefined || eff.origin.length === 0 ? undefined : JSON.stringify(eff.origin);
    const f = splitFieldPath(path);
    if (f === undefined) return undefined;
    const v =
      f.prefix === FAMILIES.query ? own(r.querystring, f.name) : f.prefix === FAMILIES.reqCookies ? own(r.cookies, f.name) : f.prefix === FAMILIES.reqHeaders ? header(r.headers, f.name) : undefined;
    return v === undefined ? undefined : formatValues(v);
  }
  if ('response' in eff) {
    const r = eff.response;
    if (path === P_STATUS) return String(r.statusCode);
    if (path === P_STATUS_DESCRIPTION) return r.statusDescription;
    if (path === P_BODY) return formatBody(r.body);
    const f = splitFieldPath(path);
    if (f === undefined) return undefined;
    if (f.prefix === FAMILIES.resHeaders) {
      const v = header(r.headers, f.name);
      return v === undefined ? undefined : formatValues(v);
    }
    if (f.prefix === FAMILIES.resCookies) {
      const v = own(r.cookies, f.name);
      return v === undefined ? undefined : formatSetCookies(v);
    }
  }
  return undefined;
}

/**
 * True when OLD and a rerun of OLD (another clock and seed) differ at the
 * entry's path too: for `outcome`, when their outcome labels differ. Only
 * called for entries that exist, so its cost is off the equal-output path.
 */
export function isNoisyDiff(entry: DiffEntry, oldRun: RunView, oldRerun: RunView): boolean {
  if (entry.kind === 'outcome') return outcomeLabel(oldRun.outcome) !== outcomeLabel(oldRerun.outcome);
  return valueAt(oldRun, entry.path) !== valueAt(oldRerun, entry.path);
}

import { UserError } from './user-error.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * A duration given on the command line, in milliseconds: "500ms", "1.5s", "10m", "1h",
 * "7d", or a bare number of seconds. Anything else, or zero, is the user's to fix.
 */
export function parseDuration(text: string | number, flag: string): number {
  const m = typeof text === 'number' ? [String(text), String(text), 's'] : /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (m === null || !Number.isFinite(Number(m[1]))) throw new UserError(`${flag}: "${text}" is not a duration (e.g. 90s, 10m, 1h)`);
  const ms = Number(m[1]) * UNIT_MS[(m[2] ?? 's') as keyof typeof UNIT_MS];
  if (!(ms > 0)) throw new UserError(`${flag}: "${text}" must be more than zero`);
  return ms;
}

/**
 * What AWS TestFunction returns for a run, from a RunResult: FunctionOutput
 * (the returned request or response as JSON, `{"request": ...}` /
 * `{"response": ...}`) and FunctionErrorMessage. Shared by `run` (which
 * prints them) and `test` (which compares them with cftest's cases).
 */
import { outcomeErrorMessage } from './outcome.js';
import type { RunResult } from './types.js';

/** FunctionOutput, parsed: `{request}` / `{response}`, or null when the run produced none. */
export function functionOutputOf(r: Pick<RunResult, 'outcome' | 'raw'>): unknown {
  const k = r.outcome.kind;
  if (k === 'forward') return { request: r.raw };
  if (k === 'response' || k === 'modified-response') return { response: r.raw };
  if (k === 'validation-error' && r.raw !== undefined) return r.raw;
  return null;
}

/** FunctionErrorMessage ("" when the function ran). */
export function functionErrorMessageOf(r: Pick<RunResult, 'outcome'>): string {
  return outcomeErrorMessage(r.outcome) ?? '';
}

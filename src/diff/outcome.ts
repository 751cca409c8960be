/**
 * Outcome labels (the counting key of a run's outcome) and details (label
 * plus what tells two outcomes of one label apart for a person: the status of
 * a generated response, the error message, the broken rules).
 */
import type { OutcomeLabel } from './types.js';
import type { ErrorInfo, Outcome, ValidationProblem } from '../runtime/types.js';
import type { RunView } from './types.js';

/**
 * forward | response | modified-response | connection-allow |
 * connection-deny | connection-neither (neither allow() nor deny() called:
 * denied, counted apart) | execution-error | timeout | memory | never-settled |
 * crash | validation-error. Execution errors are split by reason; a thrown
 * error ('exception') is `execution-error`. Never allocates.
 */
export function outcomeLabel(outcome: Outcome): OutcomeLabel {
  if (outcome.kind === 'connection-deny' && outcome.neitherCalled === true) return 'connection-neither';
  if (outcome.kind !== 'execution-error') return outcome.kind;
  return outcome.reason === 'exception' ? 'execution-error' : outcome.reason;
}

/**
 * `Name: message` of an execution error, without line and column: OLD and
 * NEW are different sources, so the same error usually sits on a different
 * line and must still compare equal.
 */
export function errorText(error: ErrorInfo): string {
  return error.name === '' ? error.message : `${error.name}: ${error.message}`;
}

export function sameError(a: ErrorInfo, b: ErrorInfo): boolean {
  return a.name === b.name && a.message === b.message;
}

/** The broken rules, each with where it was broken: `rule (path)`, joined by `; `. */
export function validationText(problems: readonly ValidationProblem[]): string {
  let s = '';
  for (const p of problems) s += (s === '' ? '' : '; ') + (p.path === '' ? p.rule : `${p.rule} (${p.path})`);
  return s;
}

export function sameProblems(a: readonly ValidationProblem[], b: readonly ValidationProblem[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.rule !== b[i]!.rule || a[i]!.path !== b[i]!.path) return false;
  return true;
}

/** The distinct rule ids, in order of first appearance, joined by `, `. */
function rules(problems: readonly ValidationProblem[]): string {
  const seen: string[] = [];
  for (const p of problems) if (!seen.includes(p.rule)) seen.push(p.rule);
  return seen.join(', ');
}

/**
 * The outcome as the `old`/`new` of an `outcome` entry: `forward`,
 * `response 302`, `modified-response 200`, `execution-error: TypeError: ...`,
 * `timeout`, `crash: ...`, `validation-error: header-read-only`.
 */
export function outcomeDetail(run: RunView): string {
  const o = run.outcome;
  const label = outcomeLabel(o);
  switch (o.kind) {
    case 'response':
    case 'modified-response': {
      const eff = run.effective;
      return 'response' in eff ? `${label} ${eff.response.statusCode}` : label;
    }
    case 'execution-error':
      return o.reason === 'exception' || o.reason === 'crash' ? `${label}: ${errorText(o.error)}` : label;
    case 'validation-error':
      return o.problems.length > 0 ? `${label}: ${rules(o.problems)}` : label;
    default:
      return label;
  }
}

/**
 * From what one call did to its RunResult: the engine-independent half of an
 * invocation. Every engine (the V8 sandbox in loader.ts, the njs engine)
 * reports a CallRecord; this module applies CloudFront's rules to it:
 * validation of the returned object (502), execution errors (503),
 * connection decisions, and the lazily built effective form.
 */
import type { EventType } from '../event/types.js';
import { isObj, type Obj } from './effective.js';
import { formatError } from './njs-errors.js';
import { ValidRunResult } from './run-result.js';
import { validateQueryUnchanged, validateRequest, validateResponse } from './validate.js';
import type {
  EffectiveOutput,
  ErrorInfo,
  ExecutionErrorReason,
  FunctionKind,
  OriginChange,
  Outcome,
  RunResult,
  Runtime,
  SideEffects,
  ValidationProblem,
} from './types.js';

/** What an engine observed during one call. */
export interface CallRecord {
  kind: FunctionKind;
  runtime: Runtime;
  eventType: EventType | 'connection';
  /** The event as given to the engine (its request/response are the reference for validation). */
  event: unknown;
  /**
   * Viewer-response only: the request object of the function's own copy of the
   * event after the call (query strings are read-only there), or undefined.
   */
  requestAfter?: unknown;
  /** The returned (or resolved) value when the call did not throw. */
  ret: unknown;
  /** Set when the call threw, its promise rejected, or a limit stopped it. */
  error?: ErrorInfo;
  reason?: ExecutionErrorReason;
  logs: string[];
  logsTruncated: boolean;
  origin: OriginChange[] | null;
  customData: string | null;
  /** Connection functions: null when neither allow() nor deny() was called (deny). */
  decision: 'allow' | 'deny' | null;
  durationNs: number;
  /** InvokeOptions.twin, when the engine passes it on. */
  twin?: RunResult;
}

const NO_SIDE_EFFECTS: SideEffects = Object.freeze({ origin: Object.freeze([]) as unknown as [] }) as SideEffects;
const OUT_FORWARD: Outcome = Object.freeze({ kind: 'forward' });
const OUT_RESPONSE: Outcome = Object.freeze({ kind: 'response' });
const OUT_MODIFIED: Outcome = Object.freeze({ kind: 'modified-response' });
const OUT_ALLOW: Outcome = Object.freeze({ kind: 'connection-allow' });
const OUT_DENY: Outcome = Object.freeze({ kind: 'connection-deny' });
const OUT_NEITHER: Outcome = Object.freeze({ kind: 'connection-deny', neitherCalled: true });
const EFF_ALLOW: EffectiveOutput = Object.freeze({ connection: 'allow' as const });
const EFF_DENY: EffectiveOutput = Object.freeze({ connection: 'deny' as const });
const EFF_502: EffectiveOutput = Object.freeze({ error: Object.freeze({ status: 502 as const, type: 'FunctionValidationError' as const }) });
const EFF_503: EffectiveOutput = Object.freeze({ error: Object.freeze({ status: 503 as const, type: 'FunctionExecutionError' as const }) });

export function executionError(reason: ExecutionErrorReason, error: ErrorInfo): Outcome {
  return { kind: 'execution-error', status: 503, reason, error };
}

/** The RunResult of one call. */
export function buildRunResult(c: CallRecord): RunResult {
  let sideEffects = NO_SIDE_EFFECTS;
  if (c.origin !== null || c.customData !== null) {
    sideEffects = { origin: c.origin ?? [] };
    if (c.customData !== null) sideEffects.customData = c.customData;
  }
  let outcome: Outcome;
  let effective: EffectiveOutput;
  const threw = c.error !== undefined;
  if (threw) {
    outcome = executionError(c.reason ?? 'exception', c.error!);
    effective = EFF_503;
  } else if (c.kind === 'connection') {
    const allowed = c.decision === 'allow';
    outcome = allowed ? OUT_ALLOW : c.decision === null ? OUT_NEITHER : OUT_DENY;
    effective = allowed ? EFF_ALLOW : EFF_DENY;
  } else {
    const twin = c.twin;
    if (twin instanceof ValidRunResult && twin.vouchesFor(c.event, c.ret, c.eventType, c.requestAfter)) {
      return new ValidRunResult(twin.outcome, c.ret as Obj, c.event as Obj, c.logs, c.logsTruncated, sideEffects, c.durationNs, c.runtime, twin.eventType, twin);
    }
    const problems = validationProblems(c.event, c.ret, c.eventType, c.requestAfter);
    if (problems.length > 0) {
      outcome = { kind: 'validation-error', status: 502, problems };
      effective = EFF_502;
    } else {
      const r = c.ret as Obj; // validationProblems rejects a non-object
      outcome = c.eventType === 'viewer-response' ? OUT_MODIFIED : 'statusCode' in r ? OUT_RESPONSE : OUT_FORWARD;
      const ev = c.event;
      return new ValidRunResult(outcome, r, isObj(ev) ? ev : {}, c.logs, c.logsTruncated, sideEffects, c.durationNs, c.runtime, c.eventType as EventType);
    }
  }
  // One object literal with a fixed key order: every RunResult shares a hidden class.
  return {
    outcome,
    raw: threw ? undefined : c.ret,
    effective,
    logs: c.logs,
    logsTruncated: c.logsTruncated,
    sideEffects,
    durationNs: c.durationNs,
    runtime: c.runtime,
    eventType: c.eventType,
  };
}

/** Validation problems of a viewer function's return value (empty = valid; a non-object return is never valid). */
export function validationProblems(event: unknown, ret: unknown, eventType: EventType | 'connection', requestAfter?: unknown): ValidationProblem[] {
  const input = isObj(event) ? event : {};
  const inReq = isObj(input.request) ? input.request : {};
  if (!isObj(ret)) {
    return [
      {
        rule: 'invalid-return',
        path: '',
        message: `the function returned ${ret === undefined ? 'nothing' : JSON.stringify(ret) ?? String(ret)}; expected ${eventType === 'viewer-response' ? 'the response object' : 'the request or a response object'}`,
      },
    ];
  }
  if (eventType === 'viewer-response') {
    const inRes = isObj(input.response) ? input.response : {};
    const problems = validateResponse(ret, inRes);
    if (isObj(requestAfter)) {
      const q = validateQueryUnchanged(requestAfter.querystring, inReq.querystring);
      if (q.length > 0) return problems.length > 0 ? [...problems, ...q] : q;
    }
    return problems;
  }
  if ('statusCode' in ret) return validateResponse(ret, undefined);
  return validateRequest(ret, inReq);
}

/** One-line error text like TestFunction's FunctionErrorMessage, for an outcome (undefined when none). */
export function outcomeErrorMessage(outcome: Outcome): string | undefined {
  if (outcome.kind === 'execution-error') return formatError(outcome.error);
  if (outcome.kind === 'validation-error') return outcome.problems.map((p) => p.message).join('; ');
  return undefined;
}

/**
 * The RunResult of a viewer function whose output passed validation, with
 * its effective form built on first read.
 *
 * Why lazy: a replay runs OLD and NEW on copies of the same event, and for
 * nearly every event both return the same thing. Comparing the two returned
 * objects field by field (sameOutput) costs a fraction of building two effective forms (one
 * array per header, query and cookie value); the effective form is then built
 * only for the events that differ, for samples and for `cfreplay run`.
 *
 * The effective form is read from the returned object when first asked for,
 * not when the function returned. The function cannot change that object in
 * between: each invocation gets its own copy of the event and fresh module
 * state. A getter on the returned object runs at that later point (such a
 * getter that logs adds to the logs of whatever runs then; reads of the
 * returned object already happen several times during validation).
 */
import type { EventType } from '../event/types.js';
import { effectiveRequest, effectiveResponse, isObj, sameEffectiveOutput, type Obj } from './effective.js';
import { passesLike } from './validate.js';
import type { EffectiveOutput, Outcome, RunResult, Runtime, SideEffects } from './types.js';

export class ValidRunResult implements RunResult {
  readonly #input: Obj;
  #effective: EffectiveOutput | undefined;
  /** The result whose verdict this one took over (vouches): both have the same effective form. */
  #twin: ValidRunResult | undefined;

  constructor(
    readonly outcome: Outcome,
    /** The returned request or response (validated). */
    readonly raw: Obj,
    input: Obj,
    readonly logs: string[],
    readonly logsTruncated: boolean,
    readonly sideEffects: SideEffects,
    readonly durationNs: number,
    readonly runtime: Runtime,
    readonly eventType: EventType,
    twin?: ValidRunResult,
  ) {
    this.#input = input;
    this.#twin = twin;
  }

  /**
   * True when `ret`, returned by another call on the very same event object, certainly passes
   * validation because this result's output did (validate.ts passesLike): a replay's second call
   * then takes this verdict instead of validating again.
   */
  vouchesFor(event: unknown, ret: unknown, eventType: EventType | 'connection', requestAfter: unknown): boolean {
    const kind = this.outcome.kind;
    return (
      this.#input === event &&
      this.eventType === eventType &&
      isObj(ret) &&
      (kind === 'forward' || kind === 'response' || kind === 'modified-response') &&
      passesLike(this.raw, ret, this.#input, kind, requestAfter)
    );
  }

  get effective(): EffectiveOutput {
    return (this.#effective ??= this.build());
  }

  private build(): EffectiveOutput {
    const input = this.#input;
    const r = this.raw;
    if (this.eventType === 'viewer-response') return { response: effectiveResponse(r, isObj(input.response) ? input.response : {}) };
    if (this.outcome.kind === 'response') return { response: effectiveResponse(r, undefined) };
    const request = effectiveRequest(r, isObj(input.request) ? input.request : {});
    const origin = this.sideEffects.origin;
    return origin.length > 0 ? { request, origin } : { request };
  }

  /**
   * True when `other` certainly has the same effective output: a run of the
   * same kind on the very same input event, no origin modification, and the
   * same values in every field the effective form reads. False means
   * "compare the effective forms", not "different".
   */
  sameOutputAs(other: ValidRunResult): boolean {
    return (
      this.#input === other.#input &&
      this.outcome.kind === other.outcome.kind &&
      this.eventType === other.eventType &&
      this.sideEffects.origin.length === 0 &&
      other.sideEffects.origin.length === 0 &&
      // One vouched for the other: their outputs were compared then (passesLike includes sameEffectiveOutput).
      (this.#twin === other || other.#twin === this || sameEffectiveOutput(this.raw, other.raw, this.outcome.kind !== 'forward'))
    );
  }

  /** JSON (and object spread users) see the effective form like any other property. */
  toJSON(): RunResult {
    const steps = (this as RunResult).steps;
    return {
      ...(steps !== undefined ? { steps } : {}),
      outcome: this.outcome,
      raw: this.raw,
      effective: this.effective,
      logs: this.logs,
      logsTruncated: this.logsTruncated,
      sideEffects: this.sideEffects,
      durationNs: this.durationNs,
      runtime: this.runtime,
      eventType: this.eventType,
    };
  }
}

/** Both runs returned valid outputs that certainly have the same effective form (see ValidRunResult.sameOutputAs). */
export function sameOutput(a: unknown, b: unknown): boolean {
  return a instanceof ValidRunResult && b instanceof ValidRunResult && a.sameOutputAs(b);
}

/**
 * Run every test case through one function in one sandbox (one worker
 * thread, loaded once, a fresh function state per case), and check each
 * against its expectations. A case that runs past the time budget or out of
 * memory fails as such and the next case gets a new worker.
 */
import { completeEvent, notAnEvent, type FilledField } from '../event/complete.js';
import type { EventType } from '../event/types.js';
import { normalizeCloudFrontEvent, validateCloudFrontEvent } from '../runtime/validate-event.js';
import { WorkerSandbox } from '../runtime/worker-runner.js';
import type { KvsSnapshot, RunResult, Runtime } from '../runtime/types.js';
import type { Engine } from '../runtime/engines.js';
import { checkExpect, compareExpect, compareWhole, type Mismatch } from './assert.js';
import { CaseFileError, type TestCase } from './cases.js';

export type CaseStatus = 'passed' | 'failed' | 'no-expectation';

export interface CaseResult {
  case: TestCase;
  status: CaseStatus;
  /** Asserted fields that do not hold (empty when passed). */
  mismatches: Mismatch[];
  /** Defaults used to complete the event. */
  filled: FilledField[];
  result: RunResult;
}

export interface CaseRunSpec {
  source: string;
  filename: string;
  runtime: Runtime;
  kvs?: KvsSnapshot;
  /** Engine the cases run on (default v8). */
  engine?: Engine;
  /** Event type given to events without one, and why (see event/complete.ts). */
  eventType: EventType;
  eventTypeFrom: string;
}

export interface CaseRunOptions {
  /** Frozen clock for every case (epoch ms). */
  now: number;
  /** Math.random seed for every case. */
  seed: number;
  /** Time budget of one case, ms. */
  timeoutMs: number;
}

/**
 * The sandbox the cases run in: one worker thread (time budget, heap limit)
 * running the function on the engine the spec names.
 */
export interface CaseSandbox {
  invoke(event: unknown, opts: { now: number; seed: number; timeoutMs: number }): Promise<RunResult>;
  close(): Promise<void>;
}

export function openCaseSandbox(spec: CaseRunSpec): CaseSandbox {
  return new WorkerSandbox({
    source: spec.source,
    filename: spec.filename,
    runtime: spec.runtime,
    ...(spec.kvs ? { kvs: spec.kvs } : {}),
    ...(spec.engine !== undefined && spec.engine !== 'v8' ? { engine: spec.engine } : {}),
  });
}

/** The complete, checked event of a case, or a CaseFileError naming it. */
export function caseEvent(c: TestCase, spec: Pick<CaseRunSpec, 'eventType' | 'eventTypeFrom'>): { event: Record<string, unknown>; filled: FilledField[] } {
  const why = notAnEvent(c.event);
  if (why !== undefined) throw new CaseFileError(`${c.label}: event: ${why}`);
  const { event, filled } = completeEvent(c.event, { eventType: spec.eventType, eventTypeFrom: spec.eventTypeFrom });
  const problems = validateCloudFrontEvent(event);
  if (problems.length > 0) throw new CaseFileError(`${c.label}: event: ${problems.join('; ')}`);
  normalizeCloudFrontEvent(event);
  return { event, filled };
}

/**
 * Every case, in order. Cases are checked (events, expect paths) before
 * the first one runs, so a typo in case 200 does not cost a run of 199.
 */
export async function runCases(cases: readonly TestCase[], spec: CaseRunSpec, opts: CaseRunOptions, sandbox: CaseSandbox = openCaseSandbox(spec)): Promise<CaseResult[]> {
  const prepared = cases.map((c) => {
    checkExpect(c);
    return caseEvent(c, spec);
  });
  const results: CaseResult[] = [];
  try {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[i]!;
      const { event, filled } = prepared[i]!;
      const result = await sandbox.invoke(event, { now: opts.now, seed: opts.seed, timeoutMs: opts.timeoutMs });
      const mismatches: Mismatch[] = [];
      if (c.whole !== undefined) mismatches.push(...compareWhole(result, c.whole));
      if (c.expect !== undefined) mismatches.push(...compareExpect(result, c));
      const status: CaseStatus = c.whole === undefined && c.expect === undefined ? 'no-expectation' : mismatches.length > 0 ? 'failed' : 'passed';
      results.push({ case: c, status, mismatches, filled, result });
    }
  } finally {
    await sandbox.close();
  }
  return results;
}

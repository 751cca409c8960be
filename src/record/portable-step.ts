/**
 * Steps (sampling, redaction) that a recording worker thread can rebuild:
 * a closure cannot cross threads, so the step carries the plain data it was
 * made from. A step without a spec (a library user's own) keeps the
 * recording on the main thread.
 */
import type { CredentialScanStep } from './credential-scan.js';
import type { RedactStep } from './redaction.js';
import type { SampleStep } from './sampling.js';
import type { RecordStep } from './types.js';

/** The plain data of each step kind (each step module declares its own). */
export type StepSpec = SampleStep['spec'] | RedactStep['spec'] | CredentialScanStep['spec'];

export interface PortableStep extends RecordStep {
  readonly spec: StepSpec;
  /**
   * Add what a worker's copy of the step counted (values redacted per
   * rule), in the order it counted them; called in input order.
   */
  readonly absorb?: (counts: readonly [string, number][]) => void;
}

export function isPortableStep(step: RecordStep): step is PortableStep {
  return typeof (step as Partial<PortableStep>).spec === 'object';
}

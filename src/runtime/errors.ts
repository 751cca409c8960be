/** Errors thrown by the runtime's loading side (never by a function's run: that is an Outcome). */
import { UserError } from '../util/user-error.js';

export interface SourceProblem {
  message: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

/** The source was rejected before running: syntax gate, size, missing handler, Lambda@Edge, ... */
export class FunctionLoadError extends UserError {
  override name = 'FunctionLoadError';
  readonly filename: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** Every problem the syntax gate found (the message names the first). */
  readonly problems: SourceProblem[];

  constructor(filename: string, message: string, problems: SourceProblem[] = []) {
    const first = problems[0];
    super(first ? `${filename}:${first.line}:${first.column}: ${message}` : `${filename}: ${message}`);
    this.filename = filename;
    this.line = first?.line;
    this.column = first?.column;
    this.problems = problems;
  }
}

/** A KeyValueStore snapshot file that is missing, unreadable or not in the AWS import format. */
export class KvsFileError extends UserError {
  override name = 'KvsFileError';
}

/** An event that is not a CloudFront Functions event (or is a Lambda@Edge one). */
export class EventShapeError extends UserError {
  override name = 'EventShapeError';
  readonly problems: string[];
  constructor(message: string, problems: string[]) {
    super(message);
    this.problems = problems;
  }
}

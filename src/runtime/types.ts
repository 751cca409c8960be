/**
 * Public types of the CloudFront Functions sandbox: options, the outcome of a
 * run, and the *effective* output (what CloudFront would actually forward or
 * send), designed for field-by-field diffing.
 */
import type { EventType } from '../event/types.js';

export type Runtime = 'cloudfront-js-1.0' | 'cloudfront-js-2.0';
export const RUNTIMES: readonly Runtime[] = ['cloudfront-js-1.0', 'cloudfront-js-2.0'];

/** What kind of entry point a loaded function has. */
export type FunctionKind = 'viewer' | 'connection';

/** One key/value pair of a KeyValueStore snapshot (AWS import format item). */
export interface KvsItem {
  key: string;
  value: string;
}

/** A validated KeyValueStore snapshot (see kvs.ts). */
export interface KvsSnapshot {
  /** Where it came from (file path or "inline"), for messages. */
  source: string;
  entries: ReadonlyMap<string, string>;
  /** Returned by `kvs.meta()`: ISO timestamps and key count. */
  meta: { creationDateTime: string; lastUpdatedDateTime: string; keyCount: number };
}

/** `cf.edgeLocation` (viewer-request only; `{}` in viewer-response, as AWS documents). */
export interface EdgeLocation {
  name: string;
  serverIp: string;
  region: string;
}

export interface LoadOptions {
  /** Default: detected from the source (see detectRuntime). */
  runtime?: Runtime;
  kvs?: KvsSnapshot;
  /** Used in error messages and stack traces. Default "function.js". */
  filename?: string;
  /** Default: taken from each event's context.eventType. */
  eventType?: EventType;
  /** Default: { name: 'IAD', serverIp: '192.0.2.1', region: 'us-east-1' }. */
  edgeLocation?: EdgeLocation;
}

export interface InvokeOptions {
  /** Frozen clock (epoch ms). Default: 0 unless the caller passes the capture time. */
  now?: number;
  /** Math.random seed. Default: derived from `now`. */
  seed?: number;
  /**
   * The unparsed query string (without `?`) for `request.rawQueryString()`:
   * `""` for a bare `?`, `undefined` (default) for none.
   */
  rawQuery?: string;
  /**
   * In-process limit on the synchronous part of the run (vm timeout). Costly
   * per call (V8 starts a watchdog thread); for single runs. Continuations after
   * an `await` are not covered: use the worker runner for a hard limit.
   */
  timeoutMs?: number;
  /**
   * The result of another function's call on this very event object (a replay runs OLD and NEW
   * on the same event). When that call's output passed validation and this one returns the same
   * in everything validation and the effective form read (validate.ts passesLike), its verdict is
   * taken instead of validating again, and the two results compare equal without another walk.
   * The V8 engine uses it; the njs engine validates every call.
   */
  twin?: RunResult;
}

export interface ErrorInfo {
  /** Error name as the function sees it ("TypeError", "InternalError", ...). */
  name: string;
  /** njs-style message (see njs-errors.ts for the mapping from V8 texts). */
  message: string;
  /** Message exactly as V8 produced it. */
  v8Message: string;
  /** 1-based position in the user's source, when known. */
  line?: number;
  column?: number;
  stack?: string;
}

export type ExecutionErrorReason =
  | 'exception' // the function threw / its promise rejected
  | 'timeout' // ran past the time budget
  | 'memory' // ran out of memory (worker heap limit)
  | 'never-settled' // returned a promise that can never settle
  | 'crash'; // worker died for another reason

export interface ValidationProblem {
  /** Stable rule id, e.g. "method-changed", "header-read-only". */
  rule: string;
  /** Where in the returned object, e.g. "request.headers.X-Foo". */
  path: string;
  message: string;
}

export type Outcome =
  | { kind: 'forward' }
  | { kind: 'response' }
  | { kind: 'modified-response' }
  | { kind: 'connection-allow' }
  /** `neitherCalled`: the function called neither allow() nor deny(); CloudFront denies the connection. */
  | { kind: 'connection-deny'; neitherCalled?: true }
  | { kind: 'execution-error'; status: 503; reason: ExecutionErrorReason; error: ErrorInfo }
  | { kind: 'validation-error'; status: 502; problems: ValidationProblem[] };

export type OutcomeKind = Outcome['kind'];

/**
 * Effective forms. All maps are plain objects of arrays so a diff can compare
 * them field by field; order of names is not significant, order of values is.
 *
 * - header names are in wire capitalisation (`x-webp` -> `X-Webp`);
 * - multiValue precedence is applied (a modified multiValue wins; otherwise a
 *   changed `value` replaces the first value and later values stay);
 * - a string querystring is parsed into the map form (values kept as sent,
 *   not percent-decoded, like the event's own querystring).
 */
export interface EffectiveRequest {
  method: string;
  uri: string;
  querystring: Record<string, string[]>;
  headers: Record<string, string[]>;
  cookies: Record<string, string[]>;
}

/**
 * Body as sent: `null` = no body; `'origin'` = viewer-response kept the origin
 * body (the function returned no `body`). A base64 body whose bytes are valid
 * UTF-8 is normalized to `{ encoding: 'text' }`, so a text body and the same
 * bytes in base64 compare equal; an empty body is `null`.
 */
export type EffectiveBody = { encoding: 'text' | 'base64'; data: string } | 'origin' | null;

export interface EffectiveResponse {
  statusCode: number;
  statusDescription?: string;
  headers: Record<string, string[]>;
  cookies: Record<string, { value: string; attributes: string }[]>;
  body: EffectiveBody;
}

export type EffectiveOutput =
  | { request: EffectiveRequest; origin?: OriginChange[] }
  | { response: EffectiveResponse }
  | { connection: 'allow' | 'deny' }
  | { error: { status: 502 | 503; type: 'FunctionValidationError' | 'FunctionExecutionError' } };

/** One origin modification call, recorded in call order (arguments deep-copied). */
export type OriginChange =
  | { op: 'updateRequestOrigin'; params: Record<string, unknown> }
  | { op: 'selectRequestOriginById'; originId: string; params?: Record<string, unknown> }
  | { op: 'createRequestOriginGroup'; params: Record<string, unknown> };

export interface SideEffects {
  origin: OriginChange[];
  /** `cf.logCustomData` / `connection.logCustomData` (last call wins, <= 800 bytes). */
  customData?: string;
}

export interface RunResult {
  outcome: Outcome;
  /** The value the function returned (live object from the sandbox; JSON-able for valid output). */
  raw: unknown;
  effective: EffectiveOutput;
  logs: string[];
  logsTruncated: boolean;
  sideEffects: SideEffects;
  /** Monotonic clock (performance.now) around the function's run (top-level code + handler), in whole ns. */
  durationNs: number;
  runtime: Runtime;
  eventType: EventType | 'connection';
  /**
   * njs engine only: the instructions (njs VM opcodes) the call executed,
   * top-level code included. Exact and free of timing noise; not AWS's
   * compute utilization.
   */
  steps?: number;
}

/**
 * From a function file's text to the code that runs: deploy transforms
 * applied, runtime chosen (given, or detected and saying why), KeyValueStore
 * use noticed, load problems explained. Shared by `run`, `test` and `replay`
 * so all three load a function the same way.
 */
import { createHash } from 'node:crypto';
import { kvsUseLine, missingKvsMessage } from './kvs-usage.js';
import { parseKvsSnapshot } from './kvs.js';
import { detectRuntimeWithReason } from './syntax-gate.js';
import { applyTransforms, explainLoadError, TransformOptionError, type DeployTransforms, type TransformResult } from './transforms.js';
import type { KvsSnapshot, Runtime } from './types.js';
import { UserError } from '../util/user-error.js';

export interface PreparedFunction {
  path: string;
  /** The code that runs (after the transforms). */
  source: string;
  /** sha256 (hex) of the file as given, before any transform. */
  sha256: string;
  /** Bytes of the file as given. */
  bytes: number;
  runtime: Runtime;
  /** `--runtime`, or `detected: <why>`: shown next to the runtime. */
  runtimeNote: string;
  /** What the transforms did, one line each (empty without transforms). */
  transforms: string[];
  transformed: TransformResult;
  /** Line of the first KeyValueStore use, when the function uses one. */
  kvsLine?: number;
}

export function prepareFunction(path: string, text: string, runtime: Runtime | undefined, transforms: DeployTransforms | undefined): PreparedFunction {
  const transformed = applyTransforms(text, transforms);
  const detected = runtime === undefined ? detectRuntimeWithReason(transformed.source) : undefined;
  const out: PreparedFunction = {
    path,
    source: transformed.source,
    sha256: createHash('sha256').update(text).digest('hex'),
    bytes: Buffer.byteLength(text),
    runtime: runtime ?? detected!.runtime,
    runtimeNote: detected === undefined ? '--runtime' : `detected: ${detected.reason}`,
    transforms: transformed.applied,
    transformed,
  };
  const line = kvsUseLine(transformed.source);
  if (line !== undefined) out.kvsLine = line - transformed.lineOffset;
  return out;
}

/** `cloudfront-js-1.0 (detected: no 2.0 syntax)` */
export function describeRuntime(f: Pick<PreparedFunction, 'runtime' | 'runtimeNote'>): string {
  return `${f.runtime} (${f.runtimeNote})`;
}

/** Throws TransformOptionError when a --define name occurs in none of the functions (a typo would otherwise go unnoticed). */
export function checkDefinesUsed(fns: readonly PreparedFunction[], transforms: DeployTransforms | undefined): void {
  for (const d of transforms?.defines ?? []) {
    if (fns.every((f) => (f.transformed.defineCounts.get(d.name) ?? 0) === 0)) {
      throw new TransformOptionError(`--define ${d.name}: "${d.name}" does not occur in ${fns.map((f) => f.path).join(' or ')}`);
    }
  }
}

/** A store-less run of a function that uses a store is refused (see kvs-usage.ts). */
export class MissingKvsError extends UserError {
  override name = 'MissingKvsError';
}

/** The empty store `--kvs-empty` asks for. */
export function emptyKvs(): KvsSnapshot {
  return parseKvsSnapshot({ data: [] }, '(empty store, --kvs-empty)');
}

/**
 * Throws MissingKvsError when a function uses a KeyValueStore and neither a
 * snapshot nor an explicit empty store was given.
 */
export function checkKvsGiven(fns: readonly PreparedFunction[], given: { kvs: boolean; kvsEmpty: boolean }): void {
  if (given.kvs || given.kvsEmpty) return;
  for (const f of fns) if (f.kvsLine !== undefined) throw new MissingKvsError(missingKvsMessage(f.path, f.kvsLine));
}

/** A load error of a prepared function, with its lines and hints (see explainLoadError). */
export function explainPreparedError(err: unknown, f: PreparedFunction | undefined, transforms: DeployTransforms | undefined): unknown {
  return explainLoadError(err, f?.transformed, transforms);
}

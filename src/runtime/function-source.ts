/**
 * The engine-independent start of loading a function: Lambda@Edge check,
 * runtime detection, the per-runtime syntax gate, the entry point, and the
 * rewriting of `import x from 'm'` lines. Shared by the V8 engine
 * (loader.ts) and the njs engine (njs/loader.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { FunctionLoadError } from './errors.js';
import { checkSource, detectRuntime, type SourceAnalysis } from './syntax-gate.js';
import { LAMBDA_EDGE_SOURCE_MESSAGE, looksLikeLambdaEdgeSource } from './validate-event.js';
import type { FunctionKind, LoadOptions, Runtime } from './types.js';

export interface PreparedSource {
  filename: string;
  runtime: Runtime;
  analysis: SourceAnalysis;
  kind: FunctionKind;
  entryName: 'handler' | 'connectionHandler';
  isAsync: boolean;
}

/** Checks a function's source; throws FunctionLoadError for what no engine should run. */
export function prepareSource(source: unknown, opts: LoadOptions): PreparedSource {
  const filename = opts.filename ?? 'function.js';
  if (typeof source !== 'string') throw new FunctionLoadError(filename, 'function source must be a string');
  const hasTopHandler = /(^|[\s;}])(?:async\s+)?function\s+(handler|connectionHandler)\s*\(/.test(source);
  if (!hasTopHandler && looksLikeLambdaEdgeSource(source)) throw new FunctionLoadError(filename, LAMBDA_EDGE_SOURCE_MESSAGE);
  const runtime = opts.runtime ?? detectRuntime(source);
  const analysis = checkSource(source, runtime, filename);
  if (!analysis.hasHandler && !analysis.hasConnectionHandler) {
    throw new FunctionLoadError(
      filename,
      analysis.looksLikeLambda ? LAMBDA_EDGE_SOURCE_MESSAGE : 'no handler: define a top-level `function handler(event)` (or `connectionHandler(connection)`)',
    );
  }
  const kind: FunctionKind = analysis.hasHandler ? 'viewer' : 'connection';
  if (kind === 'connection' && runtime !== 'cloudfront-js-2.0')
    throw new FunctionLoadError(filename, 'connection functions (connectionHandler) require the cloudfront-js-2.0 runtime');
  const entryName = kind === 'viewer' ? 'handler' : 'connectionHandler';
  const isAsync = new RegExp(`async\\s+function\\s+${entryName}\\s*\\(`).test(source);
  return { filename, runtime, analysis, kind, entryName, isAsync };
}

/**
 * What prepareSource found for a source, handed to loads of that same source in other threads
 * (a replay's workers: the main thread has checked both functions before it starts them), so
 * they do not parse and walk it again. Bound to the source by its SHA-256 and to the file name
 * and runtime it was checked with: checkedFor ignores it for any other source or options and
 * the whole gate runs. It says only what the gate found; the engine still compiles the source
 * itself (what it refuses is refused) and runs it in the sandbox like any other.
 */
export interface CheckedSource {
  sha256: string;
  prepared: PreparedSource;
}

function sourceHash(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

/** The verdict to hand on for a source prepareSource accepted as `prepared`. */
export function checkedSource(source: string, prepared: PreparedSource): CheckedSource {
  return { sha256: sourceHash(source), prepared };
}

/**
 * prepareSource(source, opts), or the verdict `c` when it was made for this very source (same
 * SHA-256), file name and runtime (given, not detected).
 */
export function checkedFor(source: unknown, opts: LoadOptions, c: CheckedSource | undefined): PreparedSource {
  if (
    c !== undefined &&
    typeof source === 'string' &&
    opts.runtime !== undefined &&
    c.prepared.runtime === opts.runtime &&
    c.prepared.filename === (opts.filename ?? 'function.js') &&
    c.sha256 === sourceHash(source)
  )
    return c.prepared;
  return prepareSource(source, opts);
}

/** Replace `import x from 'm'` statements in place with `const x = <requireName>("m");`, keeping every line where it was. */
export function rewriteImports(source: string, analysis: SourceAnalysis, requireName: string): string {
  if (analysis.imports.length === 0) return source;
  let out = '';
  let pos = 0;
  for (const imp of analysis.imports) {
    const original = source.slice(imp.start, imp.end);
    const newlines = original.split('\n').length - 1;
    out += source.slice(pos, imp.start) + `const ${imp.local} = ${requireName}(${JSON.stringify(imp.module)});` + '\n'.repeat(newlines);
    pos = imp.end;
  }
  return out + source.slice(pos);
}

// Two halves of a Math.random seed (both engines seed sfc32 with them), as
// separate functions so the hot path allocates no tuple.
export function seedLo(seed: number): number {
  const s = Math.floor(Math.abs(seed));
  return ((s % 4294967296) >>> 0) ^ (seed < 0 ? 0x5bd1e995 : 0);
}
export function seedHi(seed: number): number {
  return Math.floor(Math.floor(Math.abs(seed)) / 4294967296) >>> 0;
}

/**
 * The prefix of the names a loader puts around or in front of a function's source (the V8
 * wrapper's parameters, the njs prelude's globals): `__cfreplay`, or, for a source that uses
 * that string itself (legal on CloudFront: `let __cfreplay_c`), `__cfreplay` and a random
 * suffix the source does not contain, so that no name of ours clashes with one of the function's.
 */
export function namePrefix(source: string): string {
  if (!source.includes('__cfreplay')) return '__cfreplay';
  for (;;) {
    const tag = `__cfreplay${randomBytes(6).toString('hex')}`;
    if (!source.includes(tag)) return tag;
  }
}

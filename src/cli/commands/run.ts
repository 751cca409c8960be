/**
 * `cfreplay run <function.js> --event <file|->`: run one function on one event,
 * like AWS TestFunction but local. The function runs in a worker thread
 * (time budget --timeout-ms, heap limit), so an infinite loop or unbounded
 * allocation is reported as an execution error instead of hanging the tool.
 *
 * Exit status: 0 when the function ran (forward / response / connection
 * decision), 1 when the outcome is an execution or validation error (set via
 * process.exitCode), 2 for user errors (UsageError, printed by the CLI main).
 */
import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import {
  FunctionLoadError,
  KvsFileError,
  LAMBDA_EDGE_EVENT_MESSAGE,
  RUNTIMES,
  isConnectionEvent,
  isLambdaEdgeEvent,
  loadKvsFile,
  normalizeCloudFrontEvent,
  runInWorker,
  validateCloudFrontEvent,
  type KvsSnapshot,
  type RunResult,
  type Runtime,
} from '../../runtime/index.js';
import { checkSource, formatLoadNotes } from '../../runtime/syntax-gate.js';
import { functionErrorMessageOf, functionOutputOf } from '../../runtime/function-output.js';
import { checkDefinesUsed, checkKvsGiven, describeRuntime, emptyKvs, explainPreparedError, prepareFunction, type PreparedFunction } from '../../runtime/prepare.js';
import { completeEvent, describeFilled, notAnEvent, type FilledField } from '../../event/complete.js';
import { readsResponse } from '../../replay/event-type.js';
import { checkKvsArgs, engineFromArgs, functionOptions, transformsFromArgs, type FunctionArgs } from '../function-args.js';
import { crossSeed, engineDiffs, otherEngine, splitBySeed } from '../../replay/engine-check.js';
import type { DiffEntry } from '../../diff/index.js';
import type { Engine } from '../../runtime/engines.js';
import { openCorpus } from '../../store/index.js';
import { toEvent, viewerResponseSkipReason } from '../../event/views.js';
import type { EventType } from '../../event/types.js';
import { completeConnectionEvent, isRecordedConnection, type ConnectionEvent, type CorpusRecord } from '../../event/connection.js';
import { SUMMARIES } from './summaries.js';
import { RUN_TIMEOUT_MS } from '../../runtime/limits.js';
import { inputFileMessage } from '../../util/input-file.js';

export interface RunArgs extends FunctionArgs {
  function: string;
  event: string;
  index?: number;
  json?: boolean;
  'timeout-ms': number;
  now?: string;
  seed?: number;
  'event-type'?: string;
  'raw-query'?: string;
}

export function readText(path: string, what: string): string {
  try {
    return path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(inputFileMessage(path, e, what));
  }
}

export function parseNow(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new UsageError(`--now: "${v}" is neither epoch milliseconds nor an ISO date`);
  return t;
}

interface LoadedEvent {
  event: unknown;
  /** Capture time of a corpus record (frozen clock default). */
  time?: number;
  rawQuery?: string;
  label: string;
}

/** Record N of a corpus (file or Redis), as the event of the requested type. */
async function readCorpusRecord(path: string, index: number, eventType: EventType | undefined): Promise<LoadedEvent> {
  if (!Number.isInteger(index) || index < 0) throw new UsageError(`--index: expected a record number >= 0, got ${index}`);
  const corpus = await openCorpus(path);
  let record: CorpusRecord | undefined;
  try {
    record = await corpus.recordAt(index);
  } finally {
    await corpus.close();
  }
  if (record === undefined) throw new UsageError(`${path}: no record at --index ${index} (the corpus holds ${corpus.events})`);
  // A connection record is the connection event itself (--event-type does not apply).
  if (isRecordedConnection(record)) return { event: record.event, label: `${path}#${index}`, time: record.time };
  const type = eventType ?? 'viewer-request';
  const event = toEvent(record, type);
  if (event === undefined) {
    throw new UsageError(`${path}: record ${index} gives no viewer-response event (${viewerResponseSkipReason(record) ?? 'not eligible'})`);
  }
  const out: LoadedEvent = { event, label: `${path}#${index}`, time: record.time };
  if (record.rawQuery !== undefined) out.rawQuery = record.rawQuery;
  return out;
}

async function loadEvent(args: RunArgs): Promise<LoadedEvent> {
  if (args.index !== undefined) {
    if (args.event === '-') throw new UsageError('--index needs a corpus file, not stdin');
    return readCorpusRecord(args.event, args.index, args['event-type'] as EventType | undefined);
  }
  const label = args.event === '-' ? '<stdin>' : args.event;
  const text = readText(args.event, 'event file');
  let event: unknown;
  try {
    event = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new UsageError(`${label}: event is not valid JSON (${(e as Error).message})`);
  }
  return { event, label };
}

export interface RunReport {
  FunctionOutput: string;
  FunctionExecutionLogs: string[];
  FunctionErrorMessage: string;
  outcome: RunResult['outcome'];
  effective: RunResult['effective'];
  sideEffects: RunResult['sideEffects'];
  runtime: Runtime;
  /** How the runtime was chosen: `--runtime` or `detected: <why>`. */
  runtimeNote?: string;
  /** Deploy transforms applied to the source, one line each. */
  transforms?: string[];
  /** Defaults used to complete a partial event (see event/complete.ts). */
  filled?: FilledField[];
  eventType: RunResult['eventType'];
  durationNs: number;
  durationMs: number;
  /** njs engine: instructions the call executed. */
  steps?: number;
  now: number;
  seed: number;
  logsTruncated: boolean;
  /** Load notes (see syntax-gate.ts): what CloudFront may treat differently, `file:line:col: text`. */
  notes: string[];
  /** `--cross-check`: the same call on the other engine, compared. */
  crossCheck?: RunCrossCheck;
}

export interface RunCrossCheck {
  primary: Engine;
  other: Engine;
  /** No disagreement (seed-dependent values aside). */
  agree: boolean;
  /** `old` = the primary engine's value, `new` = the other engine's. */
  disagreements: DiffEntry[];
  /** Paths whose value differs between the engines but moves with the Math.random seed (not counted). */
  seedDependent: string[];
  /** The other engine's output, outcome and error, as for the primary one. */
  FunctionOutput: string;
  FunctionErrorMessage: string;
  outcome: RunResult['outcome'];
  /** Instructions of the call when the other engine is njs. */
  steps?: number;
}

export function toReport(r: RunResult, now: number, seed: number, notes: string[] = []): RunReport {
  const output = functionOutputOf(r);
  return {
    FunctionOutput: output === null ? '' : (JSON.stringify(output) ?? ''),
    FunctionExecutionLogs: r.logs,
    FunctionErrorMessage: functionErrorMessageOf(r),
    outcome: r.outcome,
    effective: r.effective,
    sideEffects: r.sideEffects,
    runtime: r.runtime,
    eventType: r.eventType,
    durationNs: r.durationNs,
    durationMs: r.durationNs / 1e6,
    ...(r.steps !== undefined ? { steps: r.steps } : {}),
    now,
    seed,
    logsTruncated: r.logsTruncated,
    notes,
  };
}

const OUTCOME_TEXT: Record<RunResult['outcome']['kind'], string> = {
  forward: 'forward (request sent on to the origin)',
  response: 'response (generated by the function)',
  'modified-response': 'modified-response (sent to the viewer)',
  'connection-allow': 'connection-allow',
  'connection-deny': 'connection-deny',
  'execution-error': 'execution-error (CloudFront answers 503 FunctionExecutionError)',
  'validation-error': 'validation-error (CloudFront answers 502 FunctionValidationError)',
};

export function formatReport(rep: RunReport): string {
  const lines: string[] = [];
  lines.push('FunctionOutput:');
  lines.push(rep.FunctionOutput === '' ? '  (none)' : JSON.stringify(JSON.parse(rep.FunctionOutput), null, 2));
  lines.push('FunctionExecutionLogs:');
  if (rep.FunctionExecutionLogs.length === 0) lines.push('  (none)');
  for (const l of rep.FunctionExecutionLogs) lines.push(`  ${l}`);
  if (rep.logsTruncated) lines.push('  (logs truncated at 10 KB)');
  lines.push(`FunctionErrorMessage: ${rep.FunctionErrorMessage === '' ? '(none)' : rep.FunctionErrorMessage}`);
  if (rep.outcome.kind === 'validation-error') for (const p of rep.outcome.problems) lines.push(`  - [${p.rule}] ${p.message}`);
  lines.push(`Outcome: ${OUTCOME_TEXT[rep.outcome.kind]}${rep.outcome.kind === 'execution-error' ? ` [${rep.outcome.reason}]` : ''}`);
  if (rep.sideEffects.origin.length > 0) lines.push(`Origin changes: ${JSON.stringify(rep.sideEffects.origin)}`);
  if (rep.sideEffects.customData !== undefined) lines.push(`Custom log data: ${rep.sideEffects.customData}`);
  const runtime = rep.runtimeNote !== undefined ? describeRuntime({ runtime: rep.runtime, runtimeNote: rep.runtimeNote }) : rep.runtime;
  lines.push(`Runtime: ${runtime}${rep.steps !== undefined ? ' (njs engine)' : ''}  Event: ${rep.eventType}  Run time: ${rep.durationMs.toFixed(3)} ms${rep.steps !== undefined ? `  Steps: ${rep.steps}` : ''}`);
  if (rep.transforms !== undefined && rep.transforms.length > 0) lines.push(`Transforms: ${rep.transforms.join('; ')}`);
  if (rep.filled !== undefined && rep.filled.length > 0) lines.push(`Filled in: ${describeFilled(rep.filled)}`);
  lines.push(`Clock: ${new Date(rep.now).toISOString()} (--now ${rep.now})  Seed: ${rep.seed}`);
  for (const n of rep.notes) lines.push(`Note: ${n}`);
  const x = rep.crossCheck;
  if (x !== undefined) {
    const steps = x.steps !== undefined ? `  (${x.other} steps: ${x.steps})` : '';
    if (x.agree) lines.push(`Cross-check: ${x.primary} and ${x.other} agree${steps}`);
    else {
      lines.push(`Cross-check: ${x.primary} and ${x.other} DISAGREE: this result cannot be trusted to be CloudFront's${steps}`);
      for (const d of x.disagreements) lines.push(`  ${d.path} ${d.kind}: ${x.primary} ${d.old ?? '(absent)'} / ${x.other} ${d.new ?? '(absent)'}`);
    }
    if (x.seedDependent.length > 0) lines.push(`  differ only with the Math.random seed (not counted): ${x.seedDependent.join(', ')}`);
  }
  return lines.join('\n');
}

/** The event type a partial event gets: --event-type, else what the function reads. */
export function defaultEventType(given: string | undefined, source: string): { eventType: EventType; from: string } {
  if (given === 'viewer-request' || given === 'viewer-response') return { eventType: given, from: '--event-type' };
  return readsResponse(source)
    ? { eventType: 'viewer-response', from: 'the function reads event.response' }
    : { eventType: 'viewer-request', from: 'the function does not read event.response' };
}

/** The function file read and prepared (transforms, runtime), the store checked: what `run` and `test` share. */
export function prepareFromArgs(args: FunctionArgs & { function: string }): {
  prepared: PreparedFunction;
  kvs: KvsSnapshot | undefined;
  transforms: ReturnType<typeof transformsFromArgs>;
  /** Load notes (see syntax-gate.ts), `file:line:col: text`. */
  notes: string[];
} {
  checkKvsArgs(args);
  const text = readText(args.function, 'function file');
  if (args.runtime !== undefined && !RUNTIMES.includes(args.runtime))
    throw new UsageError(`--runtime must be one of ${RUNTIMES.join(', ')} (got "${args.runtime}")`);
  const transforms = transformsFromArgs(args);
  const prepared = prepareFunction(args.function, text, args.runtime, transforms);
  checkDefinesUsed([prepared], transforms);
  checkKvsGiven([prepared], { kvs: args.kvs !== undefined, kvsEmpty: args['kvs-empty'] === true });
  // Fail fast in this thread on load problems (the worker would report the same).
  let kvs: KvsSnapshot | undefined;
  try {
    if (args.kvs !== undefined) kvs = loadKvsFile(args.kvs);
    else if (args['kvs-empty'] === true) kvs = emptyKvs();
  } catch (e) {
    if (e instanceof KvsFileError) throw new UsageError(e.message);
    throw e;
  }
  let notes: string[];
  try {
    notes = formatLoadNotes(args.function, checkSource(prepared.source, prepared.runtime, args.function).notes); // one clear line with file:line:col
  } catch (e) {
    const explained = explainPreparedError(e, prepared, transforms);
    throw explained instanceof FunctionLoadError ? new UsageError(explained.message) : explained;
  }
  return { prepared, kvs, transforms, notes };
}

/** The command's work, separated from yargs for tests. Throws UsageError for user errors. */
export async function runCommand(args: RunArgs): Promise<RunReport> {
  const { prepared, kvs, transforms, notes } = prepareFromArgs(args);
  const { source, runtime } = prepared;
  const ev = await loadEvent(args);
  if (isLambdaEdgeEvent(ev.event)) throw new UsageError(`${ev.label}: ${LAMBDA_EDGE_EVENT_MESSAGE}`);
  const connectionFn = /function\s+connectionHandler\s*\(/.test(source) && !/function\s+handler\s*\(/.test(source);
  let filled: FilledField[] = [];
  if (connectionFn) {
    if (!isConnectionEvent(ev.event))
      throw new UsageError(`${ev.label}: a connection function needs a connection event ({clientIp, connectionId, clientCertificate, ...})`);
    ev.event = completeConnectionEvent(ev.event as ConnectionEvent);
  } else {
    const why = notAnEvent(ev.event);
    if (why !== undefined) throw new UsageError(`${ev.label}: not a CloudFront Functions event: ${why}`);
    const type = defaultEventType(args['event-type'], source);
    const completed = completeEvent(ev.event as Record<string, unknown>, { eventType: type.eventType, eventTypeFrom: type.from });
    ev.event = completed.event;
    filled = completed.filled;
    const problems = validateCloudFrontEvent(ev.event);
    if (problems.length > 0) throw new UsageError(`${ev.label}: not a CloudFront Functions event: ${problems.join('; ')}`);
    normalizeCloudFrontEvent(ev.event);
  }
  const nowArg = parseNow(args.now);
  const now = nowArg ?? ev.time ?? Date.now();
  const seed = args.seed ?? now;
  const { engine, crossCheck } = engineFromArgs(args);
  const spec = (e: Engine) => ({ source, filename: args.function, runtime, ...(kvs ? { kvs } : {}), ...(e !== 'v8' ? { engine: e } : {}) });
  const opts = (s: number) => ({
    now,
    seed: s,
    timeoutMs: args['timeout-ms'],
    ...(args['raw-query'] !== undefined ? { rawQuery: args['raw-query'] } : ev.rawQuery !== undefined ? { rawQuery: ev.rawQuery } : {}),
  });
  let result: RunResult;
  let cross: RunCrossCheck | undefined;
  try {
    result = await runInWorker(spec(engine), ev.event, opts(seed));
    if (crossCheck) cross = await crossCheckRun(result, otherEngine(engine), (e, s) => runInWorker(spec(e), ev.event, opts(s)), engine, seed);
  } catch (e) {
    const explained = explainPreparedError(e, prepared, transforms);
    if (explained instanceof FunctionLoadError || explained instanceof KvsFileError) throw new UsageError(explained.message);
    throw explained;
  }
  const rep = toReport(result, now, seed, notes);
  rep.runtimeNote = prepared.runtimeNote;
  if (prepared.transforms.length > 0) rep.transforms = prepared.transforms;
  if (filled.length > 0) rep.filled = filled;
  if (cross !== undefined) rep.crossCheck = cross;
  return rep;
}

/** The same call on the other engine, compared; where they differ, the primary engine once more with another seed (see replay/engine-check.ts). */
async function crossCheckRun(result: RunResult, other: Engine, run: (engine: Engine, seed: number) => Promise<RunResult>, primary: Engine, seed: number): Promise<RunCrossCheck> {
  const o = await run(other, seed);
  const diffs = engineDiffs(result, o);
  const split = diffs.length === 0 ? { real: [], seedDependent: [] } : splitBySeed(diffs, result, await run(primary, crossSeed(seed)));
  return {
    primary,
    other,
    agree: split.real.length === 0,
    disagreements: split.real,
    seedDependent: split.seedDependent.map((d) => d.path),
    FunctionOutput: toReport(o, 0, seed).FunctionOutput,
    FunctionErrorMessage: functionErrorMessageOf(o),
    outcome: o.outcome,
    ...(o.steps !== undefined ? { steps: o.steps } : {}),
  };
}

export const runCommandModule: CommandModule<object, RunArgs> = {
  ...SUMMARIES.run,
  builder: (y: Argv<object>) =>
    functionOptions(y, true)
      .positional('function', { type: 'string', demandOption: true, describe: 'function source (.js)' })
      .option('event', { type: 'string', demandOption: true, describe: 'event JSON file, - for stdin, or a corpus file with --index' })
      .option('index', { type: 'number', describe: 'record index when --event is a corpus' })
      .option('event-type', { type: 'string', choices: ['viewer-request', 'viewer-response'], describe: 'event type built from a corpus record, or given to an event without context.eventType (default: viewer-response when the function reads event.response)' })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
      .option('timeout-ms', { type: 'number', default: RUN_TIMEOUT_MS, describe: 'time budget of the run' })
      .option('now', { type: 'string', describe: 'frozen clock: epoch ms or ISO date (default: capture time, else now)' })
      .option('seed', { type: 'number', describe: 'Math.random seed (default: the clock value)' })
      .option('raw-query', { type: 'string', describe: 'raw query string for request.rawQueryString()' }) as unknown as Argv<RunArgs>,
  handler: async (args) => {
    const rep = await runCommand(args);
    process.stdout.write((args.json ? JSON.stringify(rep, null, 2) : formatReport(rep)) + '\n');
    if (rep.outcome.kind === 'execution-error' || rep.outcome.kind === 'validation-error') process.exitCode = 1;
    if (rep.crossCheck !== undefined && !rep.crossCheck.agree) process.exitCode = 1;
  },
};

export default runCommandModule;

/**
 * `cfreplay show <report.json> <event-id>`: one event of a replay report in
 * full: the event as both functions received it, OLD's and NEW's outcome and
 * effective output, and a readable diff per path.
 *
 * Sources: the report's `samples[]` when it has the event; otherwise the event
 * is re-created from the corpus (`corpus.location`, record at the position
 * of any example with that id) and both function files are run again (a
 * warning when a file's sha256 no longer matches the report). A re-run is the
 * engine's own replay of one record (replay/one-event.ts: same clock, raw query
 * and noise run of OLD as the replay), each function in a sandbox worker with the
 * replay's heap limit and the report's time budget, and marks noisy paths.
 * The report does not store the KVS file yet: pass it with --kvs.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { REPORT_SCHEMA, type DiffExample, type EventSample, type FunctionInfo, type ReplayReport, type SampleRun } from '../../results/types.js';
import {
  compileIgnore,
  diffRuns,
  isNoisyDiff,
  outcomeDetail,
  riskOf,
  signatureOf,
  type IgnoreMatcher,
  type RunView,
} from '../../diff/index.js';
import { COLOURS, PLAIN, renderShow, type ShowDiff, type ShowRun, type ShowView } from '../../diff/render.js';
import { loadKvsFile, type EffectiveOutput, type ExecutionErrorReason, type KvsSnapshot, type Outcome, type RunResult, type Runtime } from '../../runtime/index.js';
import { WorkerSandbox, type WorkerLoadSpec } from '../../runtime/worker-runner.js';
import { replayRecord } from '../../replay/one-event.js';
import { DEFAULT_MAX_HEAP_MB, DEFAULT_TIMEOUT_MS } from '../../runtime/limits.js';
import { openCorpus } from '../../store/index.js';
import { SUMMARIES } from './summaries.js';
import { applyTransforms, explainLoadError, type DeployTransforms } from '../../runtime/transforms.js';
import { transformsFromArgs } from '../function-args.js';
import { readReportJson } from '../../results/read.js';

export interface ShowArgs {
  report: string;
  'event-id': string;
  json?: boolean;
  kvs?: string;
  color?: boolean;
  'strip-export'?: boolean;
  define?: string[];
  prepend?: string[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The report, checked where `show` reads it (a partial report is shown as far as it goes). */
export async function readShowableReport(path: string): Promise<ReplayReport> {
  const data = await readReportJson(path);
  if (!isObj(data) || data.schema !== REPORT_SCHEMA) {
    const got = isObj(data) && typeof data.schema === 'string' ? ` (schema "${data.schema}")` : '';
    throw new UsageError(`${path}: not a cfreplay report${got}; expected schema "${REPORT_SCHEMA}" as written by cfreplay replay --json`);
  }
  const damage = showableProblem(data);
  if (damage !== undefined) throw new UsageError(`${path}: damaged report: ${damage}; expected the file written by cfreplay replay --json`);
  return data as unknown as ReplayReport;
}

/**
 * The parts `show` reads (samples, examples), checked where present (show
 * works on a partial report): the first wrong field, or undefined.
 */
function showableProblem(data: Record<string, unknown>): string | undefined {
  const isRun = (r: unknown) => isObj(r) && typeof r.outcome === 'string';
  const samples = data.samples;
  if (samples !== undefined) {
    if (!Array.isArray(samples)) return 'samples must be a list';
    for (let i = 0; i < samples.length; i++) {
      const x: unknown = samples[i];
      if (!isObj(x) || typeof x.eventId !== 'string') return `samples[${i}] must be an object with an eventId`;
      if (!isRun(x.old) || !isRun(x.new)) return `samples[${i}] must have old and new runs with an outcome`;
    }
  }
  const groups = (field: string, list: unknown): string | undefined => {
    if (list === undefined) return undefined;
    if (!Array.isArray(list)) return `${field} must be a list`;
    for (let i = 0; i < list.length; i++) {
      const g: unknown = list[i];
      if (!isObj(g) || !Array.isArray(g.examples)) return `${field}[${i}].examples must be a list`;
      if (!g.examples.every((e: unknown) => isObj(e) && typeof e.eventId === 'string')) return `${field}[${i}].examples must be objects with an eventId`;
    }
    return undefined;
  };
  const errors = data.errors;
  if (errors !== undefined && !isObj(errors)) return 'errors must be an object';
  return groups('diffs', data.diffs) ?? groups('noise', data.noise) ?? (isObj(errors) ? (groups('errors.old', errors.old) ?? groups('errors.new', errors.new)) : undefined);
}

/** Every example of the report (diff groups, noise, errors, engine disagreements, near-budget calls), for positions and the list of known ids. */
function examples(report: ReplayReport): DiffExample[] {
  const out: DiffExample[] = [];
  for (const g of report.diffs ?? []) out.push(...g.examples);
  for (const g of report.noise ?? []) out.push(...g.examples);
  for (const g of [...(report.errors?.old ?? []), ...(report.errors?.new ?? [])]) out.push(...g.examples);
  // Sections of --cross-check and njs runs, read defensively (show checks only the sections above).
  const listed = (xs: unknown): DiffExample[] => (Array.isArray(xs) ? xs.filter((e): e is DiffExample => isObj(e) && typeof e.eventId === 'string' && typeof e.position === 'number') : []);
  const engineGroups: unknown = report.engines?.groups;
  if (Array.isArray(engineGroups)) for (const g of engineGroups) if (isObj(g)) out.push(...listed(g.examples));
  const near: unknown = report.cost?.nearBudget;
  if (isObj(near)) for (const v of [near.old, near.new]) if (isObj(v)) out.push(...listed(v.examples));
  return out;
}

const ERROR_REASONS: Record<string, ExecutionErrorReason> = {
  'execution-error': 'exception',
  timeout: 'timeout',
  memory: 'memory',
  'never-settled': 'never-settled',
  crash: 'crash',
};

/** A RunView from a report sample: the label and error text stand in for the full outcome. */
export function runViewOfSample(s: SampleRun): RunView {
  const effective = s.effective as EffectiveOutput;
  const reason = ERROR_REASONS[s.outcome];
  let outcome: Outcome;
  if (reason !== undefined) {
    const text = (s.error ?? '').replace(/ \(line \d+, column \d+\)$/, '');
    const i = text.indexOf(': ');
    const error = i < 0 ? { name: '', message: text, v8Message: text } : { name: text.slice(0, i), message: text.slice(i + 2), v8Message: text };
    outcome = { kind: 'execution-error', status: 503, reason, error };
  } else if (s.outcome === 'validation-error') {
    const problems = (s.error ?? '').split('; ').filter((m) => m !== '').map((m) => ({ rule: m, path: '', message: m }));
    outcome = { kind: 'validation-error', status: 502, problems };
  } else outcome = { kind: s.outcome as 'forward' };
  return { outcome, effective };
}

function showRunOfSample(s: SampleRun, view: RunView): ShowRun {
  const r: ShowRun = { label: s.outcome, detail: outcomeDetail(view), effective: s.effective, logs: s.logs ?? [], durationNs: s.durationNs };
  if (s.error !== undefined) r.error = s.error;
  return r;
}

function showRunOfResult(r: RunResult): ShowRun {
  const out: ShowRun = { label: outcomeDetail(r).split(/[ :]/)[0]!, detail: outcomeDetail(r), effective: r.effective, logs: r.logs, durationNs: r.durationNs };
  if (r.outcome.kind === 'execution-error') out.error = `${r.outcome.error.name}: ${r.outcome.error.message}${r.outcome.error.line !== undefined ? ` (line ${r.outcome.error.line}, column ${r.outcome.error.column ?? 0})` : ''}`;
  else if (r.outcome.kind === 'validation-error') out.error = r.outcome.problems.map((p) => p.message).join('; ');
  return out;
}

function ignoreOf(report: ReplayReport): IgnoreMatcher | undefined {
  try {
    return compileIgnore(report.options?.ignore ?? []);
  } catch {
    return undefined;
  }
}

function diffsOf(a: RunView, b: RunView, ignore: IgnoreMatcher | undefined, rerun?: RunView): ShowDiff[] {
  return diffRuns(a, b).map((d) => {
    const s: ShowDiff = { ...d, risk: riskOf(d), signature: signatureOf(d), ignored: d.path !== 'outcome' && ignore !== undefined && ignore(d.path) };
    if (rerun !== undefined) s.noisy = isNoisyDiff(d, a, rerun);
    return s;
  });
}

function fromSample(report: ReplayReport, sample: EventSample, warnings: string[]): ShowView {
  const a = runViewOfSample(sample.old);
  const b = runViewOfSample(sample.new);
  return {
    eventId: sample.eventId,
    position: sample.position,
    eventType: report.eventType,
    source: 'sample',
    functions: { old: report.functions.old.path, new: report.functions.new.path },
    event: sample.event,
    old: showRunOfSample(sample.old, a),
    new: showRunOfSample(sample.new, b),
    diffs: diffsOf(a, b, ignoreOf(report)),
    warnings,
  };
}

/** Resolve a path stored in the report: as written, else relative to the report's folder. */
function locate(stored: string, reportPath: string): string {
  try {
    readFileSync(stored, { flag: 'r' }).length;
    return stored;
  } catch {
    return resolve(dirname(reportPath), stored);
  }
}

/** The function of one version in a sandbox worker (the replay's heap limit), loaded: load errors are the user's. */
async function loadVersion(info: FunctionInfo, which: string, reportPath: string, report: ReplayReport, kvs: KvsSnapshot | undefined, warnings: string[], transforms: DeployTransforms | undefined): Promise<WorkerSandbox> {
  const path = locate(info.path, reportPath);
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`${info.path}: ${which} function file not found (needed to re-run the event: it has no sample in the report)`);
  }
  const sha = createHash('sha256').update(source).digest('hex');
  if (sha !== info.sha256) warnings.push(`${info.path} changed since the replay (sha256 ${sha.slice(0, 12)}… instead of ${info.sha256.slice(0, 12)}…): the outputs may differ from the report`);
  if (info.transforms !== undefined && info.transforms.length > 0 && transforms === undefined)
    warnings.push(`the replay transformed ${info.path} (${info.transforms.join('; ')}): pass the same --strip-export / --define / --prepend to re-run it as it ran`);
  const transformed = applyTransforms(source, transforms);
  const spec: WorkerLoadSpec = { source: transformed.source, filename: path };
  if (report.eventType !== 'connection') spec.eventType = report.eventType;
  if (info.runtime === 'cloudfront-js-1.0' || info.runtime === 'cloudfront-js-2.0') spec.runtime = info.runtime as Runtime;
  if (info.engine === 'njs') spec.engine = 'njs';
  if (kvs !== undefined) spec.kvs = kvs;
  const sandbox = new WorkerSandbox(spec, { maxOldGenerationSizeMb: DEFAULT_MAX_HEAP_MB });
  try {
    await sandbox.ready();
  } catch (e) {
    await sandbox.close();
    throw explainLoadError(e, transformed, transforms);
  }
  return sandbox;
}

/** A sandbox that runs each call with the replay's time budget. */
function withBudget(sandbox: WorkerSandbox, timeoutMs: number) {
  return { invoke: (event: unknown, opts: { now: number; seed?: number; rawQuery?: string }) => sandbox.invoke(event, { ...opts, timeoutMs }) };
}

async function fromRerun(report: ReplayReport, reportPath: string, eventId: string, position: number, kvsPath: string | undefined, warnings: string[], transforms: DeployTransforms | undefined): Promise<ShowView> {
  const kvs = kvsPath !== undefined ? loadKvsFile(kvsPath) : undefined;
  if (kvsPath === undefined) warnings.push('re-run without a KeyValueStore (the report does not record one): pass --kvs if the functions use one');
  const corpus = await openCorpus(locate(report.corpus.location, reportPath));
  let record;
  try {
    record = await corpus.recordAt(position);
  } finally {
    await corpus.close();
  }
  if (record === undefined) throw new UsageError(`${report.corpus.location}: no record at position ${position} (the corpus has changed since the replay)`);
  if (record.id !== eventId)
    throw new UsageError(`${report.corpus.location}: the record at position ${position} is ${record.id}, not ${eventId} (the corpus has changed since the replay)`);
  const timeoutMs = report.options?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const sandboxes: WorkerSandbox[] = [];
  try {
    sandboxes.push(await loadVersion(report.functions.old, 'OLD', reportPath, report, kvs, warnings, transforms));
    sandboxes.push(await loadVersion(report.functions.new, 'NEW', reportPath, report, kvs, warnings, transforms));
    const run = await replayRecord(record, report.eventType, { old: withBudget(sandboxes[0]!, timeoutMs), new: withBudget(sandboxes[1]!, timeoutMs) });
    if (typeof run === 'string') throw new UsageError(`event ${eventId} has no ${report.eventType} event (${run})`);
    return {
      eventId,
      position,
      eventType: report.eventType,
      source: 'rerun',
      functions: { old: report.functions.old.path, new: report.functions.new.path },
      event: run.event,
      old: showRunOfResult(run.old),
      new: showRunOfResult(run.new),
      diffs: diffsOf(run.old, run.new, ignoreOf(report), run.rerun),
      warnings,
    };
  } finally {
    await Promise.all(sandboxes.map((s) => s.close()));
  }
}

/** Build the view of one event (no output). Throws UsageError for user mistakes. */
export async function showEvent(args: ShowArgs): Promise<ShowView> {
  const report = await readShowableReport(args.report);
  const id = args['event-id'];
  const warnings: string[] = [];
  const sample = (report.samples ?? []).find((s) => s.eventId === id);
  if (sample !== undefined) return fromSample(report, sample, warnings);
  const all = examples(report);
  const ex = all.find((e) => e.eventId === id);
  if (ex === undefined) {
    const known = [...new Set([...(report.samples ?? []).map((s) => s.eventId), ...all.map((e) => e.eventId)])];
    const list = known.length === 0 ? 'the report has no example events' : `events it has: ${known.slice(0, 5).join(', ')}${known.length > 5 ? `, … (${known.length} in all)` : ''}`;
    throw new UsageError(`${args.report}: no event ${id} in the report's samples or examples; ${list}`);
  }
  return fromRerun(report, args.report, id, ex.position, args.kvs, warnings, transformsFromArgs(args));
}

export const showCommandModule: CommandModule<object, ShowArgs> = {
  ...SUMMARIES.show,
  builder: (y: Argv) =>
    y
      .positional('report', { type: 'string', demandOption: true, describe: 'report written by cfreplay replay --json' })
      .positional('event-id', { type: 'string', demandOption: true, describe: 'event id (context.requestId), as listed in the report examples' })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
      .option('kvs', { type: 'string', describe: 'KeyValueStore file for re-running the functions (the report does not record it)' })
      .option('strip-export', { type: 'boolean', describe: 'deploy transform, as given to the replay (see cfreplay replay --help)' })
      .option('define', { type: 'string', array: true, describe: 'deploy transform NAME=VALUE, as given to the replay' })
      .option('prepend', { type: 'string', array: true, describe: 'deploy transform: file put in front of the source, as given to the replay' })
      .option('color', { type: 'boolean', describe: 'colour the output (default: when stdout is a terminal)' })
      .example('$0 show report.json 4AXTZ2tJ3oWo8kH2', 'why this event differs')
      .example('$0 show report.json 4AXTZ2tJ3oWo8kH2 --json | jq .diffs', 'the differences for a script') as unknown as Argv<ShowArgs>,
  handler: async (args) => {
    const view = await showEvent(args);
    const colour = args.color ?? (process.stdout.isTTY === true && process.env.NO_COLOR === undefined);
    process.stdout.write(args.json ? `${JSON.stringify(view, null, 2)}\n` : `${renderShow(view, colour ? COLOURS : PLAIN)}\n`);
  },
};

/**
 * `replay()`: run OLD and NEW over a whole corpus in worker threads and
 * build the report. The main thread only reads framed chunks and merges
 * results; decoding, running and diffing happen in the workers.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type { EventType } from '../event/types.js';
import type { ReplayEventType } from '../event/connection.js';
import type { Engine } from '../runtime/engines.js';
import { formatLoadNotes } from '../runtime/syntax-gate.js';
import { checkedSource, prepareSource } from '../runtime/function-source.js';
import { loadKvsFile } from '../runtime/kvs.js';
import { checkDefinesUsed, checkKvsGiven, emptyKvs, explainPreparedError, prepareFunction, type PreparedFunction } from '../runtime/prepare.js';
import type { DeployTransforms } from '../runtime/transforms.js';
import type { FunctionKind, KvsSnapshot, Runtime } from '../runtime/types.js';
import { compileIgnore } from '../diff/index.js';
import { openCorpus } from '../store/open.js';
import { MissingChunkError } from '../store/errors.js';
import type { ChunkInfo, Corpus } from '../store/corpus.js';
import { DamageLedger } from './damage.js';
import { buildReport, DEFAULT_MAX_OLD_ERROR_RATE, type GateLimits } from '../results/build.js';
import type { FunctionInfo, ReplayReport } from '../results/types.js';
import { inferEventType } from './event-type.js';
import { otherEngine } from './engine-check.js';
import { ReplayPool, StopRunError } from './pool.js';
import { splitPlan } from './split.js';
import { RunAccumulator } from '../results/run-accumulator.js';
import type { FunctionSource } from './worker-protocol.js';
import { toolVersion } from '../util/version.js';
import { UserError } from '../util/user-error.js';
import { DEFAULT_MAX_HEAP_MB, DEFAULT_TIMEOUT_MS } from '../runtime/limits.js';
import { inputFileMessage } from '../util/input-file.js';
import { traceMark } from '../util/trace.js';

export class ReplayInputError extends UserError {
  override name = 'ReplayInputError';
}

/** What the replay reads chunks from: a corpus file, or a Redis corpus. */
/** The part of a corpus (file or Redis) the replay reads: framed chunks, never decoded here. */
export type ChunkSource = Pick<Corpus, 'path' | 'name' | 'events' | 'chunks' | 'complete' | 'summary' | 'readFramedChunk' | 'close'>;

export interface ReplayOptions {
  oldPath: string;
  newPath: string;
  /** Corpus file path, or an already opened source (Redis). */
  corpus: string | ChunkSource;
  eventType?: EventType;
  /** Default: detected per function from its source. */
  runtime?: Runtime;
  /** Engine both functions run on (default v8). */
  engine?: Engine;
  /** Also run every event on the other engine and report where the two disagree (gate rule engines-agree). */
  crossCheck?: boolean;
  kvsPath?: string;
  /** Run with an empty KeyValueStore on purpose (a function that uses one is refused without kvsPath or this). */
  kvsEmpty?: boolean;
  /** Deploy transforms applied to both functions (strip-export, define, prepend). */
  transforms?: DeployTransforms;
  /** Default: one per core. */
  workers?: number;
  ignore?: string[];
  /** Time budget of one function call, ms (default DEFAULT_TIMEOUT_MS, runtime/limits.ts). */
  timeoutMs?: number;
  maxHeapMb?: number;
  maxDiffRate?: number;
  maxLatencyRatio?: number;
  /** Share of events OLD may fail on (errors, 502/503) before the gate fails (default 1%). */
  maxOldErrorRate?: number;
  /** Corpus damage (events not replayed) is reported but does not fail the gate. */
  allowIncomplete?: boolean;
  /** Confirm differences against a second run of OLD (default true). */
  noise?: boolean;
  seed?: number;
  /** Stop after this many calls were stopped by the time budget / memory limit (default 50). */
  maxStoppedCalls?: number;
  /** Keep a warm spare worker once a call was stopped (default true; false only to measure what it saves: bench/stopped-calls-bench.mjs). */
  spareWorker?: boolean;
  onProgress?: (p: ReplayProgress) => void;
  /** ms from the process start to this call (the CLI's start-up), reported as run.startupMs. */
  startupMs?: number;
  /** Aborting stops the run at once (calls in flight are dropped): the report covers the chunks done, `run.stoppedEarly` is INTERRUPTED. */
  signal?: AbortSignal;
  /**
   * Called with the report as soon as it is built, while the workers are still being torn down
   * (~20-30 ms: each isolate and its heap, on their own threads): what the caller does with the
   * report (write it, print it) overlaps their teardown instead of following it. replay()
   * resolves (or rejects with this callback's error) once both are done.
   */
  onReport?: (report: ReplayReport) => void | Promise<void>;
}

/** `run.stoppedEarly` of a run stopped by its signal (Ctrl-C). */
export const INTERRUPTED = 'interrupted';

export interface ReplayProgress {
  recordsDone: number;
  recordsTotal: number;
  eventsDone: number;
  changed: number;
  chunksDone: number;
  chunksTotal: number;
  elapsedMs: number;
}

export interface LoadedSource {
  info: FunctionInfo;
  source: FunctionSource;
  kind: FunctionKind;
  prepared: PreparedFunction;
}

/** runtime/engines.ts loadFunctionWith: what loads a checked source on an engine (the sandbox). */
export type LoadWith = typeof import('../runtime/engines.js').loadFunctionWith;

/** Loads it once (readFunctionSource): what an engine refuses at load time throws there. */
type Loadable = {
  /** With the engines imported here (a replay's main thread imports them only when it must load a function itself). */
  load(): Promise<void>;
  /** With the engines' loader given. */
  loadWith(loadFunctionWith: LoadWith): void;
};

/**
 * readFunction (read-function.ts) in two steps: the checks of the source (read, deploy
 * transforms, runtime, the syntax gate, which also tells the function's kind), then `load()`,
 * which loads it once on the main thread as readFunction does, so that what the engine itself
 * refuses when it compiles the function fails with its line and column. A local replay starts
 * its workers in between (they load both functions meanwhile) and loads them itself only when
 * it must (replay below).
 */
export function readFunctionSource(
  path: string,
  label: 'OLD' | 'NEW',
  runtimeFlag: Runtime | undefined,
  transforms?: DeployTransforms,
  engine: Engine = 'v8',
  crossCheck = false,
): LoadedSource & Loadable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ReplayInputError(inputFileMessage(path, e, `${label} function`));
  }
  const prepared = prepareFunction(path, text, runtimeFlag, transforms);
  const { source, runtime } = prepared;
  let checked;
  try {
    // What every engine checks first when it loads a function (the same errors, in the same order).
    checked = prepareSource(source, { runtime, filename: path });
  } catch (e) {
    throw explainPreparedError(e, prepared, transforms);
  }
  const notes = formatLoadNotes(path, checked.analysis.notes);
  const info: FunctionInfo = { path, sha256: prepared.sha256, runtime, bytes: prepared.bytes, runtimeNote: prepared.runtimeNote, ...(notes.length > 0 ? { notes } : {}), ...(engine !== 'v8' ? { engine } : {}) };
  if (prepared.transforms.length > 0) info.transforms = prepared.transforms;
  // Loads of this source, here and in the workers, take the gate's verdict instead of parsing it again.
  const verdict = checkedSource(source, checked);
  let loaded = false;
  const loadWith = (loadFunctionWith: LoadWith): void => {
    if (loaded) return;
    loaded = true;
    try {
      loadFunctionWith(engine, source, { runtime, filename: path }, verdict);
      if (crossCheck) loadFunctionWith(otherEngine(engine), source, { runtime, filename: path }, verdict);
    } catch (e) {
      throw explainPreparedError(e, prepared, transforms);
    }
  };
  const load = async (): Promise<void> => {
    if (!loaded) loadWith((await import('../runtime/engines.js')).loadFunctionWith);
  };
  return { info, source: { source, filename: path, runtime, checked: verdict }, kind: checked.kind, prepared, load, loadWith };
}

/**
 * The store both functions run with: the snapshot, an empty store on
 * purpose (kvsEmpty), or none; a function that uses a store without either
 * is refused, as is a --define that occurs in neither function.
 */
/**
 * The first load error of `fns`, else `e`: when a step after reading the functions fails, an
 * engine's refusal of a function (with its file, line and column) wins, as it did when the
 * functions were loaded before anything else.
 */
async function loadErrorFirst(fns: readonly Loadable[], e: unknown): Promise<unknown> {
  try {
    for (const f of fns) await f.load();
  } catch (loadError) {
    return loadError;
  }
  return e;
}

/** `step()`, whose error comes after the load errors of `fns` (loadErrorFirst). */
async function loadedBefore<T>(fns: readonly Loadable[], step: () => T): Promise<T> {
  try {
    return step();
  } catch (e) {
    throw await loadErrorFirst(fns, e);
  }
}

export function replayKvs(oldFn: LoadedSource, newFn: LoadedSource, options: Pick<ReplayOptions, 'kvsPath' | 'kvsEmpty' | 'transforms'>): KvsSnapshot | undefined {
  checkDefinesUsed([oldFn.prepared, newFn.prepared], options.transforms);
  checkKvsGiven([oldFn.prepared, newFn.prepared], { kvs: options.kvsPath !== undefined, kvsEmpty: options.kvsEmpty === true });
  if (options.kvsPath !== undefined) return loadKvsFile(options.kvsPath);
  return options.kvsEmpty === true ? emptyKvs() : undefined;
}

/**
 * The event type given, or inferred from both sources (a ReplayInputError when ambiguous).
 * Two connection functions replay the connection events; a connection function
 * beside a viewer function is refused (they never see the same events).
 */
export function resolveEventType(oldFn: LoadedSource, newFn: LoadedSource, given: EventType | undefined): ReplayEventType {
  if (oldFn.kind !== newFn.kind) {
    const [conn, viewer] = oldFn.kind === 'connection' ? [oldFn, newFn] : [newFn, oldFn];
    throw new ReplayInputError(
      `${conn.info.path} is a connection function (connectionHandler) and ${viewer.info.path} a viewer function (handler): they run on different events and cannot be compared`,
    );
  }
  if (oldFn.kind === 'connection') {
    if (given !== undefined) throw new ReplayInputError(`--event-type ${given}: connection functions replay the connection (mTLS) events of the corpus; leave --event-type out`);
    return 'connection';
  }
  if (given !== undefined) return given;
  const decision = inferEventType(oldFn.source.source, newFn.source.source);
  if ('ambiguous' in decision) {
    throw new ReplayInputError(`cannot tell which event type to replay: ${decision.ambiguous}; pass --event-type viewer-request or viewer-response`);
  }
  return decision.eventType;
}

export async function replay(options: ReplayOptions): Promise<ReplayReport> {
  const started = performance.now();
  const engine = options.engine ?? 'v8';
  const crossCheck = options.crossCheck === true;
  // Errors come in the order readFunction(OLD), readFunction(NEW), event type, store, --ignore would
  // give them: a later step's error first loads the functions before it (whose own error wins).
  const oldFn = readFunctionSource(options.oldPath, 'OLD', options.runtime, options.transforms, engine, crossCheck);
  const newFn = await loadedBefore([oldFn], () => readFunctionSource(options.newPath, 'NEW', options.runtime, options.transforms, engine, crossCheck));
  const both = [oldFn, newFn];
  const ignore = options.ignore ?? [];
  const { eventType, kvs } = await loadedBefore(both, () => {
    const eventType = resolveEventType(oldFn, newFn, options.eventType);
    const kvs = replayKvs(oldFn, newFn, options);
    compileIgnore(ignore); // validates the patterns before any work starts
    return { eventType, kvs };
  });
  traceMark('functions checked');
  const workers = Math.max(1, options.workers ?? availableParallelism());
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const acc = new RunAccumulator();
  const problems: string[] = [];
  let recordsDone = 0;
  let chunksDone = 0;
  let firstCallAt: number | undefined;
  let workerLoaded = false;
  const pool = new ReplayPool(
    {
      old: oldFn.source,
      new: newFn.source,
      ...(kvs ? { kvs } : {}),
      ...(engine !== 'v8' ? { engine } : {}),
      ...(crossCheck ? { crossCheck } : {}),
      eventType,
      ignore,
      noise: options.noise !== false,
      seed: options.seed ?? 1,
      samplesPerChunk: 20,
    },
    { workers, timeoutMs, maxHeapMb: options.maxHeapMb ?? DEFAULT_MAX_HEAP_MB, maxStoppedCalls: options.maxStoppedCalls ?? 50, ...(options.spareWorker === false ? { spareWorker: false } : {}) },
    {
      result(r) {
        if (acc.add(r)) {
          recordsDone += r.part !== undefined ? r.part.to - r.part.from : (chunkById.get(r.chunk)?.events ?? 0);
          if (acc.seen.has(r.chunk)) chunksDone++;
          progress();
        }
      },
      chunkError(chunk, message) {
        const info = chunkById.get(chunk);
        // A split chunk: the error comes once per part, and parts already merged are not lost.
        const merged = info !== undefined ? acc.mergedRecords(chunk, info.events) : 0;
        if (!damage.chunkLost(acc, info !== undefined ? { ...info, events: info.events - merged } : { index: chunk }, 'corrupt chunk', message)) return;
        chunksDone++;
        recordsDone += (info?.events ?? 0) - merged;
        progress();
      },
      firstCall(at) {
        firstCallAt = Math.min(at, firstCallAt ?? Infinity);
      },
      ready() {
        workerLoaded = true;
      },
    },
  );
  traceMark('pool');
  // The pool was started first: the workers load both functions while this thread reads the
  // corpus header and hands out the chunks. This thread loads them itself only when it must:
  // when any step fails (loadErrorFirst: what an engine refuses at load time, with its line and
  // column, wins over the error of a later step, a worker's failure to load included), and at
  // the end of a run in which no worker loaded them (an empty corpus: a function the engine
  // refuses still fails the run). Once a worker has loaded both (same engine, same checked
  // sources, and its store and event type on top), the same load here cannot fail: not
  // repeating it saves the main thread ~15-30 ms of CPU (a sandbox built and hardened per
  // function) while the workers warm up on the other core. The pool's callbacks read `corpus`,
  // `damage` and `chunkById`, which exist before any chunk is submitted.
  const loadFunctions = async (): Promise<void> => {
    for (const f of both) await f.load();
    traceMark('functions loaded');
  };
  let corpus: ChunkSource;
  try {
    corpus = typeof options.corpus === 'string' ? await openCorpus(options.corpus) : options.corpus;
  } catch (e) {
    await pool.close();
    throw await loadErrorFirst(both, e);
  }
  traceMark('corpus open');
  const damage = new DamageLedger(corpus.path);
  damage.addCorpusProblems(corpus.summary().problems);
  const progress = () =>
    options.onProgress?.({
      recordsDone,
      recordsTotal: corpus.events,
      eventsDone: acc.events,
      changed: acc.changed,
      chunksDone,
      chunksTotal: corpus.chunks.length,
      elapsedMs: performance.now() - started,
    });
  const chunkById = new Map(corpus.chunks.map((c) => [c.index, c]));
  let stoppedEarly: string | undefined;
  // Resolves when the run is interrupted; raced against every wait so Ctrl-C never waits for a call.
  const signal = options.signal;
  const interrupted = new Promise<typeof INTERRUPTED>((resolve) => {
    if (signal?.aborted === true) resolve(INTERRUPTED);
    signal?.addEventListener('abort', () => resolve(INTERRUPTED), { once: true });
  });
  const unlessInterrupted = async (wait: Promise<void>): Promise<void> => {
    wait.catch(() => undefined); // a pool closed by the interrupt rejects later: nobody waits for it then
    if ((await Promise.race([wait.then(() => 'done' as const), interrupted])) === INTERRUPTED) throw new StopRunError(INTERRUPTED);
  };
  try {
    let firstPosition = 0;
    // The last chunks go in parts, one per worker, so the workers finish together (split.ts).
    const plan = splitPlan(
      corpus.chunks.map((c) => c.events),
      workers,
    );
    for (const [i, chunk] of corpus.chunks.entries()) {
      await unlessInterrupted(pool.waitForCapacity());
      const framed = await readChunkOrLose(corpus, chunk, (detail) => {
        damage.chunkLost(acc, chunk, 'missing chunk', detail);
        chunksDone++;
        recordsDone += chunk.events;
      });
      if (framed !== undefined) {
        const parts = plan[i];
        if (parts === undefined) pool.submit({ chunk: chunk.index, framed, firstPosition });
        else for (const part of parts) pool.submit({ chunk: chunk.index, framed, firstPosition, part });
      }
      firstPosition += chunk.events;
    }
    await unlessInterrupted(pool.drain());
    traceMark('drained');
    if (!workerLoaded) await loadFunctions();
  } catch (caught) {
    const e = await loadErrorFirst(both, caught);
    if (!(e instanceof StopRunError)) {
      await pool.close();
      if (typeof options.corpus === 'string') await corpus.close();
      throw e;
    }
    stoppedEarly = e.message;
  }
  // The workers' teardown (~20 ms: each isolate and its heap) runs while the report is built and
  // handed to onReport; the run ends when all are done.
  const closing = pool.close();
  try {
    if (typeof options.corpus === 'string') await corpus.close();
    traceMark('closing');
    const report = finishReport(acc, {
      corpus: { name: corpus.name ?? basename(corpus.path), location: corpus.path, records: corpus.events },
      eventType,
      functions: { old: oldFn.info, new: newFn.info },
      workers,
      ignore,
      timeoutMs,
      limits: options,
      started,
      ...(firstCallAt !== undefined ? { firstEventMs: Math.max(0, firstCallAt - (performance.timeOrigin + started)) } : {}),
      ...(options.startupMs !== undefined ? { startupMs: options.startupMs } : {}),
      problems,
      damage,
      ...(stoppedEarly !== undefined ? { stoppedEarly } : {}),
      ...(crossCheck ? { crossCheck } : {}),
    });
    traceMark('report built');
    await options.onReport?.(report);
    return report;
  } finally {
    await closing;
    traceMark('pool closed');
  }
}

/**
 * The framed bytes of a chunk, or undefined (after `lost` was told why) when the
 * corpus no longer has it: a Redis chunk deleted or expired. A lost connection
 * is not a missing chunk: it is thrown.
 */
export async function readChunkOrLose(corpus: Pick<ChunkSource, 'readFramedChunk'>, chunk: ChunkInfo, lost: (detail: string) => void): Promise<Buffer | undefined> {
  try {
    return await corpus.readFramedChunk(chunk.index);
  } catch (e) {
    if (!(e instanceof MissingChunkError)) throw e;
    lost(e.reason);
    return undefined;
  }
}

export interface RunDescription {
  corpus: ReplayReport['corpus'];
  eventType: ReplayEventType;
  functions: ReplayReport['functions'];
  workers: number;
  ignore: string[];
  timeoutMs: number;
  limits: GateLimits;
  /** performance.now() when the run started. */
  started: number;
  firstEventMs?: number;
  startupMs?: number;
  problems: string[];
  damage: DamageLedger;
  stoppedEarly?: string;
  crossCheck?: boolean;
}

/** The report of a finished run, local or distributed. */
export function finishReport(acc: RunAccumulator, run: RunDescription): ReplayReport {
  if (acc.events === 0 && run.stoppedEarly === undefined) {
    const why = Object.entries(acc.skipped).map(([k, v]) => `${v} ${k}`).join(', ');
    run.problems.push(`no event was replayed${why ? ` (${why})` : ''}`);
  }
  const damage = run.damage.summary();
  for (const region of damage?.regions ?? []) run.problems.push(region.message);
  return buildReport(acc, {
    toolVersion: toolVersion(),
    corpus: run.corpus,
    eventType: run.eventType,
    functions: run.functions,
    options: {
      workers: run.workers,
      ignore: run.ignore,
      timeoutMs: run.timeoutMs,
      ...(run.limits.maxDiffRate !== undefined ? { maxDiffRate: run.limits.maxDiffRate } : {}),
      ...(run.limits.maxLatencyRatio !== undefined ? { maxLatencyRatio: run.limits.maxLatencyRatio } : {}),
      maxOldErrorRate: run.limits.maxOldErrorRate ?? DEFAULT_MAX_OLD_ERROR_RATE,
      ...(run.limits.allowIncomplete === true ? { allowIncomplete: true } : {}),
      ...(run.crossCheck === true ? { crossCheck: true } : {}),
    },
    durationMs: performance.now() - run.started,
    ...(run.firstEventMs !== undefined ? { firstEventMs: run.firstEventMs } : {}),
    ...(run.startupMs !== undefined ? { startupMs: run.startupMs } : {}),
    problems: run.problems,
    ...(damage !== undefined ? { damage } : {}),
    ...(run.stoppedEarly !== undefined ? { stoppedEarly: run.stoppedEarly } : {}),
  });
}

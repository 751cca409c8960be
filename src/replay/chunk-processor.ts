/**
 * Replays one chunk: for each record, build the event, run OLD and NEW on it
 * (same frozen clock and seed, separate copies, random order per event), diff
 * their effective outputs, confirm differences against a second run of OLD
 * with another clock and seed (noise), and accumulate a ChunkResult.
 *
 * Pure logic without threads, so the worker thread, the distributed Redis
 * worker and the tests all use exactly this code.
 */
import { isRecordedConnection, populationOf, type CorpusRecord, type ReplayEventType } from '../event/connection.js';
import { sourceLabel } from '../event/source-label.js';
import { openChunk } from '../store/chunk.js';
import type { ColumnsCursor } from '../store/columns.js';
import type { LoadedFunction } from '../runtime/loader.js';
import type { RunResult, Outcome } from '../runtime/types.js';
import { outcomeErrorMessage } from '../runtime/outcome.js';
import { diffRuns, isNoisyDiff, outcomeLabel, riskOf, routeOf, signatureOf, type DiffEntry, type IgnoreMatcher } from '../diff/index.js';
import type { OutcomeLabel } from '../diff/types.js';
import type { DiffExample, EventSample, SampleRun } from '../results/types.js';
import {
  EXAMPLES_PER_GROUP,
  ReplayTally,
  capRoutes,
  groupKey,
  type ChunkPart,
  type ChunkResult,
  type ErrorPartial,
} from '../results/chunk-result.js';
import { histogramCounts, newHistogram, recordDuration, type LatencyHistogram } from '../results/latency.js';
import type { Engine } from '../runtime/engines.js';
import { CROSS_SEED_SALT, engineDiffs, otherEngine, splitBySeed } from './engine-check.js';
import { EngineCheckTally } from '../results/engine-tally.js';
import { CostTally } from '../results/cost.js';
import { callOptions, eventOf, NOISE_CLOCK_SHIFT_MS, type CallOptions } from './one-event.js';

/**
 * Which call of an event: OLD, NEW, the noise rerun of OLD; with --cross-check
 * also OLD and NEW on the other engine (`-cross`) and the primary engine's
 * rerun with another seed (`-seed`, see engine-check.ts).
 */
export type Version = 'old' | 'new' | 'rerun' | 'old-cross' | 'new-cross' | 'old-seed' | 'new-seed';

export interface ProcessorOptions {
  eventType: ReplayEventType;
  ignore?: IgnoreMatcher;
  /** Re-run OLD with another clock and seed on events that differ (default true). */
  noise?: boolean;
  /** Seed of the per-event order choice (default 1). */
  seed?: number;
  /** Full samples (event + both outputs) kept per chunk (default 20). */
  samplesPerChunk?: number;
  /** The engine `fns` run on, written into the result (default v8). */
  engine?: Engine;
}

/** Calls the supervisor already stopped (time budget or memory) on an earlier attempt at this chunk. */
export interface KilledCall {
  index: number;
  version: Version;
  reason: 'timeout' | 'memory' | 'crash';
}

/** Lets a supervisor see which call is running (for the time budget). */
export interface CallObserver {
  starting(index: number, version: Version): void;
  finished(): void;
}

/** Occurrences of a change per chunk confirmed against a rerun of OLD before trusting its verdict. */
export const NOISE_CHECKS = 16;

function killedResult(reason: KilledCall['reason']): RunResult {
  const message =
    reason === 'timeout'
      ? 'function execution time limit exceeded'
      : reason === 'memory'
        ? 'function ran out of memory'
        : 'the sandbox crashed while running the function';
  const outcome: Outcome = {
    kind: 'execution-error',
    status: 503,
    reason,
    error: { name: reason === 'memory' ? 'MemoryError' : 'InternalError', message, v8Message: message },
  };
  return {
    outcome,
    raw: undefined,
    effective: { error: { status: 503, type: 'FunctionExecutionError' } },
    logs: [],
    logsTruncated: false,
    sideEffects: { origin: [] },
    durationNs: 0,
    runtime: 'cloudfront-js-2.0',
    eventType: 'viewer-request',
  };
}

function isThenable<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown }).then === 'function';
}

/**
 * xorshift32 per chunk: the order of OLD/NEW per event is reproducible whichever worker runs the chunk.
 * A class, not a closure: one call target for every chunk (see ChunkReplay).
 */
class OrderRng {
  private s: number;

  constructor(seed: number, chunk: number) {
    this.s = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(chunk + 1, 0xc2b2ae35)) >>> 0 || 1;
  }

  /** Does NEW run first on the next event? */
  newFirst(): boolean {
    let s = this.s;
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    this.s = s;
    return (s & 1) === 1;
  }
}

function errorMessageOf(run: RunResult): string {
  return outcomeErrorMessage(run.outcome) ?? outcomeLabel(run.outcome);
}

function sampleRun(run: RunResult): SampleRun {
  const out: SampleRun = {
    outcome: outcomeLabel(run.outcome),
    effective: run.effective,
    logs: run.logs.slice(0, 20),
    durationNs: run.durationNs,
  };
  const err = outcomeErrorMessage(run.outcome);
  if (err !== undefined) out.error = err;
  return out;
}

/**
 * The latency histograms of finished chunks, to be reset and reused by the next chunk of this
 * thread. A histogram's counts are a 270 KB Float64Array: two new ones per chunk (~10 MB over a
 * 300,000-event replay per worker) were allocated as large objects and set off one or two more
 * full garbage collections per worker (issue 19). A chunk's accumulator gives its two back once
 * finish() has read their counts; an accumulator dropped unfinished (an error, a chunk run
 * again) keeps its own, and the next one takes fresh ones: two never share one.
 */
const finishedHistograms: LatencyHistogram[] = [];

function reusedHistogram(): LatencyHistogram {
  const h = finishedHistograms.pop();
  if (h === undefined) return newHistogram();
  h.reset();
  return h;
}

class ChunkAccumulator extends ReplayTally {
  readonly samples: EventSample[] = [];
  private readonly noiseState = new Map<string, { checked: number; noisy: number }>();

  constructor(
    readonly chunk: number,
    private readonly part: ChunkPart | undefined,
    private readonly samplesCap: number,
    private readonly noiseEnabled: boolean,
    private readonly engine: Engine | undefined,
    /** --cross-check only. */
    readonly engines: EngineCheckTally | undefined,
    /** When the njs engine runs (primary or cross-check). */
    readonly cost: CostTally | undefined,
  ) {
    super(reusedHistogram(), reusedHistogram());
  }

  error(map: Map<string, ErrorPartial>, label: OutcomeLabel, message: string, record: CorpusRecord, position: number): void {
    const key = `${label}\u0000${message}`;
    let e = map.get(key);
    if (e === undefined) {
      e = { outcome: label, message, count: 0, examples: [] };
      map.set(key, e);
    }
    e.count++;
    if (e.examples.length < EXAMPLES_PER_GROUP) e.examples.push(exampleOf(record, position));
  }

  /**
   * Noise is confirmed by running OLD again (other clock and seed) for the
   * first NOISE_CHECKS occurrences of each change in a chunk. A change found
   * noisy every time (or never) keeps that verdict for its remaining
   * occurrences in the chunk without more reruns; a mixed one keeps being
   * checked. Undefined = check this occurrence.
   */
  noiseVerdict(key: string): boolean | undefined {
    if (!this.noiseEnabled) return false;
    const s = this.noiseState.get(key);
    if (s === undefined || s.checked < NOISE_CHECKS) return undefined;
    if (s.noisy === 0) return false;
    if (s.noisy === s.checked) return true;
    return undefined;
  }

  noiseChecked(key: string, noisy: boolean): void {
    const s = this.noiseState.get(key);
    if (s === undefined) this.noiseState.set(key, { checked: 1, noisy: noisy ? 1 : 0 });
    else {
      s.checked++;
      if (noisy) s.noisy++;
    }
  }

  wantsSample(): boolean {
    return this.samples.length < this.samplesCap;
  }

  /** Once finished: the result was made and its histograms are given back (finish again makes the same result). */
  private result: ChunkResult | undefined;

  finish(): ChunkResult {
    if (this.result !== undefined) return this.result;
    const groups = [...this.groups.values()];
    for (const g of groups) g.routes = capRoutes(g.routes);
    this.result = {
      chunk: this.chunk,
      ...(this.part !== undefined ? { part: this.part } : {}),
      ...(this.engine !== undefined && this.engine !== 'v8' ? { engine: this.engine } : {}),
      events: this.events,
      changed: this.changed,
      noiseOnly: this.noiseOnly,
      skipped: this.skipped,
      outcomes: { old: this.outcomesOld, new: this.outcomesNew },
      transitions: this.transitions,
      groups,
      noise: [...this.noise.values()],
      errors: { old: [...this.errorsOld.values()], new: [...this.errorsNew.values()] },
      histograms: { old: histogramCounts(this.histOld), new: histogramCounts(this.histNew) },
      samples: this.samples,
      killed: this.killed,
      ...(this.engines !== undefined ? { engines: this.engines.partial() } : {}),
      ...(this.cost !== undefined && this.cost.used ? { cost: this.cost.partial() } : {}),
    };
    if (finishedHistograms.length < 4) finishedHistograms.push(this.histOld, this.histNew);
    return this.result;
  }
}

export interface ChunkTask {
  chunk: number;
  /** Framed chunk bytes (header + compressed payload), as stored. */
  framed: Uint8Array;
  /** Corpus position of the chunk's first record. */
  firstPosition: number;
  /** Calls already stopped by the supervisor on an earlier attempt. */
  killed?: readonly KilledCall[];
  /**
   * Only these records of the chunk (a chunk split between workers so they finish together,
   * replay/split.ts); indices stay those of the whole chunk (call clock, killed calls, positions).
   */
  part?: ChunkPart;
}

export interface FunctionPair {
  old: LoadedFunction;
  new: LoadedFunction;
  /** --cross-check: the same two functions on the other engine. */
  cross?: { old: LoadedFunction; new: LoadedFunction };
}

/**
 * Replay a chunk. Its calls are one batch of each function (LoadedFunction.startBatch): when a
 * call left state that is only looked for at the end of a batch (a symbol-keyed global), later
 * events of the chunk may have seen it, so the chunk runs again, that function now checked
 * after every call (it stays so: at most one rerun per function and worker).
 */
export async function processChunk(
  task: ChunkTask,
  fns: FunctionPair,
  options: ProcessorOptions,
  observer?: CallObserver,
): Promise<ChunkResult> {
  const all = fns.cross !== undefined ? [fns.old, fns.new, fns.cross.old, fns.cross.new] : [fns.old, fns.new];
  for (;;) {
    for (const f of all) f.startBatch();
    let result: ChunkResult;
    let leaked = false;
    try {
      result = await replayChunk(task, fns, options, observer);
    } finally {
      // Every function's batch ends (no short-circuit): each cleans its own realm.
      for (const f of all) leaked = f.endBatch() || leaked;
    }
    if (!leaked) return result;
  }
}

/**
 * One pass over the chunk. Synchronous handlers keep the whole loop synchronous (the
 * fast path); the first async result switches to awaiting.
 */
async function replayChunk(
  task: ChunkTask,
  fns: FunctionPair,
  options: ProcessorOptions,
  observer?: CallObserver,
): Promise<ChunkResult> {
  // A viewer-request replay never reads the captured response: do not decode it.
  const cursor = openChunk(task.framed, options.eventType === 'viewer-request');
  const engine = options.engine ?? 'v8';
  const cross = fns.cross;
  const acc = new ChunkAccumulator(
    task.chunk,
    task.part,
    options.samplesPerChunk ?? 20,
    options.noise !== false,
    options.engine,
    cross !== undefined ? new EngineCheckTally(engine, otherEngine(engine)) : undefined,
    engine === 'njs' || cross !== undefined ? new CostTally() : undefined,
  );
  const order = new OrderRng(options.seed ?? 1, task.chunk);
  const killed = new Map<string, KilledCall['reason']>();
  for (const k of task.killed ?? []) killed.set(`${k.index}:${k.version}`, k.reason);
  const replay = new ChunkReplay(fns, acc, options.eventType, options.ignore, options.noise !== false, killed, observer, task.firstPosition);

  const from = task.part?.from ?? 0;
  const to = task.part?.to ?? cursor.count;
  // Records before a part are passed over without being built (cursor.skip), each still drawing
  // its OLD/NEW order: one draw per record, so a part of the chunk draws what the whole chunk would.
  const passed = cursor.skip(Math.min(from, to));
  for (let k = 0; k < passed; k++) order.newFirst();
  await replayRecords(cursor, replay, order, passed, to);
  return acc.finish();
}

/**
 * The records from `index` to `to`. A function of its own, apart from the set-up above that
 * runs once per chunk: V8 compiles this loop in the first chunk (on-stack), before the set-up
 * had run with type feedback, and code holding both deoptimized on it (and after the loop).
 */
async function replayRecords(cursor: ColumnsCursor, replay: ChunkReplay, order: OrderRng, index: number, to: number): Promise<void> {
  for (let record = cursor.next(); record !== undefined && index < to; index++, record = cursor.next()) {
    // Only an async handler, an event that differs or --cross-check give a promise: the
    // rest stays on the synchronous path.
    const pending = replay.event(record, index, order.newFirst());
    if (pending !== undefined) await pending;
  }
}

/**
 * The work on each record of one chunk. A class rather than closures inside replayChunk: its
 * methods are the same functions for every chunk, so the optimized code of one chunk stays
 * valid for the next (closures made anew per chunk were new call targets each time, and
 * deoptimized replayChunk: "wrong call target"), and no closure context is allocated per event.
 */
class ChunkReplay {
  private readonly cross: FunctionPair['cross'];

  constructor(
    private readonly fns: FunctionPair,
    private readonly acc: ChunkAccumulator,
    private readonly eventType: ReplayEventType,
    private readonly ignore: IgnoreMatcher | undefined,
    private readonly noiseEnabled: boolean,
    private readonly killed: Map<string, KilledCall['reason']>,
    private readonly observer: CallObserver | undefined,
    private readonly firstPosition: number,
  ) {
    this.cross = fns.cross;
  }

  // `opts`: callOptions of the record (OLD and NEW share one; invoke only reads it).
  private call(fn: LoadedFunction, version: Version, index: number, event: unknown, opts: CallOptions): RunResult | Promise<RunResult> {
    const stopped = this.killed.size > 0 ? this.killed.get(`${index}:${version}`) : undefined;
    if (stopped !== undefined) return killedResult(stopped);
    const observer = this.observer;
    observer?.starting(index, version);
    const res = fn.invoke(event, opts);
    if (isThenable(res)) return res.finally(() => observer?.finished());
    observer?.finished();
    return res;
  }

  /** One record, `newFirst`: its order draw. A promise only when something async is left to do. */
  event(record: CorpusRecord, index: number, newFirst: boolean): Promise<void> | undefined {
    const event = eventOf(record, this.eventType);
    if (typeof event === 'string') {
      const skipped = this.acc.skipped;
      skipped[event] = (skipped[event] ?? 0) + 1;
      return undefined;
    }
    const same = callOptions(record, 0);
    const fns = this.fns;
    const first = newFirst ? this.call(fns.new, 'new', index, event, same) : this.call(fns.old, 'old', index, event, same);
    if (isThenable(first)) return this.eventAsync(record, index, event, same, newFirst, first);
    // The second call gets the first one's result: when it returns the same, validation is not repeated (InvokeOptions.twin).
    same.twin = first;
    const second = newFirst ? this.call(fns.old, 'old', index, event, same) : this.call(fns.new, 'new', index, event, same);
    if (isThenable(second)) return this.eventAsync(record, index, event, same, newFirst, first, second);
    same.twin = undefined;
    return this.compare(record, index, event, same, newFirst ? second : first, newFirst ? first : second);
  }

  /** The rest of event() once a call returned a promise (`second`: the second call, when it was that one). */
  private async eventAsync(
    record: CorpusRecord,
    index: number,
    event: object,
    same: CallOptions,
    newFirst: boolean,
    first: RunResult | Promise<RunResult>,
    second?: Promise<RunResult>,
  ): Promise<void> {
    const firstRun = isThenable(first) ? await first : first;
    const fns = this.fns;
    let s: RunResult | Promise<RunResult> | undefined = second;
    if (s === undefined) {
      same.twin = firstRun;
      s = newFirst ? this.call(fns.old, 'old', index, event, same) : this.call(fns.new, 'new', index, event, same);
    }
    const secondRun = isThenable(s) ? await s : s;
    same.twin = undefined;
    const pending = this.compare(record, index, event, same, newFirst ? secondRun : firstRun, newFirst ? firstRun : secondRun);
    if (pending !== undefined) await pending;
  }

  /** Both runs of a record are there: the engine check (--cross-check), then the tallies. */
  private compare(record: CorpusRecord, index: number, event: object, same: CallOptions, oldRun: RunResult, newRun: RunResult): Promise<void> | undefined {
    const position = this.firstPosition + index;
    const cross = this.cross;
    if (cross !== undefined) return this.compareCrossChecked(cross, record, index, event, same, position, oldRun, newRun);
    return this.recordEvent(record, position, oldRun, newRun, index, event);
  }

  private async compareCrossChecked(
    cross: NonNullable<FunctionPair['cross']>,
    record: CorpusRecord,
    index: number,
    event: object,
    same: CallOptions,
    position: number,
    oldRun: RunResult,
    newRun: RunResult,
  ): Promise<void> {
    await this.checkEngines(cross, index, event, record, position, oldRun, newRun, same);
    const pending = this.recordEvent(record, position, oldRun, newRun, index, event);
    if (pending !== undefined) await pending;
  }

  /** OLD again with the noise clock and seed (undefined when noise checks are off). */
  private async rerunOld(index: number, event: object, record: CorpusRecord): Promise<RunResult | undefined> {
    if (!this.noiseEnabled) return undefined;
    const r = this.call(this.fns.old, 'rerun', index, event, callOptions(record, NOISE_CLOCK_SHIFT_MS));
    return isThenable(r) ? await r : r;
  }

  /**
   * --cross-check: OLD and NEW again on the other engine, each compared with
   * its run on the primary engine; where they disagree, the primary engine
   * runs that version once more with another seed (same clock) to tell
   * seed-dependent values apart (see engine-check.ts).
   */
  private async checkEngines(
    other: NonNullable<FunctionPair['cross']>,
    index: number,
    event: object,
    record: CorpusRecord,
    position: number,
    oldRun: RunResult,
    newRun: RunResult,
    same: CallOptions,
  ): Promise<void> {
    const a = this.acc;
    const fns = this.fns;
    const ignore = this.ignore;
    const eventType = this.eventType;
    const t = a.engines!;
    t.checked++;
    const ox = await this.call(other.old, 'old-cross', index, event, same);
    const nx = await this.call(other.new, 'new-cross', index, event, same);
    // The njs side gives the cost when the primary engine is V8.
    if (oldRun.steps === undefined && ox.steps !== undefined) a.cost?.record('old', ox.steps, () => exampleOf(record, position));
    if (newRun.steps === undefined && nx.steps !== undefined) a.cost?.record('new', nx.steps, () => exampleOf(record, position));
    const found = [
      { version: 'old' as const, run: oldRun, otherRun: ox, fn: fns.old, diffs: engineDiffs(oldRun, ox, ignore) },
      { version: 'new' as const, run: newRun, otherRun: nx, fn: fns.new, diffs: engineDiffs(newRun, nx, ignore) },
    ].filter((f) => f.diffs.length > 0);
    if (found.length === 0) return;
    let real = false;
    const route = routeOfRecord(record);
    for (const f of found) {
      const again = await this.call(f.fn, f.version === 'old' ? 'old-seed' : 'new-seed', index, event, callOptions(record, 0, CROSS_SEED_SALT));
      for (const d of splitBySeed(f.diffs, f.run, again).real) {
        real = true;
        t.add(
          f.version,
          d.path,
          d.kind,
          signatureOf(d),
          route,
          () => exampleOf(record, position, d),
          () => ({ eventId: record.id, position, event: eventOf(record, eventType), old: sampleRun(f.run), new: sampleRun(f.otherRun) }),
        );
      }
    }
    if (real) t.disagreeing++;
    else t.seedDependent++;
  }

  private recordEvent(
    record: CorpusRecord,
    position: number,
    oldRun: RunResult,
    newRun: RunResult,
    /** For the noise rerun. */
    index: number,
    event: object,
  ): Promise<void> | undefined {
    const a = this.acc;
    // (see ChunkAccumulator.noiseVerdict for when OLD is run a second time)
    a.events++;
    // Calls the supervisor stopped have no meaningful duration: counted apart, not in the histograms.
    if (wasStopped(oldRun)) a.killed.old++;
    else recordDuration(a.histOld, Math.max(1, oldRun.durationNs));
    if (wasStopped(newRun)) a.killed.new++;
    else recordDuration(a.histNew, Math.max(1, newRun.durationNs));
    if (a.cost !== undefined && (oldRun.steps !== undefined || newRun.steps !== undefined)) recordCost(a.cost, record, position, oldRun, newRun);
    const oldLabel = outcomeLabel(oldRun.outcome);
    const newLabel = outcomeLabel(newRun.outcome);
    a.outcomesOld[oldLabel] = (a.outcomesOld[oldLabel] ?? 0) + 1;
    a.outcomesNew[newLabel] = (a.outcomesNew[newLabel] ?? 0) + 1;
    if (oldLabel !== newLabel) {
      const key = `${oldLabel} -> ${newLabel}`;
      a.transitions[key] = (a.transitions[key] ?? 0) + 1;
    }
    if (isErrorLabel(oldLabel)) a.error(a.errorsOld, oldLabel, errorMessageOf(oldRun), record, position);
    if (isErrorLabel(newLabel)) a.error(a.errorsNew, newLabel, errorMessageOf(newRun), record, position);

    const diffs = diffRuns(oldRun, newRun, this.ignore);
    if (diffs.length === 0) return undefined;
    return this.recordDiffs(record, position, oldRun, newRun, index, event, diffs);
  }

  /** An event whose runs differ: OLD again when a change's noise verdict is still open, then the tallies (settle). */
  private recordDiffs(
    record: CorpusRecord,
    position: number,
    oldRun: RunResult,
    newRun: RunResult,
    index: number,
    event: object,
    diffs: DiffEntry[],
  ): Promise<void> | undefined {
    const a = this.acc;
    const keys: KeyedDiff[] = [];
    let needsRerun = false;
    for (const d of diffs) {
      const signature = signatureOf(d);
      const key = groupKey(d.path, d.kind, signature);
      keys.push({ d, signature, key });
      if (!needsRerun && a.noiseVerdict(key) === undefined) needsRerun = true;
    }
    if (!needsRerun) {
      this.settle(record, position, oldRun, newRun, keys, undefined);
      return undefined;
    }
    return this.rerunOld(index, event, record).then((rerun) => this.settle(record, position, oldRun, newRun, keys, rerun));
  }

  private settle(record: CorpusRecord, position: number, oldRun: RunResult, newRun: RunResult, keys: readonly KeyedDiff[], rerun: RunResult | undefined): void {
    const a = this.acc;
    let real = 0;
    const route = routeOfRecord(record);
    for (const { d, signature, key } of keys) {
      let noisy: boolean;
      if (rerun !== undefined && a.noiseVerdict(key) === undefined) {
        noisy = isNoisyDiff(d, oldRun, rerun);
        a.noiseChecked(key, noisy);
      } else noisy = a.noiseVerdict(key) === true;
      if (this.noiseEnabled) {
        const nk = `${d.path}\u0000${d.kind}`;
        let n = a.noise.get(nk);
        if (n === undefined) {
          n = { path: d.path, kind: d.kind, count: 0, noisyCount: 0, examples: [] };
          a.noise.set(nk, n);
        }
        n.count++;
        if (noisy) {
          n.noisyCount++;
          if (n.examples.length < EXAMPLES_PER_GROUP) n.examples.push(exampleOf(record, position, d));
        }
      }
      if (noisy) continue;
      real++;
      let g = a.groups.get(key);
      if (g === undefined) {
        g = { path: d.path, kind: d.kind, risk: riskOf(d), signature, count: 0, routes: {}, examples: [], sameNew: d.new ?? null };
        a.groups.set(key, g);
        if (a.wantsSample()) {
          a.samples.push({ eventId: record.id, position, event: eventOf(record, this.eventType), old: sampleRun(oldRun), new: sampleRun(newRun) });
        }
      }
      g.count++;
      if (g.sameNew !== null && g.sameNew !== (d.new ?? null)) g.sameNew = null;
      g.routes[route] = (g.routes[route] ?? 0) + 1;
      if (g.examples.length < EXAMPLES_PER_GROUP) g.examples.push(exampleOf(record, position, d));
    }
    if (real > 0) a.changed++;
    else a.noiseOnly++;
  }
}

/** A difference of an event with its signature and group key. */
interface KeyedDiff {
  d: DiffEntry;
  signature: string;
  key: string;
}

/** The njs engine's step counts of both runs (the example is built only when kept). */
function recordCost(cost: CostTally, record: CorpusRecord, position: number, oldRun: RunResult, newRun: RunResult): void {
  if (oldRun.steps !== undefined) cost.record('old', oldRun.steps, () => exampleOf(record, position));
  if (newRun.steps !== undefined) cost.record('new', newRun.steps, () => exampleOf(record, position));
}

/**
 * The "route" a record counts under in a group: the templated URI of an
 * exchange; for a connection, its population (issuer, subject pattern,
 * client network), so the groups show which clients a change affects.
 */
function routeOfRecord(record: CorpusRecord): string {
  return isRecordedConnection(record) ? populationOf(record.event) : routeOf(record.request.uri);
}

/** An example event for a group or error, with the values at the entry's path when given. Built only when kept. */
function exampleOf(record: CorpusRecord, position: number, entry?: DiffEntry): DiffExample {
  const e: DiffExample = isRecordedConnection(record)
    ? {
        eventId: record.id,
        position,
        source: sourceLabel(record.source),
        method: 'TLS',
        uri: record.event.clientCertificate?.certificates?.leaf?.subject ?? '(no certificate)',
        route: populationOf(record.event),
      }
    : { eventId: record.id, position, source: sourceLabel(record.source), method: record.request.method, uri: record.request.uri, route: routeOf(record.request.uri) };
  if (entry?.old !== undefined) e.old = entry.old;
  if (entry?.new !== undefined) e.new = entry.new;
  return e;
}

/** Stopped from outside (time budget, memory, crash) rather than failing by itself. */
function wasStopped(run: RunResult): boolean {
  const o = run.outcome;
  return o.kind === 'execution-error' && (o.reason === 'timeout' || o.reason === 'memory' || o.reason === 'crash');
}

function isErrorLabel(label: OutcomeLabel): boolean {
  return label !== 'forward' && label !== 'response' && label !== 'modified-response' && label !== 'connection-allow' && label !== 'connection-deny' && label !== 'connection-neither';
}

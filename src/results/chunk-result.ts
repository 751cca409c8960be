/**
 * What replaying one chunk produces: counts, diff groups, noise, errors and
 * latency histograms. Plain data (structured-clone and msgpack friendly) so
 * it can cross a worker boundary or be stored in Redis, and merging is a sum:
 * the final report is the same whichever worker or machine ran which chunk.
 */
import type { DiffKind, OutcomeLabel, Risk } from '../diff/types.js';
import type { CostExample, DiffExample, EventSample } from './types.js';
import { newHistogram, portableHistogram, type ChunkHistogram, type LatencyHistogram } from './latency.js';
import type { Engine } from '../runtime/engines.js';

export interface GroupPartial {
  path: string;
  kind: DiffKind;
  risk: Risk;
  signature: string;
  count: number;
  routes: Record<string, number>;
  examples: DiffExample[];
  /** The NEW value when every occurrence had the same one, else null (see isPrefixRemoval). */
  sameNew?: string | null;
}

export interface NoisePartial {
  path: string;
  kind: DiffKind;
  count: number;
  noisyCount: number;
  examples: DiffExample[];
}

export interface ErrorPartial {
  outcome: OutcomeLabel;
  message: string;
  count: number;
  examples: DiffExample[];
}

/** Which version an engine comparison or a cost figure is about. */
export type CheckedVersion = 'old' | 'new';

/** Engine disagreements of one version at one path, with one change signature. */
export interface EngineGroupPartial {
  version: CheckedVersion;
  path: string;
  kind: DiffKind;
  /** The change from the primary engine's value to the other's. */
  signature: string;
  count: number;
  routes: Record<string, number>;
  /** `old` = the primary engine's value, `new` = the other engine's. */
  examples: DiffExample[];
  /** The first example in full: the event and both engines' outputs (`old` = primary, `new` = other). */
  sample?: EventSample;
}

export interface EngineCheckPartial {
  primary: Engine;
  other: Engine;
  /** Events run on both engines. */
  checked: number;
  /** Events where the engines disagree (OLD or NEW), seed-dependent values aside. */
  disagreeing: number;
  /** Events whose only disagreements moved with the Math.random seed. */
  seedDependent: number;
  groups: EngineGroupPartial[];
}

export interface NearBudgetPartial {
  count: number;
  /** The most instructions one such call executed. */
  max: number;
  examples: CostExample[];
}

/** Instructions per call on the njs engine (`--engine njs`, or the njs side of `--cross-check`). */
export interface CostPartial {
  /** The instruction budget per call the calls ran under. */
  budget: number;
  /** HDR histograms of instructions per call (in the form of the latency ones). */
  histograms: { old: ChunkHistogram; new: ChunkHistogram };
  /** Exact figures the histograms only approximate above 2,047. */
  exact: { old: ExactCost; new: ExactCost };
  near: { old: NearBudgetPartial; new: NearBudgetPartial };
}

export interface ExactCost {
  count: number;
  min: number;
  max: number;
  sum: number;
}

/** Which part of a chunk split between workers a task or result covers (replay/split.ts). */
export interface ChunkPart {
  /** 0 .. of-1. */
  index: number;
  of: number;
  /** Records of the chunk in this part: [from, to). */
  from: number;
  to: number;
}

export interface ChunkResult {
  /** Chunk index in the corpus: merging the same chunk (or part) twice is ignored. */
  chunk: number;
  /** Set when only this part of the chunk was replayed: the chunk counts as merged once all its parts are. */
  part?: ChunkPart;
  /** The engine both functions ran on, when not v8 (a distributed coordinator checks it). */
  engine?: Engine;
  events: number;
  changed: number;
  noiseOnly: number;
  skipped: Record<string, number>;
  outcomes: { old: Record<OutcomeLabel, number>; new: Record<OutcomeLabel, number> };
  /** "from -> to" keys. */
  transitions: Record<string, number>;
  groups: GroupPartial[];
  noise: NoisePartial[];
  errors: { old: ErrorPartial[]; new: ErrorPartial[] };
  /** Latency: counts from a replay worker of this process, compressed base64 strings from Redis (portableResult). */
  histograms: { old: ChunkHistogram; new: ChunkHistogram };
  samples: EventSample[];
  /** Calls stopped by the time budget or the memory limit (by version). */
  killed: { old: number; new: number };
  /** `--cross-check`: how the two engines compared. */
  engines?: EngineCheckPartial;
  /** Instructions per call, when the njs engine ran. */
  cost?: CostPartial;
}

/**
 * The result with its histograms (latency, cost) in the portable compressed base64 form, for
 * another machine (the distributed protocol stores it in Redis); everything else shared.
 */
export function portableResult(r: ChunkResult): ChunkResult {
  const out: ChunkResult = { ...r, histograms: { old: portableHistogram(r.histograms.old), new: portableHistogram(r.histograms.new) } };
  if (r.cost !== undefined) out.cost = { ...r.cost, histograms: { old: portableHistogram(r.cost.histograms.old), new: portableHistogram(r.cost.histograms.new) } };
  return out;
}

export const EXAMPLES_PER_GROUP = 5;
export const ROUTES_PER_GROUP = 50;

export function groupKey(path: string, kind: DiffKind, signature: string): string {
  return `${path}\u0000${kind}\u0000${signature}`;
}

/** Keep the examples with the lowest corpus positions: deterministic whatever the merge order. */
export function mergeExamples(into: DiffExample[], more: readonly DiffExample[], cap = EXAMPLES_PER_GROUP): DiffExample[] {
  if (more.length === 0) return into;
  const all = into.concat(more);
  all.sort((a, b) => a.position - b.position);
  const out: DiffExample[] = [];
  let last = -1;
  for (const e of all) {
    if (e.position === last) continue;
    out.push(e);
    last = e.position;
    if (out.length >= cap) break;
  }
  return out;
}

export function addCounts(into: Record<string, number>, more: Readonly<Record<string, number>>): void {
  for (const k in more) into[k] = (into[k] ?? 0) + more[k]!;
}

/** Add group `g` into `into` (same path and kind): counts, routes, examples, the same-NEW flag. */
export function mergeGroupInto(into: GroupPartial, g: GroupPartial): void {
  into.count += g.count;
  if (into.sameNew !== g.sameNew) into.sameNew = null;
  addCounts(into.routes, g.routes);
  into.routes = capRoutes(into.routes);
  into.examples = mergeExamples(into.examples, g.examples);
}

/** A group's own copy (routes and examples not shared with the source). */
export function copyGroup(g: GroupPartial, signature = g.signature): GroupPartial {
  return { ...g, signature, routes: { ...g.routes }, examples: mergeExamples([], g.examples) };
}

/** Top routes by count (ties by name), the rest folded into "(other)". */
export function capRoutes(routes: Record<string, number>, cap = ROUTES_PER_GROUP): Record<string, number> {
  const entries = Object.entries(routes);
  if (entries.length <= cap) return routes;
  entries.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const out: Record<string, number> = {};
  let other = 0;
  entries.forEach(([route, count], i) => {
    if (i < cap - 1 && route !== '(other)') out[route] = count;
    else other += count;
  });
  out['(other)'] = other;
  return out;
}

/** The counters a chunk and a whole run both keep (a chunk's are summed into the run's). */
export class ReplayTally {
  events = 0;
  changed = 0;
  noiseOnly = 0;
  readonly skipped: Record<string, number> = {};
  readonly outcomesOld: Record<OutcomeLabel, number> = {};
  readonly outcomesNew: Record<OutcomeLabel, number> = {};
  readonly transitions: Record<string, number> = {};
  readonly groups = new Map<string, GroupPartial>();
  readonly noise = new Map<string, NoisePartial>();
  readonly errorsOld = new Map<string, ErrorPartial>();
  readonly errorsNew = new Map<string, ErrorPartial>();
  readonly killed = { old: 0, new: 0 };

  /** The latency histograms of both versions: new ones unless given (a chunk's may be reused, chunk-processor.ts). */
  constructor(
    readonly histOld: LatencyHistogram = newHistogram(),
    readonly histNew: LatencyHistogram = newHistogram(),
  ) {}
}

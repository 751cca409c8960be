/**
 * Merges chunk results into the state of a whole run. Adding the same chunk
 * twice is ignored (at-least-once delivery from a queue counts each event
 * once). Memory stays bounded: groups past the cap are folded into one
 * overflow group per (path, kind), routes and examples are capped.
 */
import type { EventSample } from './types.js';
import {
  ReplayTally,
  addCounts,
  copyGroup,
  groupKey,
  mergeExamples,
  mergeGroupInto,
  type ChunkResult,
  type ErrorPartial,
  type GroupPartial,
} from './chunk-result.js';
import { addChunkHistogram } from './latency.js';
import { EngineCheckTally } from './engine-tally.js';
import { CostTally } from './cost.js';

/** Distinct diff groups kept before folding into per-path overflow groups. */
export const MAX_GROUPS = 10_000;
/** Distinct error messages kept per version. */
export const MAX_ERROR_GROUPS = 1_000;
/** Full samples kept (those referenced by kept examples win). */
export const MAX_SAMPLES = 300;

export const OVERFLOW_SIGNATURE = '(other changes past the group limit)';

export class RunAccumulator extends ReplayTally {
  /** Chunks merged whole (a split chunk once all its parts are) or skipped. */
  readonly seen = new Set<number>();
  /** Split chunks with some parts merged: the parts' indices and their records. */
  private readonly partial = new Map<number, { parts: Set<number>; records: number }>();
  private samples = new Map<string, EventSample>();
  /** Groups folded into overflow groups (count of distinct groups and events). */
  foldedGroups = 0;
  foldedEvents = 0;
  /** --cross-check: the engines' comparison, merged. */
  engines: EngineCheckTally | undefined;
  /** Instructions per call, when the njs engine ran. */
  cost: CostTally | undefined;

  /** True when the chunk (or the part of a chunk) was new and has been merged. */
  add(r: ChunkResult): boolean {
    if (this.seen.has(r.chunk)) return false;
    if (r.part === undefined) this.seen.add(r.chunk);
    else {
      let p = this.partial.get(r.chunk);
      if (p === undefined) this.partial.set(r.chunk, (p = { parts: new Set(), records: 0 }));
      if (p.parts.has(r.part.index)) return false;
      p.parts.add(r.part.index);
      p.records += r.part.to - r.part.from;
      if (p.parts.size === r.part.of) {
        this.partial.delete(r.chunk);
        this.seen.add(r.chunk);
      }
    }
    this.events += r.events;
    this.changed += r.changed;
    this.noiseOnly += r.noiseOnly;
    addCounts(this.skipped, r.skipped);
    addCounts(this.outcomesOld, r.outcomes.old);
    addCounts(this.outcomesNew, r.outcomes.new);
    addCounts(this.transitions, r.transitions);
    for (const g of r.groups) this.addGroup(g);
    for (const n of r.noise) {
      const key = `${n.path}\u0000${n.kind}`;
      const have = this.noise.get(key);
      if (have === undefined) this.noise.set(key, { ...n, examples: mergeExamples([], n.examples) });
      else {
        have.count += n.count;
        have.noisyCount += n.noisyCount;
        have.examples = mergeExamples(have.examples, n.examples);
      }
    }
    mergeErrors(this.errorsOld, r.errors.old);
    mergeErrors(this.errorsNew, r.errors.new);
    addChunkHistogram(this.histOld, r.histograms.old);
    addChunkHistogram(this.histNew, r.histograms.new);
    this.killed.old += r.killed.old;
    this.killed.new += r.killed.new;
    if (r.engines !== undefined) (this.engines ??= new EngineCheckTally(r.engines.primary, r.engines.other)).merge(r.engines);
    if (r.cost !== undefined) (this.cost ??= new CostTally(r.cost.budget)).merge(r.cost);
    for (const s of r.samples) this.samples.set(s.eventId, s);
    if (this.samples.size > MAX_SAMPLES * 4) this.pruneSamples();
    return true;
  }

  /**
   * Record a chunk that could not be replayed (corrupt), so the report says so: `events` are
   * those not merged (of a split chunk, those outside the parts merged: mergedRecords).
   */
  skipChunk(chunk: number, events: number, reason: string): void {
    if (this.seen.has(chunk)) return;
    this.seen.add(chunk);
    this.partial.delete(chunk);
    this.skipped[reason] = (this.skipped[reason] ?? 0) + events;
  }

  /** Records of a chunk merged so far: all of them once it is seen, else those of its merged parts. */
  mergedRecords(chunk: number, records: number): number {
    return this.seen.has(chunk) ? records : (this.partial.get(chunk)?.records ?? 0);
  }

  private addGroup(g: GroupPartial): void {
    const key = groupKey(g.path, g.kind, g.signature);
    let have = this.groups.get(key);
    if (have === undefined && this.groups.size >= MAX_GROUPS) {
      this.foldedGroups++;
      this.foldedEvents += g.count;
      const overflowKey = groupKey(g.path, g.kind, OVERFLOW_SIGNATURE);
      have = this.groups.get(overflowKey);
      if (have === undefined) {
        have = { path: g.path, kind: g.kind, risk: g.risk, signature: OVERFLOW_SIGNATURE, count: 0, routes: {}, examples: [], sameNew: null };
        this.groups.set(overflowKey, have);
      }
    }
    if (have === undefined) this.groups.set(key, copyGroup(g));
    else mergeGroupInto(have, g);
  }

  private pruneSamples(): void {
    const wanted = this.referencedSampleIds();
    const kept = new Map<string, EventSample>();
    for (const [id, s] of this.samples) if (wanted.has(id)) kept.set(id, s);
    this.samples = kept;
  }

  /** Event ids of the first example of each group, most important groups first. */
  private referencedSampleIds(): Set<string> {
    const order = [...this.groups.values()].sort(compareGroups);
    const ids = new Set<string>();
    for (const g of order) {
      const first = g.examples[0];
      if (first !== undefined) ids.add(first.eventId);
      if (ids.size >= MAX_SAMPLES) break;
    }
    return ids;
  }

  /** Samples for the first example of the most important groups. */
  keptSamples(): EventSample[] {
    const ids = this.referencedSampleIds();
    const out: EventSample[] = [];
    for (const id of ids) {
      const s = this.samples.get(id);
      if (s !== undefined) out.push(s);
    }
    return out;
  }
}

const RISK_ORDER = { high: 0, medium: 1, low: 2 } as const;

/** Risk first (high before low), then count, then path for a stable order. */
export function compareGroups(a: GroupPartial, b: GroupPartial): number {
  return RISK_ORDER[a.risk] - RISK_ORDER[b.risk] || b.count - a.count || (a.path < b.path ? -1 : a.path > b.path ? 1 : a.signature < b.signature ? -1 : 1);
}

function mergeErrors(into: Map<string, ErrorPartial>, more: readonly ErrorPartial[]): void {
  for (const e of more) {
    const key = `${e.outcome}\u0000${e.message}`;
    const have = into.get(key);
    if (have !== undefined) {
      have.count += e.count;
      have.examples = mergeExamples(have.examples, e.examples);
    } else if (into.size < MAX_ERROR_GROUPS) {
      into.set(key, { ...e, examples: mergeExamples([], e.examples) });
    } else {
      const other = `${e.outcome}\u0000(other messages)`;
      const o = into.get(other) ?? { outcome: e.outcome, message: '(other messages)', count: 0, examples: [] };
      o.count += e.count;
      into.set(other, o);
    }
  }
}

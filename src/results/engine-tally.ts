/**
 * What `--cross-check` accumulates (see replay/engine-check.ts for the
 * comparison): events checked, disagreeing, seed-dependent, and the
 * disagreement groups. Plain data that merges by summing, like ChunkResult.
 */
import type { Engine } from '../runtime/engines.js';
import type { DiffKind } from '../diff/types.js';
import type { DiffExample, EventSample } from './types.js';
import { mergeExamples, addCounts, capRoutes, EXAMPLES_PER_GROUP, type CheckedVersion, type EngineCheckPartial, type EngineGroupPartial } from './chunk-result.js';

/** Distinct disagreement groups kept; the rest is counted in `folded`. */
export const MAX_ENGINE_GROUPS = 1_000;

export function engineGroupKey(version: CheckedVersion, path: string, kind: DiffKind, signature: string): string {
  return `${version}\u0000${path}\u0000${kind}\u0000${signature}`;
}

/** A chunk's or a whole run's engine comparison. */
export class EngineCheckTally {
  checked = 0;
  disagreeing = 0;
  seedDependent = 0;
  readonly groups = new Map<string, EngineGroupPartial>();

  constructor(
    readonly primary: Engine,
    readonly other: Engine,
  ) {}

  /** Count one disagreement; `example` and `sample` are built only when kept. */
  add(version: CheckedVersion, path: string, kind: DiffKind, signature: string, route: string, example: () => DiffExample, sample: () => EventSample): void {
    const key = engineGroupKey(version, path, kind, signature);
    let g = this.groups.get(key);
    if (g === undefined) {
      if (this.groups.size >= MAX_ENGINE_GROUPS) return;
      g = { version, path, kind, signature, count: 0, routes: {}, examples: [], sample: sample() };
      this.groups.set(key, g);
    }
    g.count++;
    g.routes[route] = (g.routes[route] ?? 0) + 1;
    if (g.examples.length < EXAMPLES_PER_GROUP) g.examples.push(example());
  }

  merge(p: EngineCheckPartial): void {
    this.checked += p.checked;
    this.disagreeing += p.disagreeing;
    this.seedDependent += p.seedDependent;
    for (const g of p.groups) {
      const key = engineGroupKey(g.version, g.path, g.kind, g.signature);
      const have = this.groups.get(key);
      if (have === undefined) {
        if (this.groups.size >= MAX_ENGINE_GROUPS) continue;
        this.groups.set(key, { ...g, routes: { ...g.routes }, examples: mergeExamples([], g.examples) });
        continue;
      }
      have.count += g.count;
      addCounts(have.routes, g.routes);
      have.routes = capRoutes(have.routes);
      have.examples = mergeExamples(have.examples, g.examples);
      // The sample of the lowest corpus position: the same whatever the merge order.
      if (g.sample !== undefined && (have.sample === undefined || g.sample.position < have.sample.position)) have.sample = g.sample;
    }
  }

  partial(): EngineCheckPartial {
    const groups = [...this.groups.values()];
    for (const g of groups) g.routes = capRoutes(g.routes);
    return { primary: this.primary, other: this.other, checked: this.checked, disagreeing: this.disagreeing, seedDependent: this.seedDependent, groups };
  }
}

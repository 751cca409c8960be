import type { ReplayReport } from '../../src/results/types.js';

/** What must not depend on where the chunks were read or replayed. */
export function comparable(r: ReplayReport) {
  return {
    events: r.events,
    changed: r.changed,
    unchanged: r.unchanged,
    noiseOnly: r.noiseOnly,
    skipped: r.skipped,
    outcomes: r.outcomes,
    transitions: r.outcomeTransitions,
    groups: r.diffs.map((g) => ({ path: g.path, kind: g.kind, signature: g.signature, count: g.count, risk: g.risk })),
  };
}

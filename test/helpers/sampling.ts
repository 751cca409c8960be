// Sampling tests: the keep/drop decision of each request, grouped by a cookie's value.
import type { RecordedExchange } from '../../src/event/types.js';

/** For each value of `cookie` among `all`, whether each request with it was kept (is in `kept`). */
export function decisionsByCookie(all: readonly RecordedExchange[], kept: readonly RecordedExchange[], cookie: string): Map<string, boolean[]> {
  const keptIds = new Set(kept.map((r) => r.id));
  const bySession = new Map<string, boolean[]>();
  for (const r of all) {
    const v = r.request.cookies[cookie]?.value;
    if (v === undefined) continue;
    bySession.set(v, [...(bySession.get(v) ?? []), keptIds.has(r.id)]);
  }
  return bySession;
}

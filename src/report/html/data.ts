/**
 * The data the HTML page's script works on, in a compact form: difference
 * groups in display order, their examples as arrays with the repeated strings
 * (methods, URIs, values) interned in one table, and the full samples. About
 * half the size of the same data as objects, which matters at 100,000
 * examples.
 */
import type { EventSample, ReplayReport } from '../../results/types.js';
import { compareGroups } from './format.js';

/** [eventId, position, method, uri, old, new, route, source]: the last six are indexes into `strings`, -1 = absent. */
export type PageExample = [string, number, number, number, number, number, number, number];

export interface PageGroup {
  id: string;
  path: string;
  kind: string;
  risk: string;
  sig: string;
  count: number;
  share: number;
  routes: [string, number][];
  /** Examples kept (they are in PageExamples). */
  nex: number;
}

/** What the page needs to draw the summary and the group list: small, placed before the script. */
export interface PageData {
  v: 1;
  events: number;
  groups: PageGroup[];
  truncated: { groups: number; events: number } | null;
  samples: EventSample[];
}

/**
 * The examples, placed after the script at the end of the file: the group
 * list is usable while the browser is still reading them.
 * `ex[i]` belongs to `groups[i]`.
 */
export interface PageExamples {
  strings: string[];
  ex: PageExample[][];
}

export function pageData(report: ReplayReport): { data: PageData; examples: PageExamples } {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const intern = (s: string | undefined): number => {
    if (s === undefined) return -1;
    let i = index.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      index.set(s, i);
    }
    return i;
  };
  const sorted = [...report.diffs].sort(compareGroups);
  const groups = sorted.map(
    (g): PageGroup => ({
      id: g.id,
      path: g.path,
      kind: g.kind,
      risk: g.risk,
      sig: g.signature,
      count: g.count,
      share: g.share,
      routes: g.routes.map((r) => [r.route, r.count]),
      nex: g.examples.length,
    }),
  );
  const ex = sorted.map((g) => g.examples.map((e): PageExample => [e.eventId, e.position, intern(e.method), intern(e.uri), intern(e.old), intern(e.new), intern(e.route), intern(e.source)]));
  return {
    data: { v: 1, events: report.events, groups, truncated: report.diffsTruncated ?? null, samples: report.samples },
    examples: { strings, ex },
  };
}

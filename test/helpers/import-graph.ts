// The import graph of a TypeScript source tree, read with the TypeScript compiler's own
// pre-processor (static imports, `export … from`, `import type` and `import('…')` with a
// literal specifier), and the two checks the layout test makes over it: imports that run
// from a lower layer to a higher one, and circles between files.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** One import between two files of the tree, paths relative to the tree's root with `/`. */
export interface ImportEdge {
  from: string;
  to: string;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const slash = (p: string): string => p.split(sep).join('/');

/** Every relative import between the tree's `.ts` files (`./x.js` resolves to `x.ts`). */
export function importEdges(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of tsFiles(root)) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const imported of info.importedFiles) {
      if (!imported.fileName.startsWith('.')) continue;
      const target = resolve(dirname(file), imported.fileName).replace(/\.js$/, '.ts');
      edges.push({ from: slash(relative(root, file)), to: slash(relative(root, target)) });
    }
  }
  return edges;
}

/** The layer of a file: its top folder, or the file's own name for a file at the root. */
export function layerOf(path: string): string {
  const cut = path.indexOf('/');
  return cut < 0 ? path : path.slice(0, cut);
}

/**
 * Imports that break the layering: `rank` gives each layer a height; a file may import its
 * own layer and layers strictly lower; two layers of the same height are siblings and may
 * not import each other. A layer missing from `rank` is reported as `from -> to (unranked)`.
 */
export function layerViolations(edges: ImportEdge[], rank: Record<string, number>): string[] {
  const out = new Set<string>();
  for (const { from, to } of edges) {
    const a = layerOf(from);
    const b = layerOf(to);
    if (a === b) continue;
    const ra = rank[a];
    const rb = rank[b];
    if (ra === undefined || rb === undefined) out.add(`${from} -> ${to} (unranked)`);
    else if (rb >= ra) out.add(`${from} -> ${to}`);
  }
  return [...out].sort();
}

/** The circles of the file graph: each strongly connected set of two or more files, sorted, joined by ` + `. */
export function importCircles(edges: ImportEdge[]): string[] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) {
    if (from === to) continue;
    next.set(from, [...(next.get(from) ?? []), to]);
    if (!next.has(to)) next.set(to, []);
  }
  // Tarjan's algorithm, iterative so a deep tree cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const circles: string[] = [];
  let counter = 0;
  for (const start of [...next.keys()].sort()) {
    if (index.has(start)) continue;
    const work: Array<{ node: string; i: number }> = [{ node: start, i: 0 }];
    index.set(start, counter); low.set(start, counter); counter++;
    stack.push(start); onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const targets = next.get(frame.node)!;
      if (frame.i < targets.length) {
        const t = targets[frame.i++]!;
        if (!index.has(t)) {
          index.set(t, counter); low.set(t, counter); counter++;
          stack.push(t); onStack.add(t);
          work.push({ node: t, i: 0 });
        } else if (onStack.has(t)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(t)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const members: string[] = [];
        for (;;) {
          const m = stack.pop()!;
          onStack.delete(m);
          members.push(m);
          if (m === frame.node) break;
        }
        if (members.length > 1) circles.push(members.sort().join(' + '));
      }
    }
  }
  return circles.sort();
}

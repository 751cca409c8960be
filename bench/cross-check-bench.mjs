// What --cross-check and the cost section cost, measured side by side in one run: the
// same replay (the typical SPA-rewrite pair, 2 workers) on v8, on njs, and with
// --cross-check on each primary engine; events/s and the ratio to the v8 replay.
// Each run in the same process, one after another, the order repeated `rounds` times
// and the best rate of each kept.
// Usage: node bench/cross-check-bench.mjs [events=50000] [rounds=2]
import { existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { createCorpusWriter, replay } from '../dist/index.js';
import { syntheticRecords } from './synthetic.mjs';

const here = new URL('.', import.meta.url).pathname;
const OLD = `${here}../examples/spa-rewrite.js`;
const NEW = `${here}../examples/spa-rewrite-fix.js`;
const events = Number(process.argv[2] ?? 50_000);
const rounds = Number(process.argv[3] ?? 2);

const dir = `${here}../test-output`;
mkdirSync(dir, { recursive: true });
const corpus = `${dir}/cross-check-bench-${events}.cfr`;
if (!existsSync(corpus)) {
  const w = await createCorpusWriter(corpus);
  for (const r of syntheticRecords(events, 7)) await w.write(r);
  await w.close();
}

const modes = [
  ['v8', {}],
  ['njs', { engine: 'njs' }],
  ['v8 --cross-check', { crossCheck: true }],
  ['njs --cross-check', { engine: 'njs', crossCheck: true }],
];
const best = new Map();
let disagreeing = 0;
let cost;
for (let round = 0; round < rounds; round++) {
  for (const [name, opts] of modes) {
    const t = performance.now();
    const report = await replay({ oldPath: OLD, newPath: NEW, corpus, workers: 2, timeoutMs: 10_000, ...opts });
    const rate = report.events / ((performance.now() - t) / 1000);
    best.set(name, Math.max(best.get(name) ?? 0, rate));
    if (report.engines) disagreeing = Math.max(disagreeing, report.engines.disagreeing);
    cost ??= report.cost;
  }
}
const base = best.get('v8');
console.log(`replay of ${events.toLocaleString('en-US')} events, 2 workers, best of ${rounds}`);
for (const [name] of modes) {
  const rate = best.get(name);
  console.log(`  ${name.padEnd(20)} ${Math.round(rate).toLocaleString('en-US').padStart(10)} events/s   x${(rate / base).toFixed(3)} of v8`);
}
console.log(`  engines disagreed on ${disagreeing} events; njs instructions per call p50 OLD ${cost?.old.p50} NEW ${cost?.new.p50}, max ${cost?.old.max} / ${cost?.new.max}`);
if (process.argv.includes('--clean')) unlinkSync(corpus);

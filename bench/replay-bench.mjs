// Replay figures, measured side by side in one run:
//  - pure: both functions on pre-decoded events in a tight loop (one thread, no diff, no workers)
//  - replay with 1 worker and with 2 workers over the whole corpus (decode, both runs, diff, histograms)
//  - main-process RSS during the run (sampled)
// Usage: node bench/replay-bench.mjs [events=1000000] [--big 10000000]
import { existsSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { createCorpusWriter, openCorpusFile, loadFunction, toViewerRequestEvent, replay } from '../dist/index.js';
import { syntheticRecords } from './synthetic.mjs';

const args = process.argv.slice(2);
const events = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const bigAt = args.indexOf('--big');
const big = bigAt >= 0 ? Number(args[bigAt + 1] ?? 10_000_000) : 0;
const out = new URL('./out/', import.meta.url).pathname;
const corpusPath = `${out}replay-${events}.cfr`;
const OLD = new URL('../examples/spa-rewrite.js', import.meta.url).pathname;
const NEW = new URL('../examples/spa-rewrite-v2.js', import.meta.url).pathname;

async function ensureCorpus(path, n) {
  if (existsSync(path)) {
    const c = await openCorpusFile(path);
    const ok = c.complete && c.events === n;
    await c.close();
    if (ok) return;
    unlinkSync(path);
  }
  const t = performance.now();
  const w = await createCorpusWriter(path, {});
  for (const r of syntheticRecords(n, 11)) await w.write(r);
  await w.close();
  console.log(`(generated ${n} events in ${((performance.now() - t) / 1000).toFixed(1)} s)`);
}

function rssSampler() {
  let peak = 0;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return () => (clearInterval(t), Math.max(peak, process.memoryUsage().rss));
}

await ensureCorpus(corpusPath, events);
console.log(`corpus ${corpusPath}: ${events} events, ${(statSync(corpusPath).size / 1e6).toFixed(1)} MB`);

// 1. pure cost: pre-decoded events, both functions, tight loop, one thread
const corpus = await openCorpusFile(corpusPath);
const pureEvents = [];
for await (const r of corpus.records()) {
  pureEvents.push([toViewerRequestEvent(r), r.time, r.rawQuery]);
  if (pureEvents.length >= 200_000) break;
}
await corpus.close();
const oldFn = loadFunction(readFileSync(OLD, 'utf8'), { filename: OLD });
const newFn = loadFunction(readFileSync(NEW, 'utf8'), { filename: NEW });
let pureRate = 0;
for (let round = 0; round < 3; round++) {
  const t = performance.now();
  for (const [ev, now, rawQuery] of pureEvents) {
    oldFn.invoke(ev, { now, rawQuery });
    newFn.invoke(ev, { now, rawQuery });
  }
  pureRate = Math.max(pureRate, pureEvents.length / ((performance.now() - t) / 1000));
}
pureEvents.length = 0;
console.log(`pure: both functions, pre-decoded, tight loop   ${Math.round(pureRate)} events/s (one thread)`);

// 2. full replay, 1 and 2 workers
async function timedReplay(workers, path) {
  const stop = rssSampler();
  const t = performance.now();
  const report = await replay({ oldPath: OLD, newPath: NEW, corpus: path, workers });
  const secs = (performance.now() - t) / 1000;
  const rss = stop();
  return { rate: report.events / secs, secs, rss, report };
}
const one = await timedReplay(1, corpusPath);
console.log(`replay, 1 worker                                 ${Math.round(one.rate)} events/s (${one.secs.toFixed(1)} s, peak RSS ${(one.rss / 1e6).toFixed(0)} MB)`);
const two = await timedReplay(2, corpusPath);
console.log(`replay, 2 workers                                ${Math.round(two.rate)} events/s (${two.secs.toFixed(1)} s, peak RSS ${(two.rss / 1e6).toFixed(0)} MB)  (target >= 200000)`);
console.log(`  changed ${two.report.changed}, groups ${two.report.diffs.length}, same as 1 worker: ${JSON.stringify(one.report.diffs.map((d) => [d.id, d.count])) === JSON.stringify(two.report.diffs.map((d) => [d.id, d.count]))}`);
console.log(`overhead: replay(1 worker) / pure                ${(one.rate / pureRate).toFixed(2)}  (target >= 0.35)`);
console.log(`scaling: 2 workers / 1 worker                    ${(two.rate / one.rate).toFixed(2)}x  (target >= 1.7)`);

// 3. optional: main-process memory on a very large corpus made of copied chunks
if (big > 0) {
  const bigPath = `${out}replay-big-${big}.cfr`;
  if (!existsSync(bigPath)) {
    const src = await openCorpusFile(corpusPath);
    const w = await createCorpusWriter(bigPath, {});
    let n = 0;
    while (n < big) for (const c of src.chunks) { if (n >= big) break; await w.appendFramed(await src.readFramedChunk(c.index)); n += c.events; }
    await src.close();
    await w.close();
  }
  const r = await timedReplay(2, bigPath);
  console.log(`replay of ${r.report.events} events, 2 workers     ${Math.round(r.rate)} events/s, peak process RSS ${(r.rss / 1e6).toFixed(0)} MB (workers included; target main < 300 MB)`);
}

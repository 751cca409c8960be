// Replay figures, measured side by side in one run, each in its own child
// process (clean memory, peak RSS from the OS):
//  - pure: both functions on pre-decoded events in a tight loop (one thread, no diff, no workers)
//  - replay with 1 worker and with 2 workers over the whole corpus (decode, both runs, diff, histograms)
//  - a worst case for the diff path (79% of events changed)
//  - optionally (--big N) a corpus of N events made of copied chunks, for main-process memory,
//    and the 2/1-worker scaling once start-up is amortised
// Usage: node bench/replay-bench.mjs [events=1000000] [--big 10000000]
import { existsSync, mkdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createCorpusWriter, openCorpusFile, loadFunction, toViewerRequestEvent, replay } from '../dist/index.js';
import { syntheticRecords } from './synthetic.mjs';

const here = new URL('.', import.meta.url).pathname;
// The typical pair: the official SPA rewrite and a fix touching ~2% of traffic.
const OLD = `${here}../examples/spa-rewrite.js`;
const NEW = `${here}../examples/spa-rewrite-fix.js`;
// A worst case for the diff path: a rewrite that changes ~79% of events.
const HEAVY_NEW = `${here}../examples/spa-rewrite-v2.js`;

const [mode, ...rest] = process.argv.slice(2);
/** CPU seconds (user + system, all threads) of a process.cpuUsage() difference. */
const cpuSecs = (u) => (u.user + u.system) / 1e6;

if (mode === '--child-pure') {
  const [path] = rest;
  const corpus = await openCorpusFile(path);
  const events = [];
  for await (const r of corpus.records()) {
    events.push([toViewerRequestEvent(r), r.time, r.rawQuery]);
    if (events.length >= 200_000) break;
  }
  await corpus.close();
  const oldFn = loadFunction(readFileSync(OLD, 'utf8'), { filename: OLD });
  const newFn = loadFunction(readFileSync(NEW, 'utf8'), { filename: NEW });
  // As in a replay chunk: state left in symbol-keyed globals is looked for per batch, not per call.
  oldFn.startBatch?.();
  newFn.startBatch?.();
  let best = 0;
  let bestCpu = 0;
  for (let round = 0; round < 3; round++) {
    const t = performance.now();
    const c = process.cpuUsage();
    for (const [ev, now, rawQuery] of events) {
      oldFn.invoke(ev, { now, rawQuery });
      newFn.invoke(ev, { now, rawQuery });
    }
    best = Math.max(best, events.length / ((performance.now() - t) / 1000));
    bestCpu = Math.max(bestCpu, events.length / (cpuSecs(process.cpuUsage(c))));
  }
  console.log(JSON.stringify({ rate: best, cpuRate: bestCpu }));
  process.exit(0);
}

if (mode === '--child-replay') {
  const [path, workers, newPath] = rest;
  const t = performance.now();
  const c = process.cpuUsage();
  const report = await replay({ oldPath: OLD, newPath, corpus: path, workers: Number(workers) });
  const secs = (performance.now() - t) / 1000;
  console.log(JSON.stringify({
    rate: report.events / secs,
    // Events per CPU-second of the whole process (main thread and workers, start-up included).
    cpuRate: report.events / cpuSecs(process.cpuUsage(c)),
    secs,
    rssMb: process.resourceUsage().maxRSS / 1024,
    events: report.events,
    changed: report.changed,
    groups: report.diffs.map((d) => [d.id, d.count]),
  }));
  process.exit(0);
}

const events = Number([mode, ...rest].find((a) => /^\d+$/.test(a ?? '')) ?? 1_000_000);
const args = [mode, ...rest];
const bigAt = args.indexOf('--big');
const big = bigAt >= 0 ? Number(args[bigAt + 1] ?? 10_000_000) : 0;
mkdirSync(`${here}out`, { recursive: true });
const corpusPath = `${here}out/replay-${events}.cfr`;

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

const child = (...a) => JSON.parse(execFileSync(process.execPath, [new URL(import.meta.url).pathname, ...a], { encoding: 'utf8', maxBuffer: 64 << 20 }).trim().split('\n').pop());

await ensureCorpus(corpusPath, events);
console.log(`corpus ${corpusPath}: ${events} events, ${(statSync(corpusPath).size / 1e6).toFixed(1)} MB; functions ${OLD} vs ${NEW}`);
const pure = child('--child-pure', corpusPath);
console.log(`pure: both functions, pre-decoded, tight loop   ${Math.round(pure.rate)} events/s (one thread)`);
const one = child('--child-replay', corpusPath, '1', NEW);
console.log(`replay, 1 worker                                 ${Math.round(one.rate)} events/s (${one.secs.toFixed(1)} s, peak RSS ${one.rssMb.toFixed(0)} MB)`);
const two = child('--child-replay', corpusPath, '2', NEW);
console.log(`replay, 2 workers                                ${Math.round(two.rate)} events/s (${two.secs.toFixed(1)} s, peak RSS ${two.rssMb.toFixed(0)} MB)  (target >= 200000)`);
console.log(`  ${two.changed} events changed (${((two.changed / two.events) * 100).toFixed(1)}%), ${two.groups.length} group(s), same groups as 1 worker: ${JSON.stringify(one.groups) === JSON.stringify(two.groups)}`);
console.log(`overhead: replay(1 worker) / pure                ${(one.rate / pure.rate).toFixed(2)}  (target >= 0.5, issue 19)`);
// The same ratio in events per CPU-second: steadier than wall time when other processes share the cores.
console.log(`  in CPU: replay(1 worker) / pure               ${(one.cpuRate / pure.cpuRate).toFixed(2)}  (${Math.round(one.cpuRate)} vs ${Math.round(pure.cpuRate)} events per CPU-second; 2 workers: ${(two.cpuRate / pure.cpuRate).toFixed(2)})`);
console.log(`scaling: 2 workers / 1 worker                    ${(two.rate / one.rate).toFixed(2)}x  (target >= 1.7)`);
const heavy = child('--child-replay', corpusPath, '2', HEAVY_NEW);
console.log(`worst case (${((heavy.changed / heavy.events) * 100).toFixed(0)}% of events changed), 2 workers    ${Math.round(heavy.rate)} events/s (${heavy.groups.length} groups)`);

if (big > 0) {
  const bigPath = `${here}out/replay-big-${big}.cfr`;
  if (!existsSync(bigPath)) {
    const src = await openCorpusFile(corpusPath);
    const w = await createCorpusWriter(bigPath, {});
    let n = 0;
    while (n < big) for (const c of src.chunks) { if (n >= big) break; await w.appendFramed(await src.readFramedChunk(c.index)); n += c.events; }
    await src.close();
    await w.close();
  }
  const r = child('--child-replay', bigPath, '2', NEW);
  console.log(`replay of ${r.events} events, 2 workers           ${Math.round(r.rate)} events/s, peak RSS of the whole process ${r.rssMb.toFixed(0)} MB (main thread and both workers; target: main < 300 MB)`);
  // The same corpus with 1 worker: scaling once the fixed start-up (worker boot, JIT warm-up:
  // ~0.35 s, about 9% of a 1M-event run) no longer weighs on the ratio.
  const r1 = child('--child-replay', bigPath, '1', NEW);
  console.log(`replay of ${r1.events} events, 1 worker            ${Math.round(r1.rate)} events/s; scaling 2/1 workers on ${r.events} events: ${(r.rate / r1.rate).toFixed(2)}x  (target >= 1.7)`);
}

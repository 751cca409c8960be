// diffRuns cost per event on real effective outputs from the sandbox.
// Usage: npx tsc -p tsconfig.json && node bench/diff-bench.mjs [--events N] [--iters M]
// Synthetic records (bench/synthetic.mjs) are run through two functions in the
// sandbox; the RunResults are then diffed in a tight loop:
//  equal:     OLD vs a second run of OLD (same output, distinct objects),
//  different: OLD vs NEW (uri rewritten + a header added),
//  signature: signatureOf + routeOf + riskOf on each entry of `different`.
// Times are CPU time of this process (process.cpuUsage, best of 3 rounds), so
// other load on the machine inflates them less than wall-clock would.
// --events: distinct events cycled through. The default (16) keeps the outputs
// in cache, like the replay, which diffs outputs right after producing them;
// --events 2000 shows the cache-cold cost.
import { PerformanceObserver } from 'node:perf_hooks';
import { loadFunction } from '../dist/runtime/index.js';
import { toEvent } from '../dist/event/views.js';
import { diffRuns, signatureOf, routeOf, riskOf, compileIgnore } from '../dist/diff/index.js';
import { syntheticRecords } from './synthetic.mjs';

const args = process.argv.slice(2);
const arg = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt; };
const N = arg('--events', 16);
const ITERS = arg('--iters', 1_000_000);

const OLD = `function handler(event) {
  var r = event.request;
  r.headers['x-edge'] = { value: 'iad' };
  return r;
}`;
const NEW = `function handler(event) {
  var r = event.request;
  r.headers['x-edge'] = { value: 'iad' };
  r.headers['x-new'] = { value: '1' };
  if (r.uri.endsWith('/')) r.uri += 'index.html'; else if (r.uri.indexOf('.') < 0) r.uri += '/index.html';
  return r;
}`;
const fOld = loadFunction(OLD);
const fNew = loadFunction(NEW);
fOld.startBatch?.(); // as in a replay chunk (symbol-keyed globals looked for per batch)
fNew.startBatch?.();
const a = [], a2 = [], b = [];
let hdrs = 0, cks = 0, qs = 0;
for (const rec of syntheticRecords(N)) {
  const ev = toEvent(rec, 'viewer-request');
  const opts = { now: rec.time, rawQuery: rec.rawQuery };
  // The sandbox copies the event into its realm itself: one event serves all runs.
  a.push(fOld.invoke(ev, opts));
  a2.push(fOld.invoke(ev, opts));
  b.push(fNew.invoke(ev, opts));
  const q = a.at(-1).effective.request;
  hdrs += Object.keys(q.headers).length; cks += Object.keys(q.cookies).length; qs += Object.keys(q.querystring).length;
}
console.log(`${N} events: avg ${(hdrs / N).toFixed(1)} headers, ${(cks / N).toFixed(1)} cookies, ${(qs / N).toFixed(1)} query params`);

let gcs = 0;
new PerformanceObserver((list) => { gcs += list.getEntries().length; }).observe({ entryTypes: ['gc'] });
const gcCount = () => gcs;

async function measure(name, fn) {
  for (let i = 0; i < Math.min(ITERS, 200_000); i++) fn(i % N); // warm up
  const rounds = 3;
  let best = Infinity, gcs = 0;
  for (let r = 0; r < rounds; r++) {
    const g0 = gcCount();
    const c0 = process.cpuUsage();
    let sink = 0;
    for (let i = 0; i < ITERS; i++) sink += fn(i % N);
    const c = process.cpuUsage(c0);
    await new Promise((r) => setTimeout(r, 50)); // let the GC observer report
    const ns = ((c.user + c.system) * 1000) / ITERS;
    if (ns < best) { best = ns; gcs = gcCount() - g0; }
    if (sink < 0) console.log(sink);
  }
  console.log(`${name.padEnd(34)} ${best.toFixed(1).padStart(7)} ns/op   ${String(gcs).padStart(4)} GCs in ${ITERS} ops`);
}

const ignore = compileIgnore(['request.headers.x-debug', 'response.headers.*']);
let entries = 0;
for (let i = 0; i < N; i++) entries += diffRuns(a[i], b[i]).length;
console.log(`different: ${(entries / N).toFixed(2)} entries per event, e.g. ${JSON.stringify(diffRuns(a[1], b[1]))}`);
await measure('diffRuns equal', (i) => diffRuns(a[i], a2[i]).length);
await measure('diffRuns equal (with --ignore)', (i) => diffRuns(a[i], a2[i], ignore).length);
await measure('diffRuns different', (i) => diffRuns(a[i], b[i]).length);
const diffs = a.map((x, i) => diffRuns(x, b[i]));
await measure('signatureOf+riskOf per entry', (i) => { let n = 0; for (const e of diffs[i]) n += signatureOf(e).length + riskOf(e).length; return n / Math.max(1, diffs[i].length); });
const uris = a.map((x) => x.effective.request.uri);
await measure('routeOf', (i) => routeOf(uris[i]).length);

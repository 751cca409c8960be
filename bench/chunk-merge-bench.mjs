// What a replay does per chunk outside its per-event loop, and once at the end, with the latency
// histograms (issue 19, per-chunk work), timed in a fresh process per round as a real run meets
// it (uncompiled code first): a worker's end of a chunk (its two histograms into the chunk
// result's form: counts, or before, hdr's compressed base64; then the structured clone
// postMessage makes), the main thread's merge of the chunk result (RunAccumulator.add) and the
// end of the run (the report's latency statistics and encoded histograms, the terminal
// summary's histogram). Chunks of 8,192 calls, durations drawn from a log-normal like V8
// calls' (0.3-3 µs, a tail to ms); the same values for every checkout.
// With --against <built checkout> both run in the same rounds, in turn, and the paired ratio
// this/against of each phase is printed (medians). Wall time of one thread: on a busy machine,
// re-measure quietly.
// Usage: npx tsc -p tsconfig.json && node bench/chunk-merge-bench.mjs [--chunks 36] [--rounds 9] [--against ../base]
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const CHUNKS = Number(opt('--chunks', '36'));
const ROUNDS = Number(opt('--rounds', '9'));
const against = opt('--against', undefined);
const here = new URL('../', import.meta.url).pathname.replace(/\/$/, '');

if (process.env.CHUNK_MERGE_CHILD !== undefined) {
  // The worker side in a worker thread (its own isolate, as in a replay): the main thread's code
  // is not warmed by what the worker ran.
  const { Worker, isMainThread, parentPort } = await import('node:worker_threads');
  const root = process.env.CHUNK_MERGE_CHILD;
  const L = await import(`${root}/dist/results/latency.js`);
  if (!isMainThread) {
    // The checkout's chunk result form: counts where it has them, else the compressed string.
    const form = L.histogramCounts ?? L.encodeHistogram;
    let s = 12345;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const duration = () => Math.max(1, Math.round(600 * Math.exp(0.8 * (rnd() + rnd() + rnd() - 1.5)) * (rnd() < 0.002 ? 200 : 1)));
    let finish = 0;
    for (let c = 0; c < CHUNKS; c++) {
      const old = L.newHistogram();
      const neu = L.newHistogram();
      for (let i = 0; i < 8192; i++) {
        L.recordDuration(old, duration());
        L.recordDuration(neu, duration());
      }
      const t0 = performance.now();
      parentPort.postMessage({
        chunk: c, events: 8192, changed: 0, noiseOnly: 0, skipped: {}, outcomes: { old: { forward: 8192 }, new: { forward: 8192 } }, transitions: {},
        groups: [], noise: [], errors: { old: [], new: [] }, histograms: { old: form(old), new: form(neu) }, samples: [], killed: { old: 0, new: 0 },
      });
      finish += performance.now() - t0;
      // One chunk at a time, as a replay worker finishes its chunks apart.
      await new Promise((r) => setTimeout(r, 2));
    }
    parentPort.postMessage({ finish });
  } else {
    const { RunAccumulator } = await import(`${root}/dist/results/run-accumulator.js`);
    const { asciiHistogram } = await import(`${root}/dist/report/terminal.js`);
    const acc = new RunAccumulator();
    let merge = 0;
    const finish = await new Promise((done) => {
      const w = new Worker(new URL(import.meta.url), { env: process.env, argv: ['--chunks', String(CHUNKS)] });
      w.on('message', (m) => {
        if (m.finish !== undefined) return done(m.finish);
        const t0 = performance.now();
        acc.add(m);
        merge += performance.now() - t0;
      });
    });
    const t3 = performance.now();
    const report = L.latencyReport(acc.histOld, acc.histNew);
    const t4 = performance.now();
    const encoded = { old: L.encodeHistogram(acc.histOld), new: L.encodeHistogram(acc.histNew) };
    const t5 = performance.now();
    asciiHistogram(L.decodeHistogram(encoded.old), L.decodeHistogram(encoded.new));
    const t6 = performance.now();
    const out = { finish, merge, end: t6 - t3, stats: t4 - t3, encode: t5 - t4, terminal: t6 - t5 };
    process.stdout.write(JSON.stringify({ ...out, check: [report.old.p99, report.new.p999, encoded.old.length] }));
    process.exit(0);
  }
} else {
const median = (xs) => { const v = [...xs].sort((a, b) => a - b); return v[(v.length - 1) >> 1]; };
const once = (root) => {
  const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--chunks', String(CHUNKS)], { env: { ...process.env, CHUNK_MERGE_CHILD: root }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${root}: ${r.stderr}`);
  return JSON.parse(r.stdout);
};
const roots = [['this', here], ...(against !== undefined ? [['against', resolve(against)]] : [])];
const rows = Object.fromEntries(roots.map(([label]) => [label, []]));
for (let r = 0; r < ROUNDS; r++) for (const [label, root] of roots) rows[label].push(once(root));
const phases = [
  ['finish', 'worker: chunk histograms into the result, postMessage'],
  ['merge', 'main: RunAccumulator.add'],
  ['end', 'main: end of run, of which'],
  ['stats', '  the report\'s latency statistics (latencyReport)'],
  ['encode', '  the report\'s two encoded histograms'],
  ['terminal', '  the terminal summary\'s histogram (decode, walk)'],
];
console.log(`${CHUNKS} chunks of 8,192 calls, ${ROUNDS} rounds, fresh process each (ms, medians)`);
for (const [key, what] of phases) {
  let line = `  ${what.padEnd(62)} this ${median(rows.this.map((x) => x[key])).toFixed(1).padStart(6)}`;
  if (against !== undefined) {
    line += `  against ${median(rows.against.map((x) => x[key])).toFixed(1).padStart(6)}  paired this/against ${median(rows.this.map((x, i) => x[key] / rows.against[i][key])).toFixed(2)}`;
  }
  console.log(line);
}
if (against !== undefined && JSON.stringify(rows.this[0].check) !== JSON.stringify(rows.against[0].check)) console.log(`  ! different results: ${JSON.stringify(rows.this[0].check)} vs ${JSON.stringify(rows.against[0].check)}`);
}

// ns per LoadedFunction.invoke() on realistic events (synthetic traffic).
// Usage: npx tsc -p tsconfig.json && node bench/invoke-profile.mjs [--events N] [--rounds R] [--only NAME]
//        node bench/invoke-profile.mjs --digest   (prints a hash of every observable result, to compare before/after a change)
//        node --cpu-prof --cpu-prof-dir=bench/out/prof bench/invoke-profile.mjs --only spa-rewrite --rounds 20
// Events are built up front (toViewerRequestEvent / toViewerResponseEvent of
// the synthetic corpus) and invoked with { now: record.time, rawQuery:
// record.rawQuery }, like the replay engine. The figure is the best round:
// other processes share the cores, the minimum is the least disturbed run
// (see SLICE below).
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { syntheticRecords } from './synthetic.mjs';
import { loadFunction, toViewerRequestEvent, toViewerResponseEvent } from '../dist/index.js';

const args = process.argv.slice(2);
const arg = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const N = Number(arg('--events', 5000));
const ROUNDS = Number(arg('--rounds', 7));
const ONLY = arg('--only', undefined);
const DIGEST = args.includes('--digest');

const root = new URL('../', import.meta.url);
const FUNCTIONS = [
  { name: 'spa-rewrite', file: 'examples/spa-rewrite.js', type: 'viewer-request' },
  { name: 'spa-rewrite-v2', file: 'examples/spa-rewrite-v2.js', type: 'viewer-request' },
  { name: 'security-headers', file: 'test/fixtures/functions/security-headers.js', type: 'viewer-response' },
  { name: 'normalize-query', file: 'test/fixtures/functions/normalize-query.js', type: 'viewer-request' },
  { name: 'redirect-by-country', file: 'test/fixtures/functions/redirect-by-country.js', type: 'viewer-request' },
];

const records = [...syntheticRecords(N)];
const inputs = {
  'viewer-request': records.map((r) => ({ event: toViewerRequestEvent(r), opts: { now: r.time, rawQuery: r.rawQuery } })),
  'viewer-response': records
    .map((r) => ({ event: toViewerResponseEvent(r), opts: { now: r.time, rawQuery: r.rawQuery } }))
    .filter((x) => x.event !== undefined),
};

function observable(r) {
  return JSON.stringify([r.outcome, r.effective, r.raw, r.logs, r.logsTruncated, r.sideEffects, r.runtime, r.eventType]);
}

const selected = FUNCTIONS.filter((f) => ONLY === undefined || f.name === ONLY);
for (const f of selected) {
  const fn = loadFunction(readFileSync(new URL(f.file, root), 'utf8'), { filename: f.file });
  // As in a replay chunk: state left in symbol-keyed globals is looked for per batch, not per call.
  fn.startBatch?.();
  const list = inputs[f.type];
  if (DIGEST) {
    const h = createHash('sha256');
    const kinds = {};
    for (const { event, opts } of list) {
      const r = fn.invoke(event, opts);
      kinds[r.outcome.kind] = (kinds[r.outcome.kind] ?? 0) + 1;
      h.update(observable(r));
      h.update('\n');
    }
    console.log(`${f.name.padEnd(20)} ${h.digest('hex').slice(0, 16)} ${JSON.stringify(kinds)}`);
    continue;
  }
  // The machine is shared: each round is timed in slices of SLICE events, and
  // the figure is the sum over slices of each slice's fastest round (divided
  // by the event count), i.e. the least disturbed run of every event.
  const SLICE = 250;
  const nSlices = Math.ceil(list.length / SLICE);
  const bestSlice = new Array(nSlices).fill(Infinity);
  let sink = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (let s = 0; s < nSlices; s++) {
      const end = Math.min(list.length, (s + 1) * SLICE);
      const t0 = process.hrtime.bigint();
      for (let i = s * SLICE; i < end; i++) {
        const r = fn.invoke(list[i].event, list[i].opts);
        sink += r.durationNs & 1;
      }
      const ns = Number(process.hrtime.bigint() - t0);
      if (round > 0 || ROUNDS === 1) bestSlice[s] = Math.min(bestSlice[s], ns); // round 0 warms up
    }
  }
  const best = bestSlice.reduce((a, b) => a + b, 0) / list.length;
  console.log(`${f.name.padEnd(20)} ${f.type.padEnd(16)} ${best.toFixed(0).padStart(6)} ns/invoke  (${list.length} events, best of ${ROUNDS - 1} rounds per ${SLICE}-event slice)${sink < 0 ? '' : ''}`);
}

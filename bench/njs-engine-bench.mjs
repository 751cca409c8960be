#!/usr/bin/env node
// njs engine (WebAssembly) vs V8 engine, fresh state per event on both, one thread:
//   node bench/njs-engine-bench.mjs [events=20000] [rounds=3]
// Prints, side by side in one run: calls/s per engine and function, the ratio,
// module sizes, instantiate time, compile (load) time per function, wasm memory.
// Needs `npx tsc -p tsconfig.json` first (loads dist/). Timings need a quiet machine.
import { readFileSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const root = new URL('../', import.meta.url);
const { loadFunction } = await import(new URL('dist/runtime/loader.js', root).href);
const { loadNjsFunction } = await import(new URL('dist/runtime/njs/loader.js', root).href);
const { NjsInstance, ENGINE_DIST } = await import(new URL('dist/runtime/njs/engine.js', root).href);
const { openCorpus } = await import(new URL('dist/store/index.js', root).href);
const { toEvent } = await import(new URL('dist/event/views.js', root).href);

const N = Number(process.argv[2] ?? 20000);
const ROUNDS = Number(process.argv[3] ?? 3);

const corpus = await openCorpus(new URL('recordings/sample.cfr', root).pathname);
const events = [];
for await (const r of corpus.records()) {
  const ev = toEvent(r, 'viewer-request');
  if (ev) events.push({ ev, now: r.time });
  if (events.length >= 2000) break;
}
await corpus.close();

const FUNCTIONS = [
  ['spa-rewrite', 'examples/spa-rewrite.js'],
  ['security-headers', 'test/fixtures/replay/security-headers.js'],
];

function rate(fn, needsResponse) {
  const list = needsResponse ? events.map((e) => ({ ...e, ev: { ...e.ev, context: { ...e.ev.context, eventType: 'viewer-response' }, response: { statusCode: 200, statusDescription: 'OK', headers: { 'content-type': { value: 'text/html' } }, cookies: {} } } })) : events;
  for (let i = 0; i < 1000; i++) fn.invoke(list[i % list.length].ev, { now: list[i % list.length].now });
  let best = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const e = list[i % list.length];
      fn.invoke(e.ev, { now: e.now });
    }
    best = Math.max(best, N / ((performance.now() - t0) / 1000));
  }
  return best;
}

console.log(`events: ${events.length} distinct viewer-request events from recordings/sample.cfr, ${N} calls x ${ROUNDS} rounds (best round)`);
console.log('');
console.log('function'.padEnd(18), 'runtime'.padEnd(18), 'v8 calls/s'.padStart(12), 'njs calls/s'.padStart(12), 'v8/njs'.padStart(8), 'njs steps/call'.padStart(15), 'njs load ms'.padStart(12));
for (const [name, file] of FUNCTIONS) {
  const source = readFileSync(new URL(file, root), 'utf8');
  const needsResponse = /event\.response/.test(source);
  const v8 = loadFunction(source, { filename: file });
  let t = performance.now();
  const njs = loadNjsFunction(source, { filename: file });
  const loadMs = performance.now() - t;
  const steps = njs.invoke(needsResponse ? { ...events[0].ev, context: { ...events[0].ev.context, eventType: 'viewer-response' }, response: { statusCode: 200, headers: {}, cookies: {} } } : events[0].ev, { now: events[0].now }).steps;
  const a = rate(v8, needsResponse);
  const b = rate(njs, needsResponse);
  console.log(name.padEnd(18), v8.runtime.padEnd(18), a.toFixed(0).padStart(12), b.toFixed(0).padStart(12), (a / b).toFixed(1).padStart(8), String(steps).padStart(15), loadMs.toFixed(1).padStart(12));
}

console.log('');
for (const rt of ['cloudfront-js-1.0', 'cloudfront-js-2.0']) {
  const wasm = statSync(ENGINE_DIST + rt + '/njsw.wasm').size;
  const glue = statSync(ENGINE_DIST + rt + '/njsw.cjs').size;
  // The first instance of a runtime compiles the module; later ones only instantiate.
  let t = performance.now();
  const first = new NjsInstance(rt);
  const firstMs = performance.now() - t;
  t = performance.now();
  const K = 20;
  for (let i = 0; i < K; i++) new NjsInstance(rt);
  const nextMs = (performance.now() - t) / K;
  const src = readFileSync(new URL('examples/spa-rewrite.js', root), 'utf8');
  t = performance.now();
  for (let i = 0; i < K; i++) loadNjsFunction(src, { runtime: rt });
  const loadMs = (performance.now() - t) / K;
  console.log(`${rt}: njs ${first.version}, wasm ${(wasm / 1024).toFixed(0)} KB + loader ${(glue / 1024).toFixed(0)} KB; first instance (compile + instantiate) ${firstMs.toFixed(1)} ms, next instances ${nextMs.toFixed(1)} ms, load a function (instance + compile) ${loadMs.toFixed(1)} ms, wasm memory per instance ${(first.memoryBytes / 1048576).toFixed(0)} MB`);
}
console.log('');
console.log(`process RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB after the run. Re-measure on a quiet machine; only ratios within one run compare.`);

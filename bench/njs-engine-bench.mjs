#!/usr/bin/env node
// njs engine (WebAssembly) vs V8 engine, side by side in one run:
//   node bench/njs-engine-bench.mjs [calls=20000] [rounds=3] [--replay EVENTS] [--phases]
// Prints
//  1. per function (the SPA rewrite, the security-headers example), fresh state per event on
//     both engines, one thread: calls/s (best round), CPU us per call (process.cpuUsage, less
//     noisy on a shared machine), the V8/njs ratios, njs steps per call, load (compile) time;
//  2. with --phases: where one njs call's time goes (clone + top-level code, event JSON
//     parse, result JSON serialization, prelude, host side), measured by subtraction;
//  3. per runtime: wasm and loader size, first instance (compile + instantiate), next
//     instances, load a function, wasm memory per instance;
//  4. with --replay N (default 200000; the figure is 1000000): `replay` end to end
//     on 2 workers over a generated corpus of N events (bench/out/, shared with
//     replay-bench.mjs), the typical pair spa-rewrite.js -> spa-rewrite-fix.js, for both
//     engines, each in its own child process: events/s, CPU us per event of the whole process
//     (main thread and both workers), the rate 2 cores would give at that CPU cost (the
//     estimate that holds on a loaded machine), peak RSS, and the same diff groups on both.
// Needs `npx tsc -p tsconfig.json` first (loads dist/). Timings need a quiet machine; the
// CPU-time figures and the ratios within one run are what compare across machines.
import { existsSync, mkdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';

const root = new URL('../', import.meta.url);
const here = new URL('.', import.meta.url).pathname;
const args = process.argv.slice(2);

if (args[0] === '--child-replay') {
  const [, path, engine, workers] = args;
  const { replay } = await import(new URL('dist/index.js', root).href);
  const c0 = process.cpuUsage();
  const t = performance.now();
  const report = await replay({
    oldPath: `${here}../examples/spa-rewrite.js`,
    newPath: `${here}../examples/spa-rewrite-fix.js`,
    corpus: path,
    workers: Number(workers),
    engine,
  });
  const secs = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(c0);
  console.log(JSON.stringify({
    rate: report.events / secs,
    secs,
    cpuUsPerEvent: (cpu.user + cpu.system) / report.events,
    rssMb: process.resourceUsage().maxRSS / 1024,
    events: report.events,
    changed: report.changed,
    groups: report.diffs.map((d) => [d.id, d.count]),
  }));
  process.exit(0);
}

const { loadFunction } = await import(new URL('dist/runtime/loader.js', root).href);
const { loadNjsFunction } = await import(new URL('dist/runtime/njs/loader.js', root).href);
const { NjsInstance, ENGINE_DIST } = await import(new URL('dist/runtime/njs/engine.js', root).href);
const { njsPrelude } = await import(new URL('dist/runtime/njs/prelude.js', root).href);
const { openCorpus } = await import(new URL('dist/store/index.js', root).href);
const { toEvent } = await import(new URL('dist/event/views.js', root).href);

// Compile each module first, before anything else in this process touched it (V8 caches
// compiled modules by their bytes: a later compile of the same bytes costs nothing).
const compileMs = {};
for (const rt of ['cloudfront-js-1.0', 'cloudfront-js-2.0']) {
  const bytes = readFileSync(ENGINE_DIST + rt + '/njsw.wasm');
  const t = performance.now();
  new WebAssembly.Module(bytes);
  compileMs[rt] = performance.now() - t;
}

const numbers = args.filter((a) => /^\d+$/.test(a));
const N = Number(numbers[0] ?? 20000);
const ROUNDS = Number(numbers[1] ?? 3);
const replayAt = args.indexOf('--replay');
const REPLAY = replayAt >= 0 ? Number(/^\d+$/.test(args[replayAt + 1] ?? '') ? args[replayAt + 1] : 200000) : 0;
const PHASES = args.includes('--phases');

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

function withResponse(e) {
  return { ...e, ev: { ...e.ev, context: { ...e.ev.context, eventType: 'viewer-response' }, response: { statusCode: 200, statusDescription: 'OK', headers: { 'content-type': { value: 'text/html' } }, cookies: {} } } };
}

/** Best round's calls/s and the CPU us per call over all rounds. */
function rate(fn, list) {
  for (let i = 0; i < 1000; i++) fn.invoke(list[i % list.length].ev, { now: list[i % list.length].now });
  let best = 0;
  const c0 = process.cpuUsage();
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const e = list[i % list.length];
      fn.invoke(e.ev, { now: e.now });
    }
    best = Math.max(best, N / ((performance.now() - t0) / 1000));
  }
  const c = process.cpuUsage(c0);
  return { best, cpuUs: (c.user + c.system) / (N * ROUNDS) };
}

console.log(`events: ${events.length} distinct viewer-request events from recordings/sample.cfr (${JSON.stringify(events[0].ev).length} bytes of JSON each, about), ${N} calls x ${ROUNDS} rounds`);
console.log('');
console.log(
  'function'.padEnd(18), 'runtime'.padEnd(18),
  'v8 calls/s'.padStart(11), 'njs calls/s'.padStart(12), 'v8/njs'.padStart(7),
  'v8 us cpu'.padStart(10), 'njs us cpu'.padStart(11), 'ratio'.padStart(6),
  'njs steps'.padStart(10), 'njs load ms'.padStart(12),
);
for (const [name, file] of FUNCTIONS) {
  const source = readFileSync(new URL(file, root), 'utf8');
  const list = /event\.response/.test(source) ? events.map(withResponse) : events;
  const v8 = loadFunction(source, { filename: file });
  v8.startBatch(); // as in a replay chunk (symbol-keyed globals looked for per batch, not per call)
  const t = performance.now();
  const njs = loadNjsFunction(source, { filename: file });
  const loadMs = performance.now() - t;
  const steps = njs.invoke(list[0].ev, { now: list[0].now }).steps;
  const a = rate(v8, list);
  const b = rate(njs, list);
  console.log(
    name.padEnd(18), v8.runtime.padEnd(18),
    a.best.toFixed(0).padStart(11), b.best.toFixed(0).padStart(12), (a.best / b.best).toFixed(1).padStart(7),
    a.cpuUs.toFixed(1).padStart(10), b.cpuUs.toFixed(1).padStart(11), (b.cpuUs / a.cpuUs).toFixed(1).padStart(6),
    String(steps).padStart(10), loadMs.toFixed(1).padStart(12),
  );
}

if (PHASES) {
  // Where one call goes, by subtraction between programs that stop earlier (CPU us per call).
  console.log('');
  console.log('njs call phases (CPU us per call, the SPA rewrite on the sample events; by subtraction):');
  const jsons = events.slice(0, 500).map((e) => JSON.stringify(e.ev));
  const spa = readFileSync(new URL('examples/spa-rewrite.js', root), 'utf8');
  for (const rt of ['cloudfront-js-1.0', 'cloudfront-js-2.0']) {
    // Each program's instance is made once; the programs then run in turn, three times, and
    // each keeps its lowest CPU time per call (the machine's other work only adds).
    const prepare = (program, noEvent = false) => {
      const inst = new NjsInstance(rt);
      const err = inst.load(program);
      if (err !== null) throw new Error(err);
      inst.setLimits(10_000_000, 2 * 1024 * 1024);
      return (i) => inst.run(noEvent ? undefined : jsons[i % jsons.length], 'viewer-request', false, '', 1, 1, 2);
    };
    const bare = (run, finish) => `function __cfreplay_run(e) { ${run} } function __cfreplay_finish() { ${finish} }`;
    const prelude = njsPrelude({ runtime: rt, kvs: undefined, edge: { name: 'x' } });
    const fn = loadNjsFunction(spa, { filename: 'spa-rewrite.js', runtime: rt });
    const list = events.slice(0, 500);
    const programs = {
      clone: prepare(bare('', 'return 1;'), true),
      parsed: prepare(bare('', 'return 1;')),
      serialized: prepare(bare('globalThis.r = e.request;', 'return globalThis.r;')),
      withPrelude: prepare(prelude + 'function handler(event) { return 1; }'),
      full: prepare(prelude + spa),
      invoke: (i) => fn.invoke(list[i % 500].ev, { now: list[i % 500].now }),
    };
    const best = {};
    for (let round = 0; round < 3; round++) {
      for (const [name, run] of Object.entries(programs)) {
        for (let i = 0; i < 300; i++) run(i);
        const c0 = process.cpuUsage();
        for (let i = 0; i < N; i++) run(i);
        const c = process.cpuUsage(c0);
        best[name] = Math.min(best[name] ?? Infinity, (c.user + c.system) / N);
      }
    }
    const { clone, parsed, serialized, withPrelude, full, invoke } = best;
    console.log(
      `  ${rt}: clone + start + destroy ${clone.toFixed(1)}, event JSON.parse ${(parsed - clone).toFixed(1)}, ` +
        `request JSON.stringify ${(serialized - parsed).toFixed(1)}, prelude (top-level + envelope) ${(withPrelude - parsed).toFixed(1)}, ` +
        `whole wasm call ${full.toFixed(1)}, host side (JSON, validation, RunResult) ${(invoke - full).toFixed(1)}, invoke ${invoke.toFixed(1)}`,
    );
  }
}

console.log('');
for (const rt of ['cloudfront-js-1.0', 'cloudfront-js-2.0']) {
  const wasm = statSync(ENGINE_DIST + rt + '/njsw.wasm').size;
  const glue = statSync(ENGINE_DIST + rt + '/njsw.cjs').size;
  // Compiling the module happens once per runtime and thread (timed at the start, above).
  const first = new NjsInstance(rt);
  let t = performance.now();
  const K = 20;
  for (let i = 0; i < K; i++) new NjsInstance(rt);
  const nextMs = (performance.now() - t) / K;
  const src = readFileSync(new URL('examples/spa-rewrite.js', root), 'utf8');
  t = performance.now();
  for (let i = 0; i < K; i++) loadNjsFunction(src, { runtime: rt });
  const loadMs = (performance.now() - t) / K;
  console.log(`${rt}: njs ${first.version}, wasm ${(wasm / 1024).toFixed(0)} KB + loader ${(glue / 1024).toFixed(0)} KB; compile the module ${compileMs[rt].toFixed(1)} ms, instantiate ${nextMs.toFixed(1)} ms, load a function (instance + compile) ${loadMs.toFixed(1)} ms, wasm memory per instance ${(first.memoryBytes / 1048576).toFixed(0)} MB (a replay worker holds two: OLD and NEW)`);
}
console.log('');
console.log(`process RSS ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB after the calls above.`);

if (REPLAY > 0) {
  const { createCorpusWriter, openCorpusFile } = await import(new URL('dist/index.js', root).href);
  const { syntheticRecords } = await import(new URL('bench/synthetic.mjs', root).href);
  mkdirSync(`${here}out`, { recursive: true });
  const path = `${here}out/replay-${REPLAY}.cfr`;
  let ok = false;
  if (existsSync(path)) {
    const c = await openCorpusFile(path);
    ok = c.complete && c.events === REPLAY;
    await c.close();
    if (!ok) unlinkSync(path);
  }
  if (!ok) {
    const w = await createCorpusWriter(path, {});
    for (const r of syntheticRecords(REPLAY, 11)) await w.write(r);
    await w.close();
  }
  const child = (...a) => JSON.parse(execFileSync(process.execPath, [new URL(import.meta.url).pathname, ...a], { encoding: 'utf8', maxBuffer: 64 << 20 }).trim().split('\n').pop());
  console.log('');
  console.log(`replay end to end, 2 workers, ${REPLAY} events (${(statSync(path).size / 1e6).toFixed(1)} MB), spa-rewrite.js -> spa-rewrite-fix.js:`);
  const res = {};
  for (const engine of ['v8', 'njs']) {
    const r = child('--child-replay', path, engine, '2');
    res[engine] = r;
    console.log(
      `  ${engine.padEnd(4)} ${Math.round(r.rate).toString().padStart(8)} events/s (${r.secs.toFixed(1)} s), ${r.cpuUsPerEvent.toFixed(1)} us CPU per event ` +
        `(2 cores at that cost: ${Math.round(2e6 / r.cpuUsPerEvent)} events/s), peak RSS ${r.rssMb.toFixed(0)} MB, ${r.changed} changed`,
    );
  }
  console.log(
    `  v8/njs: ${(res.v8.rate / res.njs.rate).toFixed(1)}x by wall clock, ${(res.njs.cpuUsPerEvent / res.v8.cpuUsPerEvent).toFixed(1)}x by CPU time; ` +
      `same diff groups: ${JSON.stringify(res.v8.groups) === JSON.stringify(res.njs.groups)}; issue 13's bar for njs as the default: >= 50000 events/s on 2 workers`,
  );
}
console.log('Re-measure on a quiet machine; only ratios within one run compare.');

// What a warm spare worker saves when calls are stopped: a corpus of synthetic traffic where
// 1 event in 100 makes NEW loop forever (20,000 events: 200 stopped calls), replayed with the
// pool's warm spare (a worker started as one is lost, ready when the next is) and without
// (each stopped call waits for a cold worker: module load and function compile), side by side
// in one run, each replay in its own child process, alternating, rounds repeated; the median
// wall time and CPU of each are printed, and their ratio.
//
// Usage: node bench/stopped-calls-bench.mjs [events=20000] [--every 100] [--rounds 3] [--workers 2] [--timeout-ms 250]
//   (build first: npx tsc -p tsconfig.json)
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const here = new URL('.', import.meta.url).pathname;
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};

const PASS = 'function handler(event) { return event.request; }\n';
// Loops on the marked events only (their path starts with /hang/), passes the rest through.
const HANG = 'function handler(event) {\n  if (event.request.uri.indexOf("/hang/") === 0) { while (true) {} }\n  return event.request;\n}\n';

if (args[0] === '--child') {
  const [, corpus, dir, workers, timeoutMs, spare] = args;
  const { replay } = await import('../dist/index.js');
  const c0 = process.cpuUsage();
  const t = performance.now();
  const report = await replay({
    oldPath: `${dir}/pass.js`,
    newPath: `${dir}/hang.js`,
    corpus,
    workers: Number(workers),
    timeoutMs: Number(timeoutMs),
    maxStoppedCalls: 1_000_000,
    spareWorker: spare === 'on',
  });
  const secs = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(c0);
  console.log(JSON.stringify({ secs, cpuSecs: (cpu.user + cpu.system) / 1e6, events: report.events, timeouts: report.outcomes.new.timeout ?? 0, stoppedEarly: report.run.stoppedEarly ?? null }));
  process.exit(0);
}

const events = Number(args.find((a, i) => /^\d+$/.test(a) && !['--rounds', '--workers', '--every', '--timeout-ms'].includes(args[i - 1] ?? '')) ?? 20_000);
const every = Number(opt('--every', '100'));
const rounds = Number(opt('--rounds', '3'));
const workers = opt('--workers', '2');
const timeoutMs = opt('--timeout-ms', '250');

const { createCorpusWriter, openCorpusFile, buildRecordedExchange, DEFAULT_BUILD_OPTIONS } = await import('../dist/index.js');
const { prng, syntheticExchange } = await import('./synthetic.mjs');
const dir = `${here}out/stopped-calls`;
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}/pass.js`, PASS);
writeFileSync(`${dir}/hang.js`, HANG);
const corpus = `${dir}/corpus-${events}-${every}.cfr`;
const fresh = existsSync(corpus) && (await (async () => { const c = await openCorpusFile(corpus); const ok = c.complete && c.events === events; await c.close(); return ok; })());
if (!fresh) {
  const w = await createCorpusWriter(corpus, {});
  const r = prng(7);
  const base = Date.UTC(2026, 10, 1);
  for (let i = 0; i < events; i++) {
    const x = syntheticExchange(r, i, base);
    if (i % every === every >> 1) x.url = `https://www.example.com/hang/${i}`;
    await w.write(buildRecordedExchange(x, DEFAULT_BUILD_OPTIONS));
  }
  await w.close();
}
const marked = Math.floor((events - 1 - (every >> 1)) / every) + 1;
console.log(`corpus ${corpus}: ${events} events, ${marked} loop forever; --workers ${workers}, --timeout-ms ${timeoutMs}; ${rounds} rounds, alternating`);

const runs = { off: [], on: [] };
for (let round = 0; round < rounds; round++) {
  for (const spare of round % 2 === 0 ? ['off', 'on'] : ['on', 'off']) {
    const out = execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--child', corpus, dir, workers, timeoutMs, spare], { encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop());
    if (r.timeouts < marked || r.stoppedEarly !== null) throw new Error(`spare ${spare}: ${r.timeouts} timeouts (expected ${marked}), stopped early: ${r.stoppedEarly}`);
    runs[spare].push(r);
    // More timeouts than marked events: an ordinary call charged past the budget, a machine too busy to measure on.
    const extra = r.timeouts > marked ? ` (${r.timeouts - marked} more timeouts than marked events: machine overloaded)` : '';
    console.log(`  round ${round + 1}, spare ${spare.padEnd(3)}: ${r.secs.toFixed(2)} s wall, ${r.cpuSecs.toFixed(2)} s CPU${extra}`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const off = { secs: median(runs.off.map((r) => r.secs)), cpu: median(runs.off.map((r) => r.cpuSecs)) };
const on = { secs: median(runs.on.map((r) => r.secs)), cpu: median(runs.on.map((r) => r.cpuSecs)) };
const floor = (marked * Number(timeoutMs)) / 1000 / Number(workers);
console.log(`\n                    wall (median)   CPU (median)`);
console.log(`no spare (before)   ${off.secs.toFixed(2).padStart(9)} s   ${off.cpu.toFixed(2).padStart(9)} s`);
console.log(`warm spare (after)  ${on.secs.toFixed(2).padStart(9)} s   ${on.cpu.toFixed(2).padStart(9)} s`);
console.log(`after/before        ${(on.secs / off.secs).toFixed(2).padStart(9)}x   ${(on.cpu / off.cpu).toFixed(2).padStart(9)}x`);
console.log(`(the budgets alone: ${marked} x ${timeoutMs} ms / ${workers} workers = ${floor.toFixed(1)} s)`);

// What V8's optimizing compiler does in a whole `cfreplay replay` (issue 19): TurboFan compiles
// and deoptimizations per function, summed over every thread of the process (main thread and
// workers), from node --trace-opt --trace-deopt. The compile times it prints are the trace's own
// (inflated by tracing, and by load): compare counts, and times only between runs side by side.
// A function compiled again after a deopt is compile CPU spent twice; the reasons say why.
// Usage: npm run build && node bench/jit-trace.mjs <corpus.cfr> [--workers 2] [--top 40]
//          [--only name,name] [--against <another built checkout>] [--keep <trace.txt>]
//   --only     just these function names (e.g. replayRecords,next,int,recordEvent)
//   --against  the same command of another checkout right after, both summaries printed
// Names are V8's (a method's own name: the three column decoders are all `next`); the threads'
// trace lines interleave, so a few lines per run may be lost (counts are within 1-2).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const [corpus] = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (corpus === undefined) {
  console.error('usage: node bench/jit-trace.mjs <corpus.cfr> [--workers 2] [--top 40] [--only a,b] [--against DIR] [--keep FILE]');
  process.exit(2);
}
const here = new URL('../', import.meta.url).pathname.replace(/\/$/, '');
const TOP = Number(opt('--top') ?? 40);
const ONLY = opt('--only')?.split(',');
const AGAINST = opt('--against');

function trace(dir) {
  const res = spawnSync(
    process.execPath,
    ['--trace-opt', '--trace-deopt', `${dir}/bin/cfreplay`, 'replay', '--old', `${here}/examples/spa-rewrite.js`, '--new', `${here}/examples/spa-rewrite-fix.js`,
      '--corpus', corpus, '--workers', opt('--workers') ?? '2', '--json', `/tmp/cfreplay-jit-trace-${process.pid}.json`],
    { encoding: 'utf8', maxBuffer: 1 << 30 },
  );
  // 1: the replay found changes (spa-rewrite vs its fix does).
  if (res.status !== 0 && res.status !== 1) {
    console.error(`${dir}: the replay exited with ${res.status}: ${res.stderr.slice(-400)}`);
    process.exit(1);
  }
  return res.stdout + res.stderr;
}

function summarize(text) {
  const fns = new Map();
  const of = (name) => fns.get(name) ?? fns.set(name, { compiles: 0, ms: 0, deopts: {} }).get(name);
  let compiles = 0;
  let ms = 0;
  let deopts = 0;
  for (const m of text.matchAll(/completed compiling 0x[0-9a-f]+ <JSFunction ([^ >]*) \(sfi[^)]*\)> \(target TURBOFAN\)(?: OSR)? - took ([\d.]+), ([\d.]+), ([\d.]+) ms/g)) {
    const t = Number(m[2]) + Number(m[3]) + Number(m[4]);
    const f = of(m[1]);
    f.compiles++;
    f.ms += t;
    compiles++;
    ms += t;
  }
  for (const m of text.matchAll(/bailout \(kind: [^,]+, reason: ([^)]*)\): begin\. deoptimizing 0x[0-9a-f]+ <JSFunction ([^ >]*) /g)) {
    const f = of(m[2]);
    f.deopts[m[1]] = (f.deopts[m[1]] ?? 0) + 1;
    deopts++;
  }
  return { fns, compiles, ms, deopts };
}

function print(label, s) {
  console.log(`${label}: ${s.compiles} TurboFan compiles (${s.ms.toFixed(0)} ms as traced), ${s.deopts} deopts`);
  const rows = [...s.fns].filter(([name]) => ONLY === undefined || ONLY.includes(name)).sort((a, b) => b[1].ms - a[1].ms).slice(0, ONLY ? undefined : TOP);
  for (const [name, f] of rows) {
    const why = Object.entries(f.deopts).map(([r, n]) => `${n}x ${r}`).join('; ');
    console.log(`  ${String(f.compiles).padStart(3)} compiles ${f.ms.toFixed(1).padStart(7)} ms  ${name.padEnd(30)} ${why}`);
  }
}

const text = trace(here);
if (opt('--keep')) writeFileSync(opt('--keep'), text);
print('this', summarize(text));
if (AGAINST) print(AGAINST, summarize(trace(AGAINST)));

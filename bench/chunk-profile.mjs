// What a replay worker does, on one thread, for a CPU profile or a CPU-time split:
// load both functions (as the worker does), then processChunk over every chunk of a corpus.
// Usage: npx tsc -p tsconfig.json && node [--cpu-prof --cpu-prof-dir=bench/out/prof] bench/chunk-profile.mjs <corpus.cfr> [old.js new.js] [--rounds 2]
//          [--per-chunk] [--chunks N] [--against <another built checkout>]
// Prints CPU ms of loading and of each round (the first round includes JIT warm-up).
//   --per-chunk  CPU us/event of each chunk of round 1 (where the JIT warm-up shows)
//   --chunks N   only the first N chunks (a profile of the warm-up)
//   --against D  before/after in one process: the checkout D (its dist/, built) and this one run
//                every chunk one after the other, in alternating order, each timed on its own;
//                prints both per round, the ratio this/D, the median per-chunk ratio (rounds 2+),
//                and whether both gave the same chunk results (every field but the timings).
//                On a shared machine this is the figure to trust: both sides see the same load.
//                D needs node_modules of its own (cp -a, not a symlink to this checkout's): two sides
//                that share one copy share its modules (msgpackr, hdr-histogram-js) and their type
//                feedback, and the ratio can be off by far more than what is measured (0.70 instead
//                of 0.98 for two builds whose own code differed only in the replay worker's loop).
import { readFileSync, realpathSync } from 'node:fs';
import { createHash } from 'node:crypto';

const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const pos = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const here = new URL('../', import.meta.url).pathname;
const [path, oldPath = `${here}examples/spa-rewrite.js`, newPath = `${here}examples/spa-rewrite-fix.js`] = pos;
const ROUNDS = Number(opt('--rounds') ?? 2);
const PER_CHUNK = args.includes('--per-chunk');
const MAX_CHUNKS = Number(opt('--chunks') ?? Infinity);
const AGAINST = opt('--against');
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

async function side(dir) {
  const m = await import(`${dir}/dist/index.js`);
  const c0 = cpu();
  const fns = {
    old: m.loadFunction(readFileSync(oldPath, 'utf8'), { filename: oldPath, eventType: 'viewer-request' }),
    new: m.loadFunction(readFileSync(newPath, 'utf8'), { filename: newPath, eventType: 'viewer-request' }),
  };
  return { dir, m, fns, loadMs: cpu() - c0, hash: createHash('sha256') };
}
const run = (s, task) => s.m.processChunk(task, s.fns, { eventType: 'viewer-request', noise: true, seed: 1, samplesPerChunk: 20 });
/** A chunk result without its timings (histograms, durations), for the same-results check. */
const untimed = (r) => JSON.stringify(r, (k, v) => (k === 'histograms' || k === 'durationNs' ? undefined : v));

if (AGAINST) {
  const modules = (dir) => { try { return realpathSync(`${dir}/node_modules`); } catch { return undefined; } };
  const shared = modules(AGAINST);
  if (shared !== undefined && shared === modules(here)) {
    console.log(`warning: ${AGAINST} and this checkout share ${shared}: library code is shared between the sides (see the usage note); give ${AGAINST} its own copy`);
  }
}
const sides = AGAINST ? [await side(AGAINST), await side(here.replace(/\/$/, ''))] : [await side(here.replace(/\/$/, ''))];
const corpus = await sides[0].m.openCorpusFile(path);
const framed = [];
for (const c of corpus.chunks.slice(0, MAX_CHUNKS)) framed.push({ chunk: c.index, framed: await corpus.readFramedChunk(c.index), firstPosition: 0 });
await corpus.close();
console.log(`load both functions: ${sides.map((s) => `${s.loadMs.toFixed(0)} ms CPU`).join(' / ')}; ${corpus.events} events in ${framed.length} chunks`);

if (!AGAINST) {
  for (let round = 0; round < ROUNDS; round++) {
    const t = cpu();
    let events = 0;
    let changed = 0;
    const perChunk = [];
    for (const task of framed) {
      const tc = cpu();
      const r = await run(sides[0], task);
      if (round === 0 && PER_CHUNK) perChunk.push((((cpu() - tc) * 1000) / r.events).toFixed(1));
      events += r.events;
      changed += r.changed;
    }
    const ms = cpu() - t;
    if (perChunk.length > 0) console.log(`round 1 per chunk, us/event: ${perChunk.join(' ')}`);
    console.log(`round ${round + 1}: ${events} events, ${changed} changed, ${ms.toFixed(0)} ms CPU, ${((ms * 1000) / events).toFixed(2)} us/event`);
  }
} else {
  const ratios = [];
  for (let round = 0; round < ROUNDS; round++) {
    const total = [0, 0];
    let events = 0;
    for (let k = 0; k < framed.length; k++) {
      const ms = [0, 0];
      for (const i of k % 2 === 0 ? [0, 1] : [1, 0]) {
        const t = cpu();
        const r = await run(sides[i], framed[k]);
        ms[i] = cpu() - t;
        if (i === 0) events += r.events;
        if (round === 0) sides[i].hash.update(untimed(r));
      }
      total[0] += ms[0];
      total[1] += ms[1];
      if (round > 0) ratios.push(ms[1] / ms[0]);
    }
    const us = total.map((ms) => ((ms * 1000) / events).toFixed(2));
    console.log(`round ${round + 1}: ${events} events; CPU us/event: against ${us[0]}, this ${us[1]}; this/against ${(total[1] / total[0]).toFixed(3)}`);
  }
  ratios.sort((a, b) => a - b);
  if (ratios.length > 0) {
    const q = (f) => ratios[Math.min(ratios.length - 1, Math.floor(f * ratios.length))].toFixed(3);
    console.log(`median per-chunk this/against, rounds 2+: ${q(0.5)} (quartiles ${q(0.25)}-${q(0.75)}, ${ratios.length} chunks)`);
  }
  const [a, b] = sides.map((s) => s.hash.digest('hex').slice(0, 16));
  console.log(`same chunk results (timings aside): ${a === b ? 'yes' : 'NO'} (${a} / ${b})`);
}

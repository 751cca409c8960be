// What a replay worker does, on one thread, for a CPU profile or a CPU-time split:
// load both functions (as the worker does), then processChunk over every chunk of a corpus.
// Usage: npx tsc -p tsconfig.json && node [--cpu-prof --cpu-prof-dir=bench/out/prof] bench/chunk-profile.mjs <corpus.cfr> [old.js new.js] [--rounds 2]
// Prints CPU ms of loading and of each round (the first round includes JIT warm-up).
import { readFileSync } from 'node:fs';
import { openCorpusFile, loadFunction, processChunk } from '../dist/index.js';

const args = process.argv.slice(2);
const pos = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const [path, oldPath = new URL('../examples/spa-rewrite.js', import.meta.url).pathname, newPath = new URL('../examples/spa-rewrite-fix.js', import.meta.url).pathname] = pos;
const ri = args.indexOf('--rounds');
const ROUNDS = ri >= 0 ? Number(args[ri + 1]) : 2;
// --per-chunk: CPU us/event of each chunk of round 1 (where the JIT warm-up shows).
const PER_CHUNK = args.includes('--per-chunk');
// --chunks N: only the first N chunks (a profile of the warm-up).
const ci = args.indexOf('--chunks');
const MAX_CHUNKS = ci >= 0 ? Number(args[ci + 1]) : Infinity;
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

const c0 = cpu();
const fns = {
  old: loadFunction(readFileSync(oldPath, 'utf8'), { filename: oldPath, eventType: 'viewer-request' }),
  new: loadFunction(readFileSync(newPath, 'utf8'), { filename: newPath, eventType: 'viewer-request' }),
};
const c1 = cpu();
const corpus = await openCorpusFile(path);
const framed = [];
for (const c of corpus.chunks.slice(0, MAX_CHUNKS)) framed.push({ chunk: c.index, framed: await corpus.readFramedChunk(c.index), firstPosition: 0 });
await corpus.close();
console.log(`load both functions: ${(c1 - c0).toFixed(0)} ms CPU; ${corpus.events} events in ${framed.length} chunks`);
for (let round = 0; round < ROUNDS; round++) {
  const t = cpu();
  let events = 0;
  let changed = 0;
  const perChunk = [];
  for (const task of framed) {
    const tc = cpu();
    const r = await processChunk(task, fns, { eventType: 'viewer-request', noise: true, seed: 1, samplesPerChunk: 20 });
    if (round === 0 && PER_CHUNK) perChunk.push((((cpu() - tc) * 1000) / r.events).toFixed(1));
    events += r.events;
    changed += r.changed;
  }
  const ms = cpu() - t;
  if (perChunk.length > 0) console.log(`round 1 per chunk, us/event: ${perChunk.join(' ')}`);
  console.log(`round ${round + 1}: ${events} events, ${changed} changed, ${ms.toFixed(0)} ms CPU, ${((ms * 1000) / events).toFixed(2)} us/event`);
}

// The worker's decode path alone: a framed chunk -> openChunk -> records -> eventOf, per chunk,
// without running any function. What a replay worker spends before the first call of OLD.
// Usage: npx tsc -p tsconfig.json && node bench/decode-bench.mjs <corpus.cfr> [--rounds 3]
//          [--event-type viewer-request|viewer-response] [--against <another built checkout>] [--no-check]
// Prints CPU us/event per round (round 1 includes JIT warm-up), split into decompress+unpack
// (openChunk) and records+events. With --against D: both checkouts decode every chunk one after
// the other in alternating order in one process, the ratio this/D per round, and whether both gave
// byte-identical events and records (a JSON hash of every record and event, taken untimed before
// the timed rounds; --no-check leaves it out, for a CPU profile of decoding alone).
import { createHash } from 'node:crypto';

const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const pos = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const here = new URL('../', import.meta.url).pathname.replace(/\/$/, '');
const [path] = pos;
if (path === undefined) {
  console.error('usage: node bench/decode-bench.mjs <corpus.cfr> [--rounds 3] [--event-type T] [--against DIR]');
  process.exit(2);
}
const ROUNDS = Number(opt('--rounds') ?? 3);
const EVENT_TYPE = opt('--event-type') ?? 'viewer-request';
const AGAINST = opt('--against');
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

async function side(dir) {
  const m = await import(`${dir}/dist/index.js`);
  const { eventOf } = await import(`${dir}/dist/replay/one-event.js`);
  return { dir, openChunk: m.openChunk, openCorpusFile: m.openCorpusFile, eventOf, hash: createHash('sha256') };
}

/** Decode one chunk; returns [ms opening, ms records+events, events]. */
function decode(s, framed, hash) {
  const t0 = cpu();
  const cursor = s.openChunk(framed, EVENT_TYPE === 'viewer-request');
  const t1 = cpu();
  let events = 0;
  for (let r = cursor.next(); r !== undefined; r = cursor.next()) {
    const e = s.eventOf(r, EVENT_TYPE);
    if (hash !== undefined) hash.update(JSON.stringify(r)).update(JSON.stringify(e));
    events++;
  }
  return [t1 - t0, cpu() - t1, events];
}

const sides = AGAINST ? [await side(AGAINST), await side(here)] : [await side(here)];
const corpus = await sides[0].openCorpusFile(path);
const framed = [];
for (const c of corpus.chunks) framed.push(await corpus.readFramedChunk(c.index));
await corpus.close();
console.log(`${corpus.events} events in ${framed.length} chunks, ${EVENT_TYPE}${AGAINST ? `; against ${AGAINST}` : ''}`);

const CHECK = !args.includes('--no-check');
if (CHECK) for (const s of sides) for (const f of framed) decode(s, f, s.hash);
const us = (ms, events) => ((ms * 1000) / events).toFixed(3);
for (let round = 0; round < ROUNDS; round++) {
  const open = sides.map(() => 0);
  const rest = sides.map(() => 0);
  let events = 0;
  for (let k = 0; k < framed.length; k++) {
    const order = sides.length === 1 || k % 2 === 0 ? sides.map((_, i) => i) : sides.map((_, i) => sides.length - 1 - i);
    for (const i of order) {
      const [o, r, n] = decode(sides[i], framed[k]);
      open[i] += o;
      rest[i] += r;
      if (i === 0) events += n;
    }
  }
  const parts = sides.map((s, i) => `${AGAINST ? (i === 0 ? 'against ' : 'this ') : ''}${us(open[i] + rest[i], events)} (open ${us(open[i], events)} + records/events ${us(rest[i], events)})`);
  const ratio = AGAINST ? `; this/against ${((open[1] + rest[1]) / (open[0] + rest[0])).toFixed(3)}` : '';
  console.log(`round ${round + 1}: ${events} events; CPU us/event: ${parts.join(', ')}${ratio}`);
}
if (AGAINST && CHECK) {
  const [a, b] = sides.map((s) => s.hash.digest('hex').slice(0, 16));
  console.log(`same records and events: ${a === b ? 'yes' : 'NO'} (${a} / ${b})`);
}

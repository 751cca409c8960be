// Replay throughput of this tree against another checkout of cfreplay (an earlier commit,
// say the one before a change), side by side in one run: the same corpus, the same pair
// (the official SPA rewrite and a fix touching ~2% of traffic), each replay in its own
// child process, the trees alternating, rounds repeated; the median is reported.
// Two figures per replay: wall-clock events/s, and CPU per event (user+sys of the whole
// process, workers included), which stays meaningful when other work shares the cores.
//
// Usage: node bench/replay-compare.mjs --old <dir of another checkout, built> [events=200000] [--rounds 3] [--workers 1,2]
//   (make the other checkout with `git worktree add /tmp/x <commit>`, then `npm ci && npx tsc` there)
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const args = process.argv.slice(2);

if (args[0] === '--child') {
  const [, root, corpus, workers] = args;
  const { replay } = await import(`${root}/dist/index.js`);
  const c0 = process.cpuUsage();
  const t = performance.now();
  const report = await replay({
    oldPath: `${here}../examples/spa-rewrite.js`,
    newPath: `${here}../examples/spa-rewrite-fix.js`,
    corpus,
    workers: Number(workers),
  });
  const secs = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(c0);
  console.log(JSON.stringify({ rate: report.events / secs, cpuUsPerEvent: (cpu.user + cpu.system) / report.events, events: report.events, changed: report.changed }));
  process.exit(0);
}

const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const oldRoot = opt('--old');
if (!oldRoot || !existsSync(`${oldRoot}/dist/index.js`)) {
  console.error('usage: node bench/replay-compare.mjs --old <dir of a built checkout> [events] [--rounds 3] [--workers 1,2]');
  process.exit(2);
}
const newRoot = resolve(here, '..');
const events = Number(args.find((a, i) => /^\d+$/.test(a) && !['--rounds', '--workers'].includes(args[i - 1] ?? '')) ?? 200_000);
const rounds = Number(opt('--rounds', '3'));
const workerCounts = opt('--workers', '1,2').split(',').map(Number);

const { createCorpusWriter, openCorpusFile } = await import('../dist/index.js');
const { syntheticRecords } = await import('./synthetic.mjs');
mkdirSync(`${here}out`, { recursive: true });
const corpus = `${here}out/compare-${events}.cfr`;
if (!existsSync(corpus) || (await (async () => { const c = await openCorpusFile(corpus); const ok = c.complete && c.events === events; await c.close(); return !ok; })())) {
  // Written by this tree; the older checkout must read the same format (its reader is used for its runs).
  const w = await createCorpusWriter(corpus, {});
  for (const r of syntheticRecords(events, 11)) await w.write(r);
  await w.close();
}
console.log(`corpus ${corpus}: ${events} events, ${(statSync(corpus).size / 1e6).toFixed(1)} MB; ${rounds} rounds, trees alternating`);
console.log(`old: ${oldRoot}\nnew: ${newRoot}`);

const run = (root, workers) =>
  JSON.parse(execFileSync(process.execPath, [new URL(import.meta.url).pathname, '--child', root, corpus, String(workers)], { encoding: 'utf8', maxBuffer: 16 << 20 }).trim().split('\n').pop());
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const workers of workerCounts) {
  const got = { old: [], new: [] };
  for (let r = 0; r < rounds; r++) {
    got.old.push(run(oldRoot, workers));
    got.new.push(run(newRoot, workers));
  }
  const m = (side, k) => median(got[side].map((x) => x[k]));
  const same = got.old[0].changed === got.new[0].changed;
  console.log(
    `${workers} worker(s): old ${Math.round(m('old', 'rate'))} ev/s, ${m('old', 'cpuUsPerEvent').toFixed(2)} us CPU/event | ` +
      `new ${Math.round(m('new', 'rate'))} ev/s, ${m('new', 'cpuUsPerEvent').toFixed(2)} us CPU/event | ` +
      `new/old throughput ${(m('new', 'rate') / m('old', 'rate')).toFixed(2)}x wall, ${(m('old', 'cpuUsPerEvent') / m('new', 'cpuUsPerEvent')).toFixed(2)}x by CPU` +
      (same ? '' : `  (changed events differ: old ${got.old[0].changed}, new ${got.new[0].changed})`),
  );
}

// Where the fixed cost of `cfreplay replay` goes (issue 19, start-up): runs the command on the
// shipped sample (or --corpus) with CFREPLAY_TRACE=1 and prints, per phase mark (src/util/trace.ts),
// the median time since the process start in the main thread and the workers (the later worker),
// with the CPU time that thread had used by then (on a shared machine the steadier figure), then
// the process end (from the spawn) and the whole process's CPU time (user+sys, /usr/bin/time), with
// the share of V8's and libuv's helper threads (bench/thread-cpu.cjs: background TurboFan
// compilation of three isolates was ~40% of the sample's CPU on a 2-core machine), and how far
// apart the workers finished their last chunk (the idle tail, see src/replay/split.ts).
// With --against <built checkout> (repeatable) each checkout's command runs in the same rounds, in
// turn (its marks show when it has them).
// Each thread's first mark says where its code came from (`code from bundle/`: bin/cfreplay ran the
// bundle; `dist/`: it fell back, the bundle missing or older than dist/).
// Usage: npm run build && node bench/replay-phases.mjs [--rounds 7] [--corpus x.cfr] [--against ../base]...
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const ROUNDS = Number(opt('--rounds', '7'));
const here = new URL('../', import.meta.url).pathname;
const corpus = resolve(opt('--corpus', `${here}recordings/sample.cfr`));
// --against may be given several times: each checkout runs in the same rounds, in turn.
const against = args.flatMap((a, i) => (a === '--against' && args[i + 1] !== undefined ? [args[i + 1]] : []));
const TIME = '/usr/bin/time';
const withTime = existsSync(TIME);

function once(root) {
  return new Promise((done, fail) => {
    const argv = [`${root}/bin/cfreplay`, 'replay', '--old', `${root}/examples/spa-rewrite.js`, '--new', `${root}/examples/spa-rewrite-v2.js`, '--corpus', corpus, '--json', `${here}bench/out/phases-report.json`];
    const start = performance.timeOrigin + performance.now();
    const node = [process.execPath, '-r', `${here}bench/thread-cpu.cjs`, ...argv];
    const child = withTime
      ? spawn(TIME, ['-f', 'CPU %U %S', ...node], { env: { ...process.env, CFREPLAY_TRACE: '1' }, stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(node[0], node.slice(1), { env: { ...process.env, CFREPLAY_TRACE: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    child.on('error', fail);
    child.on('close', (code) => {
      const end = performance.timeOrigin + performance.now() - start;
      if (code !== 0 && code !== 1) return fail(new Error(`exit ${code}: ${err}`));
      const marks = new Map();
      const lastDone = new Map(); // worker -> its last chunk done (ms)
      for (const line of err.split('\n')) {
        const m = /^cfreplay-trace (\S+) ([\d.]+) cpu=([\d.]+|NaN) (.*)$/.exec(line);
        if (m === null) continue;
        const thread = m[1] === 'main' ? 'main' : 'worker';
        const label = /^chunk \d+ done$/.test(m[4]) ? 'last chunk done' : m[4];
        if (label === 'last chunk done') lastDone.set(m[1], Math.max(lastDone.get(m[1]) ?? 0, Number(m[2])));
        const key = `${thread}: ${label}`;
        // Workers: the later of the two for every mark (the run waits for the slower one), CPU of that one.
        const at = Number(m[2]);
        if (at > (marks.get(key)?.at ?? -Infinity)) marks.set(key, { at, cpu: Number(m[3]) });
      }
      const cpu = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(err);
      const threads = /cfreplay-threads main=([\d.]+) helpers=([\d.]+)/.exec(err);
      const ends = [...lastDone.values()];
      done({ marks, end, tail: ends.length > 1 ? Math.max(...ends) - Math.min(...ends) : NaN, cpu: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN, helpers: threads ? Number(threads[2]) : NaN });
    });
  });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[(s.length - 1) >> 1] : NaN; };
const roots = [['this', here.replace(/\/$/, '')], ...against.map((a) => [resolve(a), resolve(a)])];
const runs = new Map(roots.map(([l]) => [l, []]));
await once(here); // warm the disk cache
for (let r = 0; r < ROUNDS; r++) for (const [label, root] of roots) runs.get(label).push(await once(root));
for (const [label, rs] of runs) {
  console.log(`${label} (${rs.length} runs): medians of ms since the process start, and CPU ms of that thread so far`);
  const at = (k) => median(rs.map((x) => x.marks.get(k)?.at).filter((v) => v !== undefined));
  const keys = [...new Set(rs.flatMap((x) => [...x.marks.keys()]))].sort((a, b) => at(a) - at(b));
  for (const k of keys) console.log(`  ${k.padEnd(34)} ${at(k).toFixed(0).padStart(5)}   cpu ${median(rs.map((x) => x.marks.get(k)?.cpu).filter((v) => v !== undefined)).toFixed(0).padStart(4)}`);
  // How long the first worker to finish waited for the last one (the tail the chunk split shortens).
  console.log(`  ${'workers finished apart by'.padEnd(34)} ${median(rs.map((x) => x.tail).filter((v) => !Number.isNaN(v))).toFixed(0).padStart(5)}`);
  console.log(`  ${'process ended (wall, from spawn)'.padEnd(34)} ${median(rs.map((x) => x.end)).toFixed(0).padStart(5)}   CPU of the process ${median(rs.map((x) => x.cpu)).toFixed(0)} ms, of which V8/libuv helper threads ${median(rs.map((x) => x.helpers)).toFixed(0)} ms (background JIT, GC helpers)`);
}

// Where the fixed cost of `cfreplay replay` goes (issue 19, start-up): runs the command on the
// shipped sample (or --corpus) with CFREPLAY_TRACE=1 and prints, per phase mark (src/util/trace.ts),
// the median time since the spawn, in the main thread and the workers, then the process end
// and the CPU time (user+sys, from /proc of the child via /usr/bin/time when there is one).
// With --against <built checkout> that checkout's command runs in the same rounds, alternately
// (its marks show when it has them).
// Usage: npx tsc -p tsconfig.json && node bench/replay-phases.mjs [--rounds 7] [--corpus x.cfr] [--against ../base]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const ROUNDS = Number(opt('--rounds', '7'));
const here = new URL('../', import.meta.url).pathname;
const corpus = resolve(opt('--corpus', `${here}recordings/sample.cfr`));
const against = opt('--against', undefined);
const TIME = '/usr/bin/time';
const withTime = existsSync(TIME);

function once(root) {
  return new Promise((done, fail) => {
    const argv = [`${root}/bin/cfreplay`, 'replay', '--old', `${root}/examples/spa-rewrite.js`, '--new', `${root}/examples/spa-rewrite-v2.js`, '--corpus', corpus, '--json', `${here}bench/out/phases-report.json`];
    const start = performance.timeOrigin + performance.now();
    const child = withTime
      ? spawn(TIME, ['-f', 'CPU %U %S', process.execPath, ...argv], { env: { ...process.env, CFREPLAY_TRACE: '1' }, stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(process.execPath, argv, { env: { ...process.env, CFREPLAY_TRACE: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    child.on('error', fail);
    child.on('close', (code) => {
      const end = performance.timeOrigin + performance.now() - start;
      if (code !== 0 && code !== 1) return fail(new Error(`exit ${code}: ${err}`));
      const marks = new Map();
      let t0;
      for (const line of err.split('\n')) {
        const m = /^cfreplay-trace (\S+) ([\d.]+) (.*)$/.exec(line);
        if (m === null) continue;
        const thread = m[1] === 'main' ? 'main' : 'worker';
        const label = /^chunk \d+ done$/.test(m[3]) ? 'last chunk done' : m[3];
        const key = `${thread}: ${label}`;
        const t = Number(m[2]);
        // Workers: the later of the two for every mark (the run waits for the slower one).
        marks.set(key, Math.max(marks.get(key) ?? -Infinity, t));
      }
      const cpu = /CPU ([\d.]+) ([\d.]+)\s*$/.exec(err);
      // Marks count from the main thread's time origin (the process start); spawn overhead is before it.
      const t0m = /CFREPLAY_TRACE_T0=([\d.]+)/.exec(err);
      t0 = t0m ? Number(t0m[1]) - start : 0;
      done({ marks, end, cpu: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN, t0 });
    });
  });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[(s.length - 1) >> 1] : NaN; };
const roots = [['this', here.replace(/\/$/, '')], ...(against ? [['against', resolve(against)]] : [])];
const runs = new Map(roots.map(([l]) => [l, []]));
await once(here); // warm the disk cache
for (let r = 0; r < ROUNDS; r++) for (const [label, root] of roots) runs.get(label).push(await once(root));
for (const [label, rs] of runs) {
  console.log(`${label} (${rs.length} runs): medians, ms since the process start`);
  const keys = [...new Set(rs.flatMap((x) => [...x.marks.keys()]))].sort((a, b) => median(rs.map((x) => x.marks.get(a) ?? NaN).filter((v) => !Number.isNaN(v))) - median(rs.map((x) => x.marks.get(b) ?? NaN).filter((v) => !Number.isNaN(v))));
  for (const k of keys) console.log(`  ${k.padEnd(34)} ${median(rs.map((x) => x.marks.get(k)).filter((v) => v !== undefined)).toFixed(0).padStart(5)}`);
  console.log(`  ${'process ended (wall, from spawn)'.padEnd(34)} ${median(rs.map((x) => x.end)).toFixed(0).padStart(5)}   CPU ${median(rs.map((x) => x.cpu)).toFixed(0)} ms`);
}

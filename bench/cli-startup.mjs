// First contact: wall time of `cfreplay --version` and `cfreplay --help` (the bin, as a
// user runs it) beside bare `node -e 0`, interleaved round by round so machine load
// hits all alike. With --against <other checkout> (built), the same commands of that
// checkout run in the same rounds: before/after side by side.
// Usage: npm run build && node bench/cli-startup.mjs [--runs 30] [--against ../old-checkout]
// Target (issue 15): --help and --version under 150 ms. The CPU time of each command (user+sys,
// from /usr/bin/time when there is one) is printed beside the wall time: on a loaded machine
// the wall time waits for a core, the CPU time hardly moves.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const RUNS = Number(opt('--runs', '30'));
const here = new URL('../', import.meta.url).pathname;
const against = opt('--against', undefined);

const cases = [['node -e 0', ['-e', '0']]];
for (const [label, root] of [['this', here], ...(against ? [['against', resolve(against)]] : [])]) {
  for (const a of ['--version', '--help']) cases.push([`${label}: cfreplay ${a}`, [`${root}/bin/cfreplay`, a]]);
}
const TIME = '/usr/bin/time';
const withTime = existsSync(TIME);
const times = new Map(cases.map(([l]) => [l, []]));
const cpus = new Map(cases.map(([l]) => [l, []]));
for (let r = 0; r < RUNS; r++) {
  for (const [label, argv] of cases) {
    const t = process.hrtime.bigint();
    const p = withTime
      ? spawnSync(TIME, ['-f', 'CPU %U %S', process.execPath, ...argv], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
      : spawnSync(process.execPath, argv, { stdio: ['ignore', 'ignore', 'inherit'] });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (p.status !== 0) throw new Error(`${label}: exit ${p.status} ${p.stderr ?? ''}`);
    times.get(label).push(ms);
    const cpu = withTime ? /CPU ([\d.]+) ([\d.]+)/.exec(p.stderr) : null;
    if (cpu) cpus.get(label).push((Number(cpu[1]) + Number(cpu[2])) * 1000);
  }
}
const q = (xs, f) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * f))];
const base = q(times.get('node -e 0'), 0.5);
console.log(`${RUNS} runs each, interleaved; wall median, p90, median / bare node${withTime ? '; CPU (user+sys) median' : ''}`);
for (const [label] of cases) {
  const xs = times.get(label);
  const cpu = cpus.get(label).length ? `   CPU ${q(cpus.get(label), 0.5).toFixed(0).padStart(4)} ms` : '';
  console.log(`${label.padEnd(30)} ${q(xs, 0.5).toFixed(1).padStart(7)} ms ${q(xs, 0.9).toFixed(1).padStart(7)} ms  x${(q(xs, 0.5) / base).toFixed(2)}${cpu}`);
}

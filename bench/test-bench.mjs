// `cfreplay test` (all cases in one process) vs one `cfreplay run` process per case, wall time,
// measured side by side in one run on the same generated cases.
// Usage: npx tsc -p tsconfig.json && node bench/test-bench.mjs [--cases 200] [--runs 200] [--rounds 3]
// --runs: how many of the cases go through `cfreplay run` (each is a process start; the per-case
// figure is scaled to --cases when --runs is smaller). Figures from a busy machine are not figures:
// run it on a quiet one.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const CASES = arg('--cases', 200);
const RUNS = Math.min(CASES, arg('--runs', CASES));
const ROUNDS = arg('--rounds', 3);
const bin = new URL('../bin/cfreplay', import.meta.url).pathname;
const fn = new URL('../test/fixtures/functions/spa-rewrite.js', import.meta.url).pathname;

const dir = mkdtempSync(join(tmpdir(), 'cfreplay-test-bench-'));
try {
  const uris = ['/', '/app/', '/app/settings', '/static/main.js', '/docs/intro', '/img/logo.png'];
  mkdirSync(join(dir, 'events'));
  const lines = [];
  for (let i = 0; i < CASES; i++) {
    const uri = `${uris[i % uris.length]}${i % 7 === 0 ? `x${i}/` : ''}`;
    const event = { request: { uri, headers: { host: { value: 'www.example.com' } } } };
    const expected = uri.endsWith('/') ? `${uri}index.html` : uri.includes('.') ? uri : `${uri}/index.html`;
    lines.push(JSON.stringify({ name: `case ${i}`, event, expect: { 'request.uri': expected } }));
    writeFileSync(join(dir, 'events', `e${i}.json`), JSON.stringify(event));
  }
  writeFileSync(join(dir, 'cases.jsonl'), `${lines.join('\n')}\n`);

  const wall = (argv) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, [bin, ...argv], { encoding: 'utf8' });
    const ms = performance.now() - t;
    return { ms, r };
  };
  console.log(`cfreplay test vs cfreplay run: ${CASES} cases (spa-rewrite.js), ${ROUNDS} rounds, ${RUNS} run processes per round`);
  const testMs = [];
  const runMs = [];
  for (let round = 0; round < ROUNDS; round++) {
    const t = wall(['test', fn, join(dir, 'cases.jsonl')]);
    if (t.r.status !== 0) throw new Error(`cfreplay test failed (${t.r.status}): ${t.r.stdout}${t.r.stderr}`);
    if (!t.r.stdout.includes(`${CASES} passed, 0 failed`)) throw new Error(`unexpected output: ${t.r.stdout}`);
    testMs.push(t.ms);
    let total = 0;
    for (let i = 0; i < RUNS; i++) {
      const r = wall(['run', fn, '--event', join(dir, 'events', `e${i}.json`), '--json']);
      if (r.r.status !== 0) throw new Error(`cfreplay run failed on e${i}.json: ${r.r.stderr}`);
      total += r.ms;
    }
    const scaled = (total / RUNS) * CASES;
    runMs.push(scaled);
    console.log(
      `  round ${round + 1}: test ${(t.ms / 1000).toFixed(2)} s (one process)   run ${(scaled / 1000).toFixed(2)} s (${CASES} processes${RUNS < CASES ? `, scaled from ${RUNS}` : ''}, ${(total / RUNS).toFixed(0)} ms each)   ratio run/test ${(scaled / t.ms).toFixed(1)}x`,
    );
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`median: test ${(median(testMs) / 1000).toFixed(2)} s, run ${(median(runMs) / 1000).toFixed(2)} s, run/test ${(median(runMs) / median(testMs)).toFixed(1)}x`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

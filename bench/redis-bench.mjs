// Redis figures, measured side by side in one run against a redis-server started here on a
// free loopback port (stopped at the end; no persistence):
//  1. replay throughput: local replay (corpus file, --workers T) vs distributed replay
//     (2 `cfreplay worker` processes with T/2 threads each + the coordinator), same corpus,
//     same functions (examples/spa-rewrite.js -> spa-rewrite-v2.js), same total threads;
//     also replay --corpus redis://... without --distributed. Alternated, best of ROUNDS.
//     The workers are started before timing (they are long-lived daemons); everything else
//     (thread start, function load, chunk transfer, merging) is inside the timed run.
//  2. push and pull of a 1,000,000-event corpus (`cfreplay push` / `cfreplay pull`, whole
//     process wall time).
// Usage: node bench/redis-bench.mjs [replayEvents=200000] [copyEvents=1000000] [threads=2] [rounds=2]
// Needs dist/ (npx tsc -p tsconfig.json) and redis-server on PATH.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCorpusWriter } from '../dist/store/index.js';
import { syntheticRecords } from './synthetic.mjs';

const replayEvents = Number(process.argv[2] ?? 200_000);
const copyEvents = Number(process.argv[3] ?? 1_000_000);
const threads = Number(process.argv[4] ?? 2);
const rounds = Number(process.argv[5] ?? 2);
const root = new URL('../', import.meta.url).pathname;
const bin = `${root}bin/cfreplay`;
const out = `${root}bench/out/`;
mkdirSync(out, { recursive: true });

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function run(args, { quiet = true } = {}) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const p = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', quiet ? 'ignore' : 'inherit', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => {
      const ms = performance.now() - t;
      if (code !== 0 && code !== 1) reject(new Error(`cfreplay ${args[0]} exited ${code}: ${err}`));
      else resolve({ ms, stderr: err });
    });
  });
}

async function corpus(path, events, chunkEvents) {
  if (existsSync(path)) return;
  const t = performance.now();
  const w = await createCorpusWriter(path, { overwrite: true, ...(chunkEvents ? { chunkEvents } : {}) });
  for (const r of syntheticRecords(events)) await w.write(r);
  await w.close();
  console.log(`(generated ${path.replace(root, '')}: ${events.toLocaleString('en-US')} events, ${(statSync(path).size / 1e6).toFixed(1)} MB, ${((performance.now() - t) / 1000).toFixed(1)} s)`);
}

const port = await freePort();
const dir = mkdtempSync(join(tmpdir(), 'cfreplay-redis-bench-'));
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
const url = `redis://127.0.0.1:${port}/0`;
const workers = [];
try {
  await new Promise((r) => setTimeout(r, 300));
  const fns = ['--old', `${root}examples/spa-rewrite.js`, '--new', `${root}examples/spa-rewrite-v2.js`];

  // 1. replay throughput
  const replayFile = `${out}redis-bench-replay-${replayEvents}.cfr`;
  await corpus(replayFile, replayEvents, 4096);
  await run(['push', replayFile, `${url}#bench`]);
  for (let i = 0; i < 2; i++) {
    const w = spawn(process.execPath, [bin, 'worker', url, '--threads', String(Math.max(1, threads / 2)), '--name', `bench-${i + 1}`], { stdio: 'ignore' });
    workers.push(w);
  }
  await new Promise((r) => setTimeout(r, 1000));
  const best = { local: Infinity, distributed: Infinity, redisLocal: Infinity };
  for (let round = 0; round < rounds; round++) {
    best.local = Math.min(best.local, (await run(['replay', ...fns, '--corpus', replayFile, '--workers', String(threads)])).ms);
    best.distributed = Math.min(best.distributed, (await run(['replay', ...fns, '--corpus', `${url}#bench`, '--distributed'])).ms);
    best.redisLocal = Math.min(best.redisLocal, (await run(['replay', ...fns, '--corpus', `${url}#bench`, '--workers', String(threads)])).ms);
  }
  const rate = (ms) => Math.round(replayEvents / (ms / 1000));
  console.log(`replay ${replayEvents.toLocaleString('en-US')} events, ${threads} threads in total, best of ${rounds} (whole process wall time):`);
  const row = (label, ms) => console.log(`  ${label.padEnd(52)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${rate(ms).toLocaleString('en-US').padStart(8)} events/s`);
  row(`local (file, --workers ${threads})`, best.local);
  row(`distributed (2 worker processes x ${threads / 2} thread(s))`, best.distributed);
  row(`local threads reading Redis (--corpus redis://)`, best.redisLocal);
  console.log(`  distributed / local throughput: ${((best.local / best.distributed) * 100).toFixed(0)}%   redis-local / local: ${((best.local / best.redisLocal) * 100).toFixed(0)}%`);
  for (const w of workers) w.kill('SIGTERM');

  // 2. push / pull of a large corpus
  const copyFile = `${out}redis-bench-copy-${copyEvents}.cfr`;
  await corpus(copyFile, copyEvents);
  const size = statSync(copyFile).size;
  const push = await run(['push', copyFile, `${url}#big`]);
  const pulled = `${out}redis-bench-pulled.cfr`;
  const pull = await run(['pull', `${url}#big`, pulled, '--force']);
  console.log(`copy ${copyEvents.toLocaleString('en-US')} events (${(size / 1e6).toFixed(1)} MB), whole process wall time:`);
  console.log(`  push  ${(push.ms / 1000).toFixed(2)} s   (${push.stderr.trim().replace(/^cfreplay: /, '')})`);
  console.log(`  pull  ${(pull.ms / 1000).toFixed(2)} s   (${pull.stderr.trim().replace(/^cfreplay: /, '')})`);
  rmSync(pulled, { force: true });
} finally {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  redis.kill('SIGTERM');
  await new Promise((r) => redis.once('close', r));
  rmSync(dir, { recursive: true, force: true });
}

// Run as a child process by test/util/termination-gate.test.ts: threads that spend their
// time inside node:zlib (brotliDecompressSync in a loop) are stopped, and this process
// either survives (prints "survived N") or Node aborts it ("close before init").
//   node gate-hazard.mjs terminate plain|gated N   N threads, each terminated after 0-3 ms
//   node gate-hazard.mjs exit plain|gated K        K such threads, then process.exit(0)
// plain: node:zlib's own call and worker.terminate(); gated: util/zlib.ts's call and
// terminateThroughGate (exit: the gates watchGate closes when the process exits).
import { Worker } from 'node:worker_threads';

const dist = new URL('../../dist/util/', import.meta.url);
const { newGate, terminateThroughGate, watchGate } = await import(new URL('termination-gate.js', dist).href);
const [mode, kind, count] = [process.argv[2], process.argv[3], Number(process.argv[4])];
const gated = kind === 'gated';

const THREAD = `
const { workerData, parentPort } = require('node:worker_threads');
const zlib = require('node:zlib');
(async () => {
  const gate = await import(workerData.dist + 'termination-gate.js');
  const ours = await import(workerData.dist + 'zlib.js');
  gate.useTerminationGate(workerData.gate);
  const packed = zlib.brotliCompressSync(Buffer.alloc(4096, 7));
  const unpack = workerData.gated ? ours.brotliDecompressSync : zlib.brotliDecompressSync;
  parentPort.postMessage('up');
  for (;;) unpack(packed);
})();`;

function start() {
  const gate = newGate();
  const worker = new Worker(THREAD, { eval: true, workerData: { dist: dist.href, gate, gated } });
  if (gated) watchGate(worker, gate);
  return { worker, gate, up: new Promise((resolve) => worker.once('message', resolve)) };
}

const pause = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 3));

if (mode === 'terminate') {
  for (let i = 0; i < count; i++) {
    const { worker, gate, up } = start();
    await up;
    await pause();
    if (gated) await terminateThroughGate(worker, gate);
    else await worker.terminate();
  }
  console.log(`survived ${count}`);
} else {
  const threads = Array.from({ length: count }, start);
  await Promise.all(threads.map((t) => t.up));
  await pause();
  console.log(`survived ${count}`);
  process.exit(0);
}

// Corpus format figures, measured side by side in one run:
//  - size: corpus file vs the same records as JSON lines under `gzip -9`
//  - decode: framed chunks -> record objects, one core (this thread)
//  - encode: records -> framed chunks
// Usage: node bench/corpus-bench.mjs [events=1000000]
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { once } from 'node:events';
import { createCorpusWriter, openCorpusFile, openChunk } from '../dist/index.js';
import { syntheticRecords } from './synthetic.mjs';

const events = Number(process.argv[2] ?? 1_000_000);
const out = new URL('./out/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const corpusPath = `${out}corpus-bench.cfr`;
const jsonlPath = `${out}corpus-bench.jsonl`;

// 1. write the corpus and the JSON lines from the same generated records
const t0 = performance.now();
try { unlinkSync(corpusPath); } catch {}
const writer = await createCorpusWriter(corpusPath, {});
const jsonl = createWriteStream(jsonlPath);
let encodeMs = 0;
for (const r of syntheticRecords(events)) {
  const t = performance.now();
  await writer.write(r);
  encodeMs += performance.now() - t;
  if (!jsonl.write(`${JSON.stringify(r)}\n`)) await once(jsonl, 'drain');
}
const t = performance.now();
await writer.close();
encodeMs += performance.now() - t;
jsonl.end();
await once(jsonl, 'finish');
execFileSync('gzip', ['-9', '-f', jsonlPath]);
const corpusBytes = statSync(corpusPath).size;
const gzipBytes = statSync(`${jsonlPath}.gz`).size;
console.log(`events                 ${events}`);
console.log(`corpus file            ${corpusBytes} bytes (${(corpusBytes / events).toFixed(1)} B/event)`);
console.log(`JSON lines, gzip -9    ${gzipBytes} bytes (${(gzipBytes / events).toFixed(1)} B/event)`);
console.log(`size ratio             ${(corpusBytes / gzipBytes).toFixed(3)}  (target <= 0.6)`);
console.log(`encode (write path)    ${Math.round(events / (encodeMs / 1000))} events/s`);

// 2. decode speed on one core: read framed chunks first (I/O is not decoding), then decode all
const corpus = await openCorpusFile(corpusPath);
const framed = [];
for (const c of corpus.chunks) framed.push(await corpus.readFramedChunk(c.index));
await corpus.close();
let best = 0;
for (let round = 0; round < 3; round++) {
  const start = performance.now();
  let n = 0;
  for (const f of framed) {
    const cursor = openChunk(f);
    for (let r = cursor.next(); r !== undefined; r = cursor.next()) n++;
  }
  const rate = n / ((performance.now() - start) / 1000);
  best = Math.max(best, rate);
  console.log(`decode round ${round + 1}         ${Math.round(rate)} events/s (${n} events)`);
}
console.log(`decode, best           ${Math.round(best)} events/s on one core  (target >= 300000)`);
console.log(`total bench time       ${((performance.now() - t0) / 1000).toFixed(1)} s`);

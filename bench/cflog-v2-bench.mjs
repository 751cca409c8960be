// Standard logging v2 import speed against the legacy W3C import, on the same
// generated requests: one legacy log (tab separated, 33 fields), the same
// requests as v2 JSON lines and as v2 Parquet (Snappy, row groups of 100k),
// each recorded into a corpus file through the full pipeline. Prints lines/s
// and the ratio to the legacy import side by side, on the main thread only
// (v2 JSON and Parquet are read there) and legacy with its worker threads.
// Usage: node bench/cflog-v2-bench.mjs [requests=500000]
// (build first: npx tsc -p tsconfig.json; needs the dev dependency hyparquet-writer).
// Output goes to bench/out/ (git-ignored). Figures need a quiet machine.
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parquetWriteBuffer } from 'hyparquet-writer';

const dist = new URL('../dist/record/', import.meta.url);
const { runRecording } = await import(new URL('index.js', dist).href);
const { openCorpusSink } = await import(new URL('corpus-sink.js', dist).href);
const { openCflogSource } = await import(new URL('cflog/cflog-source.js', dist).href);

const n = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 500_000);
const outDir = new URL('./out/', import.meta.url).pathname;
mkdirSync(outDir, { recursive: true });
const files = { legacy: `${outDir}v2-bench-${n}.log`, json: `${outDir}v2-bench-${n}.json`, parquet: `${outDir}v2-bench-${n}.parquet` };

const FIELDS = 'date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end'.split(' ');
const UAS = [
  'Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/124.0.0.0%20Safari/537.36',
  'Mozilla/5.0%20(Macintosh;%20Intel%20Mac%20OS%20X%2010_15_7)%20AppleWebKit/605.1.15%20(KHTML,%20like%20Gecko)%20Version/17.4%20Safari/605.1.15',
  'Mozilla/5.0%20(iPhone;%20CPU%20iPhone%20OS%2017_4%20like%20Mac%20OS%20X)%20AppleWebKit/605.1.15%20(KHTML,%20like%20Gecko)%20Mobile/15E148',
  'curl/8.5.0',
];
const PATHS = ['/', '/index.html', '/products/shoes', '/img/logo.png', '/static/app.js', '/api/cart', '/search', '/blog/2024/05/hello-world'];
const TYPES = ['text/html', 'image/png', 'application/javascript', 'application/json'];

/** Request i as its 33 legacy field texts (seeded, so every format holds the same requests). */
function* requests() {
  let rnd = 12345;
  const next = () => (rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0);
  const base = Date.UTC(2025, 0, 15, 9, 0, 0);
  for (let i = 0; i < n; i++) {
    const t = new Date(base + Math.floor(i / 50) * 1000).toISOString();
    const user = next() % 5000;
    const path = PATHS[next() % PATHS.length];
    const query = path === '/search' ? `q=shoe%2520${user}&page=${next() % 5}` : next() % 4 === 0 ? `utm_source=news&v=${next() % 100}` : '-';
    const cookie = next() % 3 === 0 ? '-' : `session=s${user}abcdef0123456789;%20theme=dark;%20ab=${user % 2 ? 'A' : 'B'}`;
    yield [
      t.slice(0, 10), t.slice(11, 19), `FRA56-P${1 + (user % 4)}`, String(1000 + (next() % 50000)), `198.51.${user % 200}.${user % 250}`, 'GET',
      'd111111abcdef8.cloudfront.net', path, next() % 20 === 0 ? '404' : '200', 'https://www.example.com/', UAS[user % UAS.length], query, cookie,
      'Hit', `${Buffer.from(String(i)).toString('base64').padEnd(54, 'A')}==`, 'www.example.com', 'https', String(300 + (next() % 400)),
      `0.00${next() % 9}`, '-', 'TLSv1.3', 'TLS_AES_128_GCM_SHA256', 'Hit', 'HTTP/2.0', '-', '-', String(40000 + (next() % 20000)), '0.001', 'Hit',
      TYPES[next() % TYPES.length], String(next() % 90000), '-', '-',
    ];
  }
}

async function writeText(path, head, line) {
  const out = createWriteStream(path);
  let buf = head;
  for (const r of requests()) {
    buf += line(r);
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

const NUMERIC = new Set(['sc-bytes', 'sc-status', 'cs-bytes', 'c-port', 'sc-content-len']);
if (!existsSync(files.legacy)) await writeText(files.legacy, `#Version: 1.0\n#Fields: ${FIELDS.join(' ')}\n`, (r) => `${r.join('\t')}\n`);
if (!existsSync(files.json)) {
  await writeText(files.json, '', (r) => {
    const o = {};
    FIELDS.forEach((f, i) => (o[f] = r[i] === '-' ? null : NUMERIC.has(f) ? Number(r[i]) : r[i]));
    return `${JSON.stringify(o)}\n`;
  });
}
if (!existsSync(files.parquet)) {
  const cols = FIELDS.map(() => []);
  for (const r of requests()) r.forEach((v, i) => cols[i].push(v));
  const columnData = FIELDS.map((f, i) =>
    NUMERIC.has(f) ? { name: f, type: 'INT32', data: cols[i].map(Number) } : { name: f, type: 'STRING', data: cols[i].map((v) => (v === '-' ? null : v)) },
  );
  writeFileSync(files.parquet, new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize: 100_000 })));
}
for (const [k, p] of Object.entries(files)) console.log(`${k}: ${p} ${(statSync(p).size / 1e6).toFixed(1)} MB`);

const corpus = `${outDir}cflog-v2-bench.cfr`;
async function importOnce(name, path, workers) {
  rmSync(corpus, { force: true });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const source = await openCflogSource(path);
  const summary = await runRecording([source], await openCorpusSink(corpus), { output: corpus, ...(workers !== undefined ? { workers } : {}) });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const rate = summary.entriesRead / (ms / 1000);
  const cpuUs = (cpu.user + cpu.system) / summary.entriesRead;
  return { name, rate, cpuUs, records: summary.recordsWritten, format: summary.sources[0].info.format };
}

const results = [
  await importOnce('legacy W3C, main thread', files.legacy, 0),
  await importOnce('v2 JSON, main thread', files.json, 0),
  await importOnce('v2 Parquet, main thread', files.parquet, 0),
  await importOnce('legacy W3C, worker threads (as the CLI)', files.legacy, undefined),
];
const base = results[0];
for (const r of results) {
  console.log(
    `${r.name.padEnd(42)} ${Math.round(r.rate).toLocaleString('en-US').padStart(9)} requests/s  ${r.cpuUs.toFixed(1).padStart(6)} us CPU/request (process)  ` +
      `x${(r.rate / base.rate).toFixed(2)} vs legacy  [${r.records.toLocaleString('en-US')} records, ${r.format}]`,
  );
}
if (new Set(results.map((r) => r.records)).size !== 1) console.log('MISMATCH: the formats gave different record counts');
const os = await import('node:os');
console.log(`machine: ${os.availableParallelism()} cores, load average ${os.loadavg()[0].toFixed(1)} (other work slows these figures; re-measure on a quiet machine)`);

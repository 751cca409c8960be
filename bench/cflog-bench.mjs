// Access-log import speed: generate a large CloudFront standard log shaped
// like the shared samples (33 fields, URL-encoded user agents, queries,
// cookies, several clients), then record it into a corpus file through the
// full pipeline (checks, filters, event builder, corpus writer) and report
// lines/s and CPU per line. Usage: node bench/cflog-bench.mjs [lines=500000] [--gzip]
// (build first: npx tsc -p tsconfig.json). Output goes to bench/out/ (git-ignored).
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';

const dist = new URL('../dist/record/', import.meta.url);
const { runRecording } = await import(new URL('index.js', dist).href);
const { openCorpusSink } = await import(new URL('corpus-sink.js', dist).href);
const { openCflogSource } = await import(new URL('cflog/cflog-source.js', dist).href);

const args = process.argv.slice(2);
const lines = Number(args.find((a) => /^\d+$/.test(a)) ?? 500_000);
const gzip = args.includes('--gzip');
const outDir = new URL('./out/', import.meta.url).pathname;
mkdirSync(outDir, { recursive: true });
const logPath = `${outDir}cflog-bench-${lines}.log${gzip ? '.gz' : ''}`;

const FIELDS = 'date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol cs-bytes time-taken x-forwarded-for ssl-protocol ssl-cipher x-edge-response-result-type cs-protocol-version fle-status fle-encrypted-fields c-port time-to-first-byte x-edge-detailed-result-type sc-content-type sc-content-len sc-range-start sc-range-end';
const UAS = [
  'Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/124.0.0.0%20Safari/537.36',
  'Mozilla/5.0%20(Macintosh;%20Intel%20Mac%20OS%20X%2010_15_7)%20AppleWebKit/605.1.15%20(KHTML,%20like%20Gecko)%20Version/17.4%20Safari/605.1.15',
  'Mozilla/5.0%20(iPhone;%20CPU%20iPhone%20OS%2017_4%20like%20Mac%20OS%20X)%20AppleWebKit/605.1.15%20(KHTML,%20like%20Gecko)%20Mobile/15E148',
  'Mozilla/5.0%20(compatible;%20Googlebot/2.1;%20+http://www.google.com/bot.html)',
  'curl/8.5.0',
];
const PATHS = ['/', '/index.html', '/products/shoes', '/img/logo.png', '/static/app.js', '/api/cart', '/search', '/blog/2024/05/hello-world'];
const TYPES = ['text/html', 'image/png', 'application/javascript', 'application/json'];

function* generate() {
  yield `#Version: 1.0\n#Fields: ${FIELDS}\n`;
  let rnd = 12345;
  const next = () => (rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0);
  const base = Date.UTC(2024, 4, 1, 10, 0, 0);
  let batch = '';
  for (let i = 0; i < lines; i++) {
    const t = new Date(base + Math.floor(i / 50) * 1000).toISOString();
    const user = next() % 5000;
    const path = PATHS[next() % PATHS.length];
    const query = path === '/search' ? `q=shoe%2520${user}&page=${next() % 5}` : next() % 4 === 0 ? `utm_source=news&v=${next() % 100}` : '-';
    const cookie = next() % 3 === 0 ? '-' : `session=s${user}abcdef0123456789;%20theme=dark;%20ab=${user % 2 ? 'A' : 'B'}`;
    batch +=
      `${t.slice(0, 10)}\t${t.slice(11, 19)}\tFRA56-P${1 + (user % 4)}\t${1000 + (next() % 50000)}\t198.51.${user % 200}.${user % 250}\tGET\td111111abcdef8.cloudfront.net\t${path}\t${next() % 20 === 0 ? 404 : 200}\t` +
      `https://www.example.com/\t${UAS[user % UAS.length]}\t${query}\t${cookie}\tHit\t${Buffer.from(String(i)).toString('base64').padEnd(54, 'A')}==\twww.example.com\thttps\t${300 + (next() % 400)}\t0.00${next() % 9}\t-\tTLSv1.3\tTLS_AES_128_GCM_SHA256\tHit\tHTTP/2.0\t-\t-\t${40000 + (next() % 20000)}\t0.001\tHit\t${TYPES[next() % TYPES.length]}\t${next() % 90000}\t-\t-\n`;
    if (batch.length > 1 << 20) {
      yield batch;
      batch = '';
    }
  }
  if (batch !== '') yield batch;
}

if (!existsSync(logPath)) {
  const t0 = performance.now();
  const out = createWriteStream(logPath);
  await (gzip ? pipeline(Readable.from(generate()), createGzip({ level: 6 }), out) : pipeline(Readable.from(generate()), out));
  console.log(`generated ${logPath} (${lines.toLocaleString('en-US')} lines, ${(statSync(logPath).size / 1e6).toFixed(1)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

// 1. The source alone (read, gunzip, split, decode, one exchange per line).
{
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const source = await openCflogSource(logPath);
  let n = 0;
  for await (const item of source.items()) if (item.kind === 'exchange') n++;
  report('source only (parse + decode)', n, performance.now() - t0, process.cpuUsage(c0));
}

// 2. The whole import as the CLI runs it: pipeline checks, event builder,
// corpus file writer, in worker threads when the machine has two cores or
// more; then the same on the main thread only, for the ratio.
const corpus = `${outDir}cflog-bench.cfr`;
async function fullImport(name, workers) {
  rmSync(corpus, { force: true });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const source = await openCflogSource(logPath);
  const summary = await runRecording([source], await openCorpusSink(corpus), { output: corpus, ...(workers !== undefined ? { workers } : {}) });
  const rate = report(name, summary.entriesRead, performance.now() - t0, process.cpuUsage(c0));
  console.log(`  ${summary.recordsWritten.toLocaleString('en-US')} records, ${(statSync(corpus).size / 1e6).toFixed(1)} MB corpus, ${summary.bytesPerRecord.toFixed(1)} bytes/record, ${summary.chunks} chunks`);
  return rate;
}
const rate = await fullImport('full import into a corpus file (as the CLI: worker threads)', undefined);
const single = await fullImport('full import, main thread only (workers: 0)', 0);
console.log(`  worker threads vs main thread only: ${(rate.wall / single.wall).toFixed(2)}x lines/s, ${(single.perCpu / rate.perCpu).toFixed(2)}x CPU per line`);
const os = await import('node:os');
console.log(`  machine: ${os.availableParallelism()} cores, load average ${os.loadavg()[0].toFixed(1)} (other work on the machine slows the wall-clock figures)`);
console.log(rate.wall >= 100_000 ? 'PASS: >= 100,000 lines/s' : `BELOW TARGET: ${Math.round(rate.wall).toLocaleString('en-US')} lines/s (target 100,000)`);

function report(name, n, ms, cpu) {
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const wall = n / (ms / 1000);
  const perCpu = n / (cpuMs / 1000);
  console.log(
    `${name}: ${n.toLocaleString('en-US')} lines in ${(ms / 1000).toFixed(2)} s = ${Math.round(wall).toLocaleString('en-US')} lines/s ` +
      `(${Math.round(perCpu).toLocaleString('en-US')} lines per CPU-second, ${((cpuMs * 1000) / n).toFixed(1)} us CPU per line)`,
  );
  return { wall, perCpu };
}

// End to end, as a user measures it (issue 19): the whole `cfreplay replay` command (a child
// process, 2 workers, default options: noise check, validation, report) against the script a
// user would write instead (bench/e2e-user-script.mjs: JSON lines, both handlers in a `vm`
// context, JSON.stringify compared, one thread, timed on its loop only), on the same events.
//
// Setup (cached in bench/out/e2e-<N>/): a HAR of N requests with realistic variety
// (bench/gen-har.mjs --entries N --no-bodies), recorded with `cfreplay record har`, then
// `cfreplay cat` to JSON lines for the script. The HAR is deleted once recorded (GBs).
//
// Each round runs the script and the command one after the other (interleaved, so load
// hits both alike); the figure is the median over rounds. Printed per round: wall time and
// CPU time (user+sys: on a shared machine the CPU time is the steadier figure) of both, the
// ratio script loop / whole command, and the replay's own figures from its JSON report
// (duration, events/s, time to first event).
//
// Usage: npm run build && node bench/e2e-bench.mjs [--events 300000] [--rounds 3]
//          [--workers 2] [--busy] [--engine njs] [--sample]
//   --busy    a CPU-bound process runs beside both (a CI runner's neighbour); target >= 2.0x
//   --engine  njs: the command with --engine njs as well, beside the V8 figures
//   --sample  also the shipped sample (recordings/sample.cfr, 10,000 events): whole command, warm
//   --against <checkout>  the same command of another built checkout in the same rounds (before/after)
// Targets: >= 3.0x at 300,000 and 1,000,000 events (median of 3, 2 workers), >= 2.0x with --busy,
// the sample under 1 s warm.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const N = Number(opt('--events', '300000'));
const ROUNDS = Number(opt('--rounds', '3'));
const WORKERS = opt('--workers', '2');
const BUSY = args.includes('--busy');
const ENGINES = ['v8', ...(opt('--engine', undefined) === 'njs' ? ['njs'] : [])];
const SAMPLE = args.includes('--sample');
const AGAINST = opt('--against', undefined);

const root = new URL('../', import.meta.url).pathname;
const bin = `${root}bin/cfreplay`;
const OLD = `${root}examples/spa-rewrite.js`;
const NEW = `${root}examples/spa-rewrite-fix.js`;
const TIME = '/usr/bin/time';
const withTime = existsSync(TIME);

/** Run a command to its end: wall ms, CPU ms (user+sys of it and its threads), exit code, stdout. */
function timed(argv, okCodes = [0]) {
  const t = performance.now();
  const p = withTime
    ? spawnSync(TIME, ['-f', 'CPU %U %S', ...argv], { encoding: 'utf8', maxBuffer: 256 << 20 })
    : spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 256 << 20 });
  const wallMs = performance.now() - t;
  if (!okCodes.includes(p.status)) throw new Error(`${argv.join(' ')}: exit ${p.status}\n${p.stderr}`);
  const m = withTime ? /CPU ([\d.]+) ([\d.]+)\s*$/.exec(p.stderr) : null;
  return { wallMs, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN, status: p.status, stdout: p.stdout };
}

/** The corpus format version a built checkout writes (its dist/store/format.js). */
async function formatOf(checkout) {
  return (await import(`${checkout}/dist/store/format.js`)).FORMAT_VERSION;
}

/** A corpus file's format version, as this checkout's store reads it. */
async function fileFormat(path) {
  const { openCorpus } = await import(`${root}dist/store/index.js`);
  const corpus = await openCorpus(path);
  try {
    return corpus.summary().formatVersion;
  } finally {
    await corpus.close();
  }
}

function recordHar(n, dir, out, binPath) {
  const har = `${dir}/traffic.har`;
  const g = timed([process.execPath, `${root}bench/gen-har.mjs`, '--entries', String(n), '--no-bodies', '--out', har]);
  const r = timed([process.execPath, binPath, 'record', 'har', har, '-o', out, '--force']);
  console.log(`(setup: HAR of ${n} requests, ${(statSync(har).size / 1e6).toFixed(0)} MB, in ${(g.wallMs / 1000).toFixed(0)} s; recorded by ${binPath} in ${(r.wallMs / 1000).toFixed(0)} s)`);
  rmSync(har);
}

/**
 * The corpus of N requests in this checkout's format (cached), its JSON lines, and the corpus the
 * --against checkout reads: the same file, or, when that checkout writes an older format, the same
 * traffic in its format (corpus-v<version>.cfr: a cached corpus of an older format is kept as that
 * when it is rewritten in this checkout's, record for record).
 */
async function setup(n) {
  const dir = `${root}bench/out/e2e-${n}`;
  mkdirSync(dir, { recursive: true });
  const corpus = `${dir}/corpus.cfr`;
  const jsonl = `${dir}/events.jsonl`;
  const format = await formatOf(root);
  const cached = existsSync(corpus) && existsSync(`${corpus}.done`) ? await fileFormat(corpus) : undefined;
  if (cached === undefined) {
    recordHar(n, dir, corpus, bin);
    rmSync(jsonl, { force: true });
    spawnSync('touch', [`${corpus}.done`]);
  } else if (cached < format) {
    const older = `${dir}/corpus-v${cached}.cfr`;
    renameSync(corpus, older);
    const { openCorpus, createCorpusWriter } = await import(`${root}dist/store/index.js`);
    const from = await openCorpus(older);
    const to = await createCorpusWriter(corpus);
    for await (const r of from.records()) await to.write(r);
    await to.close();
    await from.close();
    console.log(`(setup: the cached corpus was of format ${cached}: rewritten in format ${format}, the old one kept as ${older})`);
  }
  if (!existsSync(jsonl)) {
    const c = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" cat "${corpus}" > "${jsonl}"`], { stdio: 'inherit' });
    if (c.status !== 0) throw new Error('cfreplay cat failed');
  }
  let againstCorpus = corpus;
  if (AGAINST !== undefined) {
    const theirs = await formatOf(AGAINST);
    if (theirs < format) {
      againstCorpus = `${dir}/corpus-v${theirs}.cfr`;
      if (!existsSync(againstCorpus)) recordHar(n, dir, againstCorpus, `${AGAINST}/bin/cfreplay`);
    }
  }
  return { corpus, jsonl, againstCorpus };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function replayOnce(corpus, engine, dir, binPath = bin) {
  const json = `${dir}/report-${engine}${binPath === bin ? '' : '-against'}.json`;
  const r = timed([process.execPath, binPath, 'replay', '--old', OLD, '--new', NEW, '--corpus', corpus, '--workers', WORKERS, '--json', json, ...(engine === 'v8' ? [] : ['--engine', engine])], [0, 1]);
  const report = JSON.parse(readFileSync(json, 'utf8'));
  return { ...r, events: report.events, changed: report.changed, run: report.run };
}

let busy;
if (BUSY) {
  busy = spawn(process.execPath, ['-e', 'let x = 0; for (;;) x = (x * 31 + 7) | 0;'], { stdio: 'ignore' });
  console.log(`a CPU-bound process (pid ${busy.pid}) runs beside every measurement`);
}
try {
  const { corpus, jsonl, againstCorpus } = await setup(N);
  const dir = `${root}bench/out/e2e-${N}`;
  console.log(`${N} requests: corpus ${(statSync(corpus).size / 1e6).toFixed(1)} MB, JSON lines ${(statSync(jsonl).size / 1e6).toFixed(0)} MB; ${OLD.slice(root.length)} vs ${NEW.slice(root.length)}; ${WORKERS} workers; ${ROUNDS} rounds`);
  const rows = { script: [], against: [], ...Object.fromEntries(ENGINES.map((e) => [e, []])) };
  for (let round = 1; round <= ROUNDS; round++) {
    const s = timed([process.execPath, `${root}bench/e2e-user-script.mjs`, OLD, NEW, jsonl]);
    const script = JSON.parse(s.stdout.trim().split('\n').pop());
    rows.script.push({ ...script, processWallMs: s.wallMs, processCpuMs: s.cpuMs });
    let line = `round ${round}: script loop ${(script.loopMs / 1000).toFixed(2)} s (CPU ${(script.cpuMs / 1000).toFixed(2)} s, ${script.changed} changed)`;
    for (const engine of ENGINES) {
      const r = replayOnce(corpus, engine, dir);
      if (r.events !== script.events || r.changed !== script.changed) line += ` [${engine}: ${r.events} events, ${r.changed} changed: not the script's count]`;
      rows[engine].push(r);
      line += ` | cfreplay${engine === 'v8' ? '' : ` --engine ${engine}`} ${(r.wallMs / 1000).toFixed(2)} s (CPU ${(r.cpuMs / 1000).toFixed(2)} s; report ${(r.run.durationMs / 1000).toFixed(2)} s, ${r.run.eventsPerSecond} ev/s${r.run.firstEventMs !== undefined ? `, first event at ${r.run.firstEventMs} ms` : ''}) ratio ${(script.loopMs / r.wallMs).toFixed(2)}x`;
    }
    if (AGAINST !== undefined) {
      const a = replayOnce(againstCorpus, 'v8', dir, `${AGAINST}/bin/cfreplay`);
      rows.against.push(a);
      line += ` | against ${(a.wallMs / 1000).toFixed(2)} s (CPU ${(a.cpuMs / 1000).toFixed(2)} s) ratio ${(script.loopMs / a.wallMs).toFixed(2)}x`;
    }
    console.log(line);
  }
  const sLoop = median(rows.script.map((x) => x.loopMs));
  const sCpu = median(rows.script.map((x) => x.cpuMs));
  console.log(`median: script loop ${(sLoop / 1000).toFixed(2)} s wall, ${(sCpu / 1000).toFixed(2)} s CPU`);
  for (const engine of ENGINES) {
    const wall = median(rows[engine].map((x) => x.wallMs));
    const cpu = median(rows[engine].map((x) => x.cpuMs));
    const ratios = rows[engine].map((x, i) => rows.script[i].loopMs / x.wallMs);
    const first = rows[engine].map((x) => x.run.firstEventMs).filter((x) => x !== undefined);
    console.log(
      `median: cfreplay replay${engine === 'v8' ? '' : ` --engine ${engine}`} ${(wall / 1000).toFixed(2)} s wall, ${(cpu / 1000).toFixed(2)} s CPU` +
        `${first.length ? `, first event at ${median(first).toFixed(0)} ms` : ''}; ` +
        `script loop / whole command: ${median(ratios).toFixed(2)}x wall (target >= ${BUSY ? '2.0' : '3.0'}x), ` +
        `CPU per event: command / script ${(cpu / sCpu).toFixed(2)} (the command's ${WORKERS} workers need < ${(Number(WORKERS) / (BUSY ? 2 : 3)).toFixed(2)} to reach the wall target on ${WORKERS} free cores)`,
    );
  }
  if (AGAINST !== undefined) {
    const wall = median(rows.against.map((x) => x.wallMs));
    const cpu = median(rows.against.map((x) => x.cpuMs));
    const mine = median(rows.v8.map((x) => x.cpuMs));
    console.log(`median: ${AGAINST} cfreplay replay ${(wall / 1000).toFixed(2)} s wall, ${(cpu / 1000).toFixed(2)} s CPU; script loop / whole command ${median(rows.against.map((x, i) => rows.script[i].loopMs / x.wallMs)).toFixed(2)}x wall; CPU this / against ${(mine / cpu).toFixed(2)}`);
  }
  if (SAMPLE) {
    // With --against, the two commands alternate round by round (as the large corpus does), so
    // a drift of the machine's speed hits both alike; the paired ratio is the figure to trust.
    const sample = `${root}recordings/sample.cfr`;
    replayOnce(sample, 'v8', dir); // warms the disk cache
    const warm = [];
    const other = [];
    for (let i = 0; i < ROUNDS; i++) {
      warm.push(replayOnce(sample, 'v8', dir));
      // The other checkout's own shipped sample: it may be of a corpus format this one no longer writes.
      if (AGAINST !== undefined) other.push(replayOnce(`${AGAINST}/recordings/sample.cfr`, 'v8', dir, `${AGAINST}/bin/cfreplay`));
    }
    console.log(`shipped sample (${warm[0].events} events), whole command warm: median ${median(warm.map((x) => x.wallMs)).toFixed(0)} ms wall, ${median(warm.map((x) => x.cpuMs)).toFixed(0)} ms CPU; report ${median(warm.map((x) => x.run.durationMs)).toFixed(0)} ms${warm[0].run.firstEventMs !== undefined ? `, first event at ${median(warm.map((x) => x.run.firstEventMs)).toFixed(0)} ms` : ''} (target < 1000 ms wall)`);
    if (AGAINST !== undefined) {
      const wall = median(warm.map((x, i) => x.wallMs / other[i].wallMs));
      const cpu = median(warm.map((x, i) => x.cpuMs / other[i].cpuMs));
      console.log(`shipped sample, ${AGAINST} (alternating): median ${median(other.map((x) => x.wallMs)).toFixed(0)} ms wall, ${median(other.map((x) => x.cpuMs)).toFixed(0)} ms CPU; paired this / against: wall ${wall.toFixed(3)}, CPU ${cpu.toFixed(3)}`);
    }
  }
} finally {
  busy?.kill();
}

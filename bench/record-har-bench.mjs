// HAR recording throughput (MB/s of HAR input) and peak memory (max RSS).
// Usage: npx tsc -p tsconfig.json && node bench/record-har-bench.mjs [--size-mb 1024] [--har FILE] [--sink corpus|null] [--regen]
//
// Generates bench/out/big-<size>.har with bench/gen-har.mjs when missing (git-ignored),
// then records it in a fresh child process (so RSS is the recorder's alone):
// - sink "corpus": the real `cfreplay record har` command, writing bench/out/big.cfr;
// - sink "null": the same pipeline with a counting sink (recorder cost without storage).
// Targets (issue 2): >= 50 MB/s of HAR input, peak RSS < 300 MB for a >= 1 GB HAR.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const here = (p) => fileURLToPath(new URL(p, import.meta.url));

if (args[0] === '--child') {
  // Child: run one recording, report timing and resource usage as JSON on stdout.
  const [, har, sinkKind, out] = args;
  const t0 = performance.now();
  let summary;
  if (sinkKind === 'corpus') {
    const { runRecordCommand } = await import('../dist/record/cli.js');
    const { openHarSource } = await import('../dist/record/index.js');
    const devnull = { write: () => true };
    summary = await runRecordCommand(
      { output: out, append: false, force: true, 'distribution-domain': 'd111111abcdef8.cloudfront.net', 'distribution-id': 'EDFDVBD6EXAMPLE', 'json-summary': false, quiet: true, progress: false },
      async () => [await openHarSource(har)],
      { inputPaths: [har], stderr: devnull, stdout: devnull },
    );
  } else {
    const { openHarSource, runRecording, CountingSink } = await import('../dist/record/index.js');
    summary = await runRecording([await openHarSource(har)], new CountingSink());
  }
  const secs = (performance.now() - t0) / 1000;
  const ru = process.resourceUsage();
  process.stdout.write(JSON.stringify({
    secs, maxRssKiB: ru.maxRSS, entries: summary.entriesRead, records: summary.recordsWritten,
    skipped: summary.skipped.total, bytesWritten: summary.bytesWritten, fileBytes: summary.fileBytes ?? null,
  }) + '\n');
  process.exit(0);
}

const sizeMb = Number(opt('--size-mb', '1024'));
const sinkKind = opt('--sink', 'corpus');
const har = opt('--har', here(`./out/big-${sizeMb}.har`));
if (args.includes('--regen') || !existsSync(har)) {
  const g = spawnSync(process.execPath, [here('./gen-har.mjs'), '--size-mb', String(sizeMb), '--out', har], { stdio: 'inherit' });
  if (g.status !== 0) process.exit(g.status ?? 1);
}
const size = statSync(har).size;
const out = here('./out/big.cfr');
const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', har, sinkKind, out], { encoding: 'utf8', maxBuffer: 1 << 20 });
if (child.status !== 0) {
  process.stderr.write(child.stderr);
  process.exit(child.status ?? 1);
}
const r = JSON.parse(child.stdout.trim().split('\n').pop());
const mbps = size / 1e6 / r.secs;
const rssMb = r.maxRssKiB / 1024;
console.log(`record har (${sinkKind} sink): ${(size / 1e6).toFixed(0)} MB HAR, ${r.entries.toLocaleString('en-US')} entries, ${r.records.toLocaleString('en-US')} recorded, ${r.skipped} skipped`);
console.log(`  time ${r.secs.toFixed(1)} s   throughput ${mbps.toFixed(1)} MB/s of HAR input   (target >= 50)`);
console.log(`  peak RSS ${rssMb.toFixed(0)} MiB   (target < 300 for a >= 1 GB HAR)`);
if (r.fileBytes !== null) console.log(`  corpus ${(r.fileBytes / 1e6).toFixed(1)} MB, ${(r.bytesWritten / r.records).toFixed(1)} bytes per exchange`);
if (sinkKind === 'corpus') rmSync(out, { force: true });

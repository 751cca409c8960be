import type { Argv, CommandModule } from 'yargs';
import { availableParallelism } from 'node:os';
import { INTERRUPTED, replay, type ReplayProgress } from '../../replay/replay.js';
import type { ReplayReport } from '../../results/types.js';
import { groupDigits } from '../../util/group-digits.js';
import { MAX_WORKERS_PER_CORE } from '../../replay/pool.js';
import { formatTerminalReport } from '../../report/terminal.js';
import { EXIT_DIFFERENCES, EXIT_INTERRUPTED, EXIT_OK, UsageError } from '../errors.js';
import { ProgressLine } from '../../util/progress-line.js';
import { checkOutputPaths } from '../../util/output-paths.js';
import { commonReplayOptions, type CommonReplayArgs } from '../replay-args.js';
import { SUMMARIES } from './summaries.js';
import { functionOptions } from '../function-args.js';
import { DEFAULT_TIMEOUT_MS } from '../../runtime/limits.js';
import { traceMark } from '../../util/trace.js';

interface ReplayArgs extends CommonReplayArgs {
  workers?: number;
  json?: string;
  html?: string;
  markdown?: string;
  junit?: string;
  'max-diff-rate'?: string;
  'max-latency-ratio'?: number;
  'max-old-error-rate'?: string;
  top: number;
  progress?: boolean;
  distributed?: boolean;
  resume?: string;
  'run-ttl'?: string;
  'reclaim-after'?: string;
  'keep-run'?: boolean;
  'allow-incomplete'?: boolean;
}

/** "1%", "0.5 %", "0.01" -> fraction. */
export function parseRate(text: string, option = '--max-diff-rate'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (m === null) throw new UsageError(`${option}: expected a fraction like 0.01 or a percentage like 1%, got "${text}"`);
  const v = Number(m[1]) / (m[2] === '%' ? 100 : 1);
  if (v > 1) throw new UsageError(`${option}: ${text} is more than 100%`);
  return v;
}

function describeProgress(p: ReplayProgress): string {
  const secs = p.elapsedMs / 1000;
  const rate = secs > 0 ? p.recordsDone / secs : 0;
  const left = rate > 0 ? (p.recordsTotal - p.recordsDone) / rate : 0;
  const pctDone = p.recordsTotal === 0 ? 100 : (p.recordsDone / p.recordsTotal) * 100;
  return `replay ${pctDone.toFixed(1)}%  ${groupDigits(p.recordsDone)}/${groupDigits(p.recordsTotal)} records  ${groupDigits(Math.round(rate))}/s  ETA ${left.toFixed(0)} s  changed ${groupDigits(p.changed)}`;
}

export const replayCommandModule: CommandModule<object, ReplayArgs> = {
  ...SUMMARIES.replay,
  builder: (y: Argv) =>
    functionOptions(y, true)
      .option('old', { type: 'string', demandOption: true, describe: 'the function as deployed now (.js)' })
      .option('new', { type: 'string', demandOption: true, describe: 'the candidate version (.js)' })
      .option('corpus', { type: 'string', demandOption: true, describe: 'recorded traffic (.cfr file, or redis://host:port/db#name)' })
      .option('event-type', {
        choices: ['viewer-request', 'viewer-response'] as const,
        describe: 'default: viewer-response when both functions read event.response, else viewer-request',
      })
      .option('workers', { type: 'number', describe: 'worker threads (default: one per core)' })
      .option('ignore', { type: 'string', array: true, default: [] as string[], describe: 'paths to leave out of the diff, e.g. request.headers.x-debug, response.headers.*' })
      .option('json', { type: 'string', describe: 'write the JSON report here' })
      .option('html', { type: 'string', describe: 'write the self-contained HTML report here' })
      .option('markdown', { type: 'string', describe: 'write a Markdown summary (for a PR comment) here' })
      .option('junit', { type: 'string', describe: 'write JUnit XML (one case per diff group and gate) here' })
      .option('max-diff-rate', { type: 'string', describe: 'pass while at most this share of events changed (0.01 or 1%); default: any change fails' })
      .option('max-latency-ratio', { type: 'number', describe: 'fail when NEW p99 / OLD p99 exceeds this (and the change is significant)' })
      .option('max-old-error-rate', { type: 'string', describe: 'fail when OLD itself fails (errors, 502/503) on more than this share of events (0.01 or 1%; default 1%): such a replay proves nothing' })
      .option('allow-incomplete', { type: 'boolean', default: false, describe: 'a damaged corpus (corrupt, missing or cut-short chunks, an unfinished recording) is reported but does not fail the gate' })
      .option('timeout-ms', { type: 'number', default: DEFAULT_TIMEOUT_MS, describe: 'time budget of one function call; a call past it is stopped and counted as a timeout' })
      .option('noise', { type: 'boolean', default: true, describe: 'confirm differences with a second OLD run (other clock and seed); --no-noise to skip' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the per-event OLD/NEW order' })
      .option('top', { type: 'number', default: 10, describe: 'diff groups shown in the terminal' })
      .option('progress', { type: 'boolean', describe: 'progress on stderr (default: when stderr is a terminal)' })
      .option('distributed', { type: 'boolean', group: 'Distributed (Redis):', describe: 'queue the chunks of a Redis corpus for `cfreplay worker` processes on any machine, merge their results' })
      .option('resume', { type: 'string', group: 'Distributed (Redis):', describe: 'continue a stopped distributed run (same --old/--new/--corpus), by its run id' })
      .option('run-ttl', { type: 'string', group: 'Distributed (Redis):', describe: 'run data in Redis expires after this (default 24h)' })
      .option('reclaim-after', { type: 'string', group: 'Distributed (Redis):', describe: 'a chunk held by a silent worker this long goes to another (default 30s)' })
      .option('keep-run', { type: 'boolean', group: 'Distributed (Redis):', describe: 'keep a finished run in Redis until its TTL (default: deleted)' })
      .example('$0 replay --old spa.js --new spa-fixed.js --corpus recordings/sample.cfr', 'compare two versions on the sample corpus')
      .example('$0 replay --old live.js --new pr.js --corpus prod.cfr --json report.json --max-diff-rate 0.5%', 'CI gate allowing up to 0.5% changed events')
      .example('$0 replay --old a.js --new b.js --corpus prod.cfr --ignore response.headers.date', 'leave a field out on purpose') as unknown as Argv<ReplayArgs>,
  handler: async (args) => {
    // The main thread's performance.now() counts from the process start: node and module loading so far.
    const startupMs = performance.now();
    traceMark('handler');
    const maxDiffRate = args['max-diff-rate'] !== undefined ? parseRate(args['max-diff-rate']) : undefined;
    const limits = {
      ...(maxDiffRate !== undefined ? { maxDiffRate } : {}),
      ...(args['max-latency-ratio'] !== undefined ? { maxLatencyRatio: args['max-latency-ratio'] } : {}),
      ...(args['max-old-error-rate'] !== undefined ? { maxOldErrorRate: parseRate(args['max-old-error-rate'], '--max-old-error-rate') } : {}),
      ...(args['allow-incomplete'] === true ? { allowIncomplete: true } : {}),
    };
    if (args.workers !== undefined && (!Number.isInteger(args.workers) || args.workers < 1)) {
      throw new UsageError(`--workers: expected a whole number >= 1, got ${args.workers}`);
    }
    if (!(args['timeout-ms'] > 0) || !Number.isFinite(args['timeout-ms'])) throw new UsageError(`--timeout-ms: expected a positive number of milliseconds, got ${args['timeout-ms']}`);
    checkOutputPaths(
      [
        { what: '--json', path: args.json ?? '' },
        { what: '--html', path: args.html ?? '' },
        { what: '--markdown', path: args.markdown ?? '' },
        { what: '--junit', path: args.junit ?? '' },
      ],
      [
        { what: 'the OLD function', path: args.old },
        { what: 'the NEW function', path: args.new },
        { what: 'the corpus', path: args.corpus },
        { what: 'the KVS file', path: args.kvs ?? '' },
        ...(args.prepend ?? []).map((p) => ({ what: 'a --prepend file', path: p })),
      ],
      { createParents: true },
    );
    const cores = availableParallelism();
    let workers = args.workers;
    if (workers !== undefined && workers > cores * MAX_WORKERS_PER_CORE) {
      process.stderr.write(`cfreplay: --workers ${workers} is more than ${MAX_WORKERS_PER_CORE} per core on this machine (${cores} cores): using ${cores * MAX_WORKERS_PER_CORE}\n`);
      workers = cores * MAX_WORKERS_PER_CORE;
    }
    const showProgress = args.progress ?? process.stderr.isTTY === true;
    const line = new ProgressLine(process.stderr, showProgress);
    // Ctrl-C (or SIGTERM): stop at once and write the reports of what was done; a second one quits.
    const controller = new AbortController();
    const onSignal = () => {
      if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
      line.clear();
      process.stderr.write('cfreplay: interrupted: writing the reports of the events done (Ctrl-C again to quit at once)\n');
      controller.abort();
    };
    const distributed = args.distributed === true || args.resume !== undefined;
    if (!distributed) {
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    }
    // The report files, then the summary on stdout. A local replay does this while its workers
    // are torn down (replay's onReport), a distributed one once its run is over. The run is over
    // either way: Ctrl-C is no longer the run's (as before onReport, it ends the process).
    const present = async (report: ReplayReport): Promise<void> => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      line.clear();
      if (args.json || args.html || args.markdown || args.junit) {
        const { writeReportOutputs } = await import('../../report/outputs.js');
        await writeReportOutputs(report, {
          ...(args.json ? { json: args.json } : {}),
          ...(args.html ? { html: args.html } : {}),
          ...(args.markdown ? { markdown: args.markdown } : {}),
          ...(args.junit ? { junit: args.junit } : {}),
        });
      }
      traceMark('outputs written');
      process.stdout.write(`${formatTerminalReport(report, { color: process.stdout.isTTY === true, topGroups: args.top })}\n`);
      traceMark('terminal written');
    };
    let report;
    try {
      report = distributed
        ? await (await import('../distributed-replay.js')).replayDistributedFromArgs(args, limits, line)
        : await replay({
            ...commonReplayOptions(args, limits),
            ...(workers ? { workers } : {}),
            startupMs,
            signal: controller.signal,
            onProgress: (p) => line.update(() => describeProgress(p)),
            onReport: present,
          });
    } finally {
      line.clear();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (distributed) await present(report);
    const interrupted = report.run.stoppedEarly === INTERRUPTED;
    if (interrupted) {
      process.exitCode = EXIT_INTERRUPTED;
      return;
    }
    // A run stopped early (a function that hangs on every event, say) failed its gate: the report says why.
    if (report.events === 0 && !report.run.stoppedEarly) throw new UsageError(`no event was replayed: ${report.run.problems.join('; ') || 'the corpus is empty'}`);
    process.exitCode = report.gate.passed ? EXIT_OK : EXIT_DIFFERENCES;
  },
};

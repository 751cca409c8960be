/**
 * The `--distributed` / `--resume` branch of `cfreplay replay` (loaded on use): argument
 * handling, live progress and Ctrl-C for the coordinator.
 */
import type { ReplayReport } from '../results/types.js';
import { UsageError } from './errors.js';
import type { ProgressLine } from '../util/progress-line.js';
import { isRedisUrl } from '../store/redis/url.js';
import { parseDuration } from '../util/duration.js';
import { commonReplayOptions, type CommonReplayArgs, type ReplayLimits } from './replay-args.js';
import type { DistributedProgress } from '../distributed/coordinator.js';

export interface DistributedReplayArgs extends CommonReplayArgs {
  workers?: number;
  resume?: string;
  'run-ttl'?: string;
  'reclaim-after'?: string;
  'keep-run'?: boolean;
}

export function describeDistributedProgress(p: DistributedProgress): string {
  const secs = p.elapsedMs / 1000;
  const rate = secs > 0 ? p.recordsDone / secs : 0;
  const pct = p.recordsTotal === 0 ? 100 : (p.recordsDone / p.recordsTotal) * 100;
  return `run ${p.runId}  ${pct.toFixed(1)}%  chunks ${p.chunksDone}/${p.chunksTotal} done, ${p.inFlight} in flight, ${p.reclaimed} reclaimed  workers ${p.workersActive} active / ${p.workersSeen} seen  ${Math.round(rate).toLocaleString('en-US')} records/s  changed ${p.changed.toLocaleString('en-US')}`;
}

export async function replayDistributedFromArgs(
  args: DistributedReplayArgs,
  extra: ReplayLimits,
  line: ProgressLine,
): Promise<ReplayReport> {
  if (!isRedisUrl(args.corpus)) {
    throw new UsageError(`--distributed: the corpus must be in Redis (--corpus redis://host:port/db#name); copy a file there first with: cfreplay push ${args.corpus} redis://host:port/0`);
  }
  if (args.workers !== undefined) process.stderr.write('cfreplay: --workers is ignored with --distributed (each `cfreplay worker` has --threads)\n');
  const { replayDistributed, RunInterruptedError } = await import('../distributed/coordinator.js');
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    return await replayDistributed({
      ...commonReplayOptions(args, extra),
      ...(args.resume !== undefined ? { resume: args.resume } : {}),
      ...(args['run-ttl'] !== undefined ? { ttlSeconds: parseDuration(args['run-ttl'], '--run-ttl') / 1000 } : {}),
      ...(args['reclaim-after'] !== undefined ? { reclaimMs: parseDuration(args['reclaim-after'], '--reclaim-after') } : {}),
      keepRun: args['keep-run'] === true,
      onProgress: (p) => line.update(() => describeDistributedProgress(p)),
      onInfo: (text) => {
        line.clear();
        process.stderr.write(`cfreplay: ${text}\n`);
      },
      signal: controller.signal,
    });
  } catch (e) {
    line.clear();
    if (e instanceof RunInterruptedError && e.interrupted) {
      process.stderr.write(`cfreplay: ${e.message}\n`);
      process.exit(130);
    }
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

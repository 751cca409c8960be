import { availableParallelism } from 'node:os';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { SUMMARIES } from './summaries.js';

interface WorkerArgs {
  target: string;
  threads?: number;
  name?: string;
  'exit-when-idle'?: string;
}

export const workerCommandModule: CommandModule<object, WorkerArgs> = {
  ...SUMMARIES.worker,
  builder: (y: Argv) =>
    y
      .positional('target', { type: 'string', demandOption: true, describe: 'redis://[user:password@]host:port/db (the same Redis as the coordinator)' })
      .option('threads', { type: 'number', describe: 'worker threads (default: one per core)' })
      .option('name', { type: 'string', describe: 'consumer name shown in progress (default: host-pid-random)' })
      .option('exit-when-idle', { type: 'string', describe: 'exit after this long with no run to serve, e.g. 30s (default: run until Ctrl-C)' })
      .example('$0 worker redis://ci-redis:6379/0 --threads 8', 'serve runs on this machine until Ctrl-C')
      .example('$0 worker redis://ci-redis:6379/0 --exit-when-idle 60s', 'CI: leave once the queue is empty') as unknown as Argv<WorkerArgs>,
  handler: async (args) => {
    const { isRedisUrl, parseRedisTarget } = await import('../../store/redis/index.js');
    const { DistributedWorker } = await import('../../distributed/worker.js');
    const { parseDuration } = await import('../../util/duration.js');
    if (!isRedisUrl(args.target)) throw new UsageError(`worker: expected a Redis URL (redis://host:port/db), got "${args.target}"`);
    const threads = args.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`--threads: expected a whole number >= 1, got ${args.threads}`);
    const idle = args['exit-when-idle'] !== undefined ? parseDuration(args['exit-when-idle'], '--exit-when-idle') : undefined;
    const controller = new AbortController();
    let signals = 0;
    const onSignal = () => {
      signals++;
      if (signals > 1) process.exit(130);
      process.stderr.write('cfreplay worker: stopping (releasing held chunks to the other workers; Ctrl-C again to quit at once)\n');
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const worker = new DistributedWorker(parseRedisTarget(args.target), {
        threads,
        ...(args.name !== undefined ? { name: args.name } : {}),
        ...(idle !== undefined ? { exitWhenIdleMs: idle } : {}),
        signal: controller.signal,
      });
      const stats = await worker.run();
      process.stderr.write(`cfreplay worker ${worker.name}: done: ${stats.chunks} chunk(s), ${stats.events.toLocaleString('en-US')} events replayed in ${stats.runs} run(s), ${stats.reclaimed} taken over\n`);
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
    if (signals > 0) process.exitCode = 130;
  },
};

import type { Argv, CommandModule } from 'yargs';
import { EXIT_USAGE, UsageError } from '../errors.js';
import { maskPassword } from '../../store/redis/url.js';
import { ProgressLine } from '../../util/progress-line.js';
import { SUMMARIES } from './summaries.js';

interface PushArgs {
  file: string;
  target: string;
  force: boolean;
  progress?: boolean;
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export const pushCommandModule: CommandModule<object, PushArgs> = {
  ...SUMMARIES.push,
  builder: (y: Argv) =>
    y
      .positional('file', { type: 'string', demandOption: true, describe: 'corpus file (.cfr)' })
      .positional('target', { type: 'string', demandOption: true, describe: 'redis://[user:password@]host:port/db[#name] (default name: the file name without .cfr)' })
      .option('force', { type: 'boolean', default: false, describe: 'replace a corpus of that name (switched over when the copy is complete)' })
      .option('progress', { type: 'boolean', describe: 'progress on stderr (default: when stderr is a terminal)' })
      .example('$0 push recordings/prod.cfr redis://localhost:6379/0#prod-2026-11', 'share a corpus') as unknown as Argv<PushArgs>,
  handler: async (args) => {
    const { isRedisUrl, parseRedisTarget, pushCorpus } = await import('../../store/redis/index.js');
    if (!isRedisUrl(args.target)) throw new UsageError(`push: the target must be a Redis URL (redis://host:port/db#name), got "${maskPassword(args.target)}"`);
    const line = new ProgressLine(process.stderr, args.progress ?? process.stderr.isTTY === true);
    let s;
    try {
      s = await pushCorpus(args.file, parseRedisTarget(args.target), { force: args.force, onProgress: (d, t) => line.update(`push ${d}/${t} chunks`) });
    } finally {
      line.clear();
    }
    process.stderr.write(`cfreplay: pushed ${s.events.toLocaleString('en-US')} events in ${s.chunks} chunks (${mb(s.bytes)}) to ${s.to} in ${(s.ms / 1000).toFixed(2)} s\n`);
  },
};

interface PullArgs {
  source: string;
  file: string;
  force: boolean;
  progress?: boolean;
}

export const pullCommandModule: CommandModule<object, PullArgs> = {
  ...SUMMARIES.pull,
  builder: (y: Argv) =>
    y
      .positional('source', { type: 'string', demandOption: true, describe: 'redis://[user:password@]host:port/db#name' })
      .positional('file', { type: 'string', demandOption: true, describe: 'corpus file to write (.cfr)' })
      .option('force', { type: 'boolean', default: false, describe: 'replace an existing file (only once the copy is complete)' })
      .option('progress', { type: 'boolean', describe: 'progress on stderr (default: when stderr is a terminal)' })
      .example('$0 pull redis://localhost:6379/0#prod-2026-11 prod.cfr', 'take a shared corpus home') as unknown as Argv<PullArgs>,
  handler: async (args) => {
    const { isRedisUrl, parseRedisTarget, pullCorpus } = await import('../../store/redis/index.js');
    if (!isRedisUrl(args.source)) throw new UsageError(`pull: the source must be a Redis URL with a corpus name (redis://host:port/db#name), got "${maskPassword(args.source)}"`);
    const line = new ProgressLine(process.stderr, args.progress ?? process.stderr.isTTY === true);
    let s;
    try {
      s = await pullCorpus(parseRedisTarget(args.source), args.file, { force: args.force, onProgress: (d, t) => line.update(`pull ${d}/${t} chunks`) });
    } finally {
      line.clear();
    }
    process.stderr.write(`cfreplay: pulled ${s.events.toLocaleString('en-US')} events in ${s.chunks} chunks into ${s.to} (${mb(s.bytes)}) in ${(s.ms / 1000).toFixed(2)} s\n`);
    for (const d of s.dropped ?? []) {
      process.stderr.write(`cfreplay: ${d.from}: chunk ${d.chunk} at byte ${d.offset} dropped (${d.reason}): its ${d.events} events are not in ${s.to} (its index lists the loss)\n`);
    }
    if ((s.dropped ?? []).length > 0) process.exitCode = EXIT_USAGE;
  },
};

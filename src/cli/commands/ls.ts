import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';

interface LsArgs {
  target: string;
  json: boolean;
}

export const lsCommandModule: CommandModule<object, LsArgs> = {
  command: 'ls <target>',
  describe: 'List the corpora stored in Redis (events, chunks, bytes, created)',
  builder: (y: Argv) =>
    y
      .positional('target', { type: 'string', demandOption: true, describe: 'redis://[user:password@]host:port/db' })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
      .example('$0 ls redis://localhost:6379/0', 'what is shared') as unknown as Argv<LsArgs>,
  handler: async (args) => {
    const { isRedisUrl, parseRedisTarget, listCorpora } = await import('../../store/redis/index.js');
    if (!isRedisUrl(args.target)) throw new UsageError(`ls: expected a Redis URL (redis://host:port/db), got "${args.target}"`);
    const target = parseRedisTarget(args.target);
    let list = await listCorpora(target);
    if (target.name !== undefined) list = list.filter((c) => c.name === target.name);
    if (args.json) {
      process.stdout.write(`${JSON.stringify(list.map(({ gen: _gen, ...c }) => c), null, 2)}\n`);
      return;
    }
    if (list.length === 0) {
      process.stdout.write(`no corpus in ${target.server}${target.name !== undefined ? ` named ${target.name}` : ''}\n`);
      return;
    }
    const rows = list.map((c) => [
      c.name,
      c.events.toLocaleString('en-US'),
      String(c.chunks),
      c.bytes.toLocaleString('en-US'),
      c.created,
      c.complete ? '' : 'INCOMPLETE',
    ]);
    const head = ['NAME', 'EVENTS', 'CHUNKS', 'BYTES', 'CREATED', ''];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (r: string[]) => r.map((v, i) => (i >= 1 && i <= 3 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
    process.stdout.write(`${[fmt(head), ...rows.map(fmt)].join('\n')}\n`);
  },
};

interface RmArgs {
  target: string;
}

export const rmCommandModule: CommandModule<object, RmArgs> = {
  command: 'rm <target>',
  describe: 'Delete a corpus from Redis',
  builder: (y: Argv) =>
    y
      .positional('target', { type: 'string', demandOption: true, describe: 'redis://[user:password@]host:port/db#name' })
      .example('$0 rm redis://localhost:6379/0#prod-2026-10', 'delete last month\'s corpus') as unknown as Argv<RmArgs>,
  handler: async (args) => {
    const { isRedisUrl, parseRedisTarget, deleteCorpus } = await import('../../store/redis/index.js');
    if (!isRedisUrl(args.target)) throw new UsageError(`rm: expected a Redis URL with a corpus name (redis://host:port/db#name), got "${args.target}"; to delete a file, use your shell`);
    const target = parseRedisTarget(args.target);
    const keys = await deleteCorpus(target);
    process.stderr.write(`cfreplay: deleted ${target.display} (${keys} keys)\n`);
  },
};

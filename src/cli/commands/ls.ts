import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import { SUMMARIES } from './summaries.js';

interface LsArgs {
  target: string;
  json: boolean;
  runs: boolean;
}

function table(head: string[], rows: string[][], rightAligned: number[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((v, i) => (rightAligned.includes(i) ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return `${[fmt(head), ...rows.map(fmt)].join('\n')}\n`;
}

export const lsCommandModule: CommandModule<object, LsArgs> = {
  ...SUMMARIES.ls,
  builder: (y: Argv) =>
    y
      .positional('target', { type: 'string', demandOption: true, describe: 'redis://[user:password@]host:port/db' })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
      .option('runs', { type: 'boolean', default: false, describe: 'list the distributed runs in progress or stopped (not the corpora)' })
      .example('$0 ls redis://localhost:6379/0', 'what is shared')
      .example('$0 ls redis://localhost:6379/0 --runs', 'distributed runs not finished yet') as unknown as Argv<LsArgs>,
  handler: async (args) => {
    const { isRedisUrl, parseRedisTarget, listCorpora } = await import('../../store/redis/index.js');
    if (!isRedisUrl(args.target)) throw new UsageError(`ls: expected a Redis URL (redis://host:port/db), got "${args.target}"`);
    const target = parseRedisTarget(args.target);
    if (args.runs) {
      const { listRuns } = await import('../../distributed/runs.js');
      const runs = await listRuns(target);
      if (args.json) process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
      else if (runs.length === 0) process.stdout.write(`no distributed run in ${target.server}\n`);
      else {
        process.stdout.write(
          table(['RUN', 'CORPUS', 'CHUNKS', 'RESULTS', 'IN FLIGHT', 'CREATED', 'EXPIRES'], runs.map((r) => [r.id, r.corpus, String(r.chunks), String(r.results), String(r.inFlight), r.created, r.expires]), [2, 3, 4]),
        );
      }
      return;
    }
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
    process.stdout.write(table(['NAME', 'EVENTS', 'CHUNKS', 'BYTES', 'CREATED', ''], rows, [1, 2, 3]));
  },
};

interface RmArgs {
  target: string;
  run?: string;
}

export const rmCommandModule: CommandModule<object, RmArgs> = {
  ...SUMMARIES.rm,
  builder: (y: Argv) =>
    y
      .positional('target', { type: 'string', demandOption: true, describe: 'redis://[user:password@]host:port/db#name' })
      .option('run', { type: 'string', describe: 'delete this distributed run (its queue and results) instead of a corpus' })
      .example('$0 rm redis://localhost:6379/0#prod-2026-10', 'delete last month\'s corpus')
      .example('$0 rm redis://localhost:6379/0 --run 20261121-101500-a1b2c3', 'drop a stopped run') as unknown as Argv<RmArgs>,
  handler: async (args) => {
    const { isRedisUrl, parseRedisTarget, deleteCorpus } = await import('../../store/redis/index.js');
    if (!isRedisUrl(args.target)) throw new UsageError(`rm: expected a Redis URL with a corpus name (redis://host:port/db#name), got "${args.target}"; to delete a file, use your shell`);
    const target = parseRedisTarget(args.target);
    if (args.run !== undefined) {
      const { deleteRun } = await import('../../distributed/runs.js');
      if (!(await deleteRun(target, args.run))) throw new UsageError(`run ${args.run} is not in ${target.server} (cfreplay ls ${target.server} --runs lists them)`);
      process.stderr.write(`cfreplay: deleted run ${args.run} from ${target.server}\n`);
      return;
    }
    const keys = await deleteCorpus(target);
    process.stderr.write(`cfreplay: deleted ${target.display} (${keys} keys)\n`);
  },
};

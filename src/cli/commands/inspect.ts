import type { Argv, CommandModule } from 'yargs';
import { openCorpus } from '../../store/index.js';
import { corpusStats, formatCorpusStats } from '../../inspect/corpus-stats.js';
import { EXIT_USAGE } from '../errors.js';

interface InspectArgs {
  corpus: string;
  json: boolean;
  top: number;
}

export const inspectCommandModule: CommandModule<object, InspectArgs> = {
  command: 'inspect <corpus>',
  describe: 'Summarise a corpus: events by type, method, host, status, top URIs, size, and an integrity check',
  builder: (y: Argv) =>
    y
      .positional('corpus', { type: 'string', demandOption: true, describe: 'corpus file (.cfr)' })
      .option('json', { type: 'boolean', default: false, describe: 'machine-readable output' })
      .option('top', { type: 'number', default: 10, describe: 'how many hosts and URIs to list' })
      .example('$0 inspect recordings/sample.cfr', 'what is in the sample corpus')
      .example('$0 inspect prod.cfr --json | jq .integrity', 'check a corpus in a script') as unknown as Argv<InspectArgs>,
  handler: async (args) => {
    const corpus = await openCorpus(args.corpus);
    try {
      const stats = await corpusStats(corpus, args.top);
      process.stdout.write(args.json ? `${JSON.stringify(stats, null, 2)}\n` : `${formatCorpusStats(stats)}\n`);
      if (!stats.integrity.ok) process.exitCode = EXIT_USAGE;
    } finally {
      await corpus.close();
    }
  },
};

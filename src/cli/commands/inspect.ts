import type { Argv, CommandModule } from 'yargs';
import { openCorpus } from '../../store/index.js';
import { corpusStats, formatCorpusStats } from '../../inspect/corpus-stats.js';
import { EXIT_USAGE } from '../errors.js';
import { SUMMARIES } from './summaries.js';

interface InspectArgs {
  corpus: string;
  json: boolean;
  top: number;
}

export const inspectCommandModule: CommandModule<object, InspectArgs> = {
  ...SUMMARIES.inspect,
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

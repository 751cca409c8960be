import type { Argv, CommandModule } from 'yargs';
import { openCorpus, type CorruptChunkError } from '../../store/index.js';
import { toEvent } from '../../event/views.js';
import type { EventType } from '../../event/types.js';
import { completeConnectionEvent, isRecordedConnection } from '../../event/connection.js';
import { EXIT_USAGE } from '../errors.js';
import { writeLine, endOutput } from '../output.js';
import { SUMMARIES } from './summaries.js';

interface CatArgs {
  corpus: string;
  limit?: number;
  'event-type'?: EventType | 'connection';
  records: boolean;
}

export const catCommandModule: CommandModule<object, CatArgs> = {
  ...SUMMARIES.cat,
  builder: (y: Argv) =>
    y
      .positional('corpus', { type: 'string', demandOption: true, describe: 'corpus file (.cfr)' })
      .option('limit', { type: 'number', describe: 'stop after N events' })
      .option('event-type', {
        choices: ['viewer-request', 'viewer-response', 'connection'] as const,
        describe:
          'which events to print (viewer-response: only exchanges CloudFront would run it on; connection: the mTLS connection events) ' +
          '[default: viewer-request events of the exchanges and the connection events]',
      })
      .option('records', { type: 'boolean', default: false, describe: 'print the stored records (capture time, source) instead of events' })
      .example('$0 cat recordings/sample.cfr --limit 3 | jq .request.uri', 'the first URIs')
      .example('$0 cat prod.cfr --event-type viewer-response > events.jsonl', 'viewer-response events for another tool') as unknown as Argv<CatArgs>,
  handler: async (args) => {
    const corpus = await openCorpus(args.corpus);
    const problems: CorruptChunkError[] = [];
    const structural = corpus.summary().problems;
    let printed = 0;
    try {
      for await (const record of corpus.records({ onCorruptChunk: (e) => problems.push(e) })) {
        if (args.limit !== undefined && printed >= args.limit) break;
        const type = args['event-type'];
        // Without --event-type: exchanges as viewer-request events, connection records as connection events.
        const out = args.records
          ? record
          : isRecordedConnection(record)
            ? type === undefined || type === 'connection'
              ? completeConnectionEvent(record.event)
              : undefined
            : type === 'connection'
              ? undefined
              : toEvent(record, type ?? 'viewer-request');
        if (out === undefined) continue;
        if (!(await writeLine(JSON.stringify(out)))) break; // reader went away (e.g. `| head`)
        printed++;
      }
    } finally {
      await corpus.close();
      await endOutput();
    }
    // Every damaged region, after the readable events: what opening found, then each corrupt chunk.
    const damaged = [...structural.map((p) => `${corpus.path}: byte ${p.offset}: ${p.message}`), ...problems.map((p) => p.message)];
    for (const line of damaged) process.stderr.write(`cfreplay: ${line}\n`);
    if (damaged.length > 0) process.exitCode = EXIT_USAGE;
  },
};

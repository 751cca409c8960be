/**
 * `cfreplay record events`: the test-event source's command (its options, and how it opens: events-source.ts).
 */
import type { Argv, CommandModule } from 'yargs';
import { addRecordOptions, runRecordCommand, type FilesArgs } from '../cli.js';
import { openEventSources, parseTimeOption } from './events-source.js';

interface EventsArgs extends FilesArgs {
  time?: string;
}

export const eventsCommand: CommandModule<object, EventsArgs> = {
  command: 'events <files..>',
  describe: 'Record existing CloudFront Functions test events, viewer and connection (mTLS) events (JSON, JSON arrays, JSON lines, directories of them)',
  builder: (y: Argv) =>
    addRecordOptions(
      y
        .positional('files', { type: 'string', array: true, describe: 'Event files (.json: one event or an array; .jsonl/.ndjson: one per line, also gzip-compressed as .jsonl.gz) or directories (read recursively)' })
        .option('time', {
          type: 'string',
          requiresArg: true,
          describe: 'Capture time for the events (ISO 8601 or epoch ms): the frozen clock for replay [default: each file\'s modification time]',
        })
        .usage(
          '$0 record events <file.json|file.jsonl|dir...> -o <corpus.cfr> [options]\n\n' +
            'Record the test events teams keep beside their functions, exactly as written (request id, querystring, headers, cookies), ' +
            'after checking each is a CloudFront Functions event. A viewer-response event gives a record that replays against both kinds of function. ' +
            'Lambda@Edge events (Records[0].cf) are refused with a clear message.',
        )
        .example('$0 record events functions/tests/ -o recordings/tests.cfr', 'Every event file of a folder')
        .example('$0 record events events.jsonl -o recordings/tests.cfr --time 2024-05-01T10:00:00Z', 'JSON lines with a fixed clock'),
      'used for events without viewer.ip',
    ) as unknown as Argv<EventsArgs>,
  handler: async (args) => {
    const files = args.files;
    const time = args.time !== undefined ? parseTimeOption(args.time) : undefined;
    await runRecordCommand(args, () => openEventSources(files, time !== undefined ? { time } : {}), { inputPaths: files });
  },
};

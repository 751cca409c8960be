/**
 * `cfreplay record gor`: the GoReplay source's command (its options, and how it opens: gor-source.ts).
 */
import type { Argv, CommandModule } from 'yargs';
import { addRecordOptions, runRecordCommand, type FilesArgs } from '../cli.js';
import { openGorSource } from './gor-source.js';

interface GorArgs extends FilesArgs {
  'trust-forwarded': boolean;
}

export const gorCommand: CommandModule<object, GorArgs> = {
  command: 'gor <files..>',
  describe: 'Record GoReplay captures (gor --output-file: .gor or .gor.gz)',
  builder: (y: Argv) =>
    addRecordOptions(
      y
        .positional('files', { type: 'string', array: true, describe: 'GoReplay files (.gor, or gzip-compressed), read as streams' })
        .option('trust-forwarded', {
          type: 'boolean',
          default: false,
          describe: 'Take viewer.ip from the first X-Forwarded-For hop of each request',
        })
        .usage(
          '$0 record gor <file.gor...> -o <corpus.cfr> [options]\n\n' +
            'Record the requests of GoReplay files, each joined with its original response (record type 2, same id) when the file has it; ' +
            'replayed responses (type 3) are ignored. Both 3-field (old) and 4-field record headers are read. A broken record is counted and skipped. ' +
            'The capture timestamp is kept as the frozen clock for replay.',
        )
        .example('$0 record gor requests_0.gor -o recordings/staging.cfr', 'Record a GoReplay capture')
        .example('$0 record gor capture.gor.gz -o recordings/staging.cfr --trust-forwarded --sample 10% --sample-key cookie:session', 'A sample of whole sessions'),
      'GoReplay files hold none (see --trust-forwarded)',
    ) as unknown as Argv<GorArgs>,
  handler: async (args) => {
    const files = args.files;
    await runRecordCommand(args, () => Promise.all(files.map((f) => openGorSource(f, { trustForwarded: args['trust-forwarded'] }))), { inputPaths: files });
  },
};

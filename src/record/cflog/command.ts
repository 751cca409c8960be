/**
 * `cfreplay record cflog`: the CloudFront log source's command (its options, and how it opens: cflog-source.ts).
 */
import type { Argv, CommandModule } from 'yargs';
import { addRecordOptions, runRecordCommand, type FilesArgs } from '../cli.js';
import { openCflogSource } from './cflog-source.js';
import { readFieldsOption } from './fields.js';

interface CflogArgs extends FilesArgs {
  fields?: string;
}

export const cflogCommand: CommandModule<object, CflogArgs> = {
  command: 'cflog <files..>',
  describe: 'Record CloudFront access logs (standard logs legacy and v2: W3C, plain text, JSON, Parquet; real-time logs; plain or .gz)',
  builder: (y: Argv) =>
    addRecordOptions(
      y
        .positional('files', { type: 'string', array: true, describe: 'CloudFront log files (gzip-compressed or not); the format is told from the content' })
        .option('fields', {
          type: 'string',
          requiresArg: true,
          describe:
            'Field order of records without a #Fields line (real-time logs, v2 plain text): the fields of the log configuration, comma separated ' +
            '(timestamp,c-ip,cs-method,...) or a file holding them. A #Fields line in a file wins',
        })
        .usage(
          '$0 record cflog <file.log[.gz]...> -o <corpus.cfr> [options]\n\n' +
            'Record the requests CloudFront logged. Fields are URL-decoded once (what the viewer sent), "-" means empty. ' +
            'viewer.ip comes from c-ip, the time from date and time (or timestamp), Host from x-host-header (else cs(Host)), ' +
            'cookies from cs(Cookie) when the distribution logs them; real-time logs with cs-headers give every header. ' +
            'The status (and content type and length) make the response side. Malformed lines are counted and skipped; ' +
            'RTMP (streaming distribution) logs are refused. Standard logging v2 files are read too, told from their content: ' +
            'JSON (one object per line, AWS field names, any selection and order), W3C or plain text with a tab or space delimiter, ' +
            'and Parquet; they give the same events as the legacy log of the same requests. A v2 JSON line that is not an object, ' +
            'or a Parquet row group that cannot be read, stops with the file and line or row group (exit 2).',
        )
        .example('$0 record cflog E2EXAMPLE.2024-05-01-10.abcd1234.gz -o recordings/prod.cfr', 'Record a standard log')
        .example('$0 record cflog logs/*.gz -o recordings/prod.cfr --include-host www.example.com --sample 5%', 'A 5% sample of one host')
        .example('$0 record cflog kinesis-records.log --fields fields.txt -o recordings/rt.cfr', 'A real-time log with the configured field order')
        .example('$0 record cflog v2/E2EXAMPLE.2025-01-15-09.abcd.json.gz v2/part-0.parquet -o recordings/v2.cfr', 'Standard logging v2 (JSON and Parquet)'),
      'used when c-ip is missing',
    ) as unknown as Argv<CflogArgs>,
  handler: async (args) => {
    const files = args.files;
    await runRecordCommand(
      args,
      async () => {
        const fields = args.fields !== undefined ? await readFieldsOption(args.fields) : undefined;
        return Promise.all(files.map((f) => openCflogSource(f, fields !== undefined ? { fields } : {})));
      },
      { inputPaths: files },
    );
  },
};

/**
 * `cfreplay record <source> ...`: turn captured traffic into a corpus of
 * CloudFront Functions events. Each source is a subcommand, listed in
 * src/record/sources.ts; they share the options, filters, summary and output
 * handling in src/record/cli.ts.
 */
import type { Argv, CommandModule } from 'yargs';
import { RECORD_SOURCES } from '../../record/sources.js';
import { SUMMARIES } from './summaries.js';

export const recordCommandModule: CommandModule = {
  ...SUMMARIES.record,
  builder: (y: Argv) => {
    let out = y.usage('$0 record <source> <input...> -o <corpus.cfr> [options]');
    for (const c of RECORD_SOURCES) out = out.command(c);
    return out
      .demandCommand(1, 'Name a source: cfreplay record har <file.har> -o recordings/NAME.cfr')
      .example('$0 record har session.har -o recordings/site.cfr', 'Record a HAR file')
      .example('$0 record proxy --listen 127.0.0.1:8080 --target http://127.0.0.1:3000 -o recordings/live.cfr', 'Record live traffic')
      .example('$0 record cflog logs/*.gz -o recordings/prod.cfr', 'Record CloudFront access logs');
  },
  handler: () => {},
};

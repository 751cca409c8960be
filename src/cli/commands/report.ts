import type { Argv, CommandModule } from 'yargs';
import { writeReportOutputs } from '../../report/outputs.js';
import { readReport } from '../../results/read.js';
import { SUMMARIES } from './summaries.js';
import { checkOutputPaths } from '../../util/output-paths.js';

interface ReportArgs {
  report: string;
  html?: string;
  markdown?: string;
  junit?: string;
}

export const reportCommandModule: CommandModule<object, ReportArgs> = {
  ...SUMMARIES.report,
  builder: (y: Argv) =>
    y
      .positional('report', { type: 'string', demandOption: true, describe: 'JSON report written by `cfreplay replay --json`' })
      .option('html', { type: 'string', requiresArg: true, describe: 'write a self-contained HTML report here' })
      .option('markdown', { type: 'string', requiresArg: true, describe: 'write a Markdown summary here ("-" for stdout)' })
      .option('junit', { type: 'string', requiresArg: true, describe: 'write JUnit XML here (a test case per difference group and gate check)' })
      .example('$0 report report.json --html report.html', 'a page to look at the differences and latency')
      .example('$0 report report.json --markdown summary.md --junit junit.xml', 'what CI publishes: a PR comment and test results')
      .example('$0 report report.json > comment.md', 'the Markdown summary on stdout') as unknown as Argv<ReportArgs>,
  handler: async (args) => {
    checkOutputPaths(
      [
        { what: '--html', path: args.html ?? '' },
        { what: '--markdown', path: args.markdown ?? '' },
        { what: '--junit', path: args.junit ?? '' },
      ],
      [{ what: 'the report being read', path: args.report }],
      { createParents: true },
    );
    const report = await readReport(args.report);
    const none = args.html === undefined && args.markdown === undefined && args.junit === undefined;
    await writeReportOutputs(report, {
      ...(args.html !== undefined ? { html: args.html } : {}),
      ...(args.junit !== undefined ? { junit: args.junit } : {}),
      ...(args.markdown !== undefined ? { markdown: args.markdown } : none ? { markdown: '-' } : {}),
    });
  },
};

/**
 * `cfreplay test <function.js> <cases...>`: run test cases (cftest's
 * `{"event", "output"}` format, or partial `{"event", "expect"}`) through one
 * function, all in one process, and report like a test runner. `--update`
 * writes the current outputs as the expectations.
 *
 * Exit status: 0 every case passed (or --update wrote them), 1 a case failed
 * or has no expectation, 2 usage or input error (bad case file, function that
 * does not load).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { describeRuntime } from '../../runtime/prepare.js';
import { readCaseFiles } from '../../testmode/cases.js';
import { runCases } from '../../testmode/run-cases.js';
import { closingLine, failureLine, filledLine, renderTestJunit, summarize } from '../../testmode/format.js';
import { updateCaseFiles } from '../../testmode/update.js';
import { checkOutputPaths } from '../../util/output-paths.js';
import { EXIT_DIFFERENCES, EXIT_OK, UsageError } from '../errors.js';
import { engineFromArgs, functionOptions, type FunctionArgs } from '../function-args.js';
import { SUMMARIES } from './summaries.js';
import { defaultEventType, parseNow, prepareFromArgs } from './run.js';
import { RUN_TIMEOUT_MS } from '../../runtime/limits.js';

export interface TestArgs extends FunctionArgs {
  function: string;
  cases?: string[];
  stdin?: boolean;
  'event-type'?: string;
  update?: boolean;
  junit?: string;
  'timeout-ms': number;
  now?: string;
  seed: number;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface TestOutcome {
  lines: string[];
  exitCode: number;
}

/** The command's work, separated from yargs for tests. Throws a UserError (UsageError or a layer's own) for input errors. */
export async function testCommand(args: TestArgs): Promise<TestOutcome> {
  const started = performance.now();
  if (!(args['timeout-ms'] > 0)) throw new UsageError('--timeout-ms: expected a positive number of milliseconds');
  const paths = [...(args.cases ?? []), ...(args.stdin === true ? ['-'] : [])];
  if (paths.length === 0) throw new UsageError('name the case files or directories (or --stdin for JSON lines on stdin)');
  if (args.update === true && args.stdin === true) throw new UsageError('--update cannot rewrite cases read from stdin: name the case files');
  const { prepared, kvs } = prepareFromArgs(args);
  if (/function\s+connectionHandler\s*\(/.test(prepared.source) && !/function\s+handler\s*\(/.test(prepared.source))
    throw new UsageError(`${args.function}: a connection function (connectionHandler): cfreplay test runs viewer-request and viewer-response functions`);
  const files = await readCaseFiles(paths, readStdin);
  // The JUnit file may not be an input (the function, a case file, the KVS file, a prepended file), a directory or a device.
  checkOutputPaths(
    [{ what: '--junit', path: args.junit ?? '' }],
    [
      { what: 'the function', path: args.function },
      ...files.filter((f) => f.path !== '-').map((f) => ({ what: 'a case file', path: f.path })),
      { what: 'the KVS file', path: args.kvs ?? '' },
      ...(args.prepend ?? []).map((p) => ({ what: 'a --prepend file', path: p })),
    ],
    { createParents: true },
  );
  const cases = files.flatMap((f) => f.cases);
  if (cases.length === 0) throw new UsageError(`no test case in ${paths.map((p) => (p === '-' ? 'stdin' : p)).join(', ')}`);
  const type = defaultEventType(args['event-type'], prepared.source);
  const { engine } = engineFromArgs(args);
  const now = parseNow(args.now) ?? Date.now();
  const results = await runCases(
    cases,
    {
      source: prepared.source,
      filename: args.function,
      runtime: prepared.runtime,
      ...(kvs ? { kvs } : {}),
      ...(engine !== 'v8' ? { engine } : {}),
      eventType: type.eventType,
      eventTypeFrom: type.from,
    },
    { now, seed: args.seed, timeoutMs: args['timeout-ms'] },
  );
  const lines: string[] = [];
  lines.push(`cfreplay test ${args.function}: ${cases.length} case${cases.length === 1 ? '' : 's'} from ${files.length} file${files.length === 1 ? '' : 's'}, runtime ${describeRuntime(prepared)}${engine !== 'v8' ? `, engine ${engine}` : ''}`);
  if (prepared.transforms.length > 0) lines.push(`transforms: ${prepared.transforms.join('; ')}`);
  const filled = filledLine(results);
  if (filled !== undefined) lines.push(filled);
  const durationMs = performance.now() - started;
  if (args.junit !== undefined) {
    await mkdir(dirname(args.junit), { recursive: true });
    await writeFile(args.junit, renderTestJunit(results, { function: args.function, runtime: describeRuntime(prepared), durationMs }));
  }
  if (args.update === true) {
    const { written, casesChanged } = await updateCaseFiles(files, results);
    lines.push(`updated ${casesChanged} case${casesChanged === 1 ? '' : 's'} in ${written.length} file${written.length === 1 ? '' : 's'}${written.length > 0 && written.length <= 5 ? `: ${written.join(', ')}` : ''} (expectations = current outputs)`);
    return { lines, exitCode: EXIT_OK };
  }
  for (const r of results) if (r.status !== 'passed') lines.push(failureLine(r));
  const s = summarize(results);
  lines.push(closingLine(s, durationMs));
  return { lines, exitCode: s.failed + s.noExpectation === 0 ? EXIT_OK : EXIT_DIFFERENCES };
}

export const testCommandModule: CommandModule<object, TestArgs> = {
  ...SUMMARIES.test,
  builder: (y: Argv<object>) =>
    functionOptions(y)
      .positional('function', { type: 'string', demandOption: true, describe: 'function source (.js)' })
      .positional('cases', { type: 'string', array: true, describe: 'case files (.json: one case or an array; .jsonl: one per line) and directories of them' })
      .option('stdin', { type: 'boolean', describe: 'also read cases as JSON lines from stdin' })
      .option('event-type', { type: 'string', choices: ['viewer-request', 'viewer-response'], describe: 'for events without context.eventType (default: viewer-response when the function reads event.response)' })
      .option('update', { type: 'boolean', describe: 'write the current outputs as the expectations (snapshot style); case files are rewritten in place' })
      .option('junit', { type: 'string', describe: 'write JUnit XML (one test case per case) here' })
      .option('timeout-ms', { type: 'number', default: RUN_TIMEOUT_MS, describe: 'time budget of one case' })
      .option('now', { type: 'string', describe: 'frozen clock for every case: epoch ms or ISO date (default: now)' })
      .option('seed', { type: 'number', default: 1, describe: 'Math.random seed for every case' })
      .example('$0 test functions/router.js tests/cases/', 'every .json/.jsonl case under tests/cases/')
      .example('$0 test fn.js cases.jsonl --strip-export --define KVS_ID_PLACEHOLDER=a1b2 --kvs kvs.json', 'the function as deployed')
      .example('$0 test fn.js events/ --update', 'migrate: write the current outputs as expectations') as unknown as Argv<TestArgs>,
  handler: async (args) => {
    const out = await testCommand(args);
    process.stdout.write(`${out.lines.join('\n')}\n`);
    process.exitCode = out.exitCode;
  },
};

/**
 * What every `cfreplay record <source>` subcommand shares: the options
 * (output, append, filters, event context, summary), and running a list of
 * sources into the output with progress, summary and exit codes.
 *
 * A source is a yargs command module in its folder (`har/command.ts`, ...) that
 * calls `addRecordOptions(y)` in its builder and `runRecordCommand(args,
 * sources, inputPaths)` in its handler, listed in sources.ts.
 */
import { lstatSync, writeFileSync } from 'node:fs';
import { checkOutputPaths } from '../util/output-paths.js';
import { join } from 'node:path';
import { isIP } from 'node:net';
import type { Argv } from 'yargs';
import { DEFAULT_BUILD_OPTIONS } from '../event/index.js';
import { checkOutputPath, openCorpusSink } from './corpus-sink.js';
import { InputError } from './errors.js';
import { compileFilters, splitList } from './filters.js';
import { runRecording, RecordingInterrupted } from './pipeline.js';
import { createProgress, silentProgress } from './progress.js';
import { formatSummary, type RecordSummary } from './summary.js';
import type { RecordSink, RecordSource, RecordStep } from './types.js';
import { CountingSink } from './sinks.js';
import { checkRedisOutput, openRedisSink } from './redis-sink.js';
import { isRedisUrl, maskPassword } from '../store/redis/url.js';
import { createSampler, parseSampleKey, parseSampleRate } from './sampling.js';
import { parseRedactRules, Redactor, REDACT_KEY_ENV, resolveRedactKey } from './redaction.js';
import { CredentialScanner } from './credential-scan.js';

export interface RecordCommonArgs {
  output?: string;
  'dry-run'?: boolean;
  append: boolean;
  force: boolean;
  'include-host'?: string[];
  'exclude-host'?: string[];
  include?: string[];
  exclude?: string[];
  method?: string[];
  'viewer-ip'?: string;
  'distribution-domain': string;
  'distribution-id': string;
  'json-summary': boolean;
  quiet: boolean;
  progress?: boolean;
  sample?: string;
  'sample-key'?: string;
  redact?: string[];
  'redact-key'?: string;
}

/** The arguments of a source that reads input files (`record har a.har b.har`). */
export interface FilesArgs extends RecordCommonArgs {
  files: string[];
}

const FILTERS = 'Filters:';
const EVENT = 'Event context:';
const OUTPUT = 'Output:';
const PRIVACY = 'Sampling and redaction:';

/** Add the shared record options to a subcommand's yargs builder. */
export function addRecordOptions<T>(y: Argv<T>, viewerIpNote = 'used when the capture has no client address'): Argv<T & RecordCommonArgs> {
  return y
    .option('output', {
      alias: 'o',
      type: 'string',
      describe: 'Corpus file to write, e.g. recordings/site.cfr (its directory must exist) [required unless --dry-run]',
      group: OUTPUT,
      requiresArg: true,
    })
    .option('dry-run', {
      type: 'boolean',
      default: false,
      describe: 'Read and check everything, print the summary, write nothing',
      group: OUTPUT,
    })
    .option('append', { type: 'boolean', default: false, describe: 'Add the records to an existing corpus', group: OUTPUT })
    .option('force', {
      type: 'boolean',
      default: false,
      describe: 'Replace an existing output file (the old one is kept until the new one is complete)',
      group: OUTPUT,
    })
    .option('json-summary', { type: 'boolean', default: false, describe: 'Print the summary as JSON on stdout', group: OUTPUT })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No summary on stderr (warnings still shown)', group: OUTPUT })
    .option('progress', { type: 'boolean', describe: 'Progress line on stderr (default: when stderr is a terminal)', group: OUTPUT })
    .option('include-host', {
      alias: 'host',
      type: 'string',
      array: true,
      requiresArg: true,
      describe: 'Keep only these hosts (repeatable or comma separated; "*.example.com" matches subdomains; port ignored)',
      group: FILTERS,
    })
    .option('exclude-host', { type: 'string', array: true, requiresArg: true, describe: 'Drop these hosts (same syntax)', group: FILTERS })
    .option('include', {
      type: 'string',
      array: true,
      requiresArg: true,
      describe: 'Keep only URLs matching one of these regular expressions (tested on scheme://host/path?query, raw)',
      group: FILTERS,
    })
    .option('exclude', { type: 'string', array: true, requiresArg: true, describe: 'Drop URLs matching one of these regular expressions', group: FILTERS })
    .option('method', { type: 'string', array: true, requiresArg: true, describe: 'Keep only these methods (e.g. --method GET,HEAD)', group: FILTERS })
    .option('sample', {
      type: 'string',
      requiresArg: true,
      describe: 'Keep this share of the traffic (10%, 0.1 or 1/10), decided by a hash of --sample-key: a session is kept or dropped whole, the same way in every run',
      group: PRIVACY,
    })
    .option('sample-key', {
      type: 'string',
      requiresArg: true,
      describe: 'What --sample hashes: ip, cookie:NAME, header:NAME or query:NAME [default: ip]. Requests without it fall back to the viewer IP (when known), else are sampled one by one',
      group: PRIVACY,
    })
    .option('redact', {
      type: 'string',
      array: true,
      requiresArg: true,
      describe:
        'Redact before storing: header:NAME, cookie:NAME or query:NAME, then =hash (default: keyed HMAC, equal values stay equal) or =drop. ' +
        'header:cookie / header:set-cookie mean every cookie. Names match case-insensitively (query names also percent-decoded); ' +
        'a query rule also covers that parameter inside Referer, Location and Origin URLs. ' +
        '--redact credentials: Authorization, Cookie, Set-Cookie, X-Api-Key and token-like query parameters. Repeatable',
      group: PRIVACY,
    })
    .option('redact-key', {
      type: 'string',
      requiresArg: true,
      describe: `HMAC key for --redact ...=hash (else $${REDACT_KEY_ENV}, else a random key printed once). Never stored in the corpus`,
      group: PRIVACY,
    })
    .option('viewer-ip', {
      type: 'string',
      requiresArg: true,
      describe: `viewer.ip for the events, ${viewerIpNote} [default: ${DEFAULT_BUILD_OPTIONS.defaultViewerIp}, a TEST-NET-3 documentation address]`,
      group: EVENT,
    })
    .option('distribution-domain', {
      type: 'string',
      default: DEFAULT_BUILD_OPTIONS.distributionDomainName,
      requiresArg: true,
      describe: 'context.distributionDomainName for the events',
      group: EVENT,
    })
    .option('distribution-id', {
      type: 'string',
      default: DEFAULT_BUILD_OPTIONS.distributionId,
      requiresArg: true,
      describe: 'context.distributionId for the events',
      group: EVENT,
    }) as unknown as Argv<T & RecordCommonArgs>;
}

/** Validate the shared options; throws InputError with the flag's name. */
export function recordOptionsFromArgs(args: RecordCommonArgs) {
  const viewerIp = args['viewer-ip'];
  if (viewerIp !== undefined && isIP(viewerIp) === 0) throw new InputError(`--viewer-ip: "${viewerIp}" is not an IPv4 or IPv6 address`);
  const domain = args['distribution-domain'].trim();
  if (domain === '' || /[\s/]/.test(domain)) throw new InputError(`--distribution-domain: "${args['distribution-domain']}" is not a domain name`);
  const id = args['distribution-id'].trim();
  if (id === '' || /\s/.test(id)) throw new InputError(`--distribution-id: "${args['distribution-id']}" is not a distribution id`);
  const filters = compileFilters({
    includeHosts: splitList(args['include-host']),
    excludeHosts: splitList(args['exclude-host']),
    include: args.include ?? [],
    exclude: args.exclude ?? [],
    methods: splitList(args.method),
  });
  if (args['sample-key'] !== undefined && args.sample === undefined) throw new InputError('--sample-key needs --sample (e.g. --sample 10%)');
  const sampler =
    args.sample !== undefined
      ? createSampler({ rate: parseSampleRate(args.sample), key: args['sample-key'] !== undefined ? parseSampleKey(args['sample-key']) : { kind: 'ip' } })
      : undefined;
  const rules = (args.redact ?? []).flatMap(parseRedactRules);
  if (args['redact-key'] !== undefined && rules.length === 0) throw new InputError('--redact-key needs at least one --redact rule');
  let redactor: Redactor | undefined;
  let generatedKey: string | undefined;
  if (rules.length > 0) {
    const needsKey = rules.some((r) => r.mode === 'hash');
    const resolved = needsKey ? resolveRedactKey(args['redact-key']) : undefined;
    if (resolved?.generated === true) generatedKey = resolved.key;
    redactor = new Redactor(rules, resolved?.key);
  }
  const steps: RecordStep[] = [];
  if (sampler !== undefined) steps.push(sampler);
  if (redactor !== undefined) steps.push(redactor.step());
  // Without --redact, what is stored is looked at for credentials: one warning names the fields found.
  const credentialScanner = redactor === undefined ? new CredentialScanner() : undefined;
  if (credentialScanner !== undefined) steps.push(credentialScanner.step());
  return {
    build: {
      distributionDomainName: domain,
      distributionId: id,
      defaultViewerIp: viewerIp ?? DEFAULT_BUILD_OPTIONS.defaultViewerIp,
    },
    filters,
    steps,
    redactor,
    credentialScanner,
    generatedKey,
  };
}

export interface RunRecordCommandOptions {
  /** Paths read by the sources (so the output cannot overwrite one). */
  inputPaths?: readonly string[];
  /** Override the sink (tests, dry runs). */
  sink?: RecordSink;
  /** Where the summary goes (tests). */
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
  stdout?: NodeJS.WritableStream;
  /**
   * 'abort' (default): Ctrl-C aborts the recording and removes the output.
   * 'finish': the source handles SIGINT/SIGTERM itself by ending its items
   * (live capture), and the output is completed normally.
   */
  interrupt?: 'abort' | 'finish';
  /** Write a partial chunk at least this often (live capture; corpus file outputs). */
  flushIntervalMs?: number;
  /** Wrap the opened sink (the proxy's recorder counts what it writes for its progress line). */
  wrapSink?: (sink: RecordSink) => RecordSink;
}

/**
 * Where a generated key goes: `base`, else `base.1`, `base.2`... (the first
 * name not taken, so no file is ever replaced), checked like every output
 * before any input is read: not an input (also through a link), its directory
 * existing.
 */
function chooseKeyFile(base: string, inputs: readonly string[]): string {
  for (let n = 0; n <= 100; n++) {
    const p = n === 0 ? base : `${base}.${n}`;
    try {
      lstatSync(p);
      continue; // taken (a file, a link, a directory, a device): never written over
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new InputError(`cannot write the generated --redact key to ${p} (${(e as NodeJS.ErrnoException).code ?? String(e)}); give one with --redact-key or ${REDACT_KEY_ENV}`);
    }
    checkOutputPaths([{ what: 'the generated --redact key file', path: p }], inputs.map((i) => ({ what: 'an input', path: i })));
    return p;
  }
  throw new InputError(`cannot write the generated --redact key beside ${base}: ${base}.1 to ${base}.100 exist; give one with --redact-key or ${REDACT_KEY_ENV}`);
}

/** Write a generated key to `path`, mode 0600, never over an existing file. */
function writeKeyFile(path: string, key: string): void {
  try {
    writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (e) {
    throw new InputError(`cannot write the generated --redact key to ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)}); give one with --redact-key or ${REDACT_KEY_ENV}`);
  }
}

/**
 * Run sources into the output named by `args`: output checks first (before
 * any input is read), then the pipeline, then the summary. User errors are
 * thrown as user-facing errors (the CLI prints them, exit 2); Ctrl-C aborts
 * the output and exits 130.
 */
export async function runRecordCommand(
  args: RecordCommonArgs,
  openSources: () => Promise<RecordSource[]>,
  options: RunRecordCommandOptions = {},
): Promise<RecordSummary | undefined> {
  const stderr = options.stderr ?? process.stderr;
  const stdout = options.stdout ?? process.stdout;
  const { build, filters, steps, redactor, credentialScanner, generatedKey } = recordOptionsFromArgs(args);
  const sinkOptions = { append: args.append, force: args.force, ...(options.flushIntervalMs !== undefined ? { flushIntervalMs: options.flushIntervalMs } : {}) };
  const dryRun = args['dry-run'] === true;
  const output = args.output;
  if (output === undefined || output === '') {
    if (!dryRun && options.sink === undefined) throw new InputError('name the corpus file to write with -o, e.g. -o recordings/site.cfr (or use --dry-run)');
  } else if (!dryRun) {
    if (isRedisUrl(output)) await checkRedisOutput(output, sinkOptions);
    else await checkOutputPath(output, sinkOptions, options.inputPaths ?? []);
  }
  // A generated key is never printed (terminals and CI logs keep it): it goes to a file only the user can read,
  // named and checked now; a dry run writes nothing, so it keeps no key either.
  const keyFile =
    generatedKey !== undefined && !dryRun
      ? chooseKeyFile(output !== undefined && output !== '' && !isRedisUrl(output) ? `${output}.redact-key` : join(process.cwd(), 'cfreplay.redact-key'), options.inputPaths ?? [])
      : undefined;
  const sources = await openSources();
  if (generatedKey !== undefined && keyFile !== undefined) {
    writeKeyFile(keyFile, generatedKey);
    stderr.write(
      `cfreplay: --redact: generated an HMAC key, written to ${keyFile} (readable by you only; not stored in the corpus); to hash the same way next time: ${REDACT_KEY_ENV}="$(cat ${keyFile})"\n`,
    );
  }
  const opened = options.sink ?? (dryRun || output === undefined ? new CountingSink() : isRedisUrl(output) ? await openRedisSink(output, sinkOptions) : await openCorpusSink(output, sinkOptions));
  const sink = options.wrapSink !== undefined ? options.wrapSink(opened) : opened;
  const wantProgress = args.progress ?? (stderr as { isTTY?: boolean }).isTTY === true;
  const progress = wantProgress ? createProgress(stderr as NodeJS.WriteStream, args.progress === true ? { delayMs: 0 } : {}) : silentProgress;
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  const abortOnSigint = options.interrupt !== 'finish';
  if (abortOnSigint) process.once('SIGINT', onSigint);
  let summary: RecordSummary;
  try {
    summary = await runRecording(sources, sink, {
      build,
      filters,
      progress,
      ...(dryRun || output === undefined ? {} : { output: maskPassword(output) }),
      append: args.append,
      signal: controller.signal,
      steps,
    });
  } catch (e) {
    if (e instanceof RecordingInterrupted) {
      stderr.write(`cfreplay: ${e.message}\n`);
      process.exitCode = 130;
      return undefined;
    }
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  if (redactor !== undefined) summary.notes.push(...redactor.notes());
  const credentials = credentialScanner?.warning();
  if (credentials !== undefined) summary.warnings.push(credentials);
  if (dryRun) summary.warnings.push('--dry-run: nothing was written');
  if (summary.recordsWritten === 0) summary.warnings.push('nothing was recorded: every entry was skipped or filtered out (see above)');
  if (!args.quiet) stderr.write(`${formatSummary(summary)}\n`);
  else for (const w of summary.warnings) stderr.write(`cfreplay: warning: ${w}\n`);
  if (args['json-summary']) stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

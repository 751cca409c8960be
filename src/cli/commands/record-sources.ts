/**
 * `cfreplay record gor|cflog|events|proxy`: the non-HAR sources. Each is a
 * yargs command module sharing the record options (src/record/cli.ts).
 */
import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { addRecordOptions, recordOptionsFromArgs, runRecordCommand, type RecordCommonArgs } from '../../record/cli.js';
import { InputError } from '../../record/errors.js';
import { openGorSource } from '../../record/gor/gor-source.js';
import { openCflogSource } from '../../record/cflog/cflog-source.js';
import { readFieldsOption } from '../../record/cflog/fields.js';
import { openEventSources, parseTimeOption } from '../../record/events/events-source.js';
import { parseListen, parseTarget } from '../../record/proxy/proxy-source.js';
import { parseDuration } from '../../util/duration.js';
import { runProxyRecording } from '../../record/proxy/live-recording.js';
import type { ProxyTlsOptions } from '../../record/proxy/mtls.js';

interface FilesArgs extends RecordCommonArgs {
  files: string[];
}

interface GorArgs extends FilesArgs {
  'trust-forwarded': boolean;
}

export const recordGorCommand: CommandModule<object, GorArgs> = {
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

interface CflogArgs extends FilesArgs {
  fields?: string;
}

export const recordCflogCommand: CommandModule<object, CflogArgs> = {
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

interface EventsArgs extends FilesArgs {
  time?: string;
}

export const recordEventsCommand: CommandModule<object, EventsArgs> = {
  command: 'events <files..>',
  describe: 'Record existing CloudFront Functions test events, viewer and connection (mTLS) events (JSON, JSON arrays, JSON lines, directories of them)',
  builder: (y: Argv) =>
    addRecordOptions(
      y
        .positional('files', { type: 'string', array: true, describe: 'Event files (.json: one event or an array; .jsonl: one per line) or directories (read recursively)' })
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

interface ProxyArgs extends RecordCommonArgs {
  listen: string;
  target: string;
  'trust-forwarded': boolean;
  'preserve-host': boolean;
  'max-events'?: number;
  duration?: string;
  timeout: string;
  'origin-ca'?: string;
  cert?: string;
  key?: string;
  'client-ca'?: string;
}

export const recordProxyCommand: CommandModule<object, ProxyArgs> = {
  command: 'proxy',
  describe: 'Record live traffic: a reverse proxy in front of an origin that records every exchange as it completes',
  builder: (y: Argv) =>
    addRecordOptions(
      y
        .option('listen', { type: 'string', default: '127.0.0.1:8080', requiresArg: true, describe: 'Address to listen on (host:port, or a port)' })
        .option('target', { type: 'string', demandOption: true, requiresArg: true, describe: 'Origin to forward to, e.g. http://127.0.0.1:3000 (http or https)' })
        .option('trust-forwarded', { type: 'boolean', default: false, describe: 'Take viewer.ip from the first X-Forwarded-For hop (when a trusted proxy sits in front)' })
        .option('preserve-host', { type: 'boolean', default: false, describe: "Forward the viewer's Host header (default: the origin's host, as the events keep the viewer's)" })
        .option('max-events', { type: 'number', requiresArg: true, describe: 'Stop after this many exchanges' })
        .option('duration', { type: 'string', requiresArg: true, describe: 'Stop after this long (e.g. 90s, 10m, 1h)' })
        .option('timeout', { type: 'string', default: '30s', requiresArg: true, describe: 'Origin timeout: no answer within it gives the viewer a 504 (recorded as such)' })
        .option('origin-ca', { type: 'string', requiresArg: true, describe: "CA certificate(s) (PEM file) to trust for an https origin instead of the system's, e.g. a staging origin's own CA" })
        .option('cert', { type: 'string', requiresArg: true, describe: 'Serve the viewers over TLS with this certificate chain (PEM file; with --key)' })
        .option('key', { type: 'string', requiresArg: true, describe: 'Private key (PEM file) of --cert' })
        .option('client-ca', {
          type: 'string',
          requiresArg: true,
          describe:
            'Ask viewers for a client certificate and record one connection (mTLS) event per handshake whose certificate verifies against ' +
            'these CA certificates (PEM file; needs --cert/--key): the events a connection function replays',
        })
        .usage(
          '$0 record proxy --listen 127.0.0.1:8080 --target http://origin:port -o <corpus.cfr> [options]\n\n' +
            'Forward every request to the origin, streaming bodies both ways untouched, and record each exchange as it completes ' +
            '(request line and headers in order, viewer IP from the connection, response status and headers). ' +
            'The corpus is flushed at least once a second, so a crash loses at most the last second. ' +
            'Ctrl-C or SIGTERM finishes the file and prints the summary. Origin errors and timeouts give the viewer a 502/504, recorded as such. ' +
            'WebSocket upgrades are forwarded: the handshake is recorded (its 101 gives no viewer-response event), the frames are relayed, not recorded. ' +
            'On a terminal a status line shows exchanges recorded, requests/s, origin errors, bytes and chunks written, and uptime.',
        )
        .example('$0 record proxy --target http://127.0.0.1:3000 -o recordings/live.cfr', 'Record what goes through 127.0.0.1:8080')
        .example('$0 record proxy --listen 0.0.0.0:8080 --target http://staging:80 --trust-forwarded --duration 10m -o recordings/live.cfr', 'Behind a load balancer, for ten minutes')
        .example('$0 record proxy --listen 127.0.0.1:8443 --target http://127.0.0.1:3000 --cert proxy.pem --key proxy-key.pem --client-ca clients-ca.pem -o recordings/mtls.cfr', 'mTLS: connection events beside the HTTP exchanges'),
      'used when the connection has no address',
    ) as unknown as Argv<ProxyArgs>,
  handler: async (args) => {
    const listen = parseListen(args.listen);
    const target = parseTarget(args.target);
    const maxEvents = args['max-events'];
    if (maxEvents !== undefined && (!Number.isInteger(maxEvents) || maxEvents <= 0)) throw new InputError(`--max-events: "${maxEvents}" is not a positive whole number`);
    const durationMs = args.duration !== undefined ? parseDuration(args.duration, '--duration') : undefined;
    const timeoutMs = parseDuration(args.timeout, '--timeout');
    const originCa = args['origin-ca'] !== undefined ? readOriginCa(args['origin-ca'], target) : undefined;
    const tls = viewerTls(args);
    const stderr = process.stderr;
    // Checks that need no input first (bad filters, sampling or redaction options are reported before listening).
    recordOptionsFromArgs(args);
    await runProxyRecording(args, {
      listen,
      target,
      trustForwarded: args['trust-forwarded'],
      preserveHost: args['preserve-host'],
      timeoutMs,
      ...(originCa !== undefined ? { originCa } : {}),
      ...(tls !== undefined ? { tls } : {}),
      ...(maxEvents !== undefined ? { maxEvents } : {}),
      ...(durationMs !== undefined ? { durationMs } : {}),
      log: (line) => {
        if (!args.quiet) stderr.write(`${line}\n`);
      },
    });
  },
};

/** A PEM file given to an option, checked: readable, and holding what `marker` names. */
function readPem(option: string, path: string, marker: RegExp, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`${option} ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!marker.test(text)) throw new InputError(`${option} ${path}: expected ${what}`);
  return text;
}

/** --cert/--key/--client-ca: TLS toward the viewers, and client certificates recorded as connection events. */
function viewerTls(args: ProxyArgs): ProxyTlsOptions | undefined {
  if (args.cert === undefined && args.key === undefined) {
    if (args['client-ca'] !== undefined) throw new InputError('--client-ca: needs --cert and --key (client certificates are asked for in a TLS handshake the proxy terminates)');
    return undefined;
  }
  if (args.cert === undefined || args.key === undefined) throw new InputError(`${args.cert === undefined ? '--key' : '--cert'}: needs ${args.cert === undefined ? '--cert' : '--key'} too`);
  const tls: ProxyTlsOptions = {
    cert: readPem('--cert', args.cert, /-----BEGIN CERTIFICATE-----/, 'PEM certificates ("-----BEGIN CERTIFICATE-----")'),
    key: readPem('--key', args.key, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a PEM private key ("-----BEGIN PRIVATE KEY-----")'),
    endpoint: args['distribution-domain'],
    distributionId: args['distribution-id'],
  };
  if (args['client-ca'] !== undefined) tls.clientCa = readPem('--client-ca', args['client-ca'], /-----BEGIN CERTIFICATE-----/, 'PEM CA certificates ("-----BEGIN CERTIFICATE-----")');
  return tls;
}

/** The --origin-ca file, checked: readable, PEM certificates, and only with an https target. */
function readOriginCa(path: string, target: URL): string {
  if (target.protocol !== 'https:') throw new InputError(`--origin-ca: the target ${target.origin} is not https`);
  return readPem('--origin-ca', path, /-----BEGIN CERTIFICATE-----/, 'PEM certificates ("-----BEGIN CERTIFICATE-----")');
}

export const extraRecordSourceCommands = [recordProxyCommand, recordGorCommand, recordCflogCommand, recordEventsCommand];

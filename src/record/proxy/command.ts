/**
 * `cfreplay record proxy`: the live source's command (its options, TLS files, and how it runs: live-recording.ts).
 */
import { readFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { addRecordOptions, recordOptionsFromArgs, type RecordCommonArgs } from '../cli.js';
import { InputError } from '../errors.js';
import { parseDuration } from '../../util/duration.js';
import { parseListen, parseTarget } from './proxy-source.js';
import { runProxyRecording } from './live-recording.js';
import type { ProxyTlsOptions } from './mtls.js';

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

export const proxyCommand: CommandModule<object, ProxyArgs> = {
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

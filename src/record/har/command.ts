/**
 * `cfreplay record har`: the HAR source's command (its options, and how it opens: har-source.ts).
 */
import type { Argv, CommandModule } from 'yargs';
import { addRecordOptions, runRecordCommand, type FilesArgs } from '../cli.js';
import { openHarSource } from './har-source.js';

export const harCommand: CommandModule<object, FilesArgs> = {
  command: 'har <files..>',
  describe: 'Record HAR files (browser DevTools, Firefox, Safari, Charles, Fiddler, mitmproxy, Playwright exports)',
  builder: (y: Argv) =>
    addRecordOptions(
      y
        .positional('files', {
          type: 'string',
          array: true,
          describe: 'HAR files (.har, .harp JSONP-wrapped, or gzip-compressed .har.gz), read as streams: any size',
        })
        .usage(
          '$0 record har <file.har...> -o <corpus.cfr> [options]\n\n' +
            'Record every request of the HAR files as CloudFront Functions events. One record replays against both ' +
            'viewer-request and viewer-response functions (the latter only for captured status 200-399). ' +
            'Entries that never reached a CDN (browser cache, data:/blob: URLs, service worker answers) or that ' +
            'CloudFront would reject (URL over 8,192 bytes, request over 20,480 bytes) are skipped and counted in the summary. ' +
            'The capture time (startedDateTime) is kept as the frozen clock for replay.',
        )
        .example('$0 record har session.har -o recordings/site.cfr', 'Record one HAR into a new corpus')
        .example('$0 record har a.har b.har -o recordings/site.cfr --include-host www.example.com,*.cdn.example.com', 'Keep only some hosts')
        .example('$0 record har big.har -o recordings/site.cfr --exclude "\\.(png|jpe?g|webp|woff2?)(\\?|$)" --method GET,HEAD', 'Drop images and fonts, keep GET/HEAD')
        .example('$0 record har more.har -o recordings/site.cfr --append --viewer-ip 198.51.100.7', 'Add to an existing corpus with a chosen viewer IP'),
      'HAR files hold none (serverIPAddress is the server)',
    ) as unknown as Argv<FilesArgs>,
  handler: async (args) => {
    const files = args.files;
    await runRecordCommand(args, () => Promise.all(files.map((f) => openHarSource(f))), { inputPaths: files });
  },
};

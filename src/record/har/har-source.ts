/**
 * A HAR file as a RecordSource: streamed in large chunks through the
 * structural scanner, one entry parsed at a time, so memory does not depend
 * on the file size. `.har.gz` (gzip magic bytes) is decompressed on the fly;
 * a JSONP-wrapped `.harp` is unwrapped by the scanner.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { HarFormatError, HarScanner, type ScannerOptions } from './scanner.js';
import { HAR_SKIP, harEntryToItem, type HarFileStats } from './entry.js';
import type { RecordSource, SourceItem, SourceReport } from '../types.js';
import { InputError } from '../errors.js';
import { fileError } from '../file-input.js';

export interface HarSourceOptions {
  /** Read size; 1 MiB measured best (larger gives no gain, smaller costs per-chunk overhead). */
  highWaterMark?: number;
  scanner?: ScannerOptions;
}

export class HarSource implements RecordSource {
  readonly label: string;
  totalBytes: number | undefined;
  private fileStream: (Readable & { bytesRead: number }) | undefined;
  private finished = 0;
  private readonly stats: HarFileStats = { exchanges: 0, sensitiveSeen: false };
  private scanner: HarScanner | undefined;
  private gzip = false;

  constructor(
    readonly path: string,
    private readonly options: HarSourceOptions = {},
  ) {
    this.label = path;
  }

  get bytesRead(): number {
    return this.fileStream?.bytesRead ?? this.finished;
  }

  /** Check the file can be read (before any output is created). */
  async check(): Promise<void> {
    try {
      const st = await stat(this.path);
      if (st.isDirectory()) throw new InputError(`${this.path}: is a directory, expected a HAR file`);
      this.totalBytes = st.size;
      const fh = await open(this.path, 'r');
      try {
        const head = Buffer.alloc(2);
        const { bytesRead } = await fh.read(head, 0, 2, 0);
        this.gzip = bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
      } finally {
        await fh.close();
      }
    } catch (e) {
      throw fileError(this.path, e, 'a HAR file');
    }
  }

  async *items(): AsyncGenerator<SourceItem> {
    if (this.totalBytes === undefined) await this.check();
    const file = basename(this.path);
    const scanner = new HarScanner(this.path, this.options.scanner);
    this.scanner = scanner;
    const fileStream = createReadStream(this.path, { highWaterMark: this.options.highWaterMark ?? 1024 * 1024 });
    this.fileStream = fileStream;
    let input: Readable = fileStream;
    let gunzip: Readable | undefined;
    if (this.gzip) {
      const z = createGunzip();
      fileStream.on('error', (e) => z.destroy(e));
      gunzip = fileStream.pipe(z);
      input = gunzip;
    }
    try {
      for await (const chunk of input as AsyncIterable<Buffer>) {
        const found = scanner.push(chunk);
        for (const scanned of found) {
          const source = { file, entry: scanned.index };
          if (scanned.text === undefined) {
            yield {
              kind: 'skip',
              reason: scanned.problem === 'too large' ? HAR_SKIP.tooLarge : HAR_SKIP.notObject,
              source,
              detail: `line ${scanned.line}, byte ${scanned.offset}`,
            };
            continue;
          }
          let parsed: unknown;
          try {
            parsed = JSON.parse(scanned.text);
          } catch (e) {
            throw new HarFormatError(
              `${this.path}: not valid JSON in log.entries[${scanned.index}] (starting at line ${scanned.line}, byte ${scanned.offset}): ${(e as Error).message}`,
              scanned.offset,
              scanned.line,
              0,
            );
          }
          yield harEntryToItem(parsed, source, this.stats);
        }
      }
      scanner.end();
    } catch (e) {
      if (e instanceof HarFormatError || e instanceof InputError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (this.gzip && typeof code === 'string' && code.startsWith('Z_')) {
        throw new InputError(`${this.path}: not a valid gzip file, or truncated (${(e as Error).message}) after ${fileStream.bytesRead} bytes`);
      }
      if (typeof code === 'string') throw fileError(this.path, e, 'a HAR file');
      throw e;
    } finally {
      this.finished = fileStream.bytesRead;
      this.fileStream = undefined;
      fileStream.destroy();
      gunzip?.destroy();
    }
  }

  report(): SourceReport {
    const info: Record<string, string> = {};
    const warnings: string[] = [];
    const meta = this.scanner?.meta;
    const creator = describeTool(meta?.creator);
    if (creator !== undefined) info.creator = creator;
    const browser = describeTool(meta?.browser);
    if (browser !== undefined) info.browser = browser;
    if (meta?.bom) info.bom = 'yes';
    if (meta?.jsonp) info.format = 'JSONP-wrapped HAR (.harp)';
    if (this.gzip) info.compression = 'gzip';
    if (this.stats.exchanges > 0 && !this.stats.sensitiveSeen) {
      const chrome = creator !== undefined && /WebInspector|Chrome|Edge/i.test(creator);
      warnings.push(
        chrome
          ? `${this.path}: no Cookie, Set-Cookie or Authorization anywhere in ${plural(this.stats.exchanges, 'request')}: the HAR looks sanitized ` +
              '(Chrome 130+ exports without sensitive data by default; use "Export HAR (with sensitive data)"). Functions that read cookies will see none.'
          : `${this.path}: no Cookie, Set-Cookie or Authorization anywhere in ${plural(this.stats.exchanges, 'request')}: if the HAR was exported ` +
              'sanitized, functions that read cookies will see none.',
      );
    }
    return { warnings, info };
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function describeTool(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as { name?: unknown; version?: unknown };
  if (typeof o.name !== 'string') return undefined;
  return typeof o.version === 'string' && o.version !== '' ? `${o.name} ${o.version}` : o.name;
}


/** Open a HAR file as a source; fails early (user-facing) when it cannot be read. */
export async function openHarSource(path: string, options?: HarSourceOptions): Promise<HarSource> {
  const source = new HarSource(path, options);
  await source.check();
  return source;
}

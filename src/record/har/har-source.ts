/**
 * A HAR file as a RecordSource: streamed in large chunks through the
 * structural scanner, one entry parsed at a time, so memory does not depend
 * on the file size. `.har.gz` (gzip magic bytes) is decompressed on the fly;
 * a JSONP-wrapped `.harp` is unwrapped by the scanner.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from '../../util/zlib.js';
import { HarFormatError, HarScanner, type ScannerOptions } from './scanner.js';
import { HAR_SKIP, harEntryToItem, type HarFileStats } from './entry.js';
import type { RecordSource, SourceItem, SourceReport } from '../types.js';
import { InputError } from '../errors.js';
import { fileError, fstatStdin, gzipError, isZlibError, STDIN_PATH as STDIN } from '../file-input.js';

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
  private checked = false;
  /** A pipe or terminal (standard input): read as a stream, gzip told from the first bytes read. */
  private streamed = false;

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
      const st = this.path === STDIN ? await fstatStdin() : await stat(this.path);
      if (st.isDirectory()) throw new InputError(`${this.path}: is a directory, expected a HAR file`);
      this.checked = true;
      if (!st.isFile()) {
        this.streamed = true; // no size, no peeking at byte 0 of a pipe
        return;
      }
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
      throw fileError(this.path, e, 'HAR file');
    }
  }

  async *items(): AsyncGenerator<SourceItem> {
    if (!this.checked) await this.check();
    const file = basename(this.path);
    const scanner = new HarScanner(this.path, this.options.scanner);
    this.scanner = scanner;
    const highWaterMark = this.options.highWaterMark ?? 1024 * 1024;
    // Standard input may be a socket (a parent's pipe) that cannot be opened by path: read fd 0.
    const fileStream = this.path === STDIN
      ? createReadStream('', { fd: 0, autoClose: false, highWaterMark })
      : createReadStream(this.path, { highWaterMark });
    this.fileStream = fileStream;
    let input: Readable = fileStream;
    let gunzip: Readable | undefined;
    if (this.streamed) {
      const { first, rest } = await firstChunk(fileStream);
      this.gzip = first !== undefined && first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
      input = Readable.from(rest);
    }
    if (this.gzip) {
      const z = createGunzip();
      fileStream.on('error', (e) => z.destroy(e));
      gunzip = input.pipe(z);
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
      if (this.gzip && isZlibError(e)) throw gzipError(this.path, e, fileStream.bytesRead);
      if (typeof (e as NodeJS.ErrnoException).code === 'string') throw fileError(this.path, e, 'HAR file');
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

/** The first chunk of a stream, and an iterable of the whole stream (that chunk included). */
async function firstChunk(stream: Readable): Promise<{ first: Buffer | undefined; rest: AsyncIterable<Buffer> }> {
  const it = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const head = await it.next();
  const first = head.done === true ? undefined : head.value;
  async function* rest(): AsyncGenerator<Buffer> {
    if (first === undefined) return;
    yield first;
    for (let n = await it.next(); n.done !== true; n = await it.next()) yield n.value;
  }
  return { first, rest: rest() };
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

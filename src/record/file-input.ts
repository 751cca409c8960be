/**
 * A capture file read as a stream, gzip-compressed or not (detected from the
 * magic bytes, not the name), with the byte count the progress line and the
 * summary need, and one-line errors naming the file. Shared by the GoReplay,
 * access-log and event-file sources.
 *
 * Standard input (`-`, which the CLI turns into /dev/stdin) is read like a
 * file: when it is a pipe or a socket it is first copied to a private
 * temporary file (mode 0600, removed when the process ends), because the
 * sources need what a pipe cannot give: a size for progress, the first bytes
 * for format detection before reading, and random access for Parquet.
 */
import { createReadStream, createWriteStream, fstat, mkdtempSync, rmSync, type Stats } from 'node:fs';
import { basename, join } from 'node:path';
import { tmpdir } from 'node:os';
import { pipeline } from 'node:stream/promises';
import { open, stat } from 'node:fs/promises';
import { isAscii } from 'node:buffer';
import type { Readable } from 'node:stream';
import { createGunzip, gunzipSync } from '../util/zlib.js';
import { InputError } from './errors.js';
import { inputFileMessage, withArticle } from '../util/input-file.js';

/** How the CLI names standard input (src/cli/main.ts turns a lone "-" into it). */
export const STDIN_PATH = '/dev/stdin';

let stdinTaken = false;

export function fstatStdin(): Promise<Stats> {
  return new Promise((resolve, reject) => fstat(0, (e, st) => (e ? reject(e) : resolve(st))));
}

/** Copy standard input (a pipe or socket) to a private temporary file; returns its path. */
async function spoolStdin(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'cfreplay-stdin-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'stdin');
  await pipeline(createReadStream('', { fd: 0, autoClose: false }), createWriteStream(path, { mode: 0o600 }));
  return path;
}

export class FileInput {
  private stream: (Readable & { bytesRead: number }) | undefined;
  private finished = 0;

  private constructor(
    /** The input as named to the user (messages, labels). */
    readonly path: string,
    readonly totalBytes: number,
    readonly gzip: boolean,
    /** Where the bytes are read from: `path`, or the copy of standard input. */
    readonly readPath: string = path,
  ) {}

  /** Check the file can be read; `what` names the expected kind in messages, without an article ("GoReplay file (.gor)"). */
  static async open(path: string, what: string): Promise<FileInput> {
    try {
      let readPath = path;
      if (path === STDIN_PATH) {
        if (stdinTaken) throw new InputError(`${path}: standard input (-) can be read only once; name it once`);
        stdinTaken = true;
        const st0 = await fstatStdin();
        if (!st0.isFile()) readPath = await spoolStdin();
      }
      const st = await stat(readPath);
      if (st.isDirectory()) throw new InputError(`${path}: is a directory, expected ${withArticle(what)}`);
      // An empty pipe almost always means the command feeding it failed: never a silent "0 recorded".
      if (path === STDIN_PATH && st.size === 0) throw new InputError(`${path}: standard input is empty, expected ${withArticle(what)}`);
      const fh = await open(readPath, 'r');
      let gzip = false;
      try {
        const head = Buffer.alloc(2);
        const { bytesRead } = await fh.read(head, 0, 2, 0);
        gzip = bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
      } finally {
        await fh.close();
      }
      return new FileInput(path, st.size, gzip, readPath);
    } catch (e) {
      throw fileError(path, e, what);
    }
  }

  get bytesRead(): number {
    return this.stream?.bytesRead ?? this.finished;
  }

  /** The (decompressed) content, chunk by chunk. */
  async *chunks(highWaterMark = 1024 * 1024): AsyncGenerator<Buffer> {
    const file = createReadStream(this.readPath, { highWaterMark });
    this.stream = file;
    let input: Readable = file;
    let gunzip: Readable | undefined;
    if (this.gzip) {
      const z = createGunzip({ chunkSize: 256 * 1024 });
      file.on('error', (e) => z.destroy(e));
      gunzip = file.pipe(z);
      input = gunzip;
    }
    try {
      for await (const chunk of input as AsyncIterable<Buffer>) yield chunk;
    } catch (e) {
      if (this.gzip && isZlibError(e)) throw gzipError(this.path, e, file.bytesRead);
      throw fileError(this.path, e, 'file');
    } finally {
      this.finished = file.bytesRead;
      this.stream = undefined;
      file.destroy();
      gunzip?.destroy();
    }
  }

  /**
   * The content as text lines (UTF-8, without "\n" or a trailing "\r"), in
   * batches (one per chunk read) so a caller handling 100k+ lines/s does not
   * pay an await per line. The last line is included even without "\n".
   */
  async *lineBatches(highWaterMark?: number): AsyncGenerator<string[]> {
    let carry = '';
    // Made at the first chunk that is not ASCII; a byte order mark is dropped only at the start of the file.
    let decoder: InstanceType<typeof TextDecoder> | undefined;
    let atStart = true;
    let pendingUtf8 = false;
    for await (const chunk of this.chunks(highWaterMark)) {
      // ASCII (most logs: CloudFront URL-encodes its fields) decodes as one-byte strings, much faster.
      const ascii: boolean = !pendingUtf8 && isAscii(chunk);
      let text = carry;
      if (ascii) text += chunk.toString('latin1');
      else {
        decoder ??= new TextDecoder('utf-8', { ignoreBOM: !atStart });
        text += decoder.decode(chunk, { stream: true });
      }
      atStart = false;
      pendingUtf8 = !ascii && !endsOnCharBoundary(chunk);
      const lines = text.split('\n');
      carry = lines.pop()!;
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i]!;
        if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
      }
      if (lines.length > 0) yield lines;
    }
    if (decoder !== undefined) carry += decoder.decode();
    if (carry.endsWith('\r')) carry = carry.slice(0, -1);
    if (carry !== '') yield [carry];
  }

  /**
   * The first `max` bytes of the content (decompressed), for format
   * detection. A gzip file read whole here must end as gzip data ends: one
   * cut short is refused now, naming the file (its head would otherwise
   * end inside a line, say a `#Fields` line, and be taken for content);
   * of a larger file only the first MiB is read, and a cut further on is
   * found when the content is read.
   */
  async head(max = 64 * 1024): Promise<Buffer> {
    const fh = await open(this.readPath, 'r');
    try {
      const size = this.gzip ? Math.min(this.totalBytes, 1024 * 1024) : Math.min(this.totalBytes, max);
      const buf = Buffer.alloc(size);
      const { bytesRead } = await fh.read(buf, 0, size, 0);
      if (!this.gzip) return buf.subarray(0, bytesRead);
      const whole = bytesRead >= this.totalBytes;
      try {
        // Z_FINISH (the default) when the whole file is here, so a cut shows; Z_SYNC_FLUSH for the first MiB of a larger one.
        return gunzipSync(buf.subarray(0, bytesRead), whole ? {} : { finishFlush: 2 }).subarray(0, max);
      } catch (e) {
        throw isZlibError(e) ? gzipError(this.path, e, bytesRead) : e;
      }
    } finally {
      await fh.close();
    }
  }
}

/** True when the chunk does not end inside a multi-byte UTF-8 sequence (the decoder holds nothing back). */
function endsOnCharBoundary(chunk: Buffer): boolean {
  // Look at the last (up to) 3 bytes for the lead byte of an unfinished sequence.
  for (let i = chunk.length - 1, back = 0; i >= 0 && back < 3; i--, back++) {
    const b = chunk[i]!;
    if (b < 0x80) return true;
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return back + 1 >= need;
    }
  }
  return true;
}

/** An error of node's zlib (its codes start with Z_). */
export function isZlibError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/**
 * The one-line error for gzip data that cannot be decompressed, after
 * `bytes` bytes of the file were read: cut short (zlib's "unexpected end of
 * file": a truncated download or copy), or not gzip data at all.
 */
export function gzipError(path: string, e: unknown, bytes?: number): InputError {
  const at = bytes === undefined ? '' : ` after ${bytes.toLocaleString('en-US')} bytes`;
  if ((e as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') {
    return new InputError(`${path}: truncated gzip file: the compressed data ends early${at} (the file was cut short or is damaged)`);
  }
  return new InputError(`${path}: not a valid gzip file (${(e as Error).message})${at}`);
}

/** An input file that cannot be opened or read (`what`: "HAR file", see util/input-file.ts). */
export function fileError(path: string, e: unknown, what: string): InputError {
  if (e instanceof InputError) return e;
  return new InputError(inputFileMessage(path, e, what));
}

/** A source reading one input file: its label, file name and byte counts come from the input. */
export abstract class FileRecordSource {
  readonly label: string;
  protected readonly file: string;

  constructor(protected readonly input: FileInput) {
    this.label = input.path;
    this.file = basename(input.path);
  }

  get totalBytes(): number {
    return this.input.totalBytes;
  }

  get bytesRead(): number {
    return this.input.bytesRead;
  }
}

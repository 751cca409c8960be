/**
 * CloudFront standard logging v2 in Parquet (delivered to S3): one column per
 * selected field, named as AWS documents the fields. Read with hyparquet (a
 * pure-JavaScript Parquet reader, no native build), one row group at a time
 * so memory stays bounded by the largest row group. Each row goes through
 * the same parser as a log line, so the events are the ones the legacy log
 * of the same request gives.
 *
 * Codecs: uncompressed and Snappy are hyparquet's own; GZIP, Brotli and
 * (on Node versions that have it) ZSTD are given to it from node:zlib. A
 * file that cannot be read (not Parquet, cut short, an unknown codec, a bad
 * page) stops the recording with the file and the row group (exit 2).
 */
import { readFile } from 'node:fs/promises';
import * as zlib from '../../util/zlib.js';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead, parquetSchema, type AsyncBuffer, type Compressors, type FileMetaData } from 'hyparquet';
import { InputError } from '../errors.js';
import { FileInput, FileRecordSource, fileError, gzipError, isZlibError } from '../file-input.js';
import type { SourceItem, SourceReport } from '../types.js';
import { cellText } from './cell-text.js';
import { CflogLines } from './cflog-lines.js';
import { layoutOf, loggedHeadersWarning, type FieldLayout } from './fields.js';

export const V2_PARQUET_FORMAT = 'CloudFront standard log v2 (Parquet)';

/** The Parquet magic number, at the start and at the end of every file. */
export const PARQUET_MAGIC = Buffer.from('PAR1');

type Decompress = (input: Uint8Array, outputLength: number) => Uint8Array;
const zstd = zlib.zstdDecompressSync;

const COMPRESSORS: Compressors = {
  GZIP: ((input) => zlib.gunzipSync(input)) as Decompress,
  BROTLI: ((input) => zlib.brotliDecompressSync(input)) as Decompress,
  ...(zstd !== undefined ? { ZSTD: ((input) => zstd(input)) as Decompress } : {}),
};

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class CflogParquetSource extends FileRecordSource {
  private readonly lines: CflogLines;
  private rowGroupsDone = 0;

  private constructor(
    input: FileInput,
    private readonly file_: AsyncBuffer,
    private readonly metadata: FileMetaData,
    private readonly columns: string[],
    private readonly layout: FieldLayout,
  ) {
    super(input);
    this.lines = new CflogLines(input.path, this.file, layout);
  }

  /** Read the footer and the schema: a file that is not Parquet, or lacks the fields a request needs, is refused before any output exists. */
  static async open(input: FileInput): Promise<CflogParquetSource> {
    const path = input.path;
    let buffer: AsyncBuffer;
    try {
      // A gzip-compressed Parquet file is read whole (Parquet needs random access to its footer and row groups).
      buffer = input.gzip ? toArrayBuffer(zlib.gunzipSync(await readFile(input.readPath))) : await asyncBufferFromFile(input.readPath);
    } catch (e) {
      if (isZlibError(e)) throw gzipError(path, e);
      throw fileError(path, e, 'CloudFront log file');
    }
    let metadata: FileMetaData;
    let columns: string[];
    try {
      metadata = await parquetMetadataAsync(buffer);
      columns = parquetSchema(metadata).children.map((c) => c.element.name);
    } catch (e) {
      throw new InputError(`${path}: not a readable Parquet file (${message(e)})`);
    }
    return new CflogParquetSource(input, buffer, metadata, columns, layoutOf(columns, path));
  }

  get rowGroups(): number {
    return this.metadata.row_groups.length;
  }

  override get bytesRead(): number {
    const n = this.rowGroups;
    return n === 0 ? this.input.totalBytes : Math.round((this.input.totalBytes * this.rowGroupsDone) / n);
  }

  async *items(): AsyncGenerator<SourceItem> {
    for await (const batch of this.itemBatches()) yield* batch;
  }

  /** One batch per row group. */
  async *itemBatches(): AsyncGenerator<Iterable<SourceItem>> {
    let rowStart = 0;
    const groups = this.metadata.row_groups;
    for (let g = 0; g < groups.length; g++) {
      const rowEnd = rowStart + Number(groups[g]!.num_rows);
      let rows: unknown[][] = [];
      try {
        await parquetRead({
          file: this.file_,
          metadata: this.metadata,
          columns: this.columns,
          rowStart,
          rowEnd,
          compressors: COMPRESSORS,
          onComplete: (r: unknown[][]) => {
            rows = r;
          },
        });
      } catch (e) {
        throw new InputError(`${this.input.path}: row group ${g + 1} of ${groups.length} (rows ${rowStart + 1}-${rowEnd}): cannot be read (${message(e)})`);
      }
      if (rows.length !== rowEnd - rowStart) {
        throw new InputError(`${this.input.path}: row group ${g + 1} of ${groups.length}: ${rows.length} rows read, the footer says ${rowEnd - rowStart}`);
      }
      this.rowGroupsDone = g + 1;
      yield this.itemsOf(rows, rowStart);
      rowStart = rowEnd;
    }
  }

  private *itemsOf(rows: readonly unknown[][], first: number): Generator<SourceItem> {
    const names = this.layout.names;
    const values: (string | undefined)[] = new Array(names.length);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      for (let c = 0; c < names.length; c++) values[c] = cellText(names[c]!, row[c]);
      yield this.lines.valuesToItem(values, first + r, this.layout, 'row');
    }
  }

  report(): SourceReport {
    const info: Record<string, string> = { format: V2_PARQUET_FORMAT, 'row groups': String(this.rowGroups) };
    if (this.input.gzip) info.compression = 'gzip';
    const warnings: string[] = [];
    if (this.lines.lines > 0) {
      const w = loggedHeadersWarning(this.input.path, this.layout);
      if (w !== undefined) warnings.push(w);
    }
    return { warnings, info };
  }
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

// Line reading shared by the log and event-file sources: chunk boundaries, UTF-8, gzip, CRLF.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FileInput } from '../../src/record/file-input.js';
import { useTempDir } from '../helpers/tmp.js';

async function lines(input: FileInput, hwm?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const b of input.lineBatches(hwm)) out.push(...b);
  return out;
}

describe('FileInput.lineBatches', () => {
  const tmp = useTempDir();
  const text = 'ascii line\r\ncafé au lait\n家 and 🐵 here\n\nplain again\nlast without newline';
  const expected = ['ascii line', 'café au lait', '家 and 🐵 here', '', 'plain again', 'last without newline'];

  it('gives the same lines whatever the chunk size (multi-byte characters cut across chunks, ASCII and UTF-8 chunks mixed)', async () => {
    const p = join(tmp.path, 'mixed.txt');
    writeFileSync(p, text);
    const input = await FileInput.open(p, 'text file');
    for (const hwm of [1, 2, 3, 5, 7, 13, 1024]) expect(await lines(input, hwm)).toEqual(expected);
    expect(input.bytesRead).toBe(Buffer.byteLength(text));
  });

  it('drops a byte order mark at the start of the file only, whichever chunk is the first not in ASCII', async () => {
    const p = join(tmp.path, 'bom.txt');
    writeFileSync(p, '\ufeffhead\nplain ascii line\n\ufeffnot a mark here\n');
    const input = await FileInput.open(p, 'text file');
    for (const hwm of [1, 4, 17, 1024]) expect(await lines(input, hwm)).toEqual(['head', 'plain ascii line', '\ufeffnot a mark here']);
    const q = join(tmp.path, 'late.txt');
    writeFileSync(q, 'ascii first\n\ufeffkept\n');
    // The first chunk is ASCII: the decoder made for the second must not take its U+FEFF for a mark.
    expect(await lines(await FileInput.open(q, 'a text file'), 12)).toEqual(['ascii first', '\ufeffkept']);
  });

  it('reads gzip-compressed files (detected from the bytes, not the name)', async () => {
    const p = join(tmp.path, 'mixed.log');
    writeFileSync(p, gzipSync(text));
    const input = await FileInput.open(p, 'text file');
    expect(input.gzip).toBe(true);
    expect(await lines(input)).toEqual(expected);
  });

  it('a truncated gzip file is a one-line error naming the file', async () => {
    const p = join(tmp.path, 'cut.gz');
    writeFileSync(p, gzipSync(Buffer.alloc(100_000, 'a')).subarray(0, 60));
    const input = await FileInput.open(p, 'text file');
    await expect(lines(input)).rejects.toThrow(/cut\.gz: truncated gzip file: the compressed data ends early after 60 bytes/);
  });

  it('a directory is named with what was expected, with its article', async () => {
    await expect(FileInput.open(tmp.path, 'CloudFront log file')).rejects.toThrow(`${tmp.path}: is a directory, expected a CloudFront log file`);
    await expect(FileInput.open(tmp.path, 'event file')).rejects.toThrow(`${tmp.path}: is a directory, expected an event file`);
  });
});

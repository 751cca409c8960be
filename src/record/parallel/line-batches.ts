/**
 * A text file's (decompressed) bytes cut into batches of whole lines for
 * the recording workers. The main thread only looks for line breaks (one
 * native search per line); decoding and parsing happen in the workers.
 * Lines are numbered as FileInput.lineBatches numbers them: by "\n", a last
 * line without one included.
 */

export interface LineBatch {
  /** Whole lines, each ending in "\n" except the file's last when it has none. Owns its buffer (transferable). */
  bytes: Uint8Array;
  /** Index of the batch's first line in the file (0-based). */
  firstLine: number;
  /** Lines in the batch. */
  lines: number;
  /** The batch starts the file (where a UTF-8 byte order mark is dropped). */
  first: boolean;
}

const NL = 10;

/**
 * Batches of `targetLines()` lines (asked before each batch), cut earlier
 * at the first line end past `maxBytes`. The chunks must not be reused by
 * their producer after they are handed over (file and gunzip streams
 * allocate a buffer per chunk).
 */
export async function* cutLineBatches(chunks: AsyncIterable<Uint8Array>, targetLines: () => number, maxBytes: number): AsyncGenerator<LineBatch> {
  /** Bytes read but not yet in a batch: whole lines, then maybe the start of one. */
  let pieces: Uint8Array[] = [];
  let pendingBytes = 0;
  let pendingLines = 0;
  let firstLine = 0;
  let first = true;
  let target = Math.max(1, targetLines());

  const take = (tail: Uint8Array): LineBatch => {
    // Its own ArrayBuffer (transferable), not zero-filled: every byte is written below.
    const bytes = Buffer.allocUnsafeSlow(pendingBytes + tail.length);
    let at = 0;
    for (const p of pieces) {
      bytes.set(p, at);
      at += p.length;
    }
    bytes.set(tail, at);
    const batch: LineBatch = { bytes, firstLine, lines: pendingLines, first };
    first = false;
    firstLine += pendingLines;
    pieces = [];
    pendingBytes = 0;
    pendingLines = 0;
    target = Math.max(1, targetLines());
    return batch;
  };

  for await (const chunk of chunks) {
    let start = 0; // first byte of the chunk not in a batch yet
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(NL, from);
      if (nl < 0) break;
      from = nl + 1;
      pendingLines++;
      if (pendingLines >= target || pendingBytes + (from - start) >= maxBytes) {
        yield take(chunk.subarray(start, from));
        start = from;
      }
    }
    if (start < chunk.length) {
      pieces.push(start === 0 ? chunk : chunk.subarray(start));
      pendingBytes += chunk.length - start;
    }
  }
  if (pendingBytes > 0) {
    const last = pieces[pieces.length - 1]!;
    if (last[last.length - 1] !== NL) pendingLines++; // a last line without "\n" is a line all the same
    yield take(new Uint8Array(0));
  }
}

/**
 * Line output to stdout with backpressure, ending quietly when the reader
 * goes away (`cfreplay cat x | head` must not print an EPIPE stack trace).
 */
let closed = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') closed = true;
  else throw e;
});

let buffer: string[] = [];
let buffered = 0;
const FLUSH_AT = 64 * 1024;

function flush(): Promise<boolean> {
  if (buffer.length === 0 || closed) return Promise.resolve(!closed);
  const text = buffer.join('');
  buffer = [];
  buffered = 0;
  return new Promise((resolve) => {
    const ok = process.stdout.write(text);
    if (ok) resolve(!closed);
    else process.stdout.once('drain', () => resolve(!closed));
  });
}

/** Queue a line; resolves false once stdout is closed. */
export async function writeLine(line: string): Promise<boolean> {
  if (closed) return false;
  buffer.push(line, '\n');
  buffered += line.length + 1;
  if (buffered >= FLUSH_AT) return flush();
  return true;
}

export async function endOutput(): Promise<void> {
  await flush();
}

/**
 * One status line on stderr while recording, only when stderr is a terminal
 * and only once the recording has lasted a moment (short files print nothing).
 */

export interface ProgressState {
  /** Current input ("a.har"). */
  label: string;
  /** Bytes read over all inputs so far. */
  bytesRead: number;
  /** Total input bytes when known. */
  totalBytes: number | undefined;
  entries: number;
  written: number;
}

export interface ProgressReporter {
  update(state: ProgressState): void;
  /** Clear the line (before the summary is printed). */
  done(): void;
}

export const silentProgress: ProgressReporter = { update() {}, done() {} };

export interface TtyProgressOptions {
  /** Nothing is shown before this (ms). Default 1000. */
  delayMs?: number;
  /** Minimum time between redraws (ms). Default 200. */
  intervalMs?: number;
}

function mb(n: number): string {
  return (n / 1e6).toFixed(n < 10e6 ? 1 : 0);
}

/** A progress line on `stream` when it is a TTY, nothing otherwise. */
export function createProgress(stream: NodeJS.WriteStream = process.stderr, options: TtyProgressOptions = {}): ProgressReporter {
  if (!stream.isTTY) return silentProgress;
  const delayMs = options.delayMs ?? 1000;
  const intervalMs = options.intervalMs ?? 200;
  const start = performance.now();
  let last = 0;
  let shown = false;
  return {
    update(s) {
      const now = performance.now();
      if (now - start < delayMs || now - last < intervalMs) return;
      last = now;
      const secs = (now - start) / 1000;
      const pct = s.totalBytes !== undefined && s.totalBytes > 0 ? ` ${((100 * s.bytesRead) / s.totalBytes).toFixed(1)}%` : '';
      const total = s.totalBytes !== undefined ? `/${mb(s.totalBytes)}` : '';
      const line =
        `recording ${s.label}: ${mb(s.bytesRead)}${total} MB${pct}, ${s.entries.toLocaleString('en-US')} entries, ` +
        `${s.written.toLocaleString('en-US')} recorded, ${(s.bytesRead / 1e6 / secs).toFixed(1)} MB/s`;
      const width = (stream.columns ?? 100) - 1;
      stream.write(`\r${line.length > width ? line.slice(0, width) : line}\x1b[K`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}

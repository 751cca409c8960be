/**
 * One status line on stderr while recording, only when stderr is a terminal
 * and only once the recording has lasted a moment (short files print nothing).
 */
import { ProgressLine } from '../util/progress-line.js';

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
  const line = new ProgressLine(stream, true, options.delayMs ?? 1000, options.intervalMs ?? 200);
  const start = performance.now();
  return {
    update(s) {
      line.update(() => {
        const secs = (performance.now() - start) / 1000;
        const pct = s.totalBytes !== undefined && s.totalBytes > 0 ? ` ${((100 * s.bytesRead) / s.totalBytes).toFixed(1)}%` : '';
        const total = s.totalBytes !== undefined ? `/${mb(s.totalBytes)}` : '';
        return (
          `recording ${s.label}: ${mb(s.bytesRead)}${total} MB${pct}, ${s.entries.toLocaleString('en-US')} entries, ` +
          `${s.written.toLocaleString('en-US')} recorded, ${(s.bytesRead / 1e6 / secs).toFixed(1)} MB/s`
        );
      });
    },
    done() {
      line.clear();
    },
  };
}

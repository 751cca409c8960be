/**
 * One self-overwriting status line on a terminal stream: throttled, shown
 * only after a short delay (quick runs print nothing), cleared before the
 * final output. A no-op when disabled or the stream is not a TTY.
 */
export class ProgressLine {
  private readonly start = performance.now();
  private last = -Infinity;
  private shown = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly enabled: boolean,
    private readonly delayMs = 500,
    private readonly intervalMs = 200,
  ) {}

  /**
   * `text` may be a function: called only when the line is written (a replay reports progress
   * after every chunk, and formatting numbers with toLocaleString costs ~50 ms of main-thread
   * CPU over a run, which the workers need, even when nothing is shown).
   */
  update(text: string | (() => string)): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.start < this.delayMs || now - this.last < this.intervalMs) return;
    this.last = now;
    if (typeof text === 'function') text = text();
    const width = (this.stream.columns ?? 100) - 1;
    this.stream.write(`\r${text.length > width ? text.slice(0, width) : text}\x1b[K`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[K');
    this.shown = false;
  }
}

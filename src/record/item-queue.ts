/**
 * The items of a live source (the recording proxy, or the proxy's recording
 * worker fed by messages): pushed as they come, drained in batches by the
 * pipeline, which waits while the queue is empty until more come or the
 * source ends.
 */
import type { SourceItem } from './types.js';

/** `T`: what the source queues (SourceItem, or what it turns into them later). */
export class ItemQueue<T = SourceItem> {
  private queue: T[] = [];
  private wake: (() => void) | undefined;
  private done = false;

  get ended(): boolean {
    return this.done;
  }

  push(item: T): void {
    this.queue.push(item);
    this.notify();
  }

  /** No more items: the drain ends once the queued ones are taken. */
  end(): void {
    this.done = true;
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async *drain(): AsyncGenerator<T> {
    for (;;) {
      if (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        for (const item of batch) yield item;
        continue;
      }
      if (this.done) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

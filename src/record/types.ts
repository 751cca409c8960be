/**
 * The recording pipeline's contracts. Every recorder (HAR, proxy, GoReplay,
 * CloudFront logs, event files) is a `RecordSource`; every destination
 * (corpus file, Redis, memory) is a `RecordSink`. `runRecording` in
 * pipeline.ts connects them with the shared checks, filters, summary and
 * progress.
 */
import type { BuildOptions, CorpusRecord, EventSource, NormalizedExchange, RecordedConnection, RecordedExchange } from '../event/index.js';

/** One thing a source read: an exchange to record, or an input it had to skip. */
export type SourceItem =
  | {
      kind: 'exchange';
      exchange: NormalizedExchange;
      /**
       * Why the capture has a response side that cannot be used (e.g. the
       * HAR says "status 0: aborted"). Shown in the summary as the reason no
       * viewer-response event exists, instead of "no response captured".
       */
      responseNote?: string;
      /** Small per-entry observations counted in the summary ("Cookie rebuilt from cookies[]"). */
      notes?: string[];
      /**
       * The stored record, already made (e.g. an existing CloudFront event
       * file, kept exactly as written): used instead of the HTTP event
       * builder. `exchange` still describes it for the checks and filters.
       */
      prebuilt?: (build: BuildOptions) => RecordedExchange;
    }
  | {
      /**
       * A connection (mTLS) event: the HTTP checks do not apply to it; the host filters see its
       * endpoint and the steps their `connection` side (sampling by the client address).
       */
      kind: 'connection';
      record: RecordedConnection;
    }
  | {
      kind: 'skip';
      /** A short, bounded reason ("served from the browser cache (_fromCache)"); counted in the summary. */
      reason: string;
      source: EventSource;
      /** Free text for the first example shown in the summary (e.g. the URL). */
      detail?: string;
    };

/** What a source can tell after it has been read completely. */
export interface SourceReport {
  /** Things the user should know ("this HAR looks sanitized: no cookies at all"). */
  warnings: string[];
  /** Free-form facts shown with the source in the summary ("creator": "Firefox 111.0"). */
  info: Record<string, string>;
}

export interface RecordSource {
  /** The input as named to the user (file path, "proxy :8080"...). */
  readonly label: string;
  /** Input size in bytes when known up front (for progress); undefined for live sources. */
  readonly totalBytes: number | undefined;
  /** Bytes consumed so far (live, for progress and the rate in the summary). */
  readonly bytesRead: number;
  /**
   * The exchanges, in order. Throw a user error (a UserError,
   * message naming the input and the place) for input that cannot be read at
   * all; the pipeline then aborts the sink.
   */
  items(): AsyncIterable<SourceItem>;
  /**
   * The same items in batches, when the source reads them so (optional): the
   * pipeline then awaits once per batch, not once per item (an async
   * generator's promise per item is ~0.3 us at 10^5 items/s). Each batch is
   * iterated to its end before the next is asked for, so a source can make
   * the items as they are taken (built all at once, a batch's items would
   * outlive a young-generation GC). Used instead of `items()`, never both.
   */
  itemBatches?(): AsyncIterable<Iterable<SourceItem>>;
  /** Called once after `items()` (or `itemBatches()`) completed. */
  report?(): SourceReport;
}

/**
 * A step run on each built record before it is stored (sampling, redaction).
 * Returns the record to store (possibly changed), or `{ filtered: reason }`
 * to leave it out (counted under "filtered out" with that reason).
 */
export type RecordStep = ((record: RecordedExchange, exchange: NormalizedExchange) => RecordedExchange | { filtered: string }) & {
  /**
   * The same step for a connection (mTLS) event (sampling keeps or drops it
   * with its client's requests). A step without it passes connections unchanged.
   */
  connection?: (record: RecordedConnection) => RecordedConnection | { filtered: string };
};

/** What closing a sink tells the summary. */
export interface SinkCloseResult {
  /** Records stored by this run. */
  events: number;
  /** Bytes this run added to the destination (compressed, as stored). */
  bytesWritten: number;
  /** Destination size after closing, when it is a file. */
  fileBytes?: number;
  chunks?: number;
  /** Records in the whole destination after closing (differs from `events` when appending). */
  totalEvents?: number;
}

/**
 * A destination for recorded exchanges. The corpus writer in src/store
 * satisfies it as is; Redis and the in-memory sink (tests) too.
 */
export interface RecordSink {
  /** May return a promise when backpressure applies: the pipeline awaits it. */
  write(record: CorpusRecord): void | Promise<void>;
  /**
   * Store a framed chunk as it is (records encoded elsewhere, e.g. by the
   * recording workers), after the records written before it. Optional: a
   * sink without it gets its records one by one from the main thread.
   */
  appendFramed?(framed: Uint8Array): Promise<void>;
  /** Chunks and bytes stored so far (corpus writers), for a progress line. */
  stored?(): { chunks: number; bytes: number };
  /** Finish: everything written is durable and the result looks complete. */
  close(): Promise<SinkCloseResult>;
  /** Give up: nothing from this run may be left looking complete. */
  abort(): Promise<void>;
}

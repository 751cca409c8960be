/**
 * What the pipeline does with one source item, whichever thread runs it:
 * the shared checks, the filters, the event builder and the steps
 * (sampling, redaction), every skip and filter counted in the summary. The
 * caller stores the record it returns and then calls `stored`.
 */
import { buildRecordedExchange, InvalidUrlError, isRecordedConnection, type BuildOptions, type CorpusRecord, type RecordedConnection, type RecordedExchange } from '../event/index.js';
import { checkExchange, SKIP } from './checks.js';
import { isCompiledFilter, type ExchangeFilter } from './filters.js';
import type { SummaryBuilder } from './summary.js';
import type { RecordStep, SourceItem } from './types.js';

export class ItemRecorder {
  constructor(
    private readonly build: BuildOptions,
    private readonly filter: ExchangeFilter,
    private readonly steps: readonly RecordStep[],
    private readonly summary: SummaryBuilder,
  ) {}

  /** The record to store for `item`, or undefined when it was skipped or filtered out (counted). */
  record(item: SourceItem): CorpusRecord | undefined {
    const summary = this.summary;
    summary.entry();
    if (item.kind === 'skip') {
      summary.skip(item.reason, item.source, item.detail);
      return undefined;
    }
    if (item.kind === 'connection') return this.connection(item.record);
    const exchange = item.exchange;
    const checked = checkExchange(exchange);
    if (!checked.ok) {
      summary.skip(checked.reason, exchange.source, checked.detail);
      return undefined;
    }
    const filtered = this.filter(checked.view);
    if (filtered !== undefined) {
      summary.filter(filtered, exchange.source);
      return undefined;
    }
    let record: RecordedExchange;
    try {
      record = item.prebuilt !== undefined ? item.prebuilt(this.build) : buildRecordedExchange(exchange, this.build, checked.view.url);
    } catch (e) {
      if (e instanceof InvalidUrlError) {
        summary.skip(SKIP.invalidUrl, exchange.source, e.message);
        return undefined;
      }
      throw e;
    }
    for (const step of this.steps) {
      const out = step(record, exchange);
      if ('filtered' in out) {
        summary.filter(out.filtered, exchange.source);
        return undefined;
      }
      record = out;
    }
    return record;
  }

  /**
   * A connection (mTLS) event: the host filters on the endpoint it connected to
   * (URL and method filters select requests), then each step's connection side
   * (sampling decides by the client address, as for that client's requests;
   * redaction rules name HTTP fields and leave it as it is).
   */
  private connection(record: RecordedConnection): RecordedConnection | undefined {
    const connectionFilter = isCompiledFilter(this.filter) ? this.filter.connection : undefined;
    const endpoint = typeof record.event.endpoint === 'string' ? record.event.endpoint : '';
    const filtered = connectionFilter?.(endpoint);
    if (filtered !== undefined) {
      this.summary.filter(filtered, record.source);
      return undefined;
    }
    let out = record;
    for (const step of this.steps) {
      if (step.connection === undefined) continue;
      const r = step.connection(out);
      if ('filtered' in r) {
        this.summary.filter(r.filtered, record.source);
        return undefined;
      }
      out = r;
    }
    return out;
  }

  /** Count a record the sink has accepted, with the item's notes. */
  stored(record: CorpusRecord, item: SourceItem): void {
    if (item.kind === 'connection') this.summary.connectionWritten();
    if (item.kind !== 'exchange' || isRecordedConnection(record)) return;
    this.summary.written(record, item.responseNote);
    if (item.notes !== undefined) for (const note of item.notes) this.summary.note(note);
  }
}

/**
 * A GoReplay file (`.gor`, or gzip-compressed) as a RecordSource. Requests
 * (type 1) are joined with their original response (type 2, same id);
 * replayed responses (type 3) are ignored. A request waits for its response
 * for at most WINDOW later records (GoReplay writes them close together),
 * then is recorded without one; output keeps the file's request order.
 * A broken record is counted and skipped; it never stops the import.
 */
import type { CapturedResponse, EventSource, NormalizedExchange } from '../../event/index.js';
import { FileInput, FileRecordSource } from '../file-input.js';
import { InputError } from '../errors.js';
import type { RecordSource, SourceItem, SourceReport } from '../types.js';
import { firstForwardedHop, headerValue } from '../viewer-ip.js';
import { GorSplitter, parseGorRecord, type HttpRequestHead, type HttpResponseHead } from './parse.js';

export const GOR_SKIP = {
  broken: 'broken GoReplay record',
  replayed: 'replayed response (type 3): not what the origin answered the viewer, ignored',
  orphanResponse: 'original response (type 2) without its request in the file',
  cutShort: 'last record cut short (the file ends before its separator): not recorded with a cut value',
} as const;

export const GOR_NOTES = {
  badHeaderLine: 'malformed header lines ignored',
} as const;

export interface GorSourceOptions {
  /** Take viewer.ip from the first X-Forwarded-For hop. */
  trustForwarded?: boolean;
  /** Records a request waits for its response before it is recorded without one. */
  window?: number;
}

interface Pending {
  index: number;
  time: number;
  id: string;
  request: HttpRequestHead;
  badHeaderLines: number;
  response?: HttpResponseHead;
}

export class GorSource extends FileRecordSource implements RecordSource {
  private stats = { requests: 0, responses: 0, joined: 0, replayed: 0, broken: 0, cutShort: 0, fields3: 0, fields4: 0 };
  private firstProblem: string | undefined;

  constructor(
    input: FileInput,
    private readonly options: GorSourceOptions = {},
  ) {
    super(input);
  }

  private toItem(p: Pending): SourceItem {
    const source: EventSource = { file: this.file, entry: p.index };
    const exchange: NormalizedExchange = {
      time: p.time,
      method: p.request.method,
      url: p.request.target,
      headers: p.request.headers,
      source,
    };
    if (this.options.trustForwarded === true) {
      const ip = firstForwardedHop(headerValue(p.request.headers, 'x-forwarded-for'));
      if (ip !== undefined) exchange.viewerIp = ip;
    }
    const bad = p.badHeaderLines;
    if (p.response !== undefined) {
      const response: CapturedResponse = { status: p.response.status, headers: p.response.headers };
      if (p.response.statusText !== '') response.statusText = p.response.statusText;
      exchange.response = response;
    }
    const item: SourceItem = { kind: 'exchange', exchange };
    if (bad > 0) item.notes = [GOR_NOTES.badHeaderLine];
    return item;
  }

  async *items(): AsyncGenerator<SourceItem> {
    const window = this.options.window ?? 1000;
    const splitter = new GorSplitter();
    const queue: Pending[] = [];
    let head = 0;
    const waiting = new Map<string, Pending>();
    const orphans = new Map<string, { index: number; response: HttpResponseHead }>();
    let index = 0;
    const stats = this.stats;
    const self = this;

    function* handle(raw: Buffer): Generator<SourceItem> {
      const at = index++;
      const source: EventSource = { file: self.file, entry: at };
      const rec = parseGorRecord(raw);
      if (!rec.ok) {
        stats.broken++;
        self.firstProblem ??= rec.problem;
        yield { kind: 'skip', reason: GOR_SKIP.broken, source, detail: rec.problem };
        return;
      }
      if (raw.indexOf(10) >= 0) {
        const fields = raw.toString('latin1', 0, Math.min(raw.length, 120)).split('\n', 1)[0]!.trim().split(' ').length;
        if (fields === 3) stats.fields3++;
        else stats.fields4++;
      }
      const { head: h } = rec;
      if (h.type === 3) {
        stats.replayed++;
        yield { kind: 'skip', reason: GOR_SKIP.replayed, source };
        return;
      }
      if ('request' in rec) {
        stats.requests++;
        const p: Pending = { index: at, time: h.time, id: h.id, request: rec.request, badHeaderLines: rec.badHeaderLines };
        const orphan = orphans.get(h.id);
        if (orphan !== undefined) {
          orphans.delete(h.id);
          p.response = orphan.response;
          stats.joined++;
        } else if (!waiting.has(h.id)) {
          waiting.set(h.id, p);
        } // else: the id repeats; this request is recorded without a response.
        queue.push(p);
      } else {
        stats.responses++;
        const p = waiting.get(h.id);
        if (p !== undefined) {
          waiting.delete(h.id);
          p.response = rec.response;
          p.badHeaderLines += rec.badHeaderLines;
          stats.joined++;
        } else {
          orphans.set(h.id, { index: at, response: rec.response });
        }
      }
    }

    function* drain(all: boolean): Generator<SourceItem> {
      while (head < queue.length) {
        const p = queue[head]!;
        const behind = queue.length - head;
        if (!all && p.response === undefined && behind <= window && index - p.index <= window) break;
        if (waiting.get(p.id) === p) waiting.delete(p.id);
        yield self.toItem(p);
        queue[head] = undefined as unknown as Pending;
        head++;
      }
      if (head > 4096 && head * 2 > queue.length) {
        queue.splice(0, head);
        head = 0;
      }
      if (all) {
        for (const [id, o] of orphans) yield { kind: 'skip', reason: GOR_SKIP.orphanResponse, source: { file: self.file, entry: o.index }, detail: id };
        orphans.clear();
      } else if (orphans.size > window) {
        // A response whose request never came within the window.
        for (const [id, o] of orphans) {
          if (index - o.index <= window) break;
          orphans.delete(id);
          yield { kind: 'skip', reason: GOR_SKIP.orphanResponse, source: { file: self.file, entry: o.index }, detail: id };
        }
      }
    }

    for await (const chunk of this.input.chunks()) {
      for (const raw of splitter.push(chunk)) {
        yield* handle(raw);
        yield* drain(false);
      }
    }
    // GoReplay ends every record with the separator: bytes after the last one are a record the
    // file was cut inside (a capture still being written, a copy interrupted).
    const last = splitter.end();
    if (last !== undefined) {
      const at = index++;
      stats.cutShort++;
      yield { kind: 'skip', reason: GOR_SKIP.cutShort, source: { file: this.file, entry: at }, detail: `${last.length} bytes: ${JSON.stringify(last.toString('latin1', 0, Math.min(60, last.length)))}` };
    }
    yield* drain(true);
    if (stats.requests + stats.responses + stats.replayed === 0 && stats.broken + stats.cutShort > 0) {
      throw new InputError(
        `${this.input.path}: not a GoReplay file: none of its ${stats.broken + stats.cutShort} record(s) is readable (first problem: ${this.firstProblem ?? 'no record separator in the file'}); ` +
          'expected records like "1 <id> <timestamp-ns> <latency>" + an HTTP head, each ending with "\\n🐵🙈🙉\\n"',
      );
    }
  }

  report(): SourceReport {
    const s = this.stats;
    const info: Record<string, string> = {
      requests: String(s.requests),
      'original responses': String(s.responses),
      joined: String(s.joined),
    };
    if (s.replayed > 0) info['replayed responses ignored'] = String(s.replayed);
    if (s.fields3 > 0 && s.fields4 === 0) info.format = '3-field record headers (no latency)';
    if (this.input.gzip) info.compression = 'gzip';
    const warnings: string[] = [];
    if (s.requests === 0 && s.broken + s.cutShort > 0) warnings.push(`${this.input.path}: no readable GoReplay request record: is this a GoReplay file?`);
    return { warnings, info };
  }
}

export async function openGorSource(path: string, options?: GorSourceOptions): Promise<GorSource> {
  return new GorSource(await FileInput.open(path, 'GoReplay file (.gor)'), options);
}

/**
 * Existing CloudFront Functions test events as RecordSources: a `.json` file
 * holding one event or an array of events, a `.jsonl` / `.ndjson` file with
 * one event per line, or a directory of such files (read recursively, in
 * name order). Test cases (`{"event": ..., "output"|"expect": ..., "name"}`,
 * as `cfreplay test` reads them) give their event, and their name is kept
 * with the record (reports show it next to the event id); partial events are
 * completed with the documented defaults (event/complete.ts) and counted in
 * a note. Each event is validated; Lambda@Edge events are recognised and
 * refused with a clear message; an event that is not a CloudFront Functions
 * event is counted and skipped.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import {
  isConnectionEvent,
  isLambdaEdgeEvent,
  LAMBDA_EDGE_EVENT_MESSAGE,
  validateCloudFrontEvent,
} from '../../runtime/index.js';
import { completeEvent, notAnEvent } from '../../event/complete.js';
import type { EventSource } from '../../event/types.js';
import { InputError } from '../errors.js';
import { FileInput, FileRecordSource, fileError, STDIN_PATH } from '../file-input.js';
import type { RecordSource, SourceItem, SourceReport } from '../types.js';
import { eventToExchange, eventToRecord, type EventRecordContext } from './to-record.js';
import { connectionEventProblem, connectionRecordOf } from './connection-record.js';
import type { ConnectionEvent } from '../../event/index.js';

export const EVENTS_SKIP = {
  lambdaEdge: 'Lambda@Edge event (Records[0].cf): not a CloudFront Functions event, refused',
  invalidConnection: 'not a valid connection (mTLS) event',
  invalid: 'not a valid CloudFront Functions event',
  notJson: 'not valid JSON',
} as const;

const JSON_LINES = new Set(['.jsonl', '.ndjson']);
const EVENT_FILES = new Set(['.json', ...JSON_LINES]);
/** A single .json file is read whole: test event files are small. */
const MAX_JSON_BYTES = 256 * 1024 * 1024;

export interface EventsSourceOptions {
  /** Capture time for every event (epoch ms); default: the file's modification time. */
  time?: number;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class EventFileSource extends FileRecordSource implements RecordSource {
  private parsed: unknown;
  private mtime = 0;
  private stats = { events: 0, lambdaEdge: 0, invalid: 0 };

  constructor(
    input: FileInput,
    /** Named on the command line (its problems are errors) rather than found in a directory (its problems are skips). */
    private readonly named: boolean,
    private readonly options: EventsSourceOptions = {},
  ) {
    super(input);
  }

  override get bytesRead(): number {
    return this.jsonLines ? this.input.bytesRead : this.wholeRead;
  }

  private wholeRead = 0;

  /** Standard input has no name to tell JSON from JSON lines: its content does (set by check()). */
  private linesByContent = false;

  private get jsonLines(): boolean {
    if (this.linesByContent) return true;
    // "events.jsonl.gz": the name of the compressed JSON lines file before its ".gz".
    const name = this.input.path.toLowerCase();
    return JSON_LINES.has(extname(this.input.gzip && name.endsWith('.gz') ? name.slice(0, -3) : name));
  }

  /** Parse a .json file up front: a file that is only Lambda@Edge events, or not JSON, is refused before any output exists. */
  async check(): Promise<void> {
    this.mtime = (await stat(this.input.readPath)).mtimeMs;
    const stdin = this.input.path === STDIN_PATH;
    if (stdin && this.input.gzip) this.linesByContent = true; // compressed: only JSON lines may be
    if (this.jsonLines) return;
    if (this.input.gzip) throw new InputError(`${this.input.path}: gzip-compressed: only JSON lines files (.jsonl, .ndjson) may be compressed`);
    if (this.input.totalBytes > MAX_JSON_BYTES) throw new InputError(`${this.input.path}: over 256 MiB: write the events as JSON lines (.jsonl) instead`);
    let text: string;
    try {
      text = this.input.gzip ? '' : await readFile(this.input.readPath, 'utf8');
    } catch (e) {
      throw fileError(this.input.path, e, 'event file');
    }
    text = text.replace(/^\uFEFF/, '');
    try {
      this.parsed = JSON.parse(text);
    } catch (e) {
      // JSON lines saved as .json
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      if (lines.length > 1 && lines.every((l) => isJson(l))) {
        this.parsed = lines.map((l) => JSON.parse(l) as unknown);
      } else if (stdin && lines.length > 1 && isJson(lines[0]!)) {
        // JSON lines on standard input, some of them bad: read line by line, the bad ones counted.
        this.linesByContent = true;
      } else if (this.named) {
        throw new InputError(`${this.input.path}: not valid JSON (${(e as Error).message})`);
      } else {
        this.parsed = NOT_JSON;
        return;
      }
    }
    const events = Array.isArray(this.parsed) ? this.parsed : [this.parsed];
    if (this.named && events.length > 0 && events.every((e) => isLambdaEdgeEvent(e))) {
      throw new InputError(
        `${this.input.path}: ${LAMBDA_EDGE_EVENT_MESSAGE}. cfreplay records CloudFront Functions events only; ` +
          'Lambda@Edge functions have a different event and runtime',
      );
    }
  }

  private time(): number {
    return this.options.time ?? Math.floor(this.mtime);
  }

  private toItem(value: unknown, entry: number): SourceItem {
    const source: EventSource = { file: this.file, entry };
    // A test case ({"event": ..., "output"|"expect": ..., "name"}): its event, and its name kept with the record.
    let candidate = value;
    if (isObj(value) && isObj(value.event) && !('request' in value)) {
      candidate = value.event;
      if (typeof value.name === 'string' && value.name !== '') source.name = value.name;
    }
    if (isLambdaEdgeEvent(candidate)) {
      this.stats.lambdaEdge++;
      return { kind: 'skip', reason: EVENTS_SKIP.lambdaEdge, source };
    }
    if (isConnectionEvent(candidate)) {
      const problem = connectionEventProblem(candidate as Obj);
      if (problem !== undefined) {
        this.stats.invalid++;
        return { kind: 'skip', reason: EVENTS_SKIP.invalidConnection, source, detail: problem };
      }
      this.stats.events++;
      return { kind: 'connection', record: connectionRecordOf(candidate as ConnectionEvent, source, this.time()) };
    }
    let notes: string[] | undefined;
    if (notAnEvent(candidate) === undefined) {
      // A partial event gets the documented defaults (event/complete.ts); the recorder's own id and --viewer-ip apply.
      const c = candidate as Obj;
      const ctx = c.context;
      const given = isObj(ctx) ? ctx.eventType : undefined;
      const eventType = given === 'viewer-response' || (given === undefined && isObj(c.response)) ? 'viewer-response' : 'viewer-request';
      const completed = completeEvent(c, { eventType, eventTypeFrom: isObj(c.response) ? 'the event has a response' : 'the event has no response', requestId: false, viewerIp: false });
      if (completed.filled.length > 0) {
        candidate = completed.event;
        notes = [PARTIAL_NOTE];
      }
    }
    const problems = validateCloudFrontEvent(candidate);
    if (problems.length > 0) {
      this.stats.invalid++;
      return { kind: 'skip', reason: EVENTS_SKIP.invalid, source, detail: problems.slice(0, 3).join('; ') };
    }
    this.stats.events++;
    const event = candidate as Obj;
    const ctx: EventRecordContext = { source, time: this.time() };
    const item: SourceItem = { kind: 'exchange', exchange: eventToExchange(event, ctx), prebuilt: (build) => eventToRecord(event, ctx, build) };
    if (notes !== undefined) item.notes = notes;
    return item;
  }

  /**
   * The file's items. A file named on the command line none of whose
   * entries is an event (all skipped as not JSON, not valid, Lambda@Edge)
   * stops the recording with one line naming it and its first entry, as a
   * broken HAR does: it was given to be recorded, and recording nothing of
   * it would pass unnoticed. A file with any event records them and counts
   * the others; files found in a directory are only counted.
   */
  async *items(): AsyncGenerator<SourceItem> {
    let first: (SourceItem & { kind: 'skip' }) | undefined;
    let entries = 0;
    let events = false;
    for await (const item of this.entries()) {
      entries++;
      if (item.kind !== 'skip') events = true;
      else first ??= item;
      yield item;
    }
    if (this.named && !events && first !== undefined) {
      const where = this.jsonLines ? `line ${first.source.entry + 1}` : `entry ${first.source.entry}`;
      const detail = first.detail === undefined ? '' : `: ${first.detail.replace(/^line \d+: /, '')}`;
      throw new InputError(`${this.input.path}: no CloudFront Functions event among its ${entries} ${entries === 1 ? 'entry' : 'entries'}; ${where}: ${first.reason}${detail}`);
    }
  }

  private async *entries(): AsyncGenerator<SourceItem> {
    if (this.mtime === 0) await this.check();
    if (!this.jsonLines) {
      if (this.parsed === NOT_JSON) {
        yield { kind: 'skip', reason: EVENTS_SKIP.notJson, source: { file: this.file, entry: 0 } };
        return;
      }
      const events = Array.isArray(this.parsed) ? this.parsed : [this.parsed];
      for (let i = 0; i < events.length; i++) yield this.toItem(events[i], i);
      this.parsed = undefined;
      this.wholeRead = this.input.totalBytes;
      return;
    }
    let line = -1;
    for await (const batch of this.input.lineBatches()) {
      for (const text of batch) {
        line++;
        const t = line === 0 ? text.replace(/^\uFEFF/, '') : text;
        if (t.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(t);
        } catch (e) {
          yield { kind: 'skip', reason: EVENTS_SKIP.notJson, source: { file: this.file, entry: line }, detail: `line ${line + 1}: ${(e as Error).message}` };
          continue;
        }
        yield this.toItem(value, line);
      }
    }
  }

  report(): SourceReport {
    const warnings: string[] = [];
    if (this.stats.lambdaEdge > 0) {
      warnings.push(`${this.input.path}: ${this.stats.lambdaEdge} Lambda@Edge event(s) refused: ${LAMBDA_EDGE_EVENT_MESSAGE}`);
    }
    return { warnings, info: this.jsonLines ? { format: 'JSON lines' } : {} };
  }
}

const NOT_JSON = Symbol('not JSON');
const PARTIAL_NOTE = 'partial events completed with the documented defaults (method GET, uri /, empty maps, ...)';

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

/** Whether a file found in a directory is an event file: .json, .jsonl, .ndjson, or compressed JSON lines (.jsonl.gz, .ndjson.gz). */
function isEventFileName(name: string): boolean {
  const lower = name.toLowerCase();
  if (lower.endsWith('.gz')) return JSON_LINES.has(extname(lower.slice(0, -3)));
  return EVENT_FILES.has(extname(lower)) && !lower.endsWith('package.json') && !lower.endsWith('tsconfig.json');
}

/** The event files under `dir` (.json, .jsonl, .ndjson, .jsonl.gz, .ndjson.gz; recursive, in name order; dot files, node_modules and package/tsconfig files left out). */
export async function listEventFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listEventFiles(p)));
    else if (e.isFile() && isEventFileName(e.name)) out.push(p);
  }
  return out;
}

/** One source per event file; directories are expanded (recursively, in name order). */
export async function openEventSources(paths: readonly string[], options: EventsSourceOptions = {}): Promise<EventFileSource[]> {
  const sources: EventFileSource[] = [];
  for (const p of paths) {
    let st;
    try {
      st = await stat(p);
    } catch (e) {
      throw fileError(p, e, 'event file or directory');
    }
    if (st.isDirectory()) {
      const files = await listEventFiles(p);
      if (files.length === 0) throw new InputError(`${p}: no event files (.json, .jsonl, .ndjson, .jsonl.gz, .ndjson.gz) in this directory`);
      for (const f of files) sources.push(new EventFileSource(await FileInput.open(f, 'event file'), false, options));
    } else {
      sources.push(new EventFileSource(await FileInput.open(p, 'event file'), true, options));
    }
  }
  for (const s of sources) await s.check();
  return sources;
}

/** `--time`: ISO 8601 or epoch milliseconds. */
export function parseTimeOption(value: string): number {
  const v = value.trim();
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(t)) throw new InputError(`--time: "${value}" is not an ISO 8601 date (2024-05-01T10:00:00Z) or epoch milliseconds`);
  return t;
}

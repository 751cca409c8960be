/**
 * CloudFront standard logging v2 in JSON: one object per line, the field
 * names as AWS documents them (`date`, `time`, `c-ip`, `cs(Host)`,
 * `cs-uri-stem`, `timestamp(ms)`...), any selection and order of fields.
 * Each object goes through the same parser as a log line (its values in the
 * order of its keys), so the events are the ones the legacy log of the same
 * request gives. A line that is not a JSON object stops the recording with
 * the file and line (exit 2): a JSON log is written by a machine, and a
 * broken line means a damaged file, not a request to skip.
 */
import { InputError } from '../errors.js';
import { FileInput, FileRecordSource } from '../file-input.js';
import type { SourceItem, SourceReport } from '../types.js';
import { cellText } from './cell-text.js';
import { CflogLines } from './cflog-lines.js';
import { layoutOf, loggedHeadersWarning, type FieldLayout } from './fields.js';

export const V2_JSON_FORMAT = 'CloudFront standard log v2 (JSON)';

/** The layout of each distinct key list, in the order the keys come. */
class KeyLayouts {
  private last: { keys: string[]; layout: FieldLayout } | undefined;
  private readonly byKeys = new Map<string, FieldLayout>();

  constructor(private readonly path: string) {}

  of(keys: string[], line: number): FieldLayout {
    const last = this.last;
    if (last !== undefined && sameKeys(last.keys, keys)) return last.layout;
    const id = keys.join('\n');
    let layout = this.byKeys.get(id);
    if (layout === undefined) {
      layout = layoutOf(keys, `${this.path}: line ${line}`);
      this.byKeys.set(id, layout);
    }
    this.last = { keys, layout };
    return layout;
  }
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class CflogJsonSource extends FileRecordSource {
  private readonly lines: CflogLines;
  private readonly layouts: KeyLayouts;
  private layout: FieldLayout | undefined;

  constructor(input: FileInput) {
    super(input);
    this.lines = new CflogLines(input.path, this.file, undefined);
    this.layouts = new KeyLayouts(input.path);
  }

  async *items(): AsyncGenerator<SourceItem> {
    for await (const batch of this.itemBatches()) yield* batch;
  }

  async *itemBatches(): AsyncGenerator<Iterable<SourceItem>> {
    let first = 0;
    for await (const batch of this.input.lineBatches()) {
      yield this.itemsOf(batch, first);
      first += batch.length;
    }
  }

  private *itemsOf(batch: readonly string[], first: number): Generator<SourceItem> {
    for (let i = 0; i < batch.length; i++) {
      const text = batch[i]!;
      if (text.trim() === '') continue;
      const index = first + i;
      const record = parseObject(text, this.input.path, index + 1);
      const keys = Object.keys(record);
      const layout = this.layouts.of(keys, index + 1);
      this.layout = layout;
      const values = keys.map((k, j) => cellText(layout.names[j]!, record[k]));
      yield this.lines.valuesToItem(values, index, layout, 'line');
    }
  }

  report(): SourceReport {
    const info: Record<string, string> = { format: V2_JSON_FORMAT };
    if (this.input.gzip) info.compression = 'gzip';
    const warnings: string[] = [];
    if (this.layout !== undefined) {
      const w = loggedHeadersWarning(this.input.path, this.layout);
      if (w !== undefined) warnings.push(w);
    }
    return { warnings, info };
  }
}

function parseObject(text: string, path: string, line: number): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path}: line ${line}: not valid JSON (${(e as Error).message}); a CloudFront v2 JSON log has one object per line`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new InputError(`${path}: line ${line}: expected a JSON object (one log record per line), found ${Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v}`);
  }
  return v as Record<string, unknown>;
}

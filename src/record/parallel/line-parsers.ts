/**
 * The per-line parsers a recording worker can run, named by plain data (a
 * spec that crosses threads). A worker keeps one parser per source, so its
 * memos stay warm from batch to batch.
 */
import { CflogLines } from '../cflog/cflog-lines.js';
import type { SourceItem } from '../types.js';

/** A CloudFront log: `fields` is the field list in force where the batch starts (undefined before any). */
export interface CflogParserSpec {
  kind: 'cflog';
  /** Distinguishes the sources of one run (the same file may be given twice). */
  source: number;
  path: string;
  file: string;
  fields: string[] | undefined;
  /** The field separator (a space in some v2 plain/W3C logs). */
  delimiter: '\t' | ' ';
}

export type LineParserSpec = CflogParserSpec;

export interface LineParser {
  /** An item for a line, or undefined for lines that hold none (blank, directives). */
  item(line: string, lineIndex: number): SourceItem | undefined;
  /** Data lines parsed so far (for the source's report). */
  readonly lines: number;
}

export class LineParsers {
  private readonly cflog = new Map<number, CflogLines>();

  /** The parser for a batch, set to the state the batch starts in. */
  for(spec: LineParserSpec): LineParser {
    let parser = this.cflog.get(spec.source);
    if (parser === undefined) {
      parser = new CflogLines(spec.path, spec.file, undefined);
      this.cflog.set(spec.source, parser);
    }
    if (spec.fields !== undefined) parser.useFields(spec.fields);
    parser.useDelimiter(spec.delimiter);
    return parser;
  }
}

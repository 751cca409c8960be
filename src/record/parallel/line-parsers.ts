/**
 * The per-line parsers a recording worker runs. This engine knows no
 * source: a batch names its parser by plain data (it crosses threads), the
 * URL of a module in the source's own folder whose `lineParser` export makes
 * one, and the source's state where the batch starts. A source that records
 * in the workers (record-in-workers.ts: BatchedSource) therefore needs no
 * line here or anywhere but its folder and its line in ../sources.ts; the
 * worker loads a parser module the first time a batch names it (workers do
 * not import ../sources.ts: it loads every command module, ~100 ms a thread).
 *
 * A worker keeps one parser per source of the run, so its memos stay warm
 * from batch to batch; the batches of a source come in file order.
 */
import type { SourceItem } from '../types.js';
import { BUNDLE_DIR, PACKAGE_ROOT } from '../../util/worker-scripts.js';

/** Which parser reads a batch, and from which state (structured-clonable). */
export interface LineParserSpec<State = unknown> {
  /** file: URL of the module exporting `lineParser`, in the source's folder (cflog: cflogLineParser() in cflog-source.ts). */
  module: string;
  /** Distinguishes the sources of one run (the same file may be given twice). */
  source: number;
  /** What the parser must know where the batch starts (for a CloudFront log: the field list and delimiter). */
  state: State;
}

export interface LineParser<State = unknown> {
  /** An item for a line, or undefined for lines that hold none (blank, directives). */
  item(line: string, lineIndex: number): SourceItem | undefined;
  /** Data lines parsed so far (for the source's report). */
  readonly lines: number;
  /** Take the state a batch starts in (the batches of one source come in order). */
  resume(state: State): void;
}

/** What a line-parser module exports as `lineParser`. */
export interface LineParserFactory<State = unknown> {
  create(state: State): LineParser<State>;
}

/** Where a batch's module may be: this package's record/ folders (compiled, or the sources under vitest), its bundle and its test fixtures. */
const ALLOWED = [...['dist/record/', 'src/record/', 'test/fixtures/'].map((dir) => new URL(dir, PACKAGE_ROOT).href), BUNDLE_DIR.href];

export class LineParsers {
  private readonly factories = new Map<string, Promise<LineParserFactory>>();
  private readonly parsers = new Map<string, LineParser | Promise<LineParser>>();

  /**
   * The parser of a batch's source: made when its first batch comes (after
   * its module loads: a promise), the same one afterwards (at once). The
   * caller sets it to the batch's state (`resume`) and parses the batch in
   * one synchronous step, so batches are parsed in the order they came even
   * while the module loads (continuations of one promise run in order).
   */
  for(spec: LineParserSpec): LineParser | Promise<LineParser> {
    const key = `${spec.source} ${spec.module}`;
    let parser = this.parsers.get(key);
    if (parser === undefined) {
      parser = this.factory(spec.module).then((f) => {
        const made = f.create(spec.state);
        this.parsers.set(key, made);
        return made;
      });
      this.parsers.set(key, parser);
    }
    return parser;
  }

  private factory(module: string): Promise<LineParserFactory> {
    let f = this.factories.get(module);
    if (f === undefined) {
      if (!ALLOWED.some((root) => module.startsWith(root)) || module.includes('/../') || module.includes('%2')) {
        f = Promise.reject(new Error(`line parser module outside this package's record/ folders: ${module}`));
      } else {
        f = (import(module) as Promise<{ lineParser?: LineParserFactory }>).then((m) => {
          if (typeof m.lineParser?.create !== 'function') throw new Error(`${module} exports no lineParser`);
          return m.lineParser;
        });
      }
      this.factories.set(module, f);
    }
    return f;
  }
}

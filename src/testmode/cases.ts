/**
 * Test cases for `cfreplay test`, read from files, directories (recursively,
 * in name order: .json, .jsonl, .ndjson) or stdin (path `-`, JSON lines).
 *
 * A case is cftest's format as it is,
 *   {"event": {...}, "output": {...}, "error": "..."}
 * (`output`: the whole expected FunctionOutput, `{"request": ...}` or
 * `{"response": ...}`; `error`: the expected FunctionErrorMessage, "" when
 * absent), or the partial form
 *   {"event": {...}, "expect": {"response.statusCode": 302, "outcome": "response"}}
 * (only the paths given are asserted; paths as in --ignore), each with an
 * optional "name". A bare event (an object with "request" and no "event")
 * is a case without expectations, which `--update` fills in. A .json file
 * holds one case or an array of cases; a JSON lines file one case per line.
 *
 * Every problem is a CaseFileError naming the file and line or entry.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { listEventFiles } from '../record/events/events-source.js';
import { UserError } from '../util/user-error.js';
import { inputFileMessage } from '../util/input-file.js';

export class CaseFileError extends UserError {
  override name = 'CaseFileError';
}

/** How a case file holds its cases (for rewriting it the same way). */
export type CaseFileForm = 'single' | 'array' | 'lines';

export interface CaseFile {
  path: string;
  form: CaseFileForm;
  /** Every case of the file, in order (blank lines of a JSON lines file are not kept). */
  cases: TestCase[];
}

export interface TestCase {
  name?: string;
  file: string;
  /** 1-based line in a JSON lines file. */
  line?: number;
  /** 0-based index in a .json array. */
  index?: number;
  /** `name (file:line)`, `file#index` or `file`: where a person finds the case. */
  label: string;
  /** The event as written (possibly partial). */
  event: Record<string, unknown>;
  /** The case object as read: `--update` rewrites it. */
  raw: Record<string, unknown>;
  /** Whole-output assertion (cftest): present when the case has "output" or "error". */
  whole?: { output: unknown; error: string };
  /** Partial assertions, path -> expected value. */
  expect?: Record<string, unknown>;
}

const CASE_FIELDS = new Set(['event', 'output', 'error', 'expect', 'name']);
const LINE_FILES = new Set(['.jsonl', '.ndjson']);

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function where(file: string, line: number | undefined, index: number | undefined): string {
  return line !== undefined ? `${file}:${line}` : index !== undefined ? `${file}#${index}` : file;
}

/** One case from a parsed value. */
export function toCase(value: unknown, file: string, line?: number, index?: number): TestCase {
  const at = where(file, line, index);
  if (!isObj(value)) throw new CaseFileError(`${at}: a case must be a JSON object ({"event": ..., "output": ...} or {"event": ..., "expect": ...})`);
  let raw = value;
  if (!('event' in value)) {
    if (!isObj(value.request) && !isObj(value.response)) {
      throw new CaseFileError(`${at}: not a test case: expected {"event": ..., "output"|"expect": ...} or a bare event with "request"`);
    }
    raw = { event: value };
  }
  for (const k of Object.keys(raw)) {
    if (!CASE_FIELDS.has(k)) throw new CaseFileError(`${at}: unknown field "${k}" (a case has event, output, error, expect, name)`);
  }
  if (!isObj(raw.event)) throw new CaseFileError(`${at}: "event" must be an object`);
  if (raw.name !== undefined && typeof raw.name !== 'string') throw new CaseFileError(`${at}: "name" must be a string`);
  if (raw.error !== undefined && typeof raw.error !== 'string') throw new CaseFileError(`${at}: "error" must be a string (the expected FunctionErrorMessage)`);
  if (raw.expect !== undefined && !isObj(raw.expect)) throw new CaseFileError(`${at}: "expect" must be an object of path -> value, e.g. {"request.uri": "/index.html"}`);
  const name = raw.name as string | undefined;
  const c: TestCase = {
    file,
    label: name !== undefined ? `${name} (${at})` : at,
    event: raw.event,
    raw,
  };
  if (name !== undefined) c.name = name;
  if (line !== undefined) c.line = line;
  if (index !== undefined) c.index = index;
  if ('output' in raw || 'error' in raw) c.whole = { output: raw.output ?? null, error: (raw.error as string | undefined) ?? '' };
  if (raw.expect !== undefined) c.expect = raw.expect as Record<string, unknown>;
  return c;
}

/** The cases of one file's text. */
export function parseCaseText(text: string, file: string, lines: boolean): CaseFile {
  const body = text.replace(/^\uFEFF/, '');
  if (lines) {
    const cases: TestCase[] = [];
    const all = body.split('\n');
    for (let i = 0; i < all.length; i++) {
      const t = all[i]!.trim();
      if (t === '') continue;
      let v: unknown;
      try {
        v = JSON.parse(t);
      } catch (e) {
        throw new CaseFileError(`${file}:${i + 1}: not valid JSON (${(e as Error).message})`);
      }
      cases.push(toCase(v, file, i + 1));
    }
    return { path: file, form: 'lines', cases };
  }
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch (e) {
    throw new CaseFileError(`${file}: not valid JSON (${(e as Error).message}); JSON lines files are named .jsonl`);
  }
  if (Array.isArray(v)) return { path: file, form: 'array', cases: v.map((x, i) => toCase(x, file, undefined, i)) };
  return { path: file, form: 'single', cases: [toCase(v, file)] };
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new CaseFileError(inputFileMessage(path, e, 'case file'));
  }
}

/**
 * Every case file named (directories expanded). `stdin` is read for `-`.
 * Throws CaseFileError for a missing path, an empty directory, bad JSON or a
 * malformed case.
 */
export async function readCaseFiles(paths: readonly string[], stdin: () => Promise<string>): Promise<CaseFile[]> {
  const files: CaseFile[] = [];
  for (const p of paths) {
    if (p === '-') {
      files.push(parseCaseText(await stdin(), '<stdin>', true));
      continue;
    }
    let st;
    try {
      st = await stat(p);
    } catch (e) {
      throw new CaseFileError(inputFileMessage(p, e, 'case file or directory'));
    }
    const list = st.isDirectory() ? await listEventFiles(p) : [p];
    if (st.isDirectory() && list.length === 0) throw new CaseFileError(`${p}: no case files (.json, .jsonl, .ndjson) in this directory`);
    for (const f of list) files.push(parseCaseText(await readText(f), f, LINE_FILES.has(extname(f).toLowerCase())));
  }
  return files;
}

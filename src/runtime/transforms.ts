/**
 * Deploy transforms: a function as kept in a repository is often not the
 * function as deployed. Deploy tools strip `export { handler }` (kept for
 * unit tests), replace placeholders (`KVS_ID_PLACEHOLDER`, `__KVS_ID__`,
 * CloudFormation `${KvsArn}`) and prepend shared code. These transforms do
 * the same, source to source, before the syntax gate sees the code; they are
 * pure (the caller reads any prepended file) and shared by `run`, `replay`
 * and `test`.
 *
 * Order: prepend, then define (so a prepended file's placeholders are
 * replaced too), then strip-export (which needs code that parses).
 * - prepend: each file's text then a newline; `lineOffset` says how many
 *   lines the function's own code moved down, and explainLoadError maps
 *   line numbers back to the file they came from.
 * - define NAME=VALUE: every occurrence of the text NAME is replaced by the
 *   text VALUE (textual, like a deploy script's sed; no quoting is added).
 * - strip-export: `export` in front of a declaration is blanked (columns
 *   kept), `export { a, b }` / `export default x;` statements are blanked
 *   (lines kept), an anonymous `export default function (event)` becomes
 *   `function handler(event)`.
 */
import { parse } from 'acorn';
import { FunctionLoadError } from './errors.js';
import { UserError } from '../util/user-error.js';

export interface DefineTransform {
  /** The text to replace (e.g. `KVS_ID_PLACEHOLDER`, `${KvsArn}`). */
  name: string;
  value: string;
}

export interface PrependTransform {
  /** As given by the user, for messages and the report. */
  path: string;
  text: string;
}

export interface DeployTransforms {
  stripExport?: boolean;
  defines?: readonly DefineTransform[];
  prepend?: readonly PrependTransform[];
}

export interface TransformResult {
  source: string;
  /** One line per transform that was asked for, for the report (empty when none was asked for). */
  applied: string[];
  /** Lines the function's own first line moved down (prepended text). */
  lineOffset: number;
  /** Occurrences replaced per define name. */
  defineCounts: Map<string, number>;
}

/** A transform option the user must fix (the CLI prints it on one line, exit 2). */
export class TransformOptionError extends UserError {
  override name = 'TransformOptionError';
}

/** `NAME=VALUE` (the first `=` splits; VALUE may be empty, NAME may not). */
export function parseDefine(text: string): DefineTransform {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new TransformOptionError(`--define ${text}: expected NAME=VALUE (e.g. --define KVS_ID_PLACEHOLDER=a1b2c3 or --define '\${KvsArn}=arn:...')`);
  return { name: text.slice(0, eq), value: text.slice(eq + 1) };
}

export function hasTransforms(t: DeployTransforms | undefined): boolean {
  return t !== undefined && (t.stripExport === true || (t.defines?.length ?? 0) > 0 || (t.prepend?.length ?? 0) > 0);
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Spaces for every character of `text` but its line breaks (lines and columns stay where they were). */
function blank(text: string): string {
  return text.replace(/[^\n\r]/g, ' ');
}

interface Node {
  type: string;
  start: number;
  end: number;
  declaration?: Node | null;
  id?: Node | null;
  async?: boolean;
  loc?: { start: { line: number } };
}

/** The source without its export statements, and the lines where they were (unchanged when it does not parse). */
function stripExports(source: string): { source: string; lines: number[] } {
  let ast: { body: Node[] };
  try {
    ast = parse(source, { ecmaVersion: 'latest', sourceType: 'module', locations: true }) as unknown as { body: Node[] };
  } catch {
    return { source, lines: [] }; // the syntax gate reports it with its line
  }
  const edits: { start: number; end: number; text: string }[] = [];
  const lines: number[] = [];
  for (const node of ast.body) {
    if (node.type !== 'ExportNamedDeclaration' && node.type !== 'ExportDefaultDeclaration') continue;
    lines.push(node.loc?.start.line ?? 1);
    const decl = node.declaration;
    const isDeclaration = decl !== null && decl !== undefined && /Declaration$/.test(decl.type);
    if (!isDeclaration) {
      edits.push({ start: node.start, end: node.end, text: blank(source.slice(node.start, node.end)) });
      continue;
    }
    edits.push({ start: node.start, end: decl.start, text: blank(source.slice(node.start, decl.start)) });
    if (decl.type === 'FunctionDeclaration' && (decl.id === null || decl.id === undefined)) {
      // `export default function (event) {...}`: CloudFront calls `handler`.
      const keyword = /^(async\s+)?function\s*\*?/.exec(source.slice(decl.start))![0];
      edits.push({ start: decl.start + keyword.length, end: decl.start + keyword.length, text: ' handler' });
    }
  }
  let out = '';
  let pos = 0;
  for (const e of edits) {
    out += source.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return { source: out + source.slice(pos), lines };
}

export function applyTransforms(source: string, t: DeployTransforms | undefined): TransformResult {
  const applied: string[] = [];
  const defineCounts = new Map<string, number>();
  let lineOffset = 0;
  let out = source;
  if (t === undefined) return { source, applied, lineOffset, defineCounts };
  const prefix: string[] = [];
  for (const p of t.prepend ?? []) {
    const text = p.text.endsWith('\n') ? p.text : `${p.text}\n`;
    prefix.push(text);
    const n = countLines(text);
    lineOffset += n;
    applied.push(`prepend ${p.path} (${n} line${n === 1 ? '' : 's'})`);
  }
  out = prefix.join('') + out;
  for (const d of t.defines ?? []) {
    const parts = out.split(d.name);
    const count = parts.length - 1;
    defineCounts.set(d.name, (defineCounts.get(d.name) ?? 0) + count);
    out = parts.join(d.value);
    applied.push(`define ${d.name} (${count} replacement${count === 1 ? '' : 's'})`);
  }
  if (t.stripExport === true) {
    const stripped = stripExports(out);
    out = stripped.source;
    const n = stripped.lines.length;
    applied.push(n === 0 ? 'strip-export (no export statement found)' : `strip-export (${n} statement${n === 1 ? '' : 's'}, line${n === 1 ? '' : 's'} ${stripped.lines.map((l) => l - lineOffset).join(', ')})`);
  }
  return { source: out, applied, lineOffset, defineCounts };
}

/** Hints for a rejected function: what a deploy transform would change. */
function hintsFor(message: string, lineText: string | undefined, t: DeployTransforms | undefined): string {
  let hint = '';
  if (/Illegal export statement|"export" is not supported/.test(message) && t?.stripExport !== true) {
    hint += '; if your deploy step removes the export, pass --strip-export';
  }
  if (/SyntaxError/.test(message) && lineText !== undefined && lineText.includes('${') && !/`[^`]*\$\{/.test(lineText)) {
    hint += "; `${...}` looks like a deploy-time template placeholder (e.g. CloudFormation Fn::Sub): replace it with --define '${Name}=value'";
  }
  return hint;
}

/**
 * The load error as the user should see it: line numbers of the function's
 * own file (prepended lines subtracted, or the prepended file named), and a
 * hint when a deploy transform would make the code load (`export` without
 * --strip-export, a `${...}` placeholder). Other errors are returned as they are.
 */
export function explainLoadError(err: unknown, transformed: TransformResult | undefined, t: DeployTransforms | undefined): unknown {
  if (!(err instanceof FunctionLoadError)) return err;
  const source = transformed?.source;
  const offset = transformed?.lineOffset ?? 0;
  const first = err.problems[0];
  const lineText = source !== undefined && first !== undefined ? source.split('\n')[first.line - 1] : undefined;
  const hint = hintsFor(err.message, lineText, t);
  if (hint === '' && offset === 0) return err;
  const located = `${err.filename}:${first?.line}:${first?.column}: `;
  const base = first !== undefined && err.message.startsWith(located) ? err.message.slice(located.length) : err.message.replace(`${err.filename}: `, '');
  if (first === undefined) return new FunctionLoadError(err.filename, base + hint);
  let filename = err.filename;
  const problems = err.problems.map((p) => ({ ...p, line: p.line - offset }));
  if (first.line <= offset) {
    // In a prepended file: name it, with its own line number.
    let line = first.line;
    for (const p of t?.prepend ?? []) {
      const n = countLines(p.text.endsWith('\n') ? p.text : `${p.text}\n`);
      if (line <= n) {
        filename = `${p.path} (prepended)`;
        break;
      }
      line -= n;
    }
    problems[0] = { ...first, line };
  }
  return new FunctionLoadError(filename, base + hint, problems);
}

/**
 * Syntax gate: rejects, before anything runs, what CloudFront's engine (njs)
 * rejects, with line and column. Also detects the runtime from the source and
 * collects what the loader needs (import lines to rewrite, entry points).
 *
 * Rule: reject only what njs rejects (checked against Debian's njs 0.7.9 and
 * the njs changelog up to 0.9.6; reference §3), warn (a load note) where AWS
 * documents as unsupported something njs runs. A false rejection would block
 * code CloudFront runs.
 * - both runtimes, rejected by njs: destructuring, classes, for...of, spread,
 *   default parameters, generators, optional chaining `?.` and the logical
 *   assignments `||=` `&&=` `??=` (njs has them only from 0.9.6, 2026),
 *   `catch {}` without a binding, `new.target`, BigInt literals, regex flags
 *   other than g/i/m/y (njs: `Invalid RegExp flags "u"`), `export`, dynamic
 *   import, top-level await, `await` inside the arguments of a call (njs:
 *   "await in arguments not supported");
 * - accepted because njs accepts them: `??` (njs 0.3.8+), shorthand
 *   properties and methods, computed keys, getters, tagged templates,
 *   trailing commas, numeric separators, `**=`;
 * - 1.0: `var` only (no const/let), no async/await, no `import` (1.0 is an
 *   njs before let/const and async existed);
 * - 2.0: `import x from '<built-in>'` only (default or namespace import of
 *   cloudfront, crypto, querystring, buffer). AWS writes "async arguments and
 *   closures are not supported", but njs runs async arrows, async function
 *   expressions and nested async functions, and AWS's own dynamic-origin
 *   sample uses `const f = async (x) => {...}`: accepted with a note;
 * - regex `\p{...}` without the u flag: njs (PCRE) reads a Unicode property
 *   class, V8 the letter p: accepted with a note (the values differ);
 * - source over 10 KB (10,240 UTF-8 bytes) is rejected as CloudFront does.
 */
import { parse, type Options } from 'acorn';
import * as walk from 'acorn-walk';
import type { Runtime } from './types.js';
import { FunctionLoadError, type SourceProblem } from './errors.js';

export const MAX_CODE_BYTES = 10 * 1024;
export const BUILTIN_MODULES = ['cloudfront', 'crypto', 'querystring', 'buffer'] as const;
export type BuiltinModule = (typeof BUILTIN_MODULES)[number];
const MODULES_BY_RUNTIME: Record<Runtime, readonly string[]> = {
  'cloudfront-js-1.0': ['crypto', 'querystring'],
  'cloudfront-js-2.0': BUILTIN_MODULES,
};

export function modulesFor(runtime: Runtime): readonly string[] {
  return MODULES_BY_RUNTIME[runtime];
}

/** An `import x from 'm'` to rewrite in place as `const x = __cf_require('m');`. */
export interface ImportRewrite {
  start: number;
  end: number;
  local: string;
  module: string;
}

/**
 * Something the function does that CloudFront may treat differently from this
 * tool, without being a reason to refuse the source (shown by `run`, kept in
 * the replay report). 1-based position.
 */
export interface LoadNote {
  message: string;
  line: number;
  column: number;
}

export interface SourceAnalysis {
  imports: ImportRewrite[];
  /** Load notes (warnings), sorted by position; empty when nothing to say. */
  notes: LoadNote[];
  /** Top-level `handler` declared (function or variable). */
  hasHandler: boolean;
  hasConnectionHandler: boolean;
  /** Uses `exports.handler` / `module.exports` / `exports.x =` (Lambda@Edge / Node style). */
  looksLikeLambda: boolean;
  /**
   * Names assigned anywhere in the source (`x = ...`, `x += ...`, `x++`, `for (x in o)`), in
   * whatever scope: the loader does not pass such global names to the function as closure
   * parameters (its fast global look-ups), or an assignment to one would outlive the event.
   */
  assignedNames: string[];
  /** The source writes an accessor (`get x() {}` / `set x(v) {}` in an object literal): the loader copies every result to plain data (loader.ts finish). */
  accessorSyntax: boolean;
}

interface AnyNode {
  type: string;
  start: number;
  end: number;
  loc?: { start: { line: number; column: number } } | null;
  [k: string]: unknown;
}

const PARSE_OPTS: Options = {
  ecmaVersion: 'latest',
  sourceType: 'module',
  locations: true,
  allowHashBang: false,
};

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function parseOrThrow(source: string, filename: string): AnyNode {
  try {
    return parse(source, PARSE_OPTS) as unknown as AnyNode;
  } catch (e) {
    const err = e as { message?: string; loc?: { line: number; column: number } };
    const msg = String(err.message ?? e).replace(/ \(\d+:\d+\)$/, '');
    const line = err.loc?.line ?? 1;
    const column = (err.loc?.column ?? 0) + 1;
    throw new FunctionLoadError(filename, `SyntaxError: ${msg} (not valid JavaScript)`, [
      { message: `SyntaxError: ${msg}`, line, column },
    ]);
  }
}

/**
 * Guess the runtime: `import` statements, `async` functions, `await`, `const`
 * or `let`, or a top-level `connectionHandler` (connection functions exist
 * only in 2.0) mean 2.0; otherwise 1.0. A source that does not parse is 1.0 (the
 * gate will report it).
 */
export function detectRuntime(source: string): Runtime {
  return detectRuntimeWithReason(source).runtime;
}

/**
 * detectRuntime and why, for people: `no 2.0 syntax`, `const at line 3`,
 * `import at line 1`, ... (shown as `cloudfront-js-1.0 (detected: no 2.0 syntax)`).
 */
export function detectRuntimeWithReason(source: string): { runtime: Runtime; reason: string } {
  let ast: AnyNode;
  try {
    ast = parse(source, PARSE_OPTS) as unknown as AnyNode;
  } catch {
    return { runtime: 'cloudfront-js-1.0', reason: 'the source does not parse' };
  }
  let why: string | undefined;
  walk.full(ast as never, (n: unknown) => {
    const node = n as AnyNode;
    if (why !== undefined) return;
    const at = ` at line ${node.loc?.start.line ?? 1}`;
    if (node.type === 'ImportDeclaration') why = `import${at}`;
    else if (node.type === 'AwaitExpression') why = `await${at}`;
    else if (node.type === 'FunctionDeclaration' && (node.id as AnyNode | null)?.name === 'connectionHandler') why = `connectionHandler${at}`;
    else if (node.type === 'VariableDeclaration' && node.kind !== 'var') why = `${String(node.kind)}${at}`;
    else if (
      (node.type === 'FunctionDeclaration' ||
        node.type === 'FunctionExpression' ||
        node.type === 'ArrowFunctionExpression') &&
      node.async === true
    )
      why = `async function${at}`;
  });
  return why !== undefined ? { runtime: 'cloudfront-js-2.0', reason: why } : { runtime: 'cloudfront-js-1.0', reason: 'no 2.0 syntax' };
}

const FUNCTION_TYPES = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/**
 * Check `source` for `runtime`. Throws FunctionLoadError listing every problem
 * (message names the first). Returns what the loader needs.
 */
export function checkSource(source: string, runtime: Runtime, filename: string): SourceAnalysis {
  const size = byteLength(source);
  if (size > MAX_CODE_BYTES) {
    throw new FunctionLoadError(
      filename,
      `The function code size exceeds the maximum allowed size of 10 KB (${size} bytes > ${MAX_CODE_BYTES} bytes)`,
    );
  }
  const ast = parseOrThrow(source, filename);
  const problems: SourceProblem[] = [];
  const is1 = runtime === 'cloudfront-js-1.0';
  const at = (node: AnyNode, message: string): SourceProblem => {
    const loc = node.loc?.start;
    return { message, line: loc?.line ?? 1, column: (loc?.column ?? 0) + 1 };
  };
  const add = (node: AnyNode, message: string): void => {
    problems.push(at(node, message));
  };
  const analysis: SourceAnalysis = { imports: [], notes: [], hasHandler: false, hasConnectionHandler: false, looksLikeLambda: false, assignedNames: [], accessorSyntax: false };
  const assigned = new Set<string>();
  const assigns = (target: unknown): void => {
    const t = target as AnyNode;
    if (t.type === 'Identifier') assigned.add(String(t.name));
  };
  const note = (node: AnyNode, message: string): void => {
    analysis.notes.push(at(node, message));
  };
  const allowedModules = MODULES_BY_RUNTIME[runtime];

  // Top level: entry points and imports.
  for (const stmt of ast.body as AnyNode[]) {
    if (stmt.type === 'FunctionDeclaration') {
      const name = (stmt.id as AnyNode | null)?.name;
      if (name === 'handler') analysis.hasHandler = true;
      if (name === 'connectionHandler') analysis.hasConnectionHandler = true;
    } else if (stmt.type === 'VariableDeclaration') {
      for (const d of stmt.declarations as AnyNode[]) {
        const id = d.id as AnyNode;
        if (id.type === 'Identifier' && id.name === 'handler') analysis.hasHandler = true;
        if (id.type === 'Identifier' && id.name === 'connectionHandler') analysis.hasConnectionHandler = true;
      }
    } else if (stmt.type === 'ImportDeclaration') {
      const mod = String((stmt.source as AnyNode).value);
      const specs = stmt.specifiers as AnyNode[];
      if (is1) {
        add(stmt, `SyntaxError: "import" is not supported in cloudfront-js-1.0 (use require('${mod}'), or the cloudfront-js-2.0 runtime)`);
      } else if (!allowedModules.includes(mod)) {
        add(stmt, `Error: Cannot find module "${mod}" (built-in modules: ${allowedModules.join(', ')})`);
      } else if (
        specs.length !== 1 ||
        (specs[0]!.type !== 'ImportDefaultSpecifier' && specs[0]!.type !== 'ImportNamespaceSpecifier')
      ) {
        add(stmt, `SyntaxError: only a default import is supported: import x from '${mod}'`);
      } else {
        const local = String((specs[0]!.local as AnyNode).name);
        analysis.imports.push({ start: stmt.start, end: stmt.end, local, module: mod });
      }
    }
  }

  // njs compiles regexes with PCRE: flags g, i, m, y only (0.7.9 and 0.8.x:
  // `Invalid RegExp flags "u"`); `\p{...}` is a Unicode property to PCRE
  // even without the u flag, while V8 reads `\p` as the letter p.
  const checkRegex = (node: AnyNode, re: { pattern: string; flags: string }): void => {
    const bad = [...re.flags].filter((f) => !'gimy'.includes(f));
    if (bad.length > 0) add(node, `SyntaxError: Invalid RegExp flags "${bad.join('')}" (njs accepts g, i, m and y)`);
    else if (/\\[pP]\{/.test(re.pattern))
      note(node, `regex /${re.pattern}/: njs reads \\p{...} as a Unicode property class, this engine (V8, no u flag) as the letter p: results differ`);
  };

  walk.fullAncestor(ast as never, (n: unknown, _state: unknown, ancestors: unknown) => {
    const node = n as AnyNode;
    const anc = ancestors as AnyNode[];
    switch (node.type) {
      case 'VariableDeclaration':
        if (is1 && node.kind !== 'var') add(node, `SyntaxError: "${String(node.kind)}" is not supported in cloudfront-js-1.0 (use var)`);
        break;
      case 'ObjectPattern':
      case 'ArrayPattern':
        add(node, 'SyntaxError: destructuring is not supported');
        break;
      case 'AssignmentPattern':
        add(node, 'SyntaxError: default parameters are not supported');
        break;
      case 'ClassDeclaration':
      case 'ClassExpression':
        add(node, 'SyntaxError: classes are not supported');
        break;
      case 'ForOfStatement':
        add(node, 'SyntaxError: for...of is not supported');
        break;
      case 'SpreadElement':
        add(node, 'SyntaxError: spread syntax is not supported');
        break;
      case 'ChainExpression':
        add(node, 'SyntaxError: optional chaining (?.) is not supported');
        break;
      case 'AssignmentExpression':
        if (node.operator === '||=' || node.operator === '&&=' || node.operator === '??=')
          add(node, `SyntaxError: logical assignment (${String(node.operator)}) is not supported`);
        assigns(node.left);
        break;
      case 'UpdateExpression':
        assigns(node.argument);
        break;
      case 'Property':
        if (node.kind === 'get' || node.kind === 'set') analysis.accessorSyntax = true;
        break;
      case 'ForInStatement':
        assigns(node.left);
        break;
      case 'CatchClause':
        if (node.param === null) add(node, 'SyntaxError: catch without a binding is not supported (write catch (e))');
        break;
      case 'Literal':
        if (typeof node.bigint === 'string') add(node, 'SyntaxError: BigInt literals are not supported');
        else if (node.regex !== undefined) checkRegex(node, node.regex as { pattern: string; flags: string });
        break;
      case 'ExportNamedDeclaration':
      case 'ExportDefaultDeclaration':
      case 'ExportAllDeclaration':
        // njs's wording (CloudFront calls the top-level function handler; nothing is exported).
        add(node, 'SyntaxError: Illegal export statement');
        break;
      case 'ImportExpression':
        add(node, 'SyntaxError: dynamic import() is not supported');
        break;
      case 'MetaProperty':
        if ((node.meta as AnyNode).name === 'import') add(node, 'SyntaxError: import.meta is not supported');
        else add(node, 'SyntaxError: new.target is not supported');
        break;
      case 'AwaitExpression': {
        if (is1) {
          add(node, 'SyntaxError: "await" is not supported in cloudfront-js-1.0');
          break;
        }
        // njs 0.7 and 0.8 refuse an await anywhere inside the arguments of a call
        // or `new` of the same function (njs_parser.c: scope->in_args).
        let inAsync = false;
        let inArgs = false;
        for (let i = anc.length - 2; i >= 0; i--) {
          const a = anc[i]!;
          if (FUNCTION_TYPES.has(a.type)) {
            inAsync = a.async === true;
            break;
          }
          if ((a.type === 'CallExpression' || a.type === 'NewExpression') && (a.arguments as AnyNode[]).includes(anc[i + 1]!)) inArgs = true;
        }
        if (!inAsync) add(node, 'SyntaxError: "await" can be used only inside an async function');
        else if (inArgs) add(node, 'SyntaxError: await in arguments not supported (njs; await into a variable first)');
        break;
      }
      case 'MemberExpression': {
        const obj = node.object as AnyNode;
        const prop = node.property as AnyNode;
        if (obj.type === 'Identifier' && obj.name === 'module' && prop.type === 'Identifier' && prop.name === 'exports')
          analysis.looksLikeLambda = true;
        if (obj.type === 'Identifier' && obj.name === 'exports') analysis.looksLikeLambda = true;
        break;
      }
      default:
        break;
    }
    if (FUNCTION_TYPES.has(node.type)) {
      if (node.generator === true) add(node, 'SyntaxError: generators are not supported');
      if (node.async === true) {
        if (is1) add(node, 'SyntaxError: "async" is not supported in cloudfront-js-1.0');
        else {
          const parent = anc[anc.length - 2];
          const topLevel = node.type === 'FunctionDeclaration' && parent?.type === 'Program';
          if (!topLevel)
            note(
              node,
              'AWS documents "async arguments and closures are not supported" in cloudfront-js-2.0; njs runs this async function (so does AWS\'s own dynamic-origin sample), so it runs here too',
            );
        }
      }
    }
  });

  analysis.notes.sort((a, b) => a.line - b.line || a.column - b.column);
  analysis.assignedNames = [...assigned].sort();
  if (problems.length > 0) {
    problems.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new FunctionLoadError(filename, problems[0]!.message + (problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : ''), problems);
  }
  return analysis;
}

/** Load notes as one line each: `file:line:col: message`. */
export function formatLoadNotes(filename: string, notes: readonly LoadNote[]): string[] {
  return notes.map((n) => `${filename}:${n.line}:${n.column}: ${n.message}`);
}

/**
 * Source instrumentation that lets the fast (frozen) realm see every
 * exception a function could swallow (see realm-harden.ts for why):
 *
 * - `catch (e) {` gets `__cfreplay_c(e);` at the start of its block;
 * - `try {...} finally {...}` without a catch gets a catch that reports and
 *   rethrows (a `return` in `finally` would otherwise discard the exception);
 * - the body of every async function is wrapped in a try/catch that reports
 *   and rethrows (its exceptions become rejections that may be dropped).
 *
 * `__cfreplay_c` (see wrapperNames) is a parameter of the wrapper the loader compiles around the
 * source (an in-realm function that only records the exception). Nothing
 * inserted contains a newline, so line numbers stay the user's; columns after
 * an insertion on the same line move right.
 */
import { Parser, type Node } from 'acorn';
import { simple } from 'acorn-walk';
import { namePrefix } from './function-source.js';

/**
 * The names the loader's wrapper and this instrumentation put around and into a function's
 * source: the wrapper's parameters (`require` for rewritten imports, the exception hook) and the
 * catch parameter inserted here. A source that uses one of the usual names itself (`let
 * __cfreplay_c`, legal on CloudFront) would clash with a parameter (a SyntaxError here) or shadow
 * the hook (a write to a frozen built-in it catches would go unseen): such a source gets names
 * with a random suffix it does not contain.
 */
export interface WrapperNames {
  require: string;
  require2: string;
  caught: string;
  error: string;
}

export function wrapperNames(source: string): WrapperNames {
  const tag = namePrefix(source);
  return { require: `${tag}_require`, require2: `${tag}_require2`, caught: `${tag}_c`, error: `${tag}_e` };
}

interface Insert {
  at: number;
  text: string;
  /** Order among inserts at the same position (lower first). */
  order: number;
}

interface Pos { start: number; end: number }
interface CatchNode extends Node { param: (Node & Pos) | null; body: Node & Pos }
interface TryNode extends Node { block: Node & Pos; handler: CatchNode | null; finalizer: (Node & Pos) | null }
interface FnNode extends Node { async: boolean; expression?: boolean; body: Node & Pos & { type: string } }

/**
 * The instrumented source, or the source itself when nothing needs it. Throws acorn's SyntaxError for unparsable code (callers gate first).
 * `names`: the ones the loader's wrapper declares for this source (wrapperNames).
 */
export function instrumentSource(source: string, sourceType: 'script' | 'module', names: WrapperNames): string {
  if (!/\b(catch|finally|async)\b/.test(source)) return source;
  const caught = names.caught;
  const e = names.error;
  const reportRethrow = `catch(${e}){${caught}(${e});throw ${e}}`;
  const ast = Parser.parse(source, { ecmaVersion: 'latest', sourceType, allowReturnOutsideFunction: true, preserveParens: true, allowAwaitOutsideFunction: true });
  const inserts: Insert[] = [];
  const fn = (node: Node): void => {
    const f = node as FnNode;
    if (!f.async) return;
    const b = f.body;
    if (b.type === 'BlockStatement') {
      inserts.push({ at: b.start + 1, text: 'try{', order: 0 });
      inserts.push({ at: b.end - 1, text: `}${reportRethrow}`, order: 1 });
    } else {
      inserts.push({ at: b.start, text: '{try{return ', order: 0 });
      inserts.push({ at: b.end, text: `}${reportRethrow}}`, order: 1 });
    }
  };
  simple(ast, {
    TryStatement(node) {
      const t = node as unknown as TryNode;
      if (!t.handler && t.finalizer) inserts.push({ at: t.block.end, text: reportRethrow, order: 2 });
    },
    CatchClause(node) {
      const c = node as unknown as CatchNode;
      if (c.param && c.param.type === 'Identifier') {
        inserts.push({ at: c.body.start + 1, text: `${caught}(${source.slice(c.param.start, c.param.end)});`, order: 3 });
      } else if (!c.param) {
        inserts.push({ at: c.body.start, text: `(${e})`, order: 3 });
        inserts.push({ at: c.body.start + 1, text: `${caught}(${e});`, order: 4 });
      }
      // A destructuring parameter cannot pass the syntax gate (njs has no destructuring).
    },
    FunctionDeclaration: fn,
    FunctionExpression: fn,
    ArrowFunctionExpression: fn,
  });
  if (inserts.length === 0) return source;
  inserts.sort((a, b) => a.at - b.at || a.order - b.order);
  let out = '';
  let pos = 0;
  for (const ins of inserts) {
    out += source.slice(pos, ins.at) + ins.text;
    pos = ins.at;
  }
  return out + source.slice(pos);
}

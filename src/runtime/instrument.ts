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
 * `__cfreplay_c` is a parameter of the wrapper the loader compiles around the
 * source (an in-realm function that only records the exception). Nothing
 * inserted contains a newline, so line numbers stay the user's; columns after
 * an insertion on the same line move right.
 */
import { Parser, type Node } from 'acorn';
import { simple } from 'acorn-walk';

export const CAUGHT_NAME = '__cfreplay_c';
const E = '__cfreplay_e';
const REPORT_RETHROW = `catch(${E}){${CAUGHT_NAME}(${E});throw ${E}}`;

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

/** The instrumented source, or the source itself when nothing needs it. Throws acorn's SyntaxError for unparsable code (callers gate first). */
export function instrumentSource(source: string, sourceType: 'script' | 'module'): string {
  if (!/\b(catch|finally|async)\b/.test(source)) return source;
  const ast = Parser.parse(source, { ecmaVersion: 'latest', sourceType, allowReturnOutsideFunction: true, preserveParens: true, allowAwaitOutsideFunction: true });
  const inserts: Insert[] = [];
  const fn = (node: Node): void => {
    const f = node as FnNode;
    if (!f.async) return;
    const b = f.body;
    if (b.type === 'BlockStatement') {
      inserts.push({ at: b.start + 1, text: 'try{', order: 0 });
      inserts.push({ at: b.end - 1, text: `}${REPORT_RETHROW}`, order: 1 });
    } else {
      inserts.push({ at: b.start, text: '{try{return ', order: 0 });
      inserts.push({ at: b.end, text: `}${REPORT_RETHROW}}`, order: 1 });
    }
  };
  simple(ast, {
    TryStatement(node) {
      const t = node as unknown as TryNode;
      if (!t.handler && t.finalizer) inserts.push({ at: t.block.end, text: REPORT_RETHROW, order: 2 });
    },
    CatchClause(node) {
      const c = node as unknown as CatchNode;
      if (c.param && c.param.type === 'Identifier') {
        inserts.push({ at: c.body.start + 1, text: `${CAUGHT_NAME}(${source.slice(c.param.start, c.param.end)});`, order: 3 });
      } else if (!c.param) {
        inserts.push({ at: c.body.start, text: `(${E})`, order: 3 });
        inserts.push({ at: c.body.start + 1, text: `${CAUGHT_NAME}(${E});`, order: 4 });
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

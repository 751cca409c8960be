/**
 * Turns an error thrown inside the sandbox into ErrorInfo, rewriting V8's
 * message texts into njs's where the mapping is cheap and certain:
 *
 *   V8: Cannot read properties of undefined (reading 'value')
 *   njs: cannot get property "value" of undefined
 *   V8: Cannot set properties of null (setting 'x')
 *   njs: cannot set property "x" of null
 *   V8: foo is not defined          njs: "foo" is not defined
 *   V8: Maximum call stack size exceeded -> njs RangeError: Maximum call stack size exceeded
 *   V8: Code generation from strings disallowed for this context (eval/new Function)
 *   njs: "eval" / "Function" constructor are not supported -> "Not supported in this runtime: code generation from strings"
 *
 * Anything else keeps V8's text. `v8Message` always holds the original.
 */
import type { ErrorInfo } from './types.js';

const RULES: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^Cannot read properties of (undefined|null) \(reading '(.*)'\)$/s, (m) => `cannot get property "${m[2]}" of ${m[1]}`],
  [/^Cannot set properties of (undefined|null) \(setting '(.*)'\)$/s, (m) => `cannot set property "${m[2]}" of ${m[1]}`],
  [/^([\w$]+) is not defined$/, (m) => `"${m[1]}" is not defined`],
  [/^Code generation from strings disallowed for this context$/, () => 'code generation from strings (eval, new Function) is not supported'],
];

export function njsMessage(v8: string): string {
  for (const [re, f] of RULES) {
    const m = v8.match(re);
    if (m) return f(m);
  }
  return v8;
}

/** Find `filename:line:col` of the first user frame in a V8 stack. */
function locate(stack: string | undefined, filename: string): { line: number; column: number } | undefined {
  if (!stack) return undefined;
  const esc = filename.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = stack.match(new RegExp(`${esc}:(\\d+):(\\d+)`));
  if (!m) return undefined;
  return { line: Number(m[1]), column: Number(m[2]) };
}

export function toErrorInfo(e: unknown, filename: string): ErrorInfo {
  if (e !== null && typeof e === 'object' && 'message' in e) {
    const err = e as { name?: unknown; message?: unknown; stack?: unknown };
    const v8Message = String(err.message);
    const name = typeof err.name === 'string' ? err.name : 'Error';
    const stack = typeof err.stack === 'string' ? err.stack : undefined;
    const info: ErrorInfo = { name, message: njsMessage(v8Message), v8Message };
    const loc = locate(stack, filename);
    if (loc) {
      info.line = loc.line;
      info.column = loc.column;
    }
    if (stack) {
      // Keep only frames from the user's file (drop host / prelude frames).
      const lines = stack.split('\n');
      const kept = [lines[0]!, ...lines.slice(1).filter((l) => l.includes(filename))];
      info.stack = kept.join('\n');
    }
    return info;
  }
  // `throw "x"` or `throw 42`: njs reports the value itself.
  let text: string;
  try {
    text = typeof e === 'string' ? e : JSON.stringify(e) ?? String(e);
  } catch {
    text = String(e);
  }
  return { name: 'Error', message: text, v8Message: text };
}

/** One-line form like AWS's FunctionErrorMessage: `TypeError: cannot get property "x" of undefined at line 3`. */
export function formatError(info: ErrorInfo): string {
  const where = info.line !== undefined ? ` (line ${info.line}, column ${info.column ?? 0})` : '';
  return `${info.name}: ${info.message}${where}`;
}

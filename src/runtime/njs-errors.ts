/**
 * Turns an error thrown inside the sandbox into ErrorInfo, rewriting V8's
 * message texts into njs's (checked against Debian's njs 0.7.9; the same
 * format strings are in njs 0.8.x and 0.9.x: src/njs_value.c, njs_vmcode.c).
 * njsMessage is self-contained on purpose: njs-surface.ts compiles its source
 * text into the sandbox realm, so `e.message` read inside a function's
 * `catch` gets the same words as the report. `v8Message` always keeps V8's.
 *
 *   V8: Cannot read properties of undefined (reading 'value')
 *   njs: cannot get property "value" of undefined
 *   V8: Cannot set properties of undefined (setting 'x')
 *   njs: property set on primitive undefined type
 *   V8: Cannot create property 'x' on string 'abc'
 *   njs: property set on primitive string type
 *   V8: o.f is not a function           njs: (intermediate value)["f"] is not a function
 *   V8: foo is not defined              njs: "foo" is not defined
 *   V8: URI malformed                   njs: malformed URI
 *   ... (the full table is the list below)
 *
 * Kept in V8's words (njs's text depends on the value, which the V8 text does
 * not carry): calling a plain variable that is not a function (`f is not a
 * function`, njs: `undefined is not a function`, `object is not a function`,
 * ...) and calling a computed member with a variable key (`o[k] is not a
 * function`).
 */
import type { ErrorInfo } from './types.js';

export function njsMessage(v8: string): string {
  let m: RegExpMatchArray | null;
  if ((m = v8.match(/^Cannot read properties of (undefined|null) \(reading '([^]*)'\)$/))) return `cannot get property "${m[2]}" of ${m[1]}`;
  if ((m = v8.match(/^Cannot set properties of (undefined|null) \(setting '[^]*'\)$/))) return `property set on primitive ${m[1]} type`;
  if ((m = v8.match(/^Cannot create property '[^]*' on (string|number|boolean|symbol) /))) return `property set on primitive ${m[1]} type`;
  if ((m = v8.match(/^([\w$]+) is not defined$/))) return `"${m[1]}" is not defined`;
  if ((m = v8.match(/^[^]*?(?:\.([\w$]+)|\[(?:"([^"]*)"|'([^']*)'|(\d+))\]) is not a (?:function|constructor)$/)))
    return `(intermediate value)["${m[1] ?? m[2] ?? m[3] ?? m[4]}"] is not a function`;
  if ((m = v8.match(/^(undefined|null|true|false) is not a (?:function|constructor)$/)))
    return `${m[1] === 'true' || m[1] === 'false' ? 'boolean' : m[1]} is not a function`;
  if (v8 === 'URI malformed') return 'malformed URI';
  if (v8.startsWith('Converting circular structure to JSON')) return 'Nested too deep or a cyclic structure';
  if ((m = v8.match(/^Cannot assign to read only property '([^]*)' of /))) return `Cannot assign to read-only property "${m[1]}" of object`;
  if ((m = v8.match(/^Cannot add property ([^]*), object is not extensible$/))) return `Cannot add property "${m[1]}", object is not extensible`;
  if (/^Right-hand side of 'instanceof' is not (?:callable|an object)$/.test(v8)) return 'right argument is not callable';
  if ((m = v8.match(/^Cannot use 'in' operator to search for '[^]*' in ([^]*)$/))) {
    const v = m[1]!;
    const type = v === 'undefined' || v === 'null' ? v : v === 'true' || v === 'false' ? 'boolean' : /^(-?(\d+(\.\d*)?(e[+-]?\d+)?|Infinity)|NaN)$/.test(v) ? 'number' : 'string';
    return `property "in" on primitive ${type} type`;
  }
  if ((m = v8.match(/^to(?:Fixed|Precision|Exponential)\(\) (digits argument must be between 0 and 100|argument must be between 1 and 100)$/))) return m[1]!;
  if (/^Reduce of empty array with no initial value$/.test(v8)) return 'Reduce of empty object with no initial value';
  if (v8 === 'Code generation from strings disallowed for this context') return 'code generation from strings (eval, new Function) is not supported';
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
  // As Error.prototype.toString: no ': ' after the name when the message is empty (njs's MemoryError has none).
  return `${info.message === '' ? info.name : `${info.name}: ${info.message}`}${where}`;
}

/**
 * The V8 engine compiles a function inside a wrapper whose parameters carry `require` (for
 * rewritten imports) and the exception hook, and inserts a catch parameter: their usual names
 * (`__cfreplay_require`, `__cfreplay_c`, `__cfreplay_e`) are names a function may use itself on
 * CloudFront. Before, `let __cfreplay_c` was a SyntaxError here, and a top-level
 * `function __cfreplay_c(){}` replaced the hook: a write to a frozen built-in the function
 * caught went unseen, and it saw a TypeError CloudFront does not raise.
 * The njs engine's prelude has globals in front of the function: its API object (before,
 * `var __cfreplay_api = 1` made every event fail) now takes a name the function does not use;
 * the two the C shim calls by name are refused with a clear load error.
 */
import { describe, expect, it } from 'vitest';
import { loadFunctionWith, type Engine } from '../../src/runtime/engines.js';
import type { Runtime } from '../../src/runtime/index.js';
import { wrapperNames } from '../../src/runtime/instrument.js';
import { FunctionLoadError } from '../../src/runtime/errors.js';
import { vrEvent } from './helpers.js';

const CASES = (['v8', 'njs'] as Engine[]).flatMap((engine) => (['cloudfront-js-1.0', 'cloudfront-js-2.0'] as Runtime[]).map((runtime) => [engine, runtime] as const));

async function header(engine: Engine, runtime: Runtime, source: string): Promise<unknown> {
  const r = await loadFunctionWith(engine, source, { runtime, filename: 'f.js' }).invoke(vrEvent());
  expect(r.outcome.kind).toBe('forward');
  return (r.raw as { headers: Record<string, { value: string }> }).headers['x-r']?.value;
}

describe.each(CASES)('%s engine, %s: names the wrapper uses are the function\'s to use', (engine, runtime) => {
  it('variables named like the wrapper parameters and the inserted catch parameter', async () => {
    const decl = runtime === 'cloudfront-js-2.0' ? 'let' : 'var';
    const source = `${decl} __cfreplay_require = 'a', __cfreplay_require2 = 'b', __cfreplay_c = 'c';
function handler(event) {
  var __cfreplay_e = 'e';
  try { null.x; } catch (err) { __cfreplay_e += '!'; }
  event.request.headers['x-r'] = { value: __cfreplay_require + __cfreplay_require2 + __cfreplay_c + __cfreplay_e };
  return event.request;
}`;
    expect(await header(engine, runtime, source)).toBe('abce!');
  });

  it('a function named like the hook does not replace it: a caught write to a built-in is run again where it succeeds', async () => {
    const source = `function __cfreplay_c(e) { return e; }
function handler(event) {
  try { Math.max = function () { return 7; }; } catch (e) { /* CloudFront raises nothing here */ }
  event.request.headers['x-r'] = { value: String(Math.max(1, 2)) };
  return event.request;
}`;
    expect(await header(engine, runtime, source)).toBe('7');
  });
});

describe.each(CASES)('%s engine, %s: the njs prelude\'s globals', (engine, runtime) => {
  it('a variable named like the prelude\'s API object (__cfreplay_api) is the function\'s', async () => {
    const decl = runtime === 'cloudfront-js-2.0' ? 'let' : 'var';
    const source = `${decl} __cfreplay_api = 'mine';
function handler(event) {
  event.request.headers['x-r'] = { value: __cfreplay_api };
  return event.request;
}`;
    expect(await header(engine, runtime, source)).toBe('mine');
  });

  it('the two names the C shim calls: refused on njs with the name and where it is, run on V8; in a comment or a string they are no use', async () => {
    const source = `var x = 1;
  function __cfreplay_finish() { return 'mine'; }
function handler(event) {
  event.request.headers['x-r'] = { value: __cfreplay_finish() };
  return event.request;
}`;
    if (engine === 'njs') {
      const err = (() => {
        try {
          loadFunctionWith(engine, source, { runtime, filename: 'f.js' });
          return undefined;
        } catch (e) {
          return e as FunctionLoadError;
        }
      })();
      expect(err).toBeInstanceOf(FunctionLoadError);
      expect(err!.message).toContain("__cfreplay_finish is a name cfreplay's njs engine calls by itself");
      expect(err!.problems[0]).toMatchObject({ line: 2, column: 12 });
    } else {
      expect(await header(engine, runtime, source)).toBe('mine');
    }
    const mentions = `// __cfreplay_run and __cfreplay_finish
function handler(event) {
  event.request.headers['x-r'] = { value: '__cfreplay_run' + \`\${'__cfreplay_finish'}\` };
  return event.request;
}`;
    expect(await header(engine, runtime, mentions)).toBe('__cfreplay_run__cfreplay_finish');
  });
});

describe('wrapperNames', () => {
  it('the usual names for a source that does not mention them; else ones it does not contain', () => {
    expect(wrapperNames('function handler(e) { return e.request; }').caught).toBe('__cfreplay_c');
    const src = 'var __cfreplay_c = 1; function handler(e) { return e.request; }';
    const n = wrapperNames(src);
    for (const name of Object.values(n)) expect(src.includes(name)).toBe(false);
    expect(new Set(Object.values(n)).size).toBe(4);
  });
});

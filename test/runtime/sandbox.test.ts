import { describe, expect, it } from 'vitest';
import { loadFunction } from '../../src/runtime/index.js';
import { fixture, sync, vrEvent } from './helpers.js';

const run = (src: string, opts: Parameters<typeof loadFunction>[1] = {}, ev = vrEvent(), inv = {}) =>
  loadFunction(src, opts).invoke(ev, inv);

const EXPECTED_GLOBALS_COMMON = [
  'AggregateError', 'Array', 'ArrayBuffer', 'Boolean', 'DataView', 'Date', 'Error', 'EvalError', 'Float32Array', 'Float64Array',
  'Function', 'Infinity', 'Int16Array', 'Int32Array', 'Int8Array', 'InternalError', 'JSON', 'Math', 'MemoryError', 'NaN',
  'Number', 'Object', 'Promise', 'RangeError', 'ReferenceError', 'RegExp', 'String', 'Symbol', 'SyntaxError',
  'TypeError', 'URIError', 'Uint16Array', 'Uint32Array', 'Uint8Array', 'Uint8ClampedArray', 'console',
  'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'eval', 'globalThis', 'isFinite', 'isNaN',
  'parseFloat', 'parseInt', 'require', 'undefined',
  // As in njs: the global object's other name, and its own toString.
  'global', 'toString',
];

describe('globals', () => {
  const namesSrc = 'function handler(e){ e.request.headers["x-g"] = {value: Object.getOwnPropertyNames(globalThis).sort().join(",")}; return e.request; }';
  it('1.0 offers exactly the runtime globals (nothing from Node leaks)', () => {
    const r = sync(run(namesSrc, { runtime: 'cloudfront-js-1.0' }));
    expect((r.raw as any).headers['x-g'].value.split(',')).toEqual([...EXPECTED_GLOBALS_COMMON].sort());
  });
  it('2.0 adds Buffer, atob, btoa, TextEncoder, TextDecoder', () => {
    const r = sync(run(namesSrc, { runtime: 'cloudfront-js-2.0' }));
    expect((r.raw as any).headers['x-g'].value.split(',')).toEqual(
      [...EXPECTED_GLOBALS_COMMON, 'Buffer', 'atob', 'btoa', 'TextEncoder', 'TextDecoder'].sort(),
    );
  });
  it.each(['process', 'setTimeout', 'setImmediate', 'fetch', 'WebAssembly', 'queueMicrotask', 'Intl', 'SharedArrayBuffer', 'module', 'exports'])(
    '%s is not defined',
    (name) => {
      const r = sync(run(`function handler(e){ e.request.headers['x-t'] = {value: typeof ${name}}; return e.request; }`));
      expect((r.raw as any).headers['x-t'].value).toBe('undefined');
    },
  );
  it('eval and new Function throw (execution error)', () => {
    for (const code of ['eval("1+1")', 'new Function("return 1")()', '(function(){}).constructor("return 1")()']) {
      const r = sync(run(`function handler(e){ ${code}; return e.request; }`));
      expect(r.outcome.kind).toBe('execution-error');
    }
  });
  it('1.0 has no Buffer and 2.0 has no byte-string helpers', () => {
    expect(sync(run('function handler(e){ Buffer.from("a"); return e.request; }', { runtime: 'cloudfront-js-1.0' })).outcome.kind).toBe('execution-error');
    expect(sync(run('function handler(e){ "a".toUTF8(); return e.request; }', { runtime: 'cloudfront-js-2.0' })).outcome.kind).toBe('execution-error');
  });
});

describe('fresh state per invocation', () => {
  it('a module-level counter sees 1 every time', () => {
    const f = loadFunction(fixture('counter.js'));
    for (let i = 0; i < 3; i++) {
      const r = sync(f.invoke(vrEvent()));
      expect((r.effective as any).request.headers['X-Calls']).toEqual(['1']);
    }
  });
  it('globalThis writes and prototype pollution do not leak into the next invocation', () => {
    const f = loadFunction(`function handler(e){
      var seen = typeof globalThis.leaked + ',' + typeof ({}).polluted + ',' + typeof [].pol2;
      globalThis.leaked = 1; Object.prototype.polluted = 1; Array.prototype.pol2 = 2;
      e.request.headers['x-seen'] = {value: seen}; return e.request; }`);
    const a = sync(f.invoke(vrEvent()));
    const b = sync(f.invoke(vrEvent()));
    expect((a.raw as any).headers['x-seen'].value).toBe('undefined,undefined,undefined');
    expect((b.raw as any).headers['x-seen'].value).toBe('undefined,undefined,undefined');
  });
  it('the caller event is not mutated', () => {
    const ev = vrEvent({ uri: '/app/' });
    sync(loadFunction(fixture('spa-rewrite.js')).invoke(ev));
    expect(ev.request.uri).toBe('/app/');
  });
});

describe('cross-realm fidelity', () => {
  it('event objects are made of the context realm Object/Array', () => {
    const r = sync(run(`function handler(e){
      var h = e.request.headers;
      var ok = e.request.constructor === Object && h.constructor === Object && Object.getPrototypeOf(e) === Object.prototype
        && Array.isArray(h.x.multiValue) && h.x.multiValue instanceof Array && e instanceof Object;
      h['x-ok'] = {value: String(ok)}; return e.request; }`, {}, vrEvent({ headers: { host: { value: 'h' }, x: { value: 'a', multiValue: [{ value: 'a' }, { value: 'b' }] } } })));
    expect((r.raw as any).headers['x-ok'].value).toBe('true');
  });
  it('KVS json values and querystring.parse results are in-realm objects', async () => {
    const { parseKvsSnapshot } = await import('../../src/runtime/index.js');
    const kvs = parseKvsSnapshot({ data: [{ key: 'c', value: '{"a":[1]}' }] });
    const f = loadFunction(`import cf from 'cloudfront'; import qs from 'querystring';
async function handler(e){ const v = await cf.kvs().get('c', {format: 'json'}); const p = qs.parse('a=1');
  e.request.headers['x-r'] = {value: String(v.constructor === Object && v.a instanceof Array && p.constructor === Object)}; return e.request; }`, { kvs });
    const r = await f.invoke(vrEvent());
    expect((r.raw as any).headers['x-r'].value).toBe('true');
  });
});

describe('frozen clock and seeded random', () => {
  const src = `function handler(e){ e.request.headers['x-t'] = {value: Date.now() + '|' + new Date().toISOString() + '|' + (new Date() instanceof Date) + '|' + Date()}; e.request.headers['x-r'] = {value: String(Math.random()) + ',' + Math.random()}; return e.request; }`;
  it('Date returns the invocation time; new Date(x) still works', () => {
    const r = sync(run(src, {}, vrEvent(), { now: Date.UTC(2024, 0, 2, 3, 4, 5) }));
    const [now, iso, inst] = (r.raw as any).headers['x-t'].value.split('|');
    expect(Number(now)).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(iso).toBe('2024-01-02T03:04:05.000Z');
    expect(inst).toBe('true');
    const r2 = sync(run('function handler(e){ e.request.uri = "/" + new Date(0).getTime() + "/" + Date.UTC(2020,0,1); return e.request; }'));
    expect((r2.raw as any).uri).toBe('/0/1577836800000');
  });
  it('same time gives the same random numbers; a different seed differs', () => {
    const f = loadFunction(src);
    const a = (sync(f.invoke(vrEvent(), { now: 1000 })).raw as any).headers['x-r'].value;
    const b = (sync(f.invoke(vrEvent(), { now: 1000 })).raw as any).headers['x-r'].value;
    const c = (sync(f.invoke(vrEvent(), { now: 1000, seed: 99 })).raw as any).headers['x-r'].value;
    const d = (sync(f.invoke(vrEvent(), { now: 2000 })).raw as any).headers['x-r'].value;
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(d).not.toBe(a);
    const [x, y] = a.split(',').map(Number);
    expect(x).not.toBe(y);
    expect(x).toBeGreaterThanOrEqual(0);
    expect(x).toBeLessThan(1);
  });
});

describe('console', () => {
  it('log takes one argument, objects in the njs format', () => {
    const r = sync(run('function handler(e){ console.log("a", "b"); console.log({x: 1}); console.log(5); return e.request; }'));
    expect(r.logs).toEqual(['a', '{x:1}', '5']);
  });
  it('log output is truncated at 10 KB', () => {
    const r = sync(run('function handler(e){ var s = new Array(1001).join("x"); for (var i = 0; i < 30; i++) console.log(s); return e.request; }'));
    expect(r.logsTruncated).toBe(true);
    const bytes = r.logs.reduce((n, l) => n + l.length + 1, 0);
    expect(bytes).toBeLessThanOrEqual(10 * 1024);
    expect(bytes).toBeGreaterThan(9 * 1024);
    const r2 = sync(run('function handler(e){ console.log("short"); return e.request; }'));
    expect(r2.logsTruncated).toBe(false);
  });
});

describe('errors', () => {
  it('njs-style message with the user line and column', () => {
    const r = sync(loadFunction(fixture('throws.js'), { filename: 'throws.js' }).invoke(vrEvent()));
    expect(r.outcome.kind).toBe('execution-error');
    if (r.outcome.kind !== 'execution-error') return;
    expect(r.outcome.reason).toBe('exception');
    expect(r.outcome.error.name).toBe('TypeError');
    expect(r.outcome.error.message).toBe('cannot get property "value" of undefined');
    expect(r.outcome.error.line).toBe(3);
    expect(r.outcome.error.column).toBe(27); // `value` in `h[...].value`
    expect(r.effective).toEqual({ error: { status: 503, type: 'FunctionExecutionError' } });
  });
  it('line numbers stay right after an import rewrite', () => {
    const src = "import crypto from 'crypto';\nimport qs from 'querystring';\nfunction handler(e) {\n  return undefinedThing.x;\n}";
    const r = sync(loadFunction(src, { filename: 'f.js' }).invoke(vrEvent()));
    if (r.outcome.kind !== 'execution-error') throw new Error('expected error');
    expect(r.outcome.error.line).toBe(4);
    expect(r.outcome.error.message).toBe('"undefinedThing" is not defined');
  });
  it('throwing a string is an execution error carrying the value', () => {
    const r = sync(run('function handler(e){ throw "nope"; }'));
    expect(r.outcome.kind === 'execution-error' && r.outcome.error.message).toBe('nope');
  });
  it('require of a non built-in module throws like njs', () => {
    const r = sync(run('var fs = require("fs"); function handler(e){ return e.request; }'));
    expect(r.outcome.kind === 'execution-error' && r.outcome.error.message).toBe('Cannot find module "fs"');
    const r2 = sync(run('var c = require("cloudfront"); function handler(e){ return e.request; }', { runtime: 'cloudfront-js-1.0' }));
    expect(r2.outcome.kind).toBe('execution-error');
  });
});

/**
 * Issue 12, goal 2: fresh built-ins per event. Functions that change
 * built-ins while handling an event (replace String.prototype.toLowerCase,
 * Math.max, JSON.parse, define a non-enumerable global, add to
 * Object.prototype, push to Array.prototype; directly, inside try/catch,
 * inside try/finally with a return, in an async handler, in a promise
 * reaction) must not change what any later event sees: every event's
 * fingerprint of the built-ins, taken before its own change, equals the one a
 * function that changes nothing computes for the same event. In process and in
 * replay workers.
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadFunction, type Runtime } from '../../src/runtime/index.js';
import { replay } from '../../src/replay/replay.js';
import { toEvent } from '../../src/event/views.js';
import { syntheticRecords } from '../helpers/synthetic.js';
import { writeSyntheticCorpus } from '../helpers/corpus.js';
import { useTempDir } from '../helpers/tmp.js';

const RUNTIMES: Runtime[] = ['cloudfront-js-1.0', 'cloudfront-js-2.0'];
const tmp = useTempDir();

/** What an event sees of the built-ins (and of its own input), as one header value. */
const FINGERPRINT = `function fingerprint(event) {
  var o = {};
  var a = ['ABC'.toLowerCase(), event.request.uri.toLowerCase(), Math.max(1, 3), Math.min(1, 3), JSON.parse('{"a":1}').a,
    typeof globalThis.hidden, typeof globalThis.fixed, typeof globalThis.plain, typeof hidden2,
    'polluted' in o, 'hiddenPol' in o, o.polluted, o.hiddenPol, typeof o.toString, [][0], Array.prototype.length, [].length,
    typeof Array.prototype.map, typeof String.prototype.trim, typeof JSON.stringify, typeof Math.floor, Object.keys(o).length,
    typeof Object.prototype.polluted, Number('12'), parseInt('0x10'), [3, 1, 2].sort().join(''),
    Object.prototype.toString.call(globalThis), Object.getOwnPropertySymbols(globalThis).length,
    typeof o[Symbol.for('p')], typeof [][Symbol.for('p')], typeof globalThis[Symbol.for('x')],
    typeof require('querystring').added, typeof require('crypto').createHash, typeof require('querystring').stringify,
    typeof Object.getPrototypeOf(require('crypto').createHash('sha1')).added, typeof require('crypto').createHash('sha1').update('a').digest,
    typeof global, global === globalThis, typeof toString, Object.keys(globalThis).join(), typeof globalThis.hasOwnProperty];
  var keys = [];
  for (var k in o) keys.push(k);
  for (var j in []) keys.push('array:' + j);
  a.push(keys.join('|'));
  return JSON.stringify(a);
}`;

/** Changes a function can make to built-ins (each a statement list), named. */
const MUTATIONS: Record<string, string> = {
  'String.prototype.toLowerCase': "String.prototype.toLowerCase = function () { return 'HACKED'; };",
  'Math.max': 'Math.max = function () { return -1; };',
  'JSON.parse': "JSON.parse = function () { return { a: 'hacked' }; };",
  'globalThis.JSON replaced': "globalThis.JSON = { parse: function () { return { a: 'g' }; }, stringify: function () { return 'g'; } };",
  'non-enumerable global': "Object.defineProperty(globalThis, 'hidden', { value: 1, enumerable: false, configurable: true, writable: true });",
  'non-configurable global': "Object.defineProperty(globalThis, 'fixed', { value: 1 });",
  'plain global': 'globalThis.plain = 1;',
  'global toStringTag deleted': 'delete globalThis[Symbol.toStringTag];',
  'global toStringTag redefined': "Object.defineProperty(globalThis, Symbol.toStringTag, { value: 'hacked' });",
  'symbol global': "globalThis[Symbol.for('x')] = 1;",
  'symbol global, defined': "Object.defineProperty(globalThis, Symbol.for('x'), { value: 1, configurable: true });",
  'Object.prototype symbol': "Object.prototype[Symbol.for('p')] = 1;",
  'Array.prototype symbol': "Array.prototype[Symbol.for('p')] = 1;",
  'module objects': "require('querystring').added = 1; require('crypto').createHash = null; delete require('querystring').stringify;",
  'bare assignment of a global built-in': "JSON = { parse: function () { return { a: 'bare' }; }, stringify: JSON.stringify }; Math = 1; toString = 2; global = 3;",
  'a property of global': 'global.plain = 1;',
  'a global named like an Object.prototype method': "Object.defineProperty(globalThis, 'hasOwnProperty', { value: 7, configurable: true, writable: true });",
  // (runs when the result is read, as the call ends; another built-in than the ones the other
  // mutations change or freeze: the replay test makes them all in one call)
  'a getter of the result changing a built-in': "Object.defineProperty(event.request, 'late', { get: function () { Array.prototype.push('late'); return undefined; }, enumerable: true });",
  'hash prototype': "var hp = Object.getPrototypeOf(require('crypto').createHash('sha1')); hp.added = 1; hp.update = function () { return 1; };",
  'Object.prototype enumerable': 'Object.prototype.polluted = 1;',
  'Object.prototype non-enumerable': "Object.defineProperty(Object.prototype, 'hiddenPol', { value: 1, enumerable: false, configurable: true, writable: true });",
  'Object.prototype non-configurable': "Object.defineProperty(Object.prototype, 'hiddenPol', { value: 2 });",
  'push to Array.prototype': "Array.prototype.push('pushed');",
  'delete Array.prototype.map': 'delete Array.prototype.map;',
  'Object.freeze(Math) after change': 'Math.min = function () { return 9; }; Object.freeze(Math);',
  'in try/catch': "try { Math.max = function () { return -2; }; } catch (e) { } try { Object.prototype.polluted = 'c'; } catch (e2) { }",
  'in try/finally with return': "(function () { try { String.prototype.toLowerCase = function () { return 'F'; }; } finally { return 1; } })();",
  // (the rejection is handled: an unhandled one would reach the test runner's process)
  'in a promise executor': "new Promise(function () { JSON.parse = function () { return { a: 'p' }; }; }).then(null, function () { });",
};

/** Async mutations: the handler awaits them (they run within the call). */
const ASYNC_MUTATIONS: Record<string, string> = {
  'after an await in an async handler': 'await null; Math.max = function () { return -3; };',
  'in an awaited promise reaction': "await Promise.resolve().then(function () { JSON.parse = function () { return { a: 'r' }; }; Object.prototype.polluted = 'r'; });",
  'in an async function that swallows the failure': "await (async function () { try { String.prototype.toLowerCase = function () { return 'A'; }; } catch (e) { } })();",
  'in a rejected reaction that is dropped': "await Promise.resolve().then(function () { Array.prototype.push('r'); }).then(null, function () { });",
};

/** About half of the events (decided from the request id) get the changes. */
const MUTATES = `function mutates(event) {
  var id = event.context.requestId, n = 0;
  for (var i = 0; i < id.length; i++) n += id.charCodeAt(i);
  return n % 2 === 0;
}`;
const mutates = (ev: unknown): boolean => {
  const id = (ev as { context: { requestId: string } }).context.requestId;
  let n = 0;
  for (let i = 0; i < id.length; i++) n += id.charCodeAt(i);
  return n % 2 === 0;
};

/** Mutate on about half of the events, after taking the fingerprint. */
function mutatorSource(statements: string, async: boolean): string {
  return `${FINGERPRINT}
${MUTATES}
${async ? 'async ' : ''}function handler(event) {
  var fp = fingerprint(event);
  event.request.headers['x-fp'] = { value: fp };
  if (mutates(event)) {
    ${statements}
  }
  return event.request;
}
`;
}
const BASELINE = `${FINGERPRINT}
function handler(event) {
  event.request.headers['x-fp'] = { value: fingerprint(event) };
  return event.request;
}
`;

function fp(r: unknown): string {
  return ((r as { raw: { headers: Record<string, { value: string }> } }).raw.headers['x-fp'] ?? { value: 'missing' }).value;
}

const EVENTS = syntheticRecords(30, 7).map((rec) => toEvent(rec, 'viewer-request'));

describe.each(RUNTIMES)('%s: later events see pristine built-ins (in process)', (runtime) => {
  const cases: [string, string, boolean][] = [
    ...Object.entries(MUTATIONS).map(([n, s]) => [n, s, false] as [string, string, boolean]),
    // njs has async functions in cloudfront-js-2.0 only.
    ...(runtime === 'cloudfront-js-2.0' ? Object.entries(ASYNC_MUTATIONS).map(([n, s]) => [n, s, true] as [string, string, boolean]) : []),
  ];
  it.each(cases)('%s', async (_name, statements, async) => {
    const base = loadFunction(BASELINE, { runtime });
    const mut = loadFunction(mutatorSource(statements, async), { runtime });
    let mutated = 0;
    for (const ev of EVENTS) {
      const want = fp(await base.invokeAsync(ev, { timeoutMs: 2000 }));
      const r = await mut.invokeAsync(ev, { timeoutMs: 2000 });
      expect(r.outcome.kind).toBe('forward');
      expect(fp(r)).toBe(want);
      if (mutates(ev)) mutated++;
      // Let anything the call left behind run, as a replay worker would between chunks.
      await new Promise((res) => setImmediate(res));
    }
    expect(mutated).toBeGreaterThan(5);
    expect(mutated).toBeLessThan(EVENTS.length - 5);
    // The host realm is untouched.
    expect(Object.keys(Object.prototype)).toEqual([]);
    expect('ABC'.toLowerCase()).toBe('abc');
    expect(Math.max(1, 3)).toBe(3);
    expect(Array.prototype.length).toBe(0);
  });
});

describe('later events see pristine built-ins in replay workers', () => {
  it.each(RUNTIMES)('%s: a 2-worker replay of a function making every change on half the events shows no difference from one that makes none', async (runtime) => {
    const async = runtime === 'cloudfront-js-2.0';
    const all = [...Object.values(MUTATIONS), ...(async ? Object.values(ASYNC_MUTATIONS) : [])].map((s) => `try { ${s} } catch (e) { }`).join('\n    ');
    const base = join(tmp.path, 'base.js');
    const mut = join(tmp.path, 'mutator.js');
    writeFileSync(base, BASELINE);
    writeFileSync(mut, mutatorSource(all, async));
    const corpus = await writeSyntheticCorpus(tmp.path, 300, 50);
    const r = await replay({ oldPath: base, newPath: mut, corpus, workers: 2, runtime, eventType: 'viewer-request', timeoutMs: 5000 });
    expect(r.events).toBe(300);
    expect(r.diffs.map((d) => `${d.path} ${d.signature} x${d.count}`)).toEqual([]);
    expect(r.outcomes.new).toEqual({ forward: 300 });
  }, 120_000);
});

/**
 * A returned object with accessors: its getters are the function's code. They run once, when the
 * call ends (inside its time budget, before the realm is put back), as CloudFront reads what a
 * function returns; what they throw is the function's exception; later reads (validation, the
 * effective form, a replay's diff) run no function code. Before, a getter that threw crashed a
 * replay with a stack trace, and one that looped on a later read hung it.
 */
import { describe, expect, it } from 'vitest';
import { loadFunction, type Runtime } from '../../src/runtime/index.js';
import { replay } from '../../src/replay/replay.js';
import { writeSyntheticCorpus } from '../helpers/corpus.js';
import { useTempDir } from '../helpers/tmp.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sync, vrEvent } from './helpers.js';

const RUNTIMES: Runtime[] = ['cloudfront-js-1.0', 'cloudfront-js-2.0'];
const tmp = useTempDir();

/** Ways a function gives its result an accessor: defineProperty, defineProperties, Object.create, literal syntax. */
const WAYS: Record<string, (getter: string) => string> = {
  defineProperty: (g) => `Object.defineProperty(r, 'uri', { get: function () { ${g} }, enumerable: true, configurable: true });`,
  defineProperties: (g) => `Object.defineProperties(r, { uri: { get: function () { ${g} }, enumerable: true } });`,
  'Object.create': (g) => `r = Object.create(Object.prototype, { method: { value: 'GET', enumerable: true }, uri: { get: function () { ${g} }, enumerable: true }, headers: { value: event.request.headers, enumerable: true } });`,
  'literal get': (g) => `r = { method: 'GET', get uri() { ${g} }, headers: event.request.headers };`,
};
const handler = (way: string, getter: string): string => `function handler(event) {
  var r = event.request, reads = 0;
  ${WAYS[way]!(getter)}
  return r;
}`;

describe.each(RUNTIMES)('%s: accessors of a returned object', (runtime) => {
  it.each(Object.keys(WAYS))('%s: a getter runs once; the output is what it returned then', (way) => {
    const f = loadFunction(handler(way, "reads++; return reads === 1 ? '/first' : '/later';"), { runtime, filename: 'f.js' });
    const r = sync(f.invoke(vrEvent()));
    expect(r.outcome.kind).toBe('forward');
    expect((r.effective as { request: { uri: string } }).request.uri).toBe('/first');
    expect((r.raw as { uri: string }).uri).toBe('/first');
  });

  it.each(Object.keys(WAYS))('%s: what a getter throws is the function exception', (way) => {
    const f = loadFunction(handler(way, "throw new Error('from a getter');"), { runtime, filename: 'f.js' });
    const r = sync(f.invoke(vrEvent()));
    expect(r.outcome.kind).toBe('execution-error');
    expect(r.outcome.kind === 'execution-error' && r.outcome.reason).toBe('exception');
    expect(r.outcome.kind === 'execution-error' && r.outcome.error.message).toContain('from a getter');
  });

  it('a function that defines no property keeps its result as it is (no copy: a non-enumerable own uri still counts)', () => {
    const f = loadFunction("function handler(event) { return { method: 'GET', uri: '/plain', headers: event.request.headers }; }", { runtime, filename: 'f.js' });
    const r = sync(f.invoke(vrEvent()));
    expect(r.outcome.kind).toBe('forward');
    expect((r.effective as { request: { uri: string } }).request.uri).toBe('/plain');
  });
});

describe('a replay of functions whose results have getters', () => {
  it('completes: a throwing getter is an exception outcome, a getter that loops on later reads is read once', async () => {
    const corpus = await writeSyntheticCorpus(tmp.path, 400, 200);
    const plain = join(tmp.path, 'plain.js');
    const throwing = join(tmp.path, 'throwing.js');
    const looping = join(tmp.path, 'looping.js');
    writeFileSync(plain, 'function handler(event) { return event.request; }');
    writeFileSync(throwing, "function handler(event) { var r = event.request; if (r.uri.length % 2 === 0) Object.defineProperty(r, 'uri', { get: function () { throw new Error('boom from a getter'); }, enumerable: true }); return r; }");
    writeFileSync(looping, "function handler(event) { var r = event.request, n = 0, u = r.uri; Object.defineProperty(r, 'uri', { get: function () { if (++n > 1) { for (;;) {} } return u; }, enumerable: true }); return r; }");
    const a = await replay({ oldPath: plain, newPath: throwing, corpus, workers: 2 });
    expect(a.events).toBe(400);
    expect(a.outcomes.new['execution-error']).toBeGreaterThan(50);
    expect(JSON.stringify(a)).toContain('boom from a getter');
    const b = await replay({ oldPath: plain, newPath: looping, corpus, workers: 2, timeoutMs: 5_000 });
    expect(b.events).toBe(400);
    expect(b.changed).toBe(0);
    expect(b.outcomes.new).toEqual({ forward: 400 });
  }, 120_000);
});

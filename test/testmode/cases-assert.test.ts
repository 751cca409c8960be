// Reading test cases (cftest format, partial expect, bare events) and checking them against a run.
import { describe, expect, it } from 'vitest';
import { CaseFileError, parseCaseText } from '../../src/testmode/cases.js';
import { functionErrorMessageOf } from '../../src/runtime/function-output.js';
import { checkExpect, compareExpect, compareWhole, currentExpect, jsonDiff } from '../../src/testmode/assert.js';
import { loadFunction } from '../../src/runtime/loader.js';
import { completeEvent } from '../../src/event/complete.js';
import type { RunResult } from '../../src/runtime/types.js';

const REDIRECT = `function handler(event) {
  if (event.request.uri === '/old') return { statusCode: 301, statusDescription: 'Moved', headers: { location: { value: '/new' }, 'set-cookie': { value: 'a=1' } } };
  if (event.request.uri === '/boom') throw new Error('boom');
  event.request.headers['x-seen'] = { value: '1', multiValue: [{ value: '1' }, { value: '2' }] };
  return event.request;
}`;

async function run(uri: string): Promise<RunResult> {
  const fn = loadFunction(REDIRECT, { runtime: 'cloudfront-js-1.0' });
  const { event } = completeEvent({ request: { uri } }, { eventType: 'viewer-request', eventTypeFrom: 'test' });
  return fn.invokeAsync(event);
}

describe('case files', () => {
  it('reads cftest cases, partial cases and bare events, with names and lines', () => {
    const f = parseCaseText(
      [
        '{"name":"redirect","event":{"request":{"uri":"/old"}},"expect":{"response.statusCode":301}}',
        '',
        '{"event":{"request":{"uri":"/"}},"output":{"request":{"uri":"/"}}}',
        '{"request":{"uri":"/bare"}}',
      ].join('\n'),
      'cases.jsonl',
      true,
    );
    expect(f.form).toBe('lines');
    expect(f.cases.map((c) => c.label)).toEqual(['redirect (cases.jsonl:1)', 'cases.jsonl:3', 'cases.jsonl:4']);
    expect(f.cases[1]!.whole).toEqual({ output: { request: { uri: '/' } }, error: '' });
    expect(f.cases[2]!.whole).toBeUndefined();
    expect(f.cases[2]!.expect).toBeUndefined();
    const arr = parseCaseText('[{"event":{"request":{"uri":"/"}},"error":"x"}]', 'a.json', false);
    expect(arr.cases[0]!.label).toBe('a.json#0');
    expect(arr.cases[0]!.whole).toEqual({ output: null, error: 'x' });
  });
  it.each([
    ['{"event":{"request":{}}, "expected":{}}', /x\.jsonl:1: unknown field "expected"/],
    ['{"data":[]}', /x\.jsonl:1: not a test case/],
    ['{"event":{"request":{}}, "expect":[1]}', /"expect" must be an object/],
    ['{bad json', /x\.jsonl:1: not valid JSON/],
  ])('%s is a clear error naming the line', (text, re) => {
    expect(() => parseCaseText(text, 'x.jsonl', true)).toThrow(CaseFileError);
    expect(() => parseCaseText(text, 'x.jsonl', true)).toThrow(re);
  });
});

describe('assertions', () => {
  it('whole output: deep equality regardless of key order, with every differing path', async () => {
    const r = await run('/old');
    const ok = { response: { statusDescription: 'Moved', statusCode: 301, headers: { 'set-cookie': { value: 'a=1' }, location: { value: '/new' } } } };
    expect(compareWhole(r, { output: ok, error: '' })).toEqual([]);
    const bad = { response: { statusCode: 302, statusDescription: 'Moved', headers: { location: { value: '/new' } } } };
    expect(compareWhole(r, { output: bad, error: '' })).toEqual([
      { path: 'response.statusCode', expected: '302', actual: '301' },
      { path: 'response.headers.set-cookie', expected: '(absent)', actual: '{"value":"a=1"}' },
    ]);
  });
  it('whole output: an error case asserts the message and no output', async () => {
    const r = await run('/boom');
    expect(functionErrorMessageOf(r)).toMatch(/^Error: boom \(line 3, column \d+\)$/);
    expect(compareWhole(r, { output: null, error: functionErrorMessageOf(r) })).toEqual([]);
    expect(compareWhole(r, { output: null, error: '' })[0]).toMatchObject({ path: 'error', expected: '""' });
  });
  it('partial expect: numbers, several values, null for absent, header names in any case', async () => {
    const c = parseCaseText(
      '{"event":{"request":{"uri":"/x"}},"expect":{"outcome":"forward","request.uri":"/x","request.headers.X-Seen":["1","2"],"request.headers.x-no":null}}',
      'c.json',
      false,
    ).cases[0]!;
    expect(compareExpect(await run('/x'), c)).toEqual([]);
    const r = await run('/old');
    expect(compareExpect(r, c)).toEqual([
      { path: 'outcome', expected: '"forward"', actual: '"response"' },
      { path: 'request.uri', expected: '"/x"', actual: '(absent)' },
      { path: 'request.headers.X-Seen', expected: '"[\\"1\\",\\"2\\"]"', actual: '(absent)' },
    ]);
    expect(currentExpect(r, c)).toEqual({ outcome: 'response', 'request.uri': null, 'request.headers.X-Seen': null, 'request.headers.x-no': null });
  });
  it('an unknown expect path or a value of the wrong kind is refused before running', () => {
    const bad = parseCaseText('{"name":"n","event":{"request":{}},"expect":{"request.url":"/"}}', 'c.json', false).cases[0]!;
    expect(() => checkExpect(bad)).toThrow(/n \(c\.json\): expect: unknown path "request\.url"/);
    const obj = parseCaseText('{"event":{"request":{}},"expect":{"request.uri":{"value":"/"}}}', 'c.json', false).cases[0]!;
    expect(() => checkExpect(obj)).toThrow(/expected a string, a number, an array of strings or null/);
  });
  it('jsonDiff names nested paths and array positions', () => {
    expect(jsonDiff({ a: { b: [1, 2] }, c: 1 }, { a: { b: [1, 3] }, c: 1 })).toEqual([{ path: 'a.b[1]', expected: '3', actual: '2' }]);
    expect(jsonDiff(null, { request: {} })).toEqual([{ path: 'output', expected: '{"request":{}}', actual: 'null' }]);
  });
});

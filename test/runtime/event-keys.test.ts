/**
 * Issue 12, goal 4, runtime path: an event (parsed from JSON, as `cfreplay
 * run` and the replay read them) whose query string, headers and cookies have
 * keys named __proto__, constructor, toString and hasOwnProperty reaches the
 * function with those keys as own properties of ordinary objects, as
 * CloudFront delivers them; querystring.parse does the same; nothing touches
 * Object.prototype, in the function's realm or in the host process. (Parsing
 * raw captures into events is the recorders' side, tested with them.)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadFunction, runInWorker, type RunResult, type Runtime } from '../../src/runtime/index.js';
import { runCli, requireCliBuilt } from '../helpers/cli-process.js';
import { useTempDir } from '../helpers/tmp.js';

const RUNTIMES: Runtime[] = ['cloudfront-js-1.0', 'cloudfront-js-2.0'];
const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
/** Header names are lowercase in CloudFront events. */
const HEADER_NAMES = ['__proto__', 'constructor', 'tostring', 'hasownproperty', 'valueof'];
const tmp = useTempDir();

const entries = (prefix: string, names = NAMES): string => names.map((n) => `${JSON.stringify(n)}: {"value": "${prefix}-${n}"}`).join(', ');
const mvEntries = (prefix: string): string =>
  NAMES.map((n) => `${JSON.stringify(n)}: {"value": "${prefix}-${n}", "multiValue": [{"value": "${prefix}-${n}"}, {"value": "${prefix}-${n}-2"}]}`).join(', ');

/** Event JSON text (JSON.parse makes __proto__ an own key, as in a file). */
const REQUEST_JSON = `{"version": "1.0",
  "context": {"distributionDomainName": "d1.cloudfront.net", "distributionId": "E1", "eventType": "viewer-request", "requestId": "r1"},
  "viewer": {"ip": "198.51.100.7"},
  "request": {"method": "GET", "uri": "/k",
    "querystring": {${mvEntries('q')}},
    "headers": {"host": {"value": "www.example.com"}, ${entries('h', HEADER_NAMES)}},
    "cookies": {${entries('c')}}}}`;
const RESPONSE_JSON = `{"version": "1.0",
  "context": {"distributionDomainName": "d1.cloudfront.net", "distributionId": "E1", "eventType": "viewer-response", "requestId": "r2"},
  "viewer": {"ip": "198.51.100.7"},
  "request": {"method": "GET", "uri": "/k", "querystring": {${entries('q')}}, "headers": {${entries('h', HEADER_NAMES)}}, "cookies": {${entries('c')}}},
  "response": {"statusCode": 200, "statusDescription": "OK", "headers": {${entries('rh', HEADER_NAMES)}}, "cookies": {${entries('rc')}}}}`;

/**
 * Reports, per map, its own keys, whether each name is an own property with
 * the expected value, and whether the realm's Object.prototype was touched.
 */
const PROBE = `function describeMap(m, names) {
  var own = Object.prototype.hasOwnProperty, out = [];
  out.push(Object.getPrototypeOf(m) === Object.prototype ? 'proto:Object' : 'proto:OTHER');
  out.push('keys:' + Object.keys(m).join(','));
  for (var i = 0; i < names.length; i++) {
    var d = Object.getOwnPropertyDescriptor(m, names[i]);
    out.push(names[i] + ':' + (own.call(m, names[i]) && d !== undefined && d.enumerable && d.value !== null && typeof d.value === 'object' ? d.value.value : 'MISSING'));
  }
  return out.join(' ');
}
var NAMES = ${JSON.stringify(NAMES)}, HEADER_NAMES = ${JSON.stringify(HEADER_NAMES)};
function realmClean() {
  var o = {};
  var extra = [];
  for (var k in o) extra.push(k);
  return 'extra:' + extra.join(',') + ' value:' + typeof o.value + ' toString:' + typeof o.toString + ' multiValue:' + typeof o.multiValue;
}`;

const REQUEST_FN = `${PROBE}
function handler(event) {
  var r = event.request;
  var qs = require('querystring').parse('__proto__=1&constructor=2&toString=3&hasOwnProperty=4&toString=5');
  var qsOwn = Object.keys(qs).join(',') + '/' + JSON.stringify(Object.getOwnPropertyDescriptor(qs, '__proto__').value) + '/' + JSON.stringify(qs.toString) + '/' + (Object.getPrototypeOf(qs) === Object.prototype);
  var out = { q: describeMap(r.querystring, NAMES), h: describeMap(r.headers, HEADER_NAMES), c: describeMap(r.cookies, NAMES), clean: realmClean(), qs: qsOwn,
    mv: JSON.stringify(Object.getOwnPropertyDescriptor(r.querystring, '__proto__').value.multiValue) };
  return { statusCode: 200, headers: { 'x-out': { value: JSON.stringify(out) } } };
}`;
const RESPONSE_FN = `${PROBE}
function handler(event) {
  var s = event.response;
  s.headers['x-out'] = { value: JSON.stringify({ rh: describeMap(s.headers, HEADER_NAMES), rc: describeMap(s.cookies, NAMES), q: describeMap(event.request.querystring, NAMES), clean: realmClean() }) };
  return s;
}`;

const expectedMap = (prefix: string, extraFirst: string[] = [], names = NAMES): string =>
  ['proto:Object', `keys:${[...extraFirst, ...names].join(',')}`, ...names.map((n) => `${n}:${prefix}-${n}`)].join(' ');
const CLEAN = 'extra: value:undefined toString:function multiValue:undefined';

function out(r: RunResult): Record<string, string> {
  expect(r.outcome.kind === 'response' || r.outcome.kind === 'modified-response').toBe(true);
  const headers = (r.raw as { headers: Record<string, { value: string }> }).headers;
  return JSON.parse(headers['x-out']!.value) as Record<string, string>;
}

function hostUntouched(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(
    ['__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__', '__proto__', 'constructor', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', 'toString', 'valueOf'].sort(),
  );
  const o: Record<string, unknown> = {};
  expect(o.value).toBeUndefined();
  expect(o.multiValue).toBeUndefined();
  expect(typeof o.toString).toBe('function');
  expect(String({})).toBe('[object Object]');
}

function checkRequest(r: RunResult): void {
  const o = out(r);
  expect(o.q).toBe(expectedMap('q'));
  expect(o.h).toBe(expectedMap('h', ['host'], HEADER_NAMES));
  expect(o.c).toBe(expectedMap('c'));
  expect(o.clean).toBe(CLEAN);
  expect(o.qs).toBe('__proto__,constructor,toString,hasOwnProperty/"1"/["3","5"]/true');
  expect(JSON.parse(o.mv!)).toEqual([{ value: 'q-__proto__' }, { value: 'q-__proto__-2' }]);
}

function checkResponse(r: RunResult): void {
  const o = out(r);
  expect(o.rh).toBe(expectedMap('rh', [], HEADER_NAMES));
  expect(o.rc).toBe(expectedMap('rc'));
  expect(o.q).toBe(expectedMap('q'));
  expect(o.clean).toBe(CLEAN);
}

afterEach(hostUntouched);

describe.each(RUNTIMES)('%s: prototype-named keys reach the function as own properties', (runtime) => {
  it('in process (loadFunction), viewer-request and viewer-response, repeatedly', async () => {
    const req = loadFunction(REQUEST_FN, { runtime });
    const res = loadFunction(RESPONSE_FN, { runtime });
    for (let i = 0; i < 3; i++) {
      checkRequest(await req.invokeAsync(JSON.parse(REQUEST_JSON), { rawQuery: '__proto__=q-__proto__&constructor=x', timeoutMs: 2000 }));
      checkResponse(await res.invokeAsync(JSON.parse(RESPONSE_JSON), { timeoutMs: 2000 }));
    }
  });

  it('in a sandbox worker (the event crosses a structured clone)', async () => {
    checkRequest(await runInWorker({ source: REQUEST_FN, runtime }, JSON.parse(REQUEST_JSON), { timeoutMs: 10_000 }));
    checkResponse(await runInWorker({ source: RESPONSE_FN, runtime }, JSON.parse(RESPONSE_JSON), { timeoutMs: 10_000 }));
  });

  it('through `cfreplay run --event file.json`', async () => {
    requireCliBuilt();
    for (const [fnSrc, evJson, check] of [
      [REQUEST_FN, REQUEST_JSON, 'request'],
      [RESPONSE_FN, RESPONSE_JSON, 'response'],
    ] as const) {
      const fn = join(tmp.path, `${check}.js`);
      const ev = join(tmp.path, `${check}.json`);
      writeFileSync(fn, fnSrc);
      writeFileSync(ev, evJson);
      const r = await runCli(['run', fn, '--event', ev, '--runtime', runtime, '--json'], { timeoutMs: 60_000 });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const res = JSON.parse(r.stdout) as { FunctionOutput: string };
      const output = (JSON.parse(res.FunctionOutput) as { response: { headers: Record<string, { value: string }> } }).response;
      const o = JSON.parse(output.headers['x-out']!.value) as Record<string, string>;
      if (check === 'request') {
        expect(o.q).toBe(expectedMap('q'));
        expect(o.h).toBe(expectedMap('h', ['host'], HEADER_NAMES));
        expect(o.c).toBe(expectedMap('c'));
      } else {
        expect(o.rh).toBe(expectedMap('rh', [], HEADER_NAMES));
        expect(o.rc).toBe(expectedMap('rc'));
      }
      expect(o.clean).toBe(CLEAN);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { loadNjsFunction, type NjsLoadOptions } from '../../../src/runtime/njs/loader.js';
import { loadFunction, parseKvsSnapshot, type RunResult, type Runtime } from '../../../src/runtime/index.js';
import { sync, vrEvent, vresEvent } from '../helpers.js';

const R2: Runtime = 'cloudfront-js-2.0';
const R1: Runtime = 'cloudfront-js-1.0';

function njs(src: string, opts: NjsLoadOptions = {}, event: unknown = vrEvent(), inv: Parameters<ReturnType<typeof loadNjsFunction>['invoke']>[1] = {}): RunResult {
  return sync(loadNjsFunction(src, { runtime: R2, ...opts }).invoke(event, inv));
}
/** Run `body` (sets `out`) in a handler; the value of out as a string. */
function outOf(body: string, runtime: Runtime = R2): string {
  const r = njs(`function handler(e) { var out; ${body}; e.request.headers['x-out'] = {value: String(out)}; return e.request; }`, { runtime });
  if (r.outcome.kind !== 'forward') throw new Error(JSON.stringify(r.outcome));
  return (r.raw as { headers: Record<string, { value: string }> }).headers['x-out']!.value;
}
function errorOf(r: RunResult): { reason: string; name: string; message: string } {
  if (r.outcome.kind !== 'execution-error') throw new Error(`expected an execution error, got ${JSON.stringify(r.outcome)}`);
  return { reason: r.outcome.reason, name: r.outcome.error.name, message: r.outcome.error.message };
}

describe('njs engine: a real njs per runtime', () => {
  it('runs njs 0.8.10 for 2.0 and 0.7.12 for 1.0', () => {
    const f2 = loadNjsFunction('function handler(e) { return e.request; }', { runtime: R2 }) as unknown as { njsVersion: string };
    const f1 = loadNjsFunction('function handler(e) { return e.request; }', { runtime: R1 }) as unknown as { njsVersion: string };
    expect(f2.njsVersion).toBe('0.8.10');
    expect(f1.njsVersion).toBe('0.7.12');
  });

  it('rewrites a URI; same RunResult fields as the V8 engine, plus steps', () => {
    const src = "function handler(event) { var r = event.request; if (r.uri.endsWith('/')) r.uri += 'index.html'; return r; }";
    const a = njs(src, {}, vrEvent({ uri: '/docs/' }));
    const b = sync(loadFunction(src, { runtime: R2 }).invoke(vrEvent({ uri: '/docs/' })));
    expect(a.outcome).toEqual({ kind: 'forward' });
    expect(a.effective).toEqual(b.effective);
    expect(a.steps).toBeGreaterThan(0);
    // Exact: the same call executes the same instructions.
    expect(njs(src, {}, vrEvent({ uri: '/docs/' })).steps).toBe(a.steps);
  });

  it('gives each event fresh state (a clone of the compiled function)', () => {
    const f = loadNjsFunction("var n = 0; function handler(e) { n++; e.request.headers['x-n'] = {value: String(n)}; globalThis.leak = (globalThis.leak || 0) + 1; e.request.headers['x-l'] = {value: String(globalThis.leak)}; return e.request; }", { runtime: R2 });
    for (let i = 0; i < 3; i++) {
      const r = sync(f.invoke(vrEvent()));
      expect((r.raw as { headers: Record<string, { value: string }> }).headers['x-n']!.value).toBe('1');
      expect((r.raw as { headers: Record<string, { value: string }> }).headers['x-l']!.value).toBe('1');
    }
  });

  it('validates the output like the V8 engine (502 problems)', () => {
    const src = "function handler(e) { e.request.headers['x-amz-cf-id'] = {value: 'x'}; e.request.method = 'POST'; return e.request; }";
    const a = njs(src);
    const b = sync(loadFunction(src, { runtime: R2 }).invoke(vrEvent()));
    expect(a.outcome.kind).toBe('validation-error');
    expect(a.outcome).toEqual(b.outcome);
    const res = njs("function handler(e) { var r = e.response; r.headers['x-a'] = {value: '1'}; e.request.querystring.q = {value: '2'}; return r; }", {}, vresEvent());
    expect(res.outcome.kind).toBe('validation-error'); // viewer-response: the query string is read-only
  });

  it('hides process and njs; require gives only the runtime modules', () => {
    expect(outOf("out = [typeof process, typeof njs, typeof require, typeof console.log].join()")).toBe('undefined,undefined,function,function');
    for (const m of ['fs', 'zlib', 'xml', 'child_process', 'cloudfront ']) {
      expect(outOf(`try { require('${m}'); out = 'loaded'; } catch (err) { out = err.message; }`)).toBe(`Cannot find module "${m}"`);
    }
    expect(outOf("out = require('crypto').createHash('sha256').update('a').digest('hex')")).toBe('ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb');
    expect(outOf("out = require('buffer').Buffer.from('hi').toString('base64')")).toBe('aGk=');
    expect(outOf("try { require('buffer'); out = 'loaded'; } catch (err) { out = err.message; }", R1)).toBe('Cannot find module "buffer"');
    expect(outOf("out = [typeof Buffer, typeof btoa, typeof TextEncoder].join()", R1)).toBe('undefined,undefined,undefined');
    expect(outOf("try { new Function('return 1'); out = 'ran'; } catch (err) { out = err.name; }")).toBe('TypeError');
  });

  it('freezes Date at the event clock and draws the same Math.random numbers as the V8 engine', () => {
    const src = "function handler(e) { e.request.headers['x-d'] = {value: Date.now() + ' ' + new Date().toISOString() + ' ' + Date()}; e.request.headers['x-r'] = {value: [Math.random(), Math.random(), Math.random()].join()}; return e.request; }";
    const inv = { now: 1_700_000_000_123, seed: 987654321 };
    const a = njs(src, {}, vrEvent(), inv).raw as { headers: Record<string, { value: string }> };
    expect(a.headers['x-d']!.value).toBe('1700000000123 2023-11-14T22:13:20.123Z Tue Nov 14 2023 22:13:20 GMT+0000');
    // The same doubles (njs prints some of them with other last digits: compare numbers), for seeds of every size.
    const nums = (r: RunResult): number[] => (r.raw as { headers: Record<string, { value: string }> }).headers['x-r']!.value.split(',').map(Number);
    for (const seed of [987654321, 5, -7, 2 ** 32, 1_704_396_796_123]) {
      const x = nums(njs(src, {}, vrEvent(), { now: 0, seed }));
      expect(x, String(seed)).toEqual(nums(sync(loadFunction(src, { runtime: R2 }).invoke(vrEvent(), { now: 0, seed }))));
      expect(new Set(x).size).toBe(3);
    }
    for (const rt of [R1, R2]) expect(nums(njs(src, { runtime: rt }, vrEvent(), inv))).toEqual(nums(njs(src, {}, vrEvent(), inv)));
    const c = njs(src, {}, vrEvent(), { ...inv, seed: 1 }).raw as { headers: Record<string, { value: string }> };
    expect(c.headers['x-r']!.value).not.toBe(a.headers['x-r']!.value);
  });

  it('captures console.log (one argument, formatted by njs) up to 10 KB', () => {
    const r = njs("function handler(e) { console.log('a', 'ignored'); console.log({k: [1]}); console.log(3); for (var i = 0; i < 2000; i++) console.log('0123456789'); return e.request; }");
    expect(r.logs.slice(0, 3)).toEqual(['a', '{k:[1]}', '3']); // njs's own formatting (njs.dump)
    expect(r.logsTruncated).toBe(true);
    expect(r.logs.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0)).toBeLessThanOrEqual(10 * 1024);
  });

  it('implements the cloudfront module: KVS formats, missing key, exists, meta, origin side effects, edgeLocation, logCustomData', () => {
    const kvs = parseKvsSnapshot({ data: [{ key: 'k', value: '{"a":1}' }, { key: 's', value: 'héllo' }] }, 'inline');
    const src = `import cf from 'cloudfront';
async function handler(e) {
  var h = cf.kvs();
  var j = await h.get('k', {format: 'json'});
  var b = await h.get('s', {format: 'bytes'});
  var s = await h.get('s');
  var missing = await h.get('nope').then(function () { return 'found'; }, function (err) { return err.message; });
  var ex = (await h.exists('k')) + '/' + (await h.exists('nope'));
  var meta = await h.meta();
  cf.updateRequestOrigin({domainName: 'eu.example.com', originShield: {enabled: false}});
  cf.selectRequestOriginById('origin-b');
  cf.logCustomData('custom');
  e.request.headers['x-out'] = {value: [j.a, b.length, s, missing, ex, meta.keyCount, cf.edgeLocation.name, e.request.rawQueryString()].join('|')};
  return e.request;
}`;
    const a = njs(src, { kvs }, vrEvent(), { rawQuery: 'x=1&y' });
    expect(a.outcome).toEqual({ kind: 'forward' });
    expect((a.raw as { headers: Record<string, { value: string }> }).headers['x-out']!.value).toBe('1|6|héllo|Key not found: "nope"|true/false|2|IAD|x=1&y');
    expect(a.sideEffects).toEqual({
      origin: [
        { op: 'updateRequestOrigin', params: { domainName: 'eu.example.com', originShield: { enabled: false } } },
        { op: 'selectRequestOriginById', originId: 'origin-b' },
      ],
      customData: 'custom',
    });
  });

  it('rejects invalid origin parameters with the V8 engine message', async () => {
    const src = "import cf from 'cloudfront';\nfunction handler(e) { cf.updateRequestOrigin({domainName: 'x', connectionAttempts: 9}); return e.request; }";
    const a = njs(src);
    const b = await loadFunction(src, { runtime: R2 }).invokeAsync(vrEvent());
    expect(errorOf(a)).toEqual({ reason: 'exception', name: 'TypeError', message: 'cf.updateRequestOrigin(): params .connectionAttempts must be an integer from 1 to 3' });
    expect(b.outcome).toMatchObject({ error: { message: errorOf(a).message } });
    const vres = njs("import cf from 'cloudfront';\nfunction handler(e) { cf.selectRequestOriginById('o'); return e.response; }", {}, vresEvent());
    expect(errorOf(vres).message).toBe('cf.selectRequestOriginById() can only be used in viewer-request functions');
  });

  it('runs connection functions (allow/deny/logCustomData)', () => {
    const conn = { clientIp: '1.2.3.4', connectionId: 'c1', distributionId: 'E1', endpoint: 'd.example', clientCertificate: { certificates: { leaf: { serialNumber: '01' } } } };
    const allow = njs("function connectionHandler(c) { c.logCustomData('seen ' + c.clientIp); if (c.clientCertificate.certificates.leaf.serialNumber === '01') c.allow(); else c.deny(); }", {}, conn);
    expect(allow.outcome).toEqual({ kind: 'connection-allow' });
    expect(allow.sideEffects.customData).toBe('seen 1.2.3.4');
    expect(njs('function connectionHandler(c) { }', {}, conn).outcome).toEqual({ kind: 'connection-deny', neitherCalled: true });
    expect(njs('function connectionHandler(c) { c.deny(); c.allow(); }', {}, conn).outcome).toEqual({ kind: 'connection-deny' });
  });

  it('settles async handlers inside the engine; a promise that never settles is reported', () => {
    const r = njs("async function handler(e) { var v = await Promise.resolve('/x'); e.request.uri = v; return e.request; }");
    expect((r.raw as { uri: string }).uri).toBe('/x');
    expect(errorOf(njs('function handler(e) { return new Promise(function () {}); }')).reason).toBe('never-settled');
    expect(errorOf(njs("async function handler(e) { throw new RangeError('r'); }"))).toEqual({ reason: 'exception', name: 'RangeError', message: 'r' });
  });
});

describe('njs engine: bounds', () => {
  it('stops an infinite loop at the step budget; catch and finally cannot resume it', () => {
    for (const body of ['for (;;) {}', 'for (;;) { try { for (;;) {} } catch (x) {} finally { continue; } }', '[1, 2].map(function () { for (;;) {} })']) {
      const r = njs(`function handler(e) { ${body} }`, { stepLimit: 200_000 });
      expect(errorOf(r)).toEqual({ reason: 'timeout', name: 'InternalError', message: 'execution step limit exceeded' });
      expect(r.steps).toBe(200_001);
    }
    // A normal loop under the budget runs to the end.
    expect(outOf('var s = 0; for (var i = 0; i < 1000; i++) s += i; out = s')).toBe('499500');
  });

  it('caps memory per call (MemoryError -> memory outcome) and keeps working afterwards', () => {
    const f = loadNjsFunction("function handler(e) { if (e.request.uri === '/big') { var a = []; for (;;) a.push('x'.repeat(1000) + a.length); } return e.request; }", { runtime: R2, memoryLimitBytes: 4 * 1024 * 1024 });
    expect(errorOf(sync(f.invoke(vrEvent({ uri: '/big' }))))).toMatchObject({ reason: 'memory', name: 'MemoryError' });
    expect(sync(f.invoke(vrEvent())).outcome).toEqual({ kind: 'forward' });
    expect(errorOf(njs("function handler(e) { return 'x'.repeat(5e7).length; }"))).toMatchObject({ reason: 'memory', name: 'MemoryError' });
  });

  it('stops catastrophic regex backtracking at the PCRE2 match limit', () => {
    const r = njs("function handler(e) { return /(a+)+$/.test('a'.repeat(28) + 'b'); }");
    expect(errorOf(r)).toEqual({ reason: 'exception', name: 'InternalError', message: 'pcre2_match() failed: match limit exceeded' });
  });

  it('deep recursion: JS recursion is a RangeError, native recursion cannot corrupt the engine', () => {
    expect(errorOf(njs('function f(n) { return f(n + 1); } function handler(e) { return f(0); }'))).toMatchObject({ name: 'RangeError', message: 'Maximum call stack size exceeded' });
    const f = loadNjsFunction(
      "function handler(e) { if (e.request.uri === '/deep') { var o = {}; for (var i = 0; i < 200000; i++) o = {a: o}; JSON.stringify(o); [0].map(function g(x) { return [x].map(g); }); } e.request.headers['x-ok'] = {value: String(1 + 1)}; return e.request; }",
      { runtime: R2, stepLimit: 0 },
    );
    const deep = sync(f.invoke(vrEvent({ uri: '/deep' })));
    expect(deep.outcome.kind).toBe('execution-error');
    // Whatever stopped it (njs's own limit, the memory cap or the C stack check), the next event runs normally.
    const next = sync(f.invoke(vrEvent()));
    expect((next.raw as { headers: Record<string, { value: string }> }).headers['x-ok']!.value).toBe('2');
  });
});

describe('njs engine: the C stack', () => {
  it('an overflow of the C stack aborts the instance (EngineCrash) instead of writing over memory', async () => {
    const { Worker } = await import('node:worker_threads');
    const engineUrl = new URL('../../../dist/runtime/njs/engine.js', import.meta.url).href;
    // A worker with a big native stack, so that the wasm stack check (4 MB of linear memory) trips before V8's own limit.
    const code = `
      const { parentPort } = require('node:worker_threads');
      import(${JSON.stringify(engineUrl)}).then(({ NjsInstance, EngineCrash }) => {
        const i = new NjsInstance('cloudfront-js-2.0');
        const shallow = i.stackProbe(1000);
        let crash = 'none';
        try { i.stackProbe(1000000); } catch (e) { crash = (e instanceof EngineCrash) + ' ' + e.message; }
        const fresh = new NjsInstance('cloudfront-js-2.0');
        parentPort.postMessage({ shallow, crash, fresh: fresh.load('function handler(e) { return e; }') });
      });`;
    const w = new Worker(code, { eval: true, resourceLimits: { stackSizeMb: 256 } });
    const msg = await new Promise<{ shallow: number; crash: string; fresh: string | null }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
    expect(msg.shallow).toBeTypeOf('number');
    expect(msg.crash).toMatch(/^true Aborted\(stack overflow/);
    expect(msg.fresh).toBeNull();
  });
});

/**
 * Issue 12, goal 1, the strong way: start from the sandbox's global object
 * (and from everything the built-in modules return or throw, the event, the
 * handler's `this`) and walk, host-side, everything reachable. Nothing may be
 * a host-realm object or function, and no reachable function's constructor may
 * compile a string. The walker (realm-walker.ts) names the path to anything
 * it finds.
 */
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createSandbox, type RealmMode, type Sandbox } from '../../src/runtime/globals.js';
import { DEFAULT_EDGE_LOCATION } from '../../src/runtime/modules/cloudfront.js';
import { loadFunction, parseKvsSnapshot, type RunResult, type Runtime } from '../../src/runtime/index.js';
import { EXERCISE_SOURCE } from './realm-exercise.js';
import { realmDescriber, walkRealm } from './realm-walker.js';
import { vrEvent, vresEvent } from './helpers.js';

const RUNTIMES: Runtime[] = ['cloudfront-js-1.0', 'cloudfront-js-2.0'];
const KVS = parseKvsSnapshot({ data: [{ key: 'k', value: 'v' }, { key: 'j', value: '{"a":[1,{"b":2}]}' }] });
/** The realm has its own microtask queue (microtaskMode 'afterEvaluate'): evaluating any script runs it. */
const drain = (sb: Sandbox): void => {
  vm.runInContext('0', sb.context);
};

/** Run the exercise script in a sandbox as a call would (per-call state reset first); returns its [label, value] pairs. */
async function exercise(sb: Sandbox, runtime2: boolean): Promise<[string, unknown][]> {
  sb.api.reset();
  sb.state.eventType = 'viewer-request';
  sb.state.origin = null;
  const run = vm.runInContext(EXERCISE_SOURCE, sb.context, { filename: 'exercise.js' }) as (r: boolean) => unknown[];
  const out = run(runtime2);
  drain(sb);
  return Array.from(out, (pair) => {
    const p = pair as [string, unknown];
    return [`exercise[${JSON.stringify(p[0])}]`, p[1]] as [string, unknown];
  });
}

function labels(pairs: [string, unknown][]): string[] {
  return pairs.map(([l]) => l);
}

describe('the walker finds what it must find (controls)', () => {
  it('reports a host function planted in a realm object, with its path', () => {
    const sb = createSandbox('cloudfront-js-2.0', undefined, DEFAULT_EDGE_LOCATION, { mode: 'mutable' });
    const o = vm.runInContext('({ inner: { list: [1] } })', sb.context) as { inner: { list: unknown[] } };
    o.inner.list.push(() => 1);
    const r = walkRealm([['planted', o]]);
    expect(r.problems).toContain("planted.inner.list[\"1\"]: prototype chain reaches the host's Function.prototype (depth 1)");
    expect(r.problems).toContain('planted.inner.list["1"].constructor: call with a string returned function (code was generated)');
  });
  it('reports a host object returned by a realm getter', () => {
    const sb = createSandbox('cloudfront-js-1.0', undefined, DEFAULT_EDGE_LOCATION, { mode: 'mutable' });
    const make = vm.runInContext('(function (h) { return { get g() { return h; } }; })', sb.context) as (h: unknown) => object;
    const r = walkRealm([['o', make({ host: true })]]);
    expect(r.problems).toEqual(["o.g(get): prototype chain reaches the host's Object.prototype (depth 1)"]);
  });
  it('reports a realm whose Function compiles strings', () => {
    const ctx = vm.createContext({});
    const f = vm.runInContext('(function f() {})', ctx) as object;
    const r = walkRealm([['f', f]]);
    expect(r.problems).toContain('f.[[Prototype]].constructor: call with a string returned function (code was generated)');
  });
});

describe.each(RUNTIMES)('%s: nothing reachable from the sandbox belongs to the host', (runtime) => {
  const runtime2 = runtime === 'cloudfront-js-2.0';

  it.each<[RealmMode, boolean]>([
    ['frozen', true],
    ['mutable', true],
    ['frozen', false],
  ])('%s realm (KVS snapshot: %s): globals, module results, thrown errors, near-overflow errors', async (mode, withKvs) => {
    const sb = createSandbox(runtime, withKvs ? KVS : undefined, DEFAULT_EDGE_LOCATION, { mode });
    const pairs = await exercise(sb, runtime2);
    const got = labels(pairs);
    // The exercise really ran: valid calls returned, bad calls threw, promises settled.
    expect(got).toContain('exercise["createHash sha256"]');
    expect(got).toContain('exercise["createHash bad alg threw"]');
    expect(got).toContain('exercise["require unknown threw"]');
    expect(got).toContain('exercise["qs.parse"]');
    expect(got).toContain('exercise["stack overflow threw"]');
    expect(got).toContain('exercise["createHash near overflow threw"]');
    expect(got).toContain('exercise["Promise.reject rejected"]');
    if (runtime2) {
      expect(got).toContain('exercise["Buffer.alloc huge threw"]');
      expect(got).toContain('exercise["buf.readUInt32LE out of range threw"]');
      expect(got).toContain('exercise["atob bad threw"]');
      expect(got).toContain('exercise["TextEncoder near overflow threw"]');
      expect(got).toContain(withKvs ? 'exercise["kvs.get resolved"]' : 'exercise["kvs.get rejected"]');
      expect(got).toContain('exercise["kvs.get missing rejected"]');
      expect(got).toContain(withKvs ? 'exercise["kvs.meta resolved"]' : 'exercise["kvs.meta rejected"]');
    } else {
      expect(got).toContain('exercise["String.bytesFrom bad value threw"]');
    }
    const roots: [string, unknown][] = [['globalThis', vm.runInContext('globalThis', sb.context)], ...pairs];
    sb.reachable().forEach((o, i) => roots.push([`reachable[${i}]`, o]));
    const r = walkRealm(roots, { describe: realmDescriber(vm.runInContext('({})', sb.context) as object) });
    expect(r.problems).toEqual([]);
    expect(r.visited).toBeGreaterThan(runtime2 ? 2000 : 1000);
    expect(r.constructorsTried).toBeGreaterThanOrEqual(1); // the realm's Function (async and generator functions share it or their own)
  });

  it('everything a call can reach that outlives the call is hardened (frozen or put back after each call), or frozen itself', async () => {
    // Objects reachable (properties, accessors' functions, prototypes) from what the built-in modules return or throw in
    // two separate calls: those found both times outlive a call, so a change made to one in an event would reach the
    // next, unless the realm hardens it (sb.reachable(): frozen in the fast realm, put back in the mutable one).
    const sb = createSandbox(runtime, KVS, DEFAULT_EDGE_LOCATION, { mode: 'mutable' });
    // Walked host-side (the realm has no Set or Reflect, as njs), reading descriptors through the realm's own
    // getOwnPropertyDescriptor (see realmDescriber); getters are not called.
    const describe = realmDescriber(vm.runInContext('({})', sb.context) as object);
    const reach = (pairs: [string, unknown][]): unknown[] => {
      const seen = new Set<unknown>();
      const stack: unknown[] = pairs.map((p) => p[1]);
      while (stack.length > 0) {
        const o = stack.pop();
        if (o === null || (typeof o !== 'object' && typeof o !== 'function') || seen.has(o)) continue;
        seen.add(o);
        stack.push(Object.getPrototypeOf(o));
        for (const k of Reflect.ownKeys(o)) {
          const d = describe(o as object, k)!;
          stack.push(d.value, d.get, d.set);
        }
      }
      return [...seen];
    };
    const first = new Set(reach(await exercise(sb, runtime2)));
    const second = reach(await exercise(sb, runtime2));
    const hardened = new Set(sb.reachable());
    const outlives = second.filter((o) => first.has(o));
    expect(outlives.length).toBeGreaterThan(100); // the built-ins themselves
    const unguarded = outlives.filter((o) => !hardened.has(o) && !Object.isFrozen(o));
    expect(unguarded.map((o) => Object.prototype.toString.call(o) + ' ' + (typeof o === 'function' ? (o as { name: string }).name : String((o as { constructor?: { name?: string } }).constructor?.name)))).toEqual([]);
  });

  it('the event, its parts, the handler\'s `this` and the values the handler reaches, through loadFunction', async () => {
    const src = `function handler(event) {
      var self = this;
      var req = event.request;
      var out = { self: self, event: event, req: req, headers: req.headers, qs: req.querystring, cookies: req.cookies,
        require: require, globalThis: globalThis, args: arguments, handler: handler,
        errors: [] };
      try { null.x; } catch (e) { out.errors.push(e); }
      try { require('nope'); } catch (e) { out.errors.push(e); }
      try { eval('1'); } catch (e) { out.errors.push(e); }
      ${runtime2 ? "out.raw = req.rawQueryString; try { Buffer.from({}); } catch (e) { out.errors.push(e); } out.cf = require('cloudfront');" : 'try { String.bytesFrom(1); } catch (e) { out.errors.push(e); }'}
      return out;
    }`;
    const f = loadFunction(src, { runtime, kvs: KVS });
    const ev = vrEvent({
      querystring: { a: { value: '1', multiValue: [{ value: '1' }, { value: '2' }] } },
      headers: { host: { value: 'h' }, accept: { value: 'x', multiValue: [{ value: 'x' }] } },
      cookies: { c: { value: 'v', attributes: 'Path=/' } },
    });
    const res = await f.invokeAsync(ev, { rawQuery: 'a=1&a=2', timeoutMs: 1000 });
    const resp = await f.invokeAsync(vresEvent({ cookies: { s: { value: 'v', attributes: 'Secure', multiValue: [{ value: 'v', attributes: 'Secure' }] } } }), { timeoutMs: 1000 });
    const roots: [string, unknown][] = [];
    for (const [name, r] of [['viewer-request', res], ['viewer-response', resp]] as [string, RunResult][]) {
      expect(r.outcome.kind).toBe('validation-error'); // the returned object is not a request: raw is the object itself
      const raw = r.raw as Record<string, unknown>;
      expect(Object.keys(raw)).toContain('event');
      expect((raw.errors as unknown[]).length).toBeGreaterThanOrEqual(4);
      roots.push([`${name}.returned`, raw]);
    }
    const w = walkRealm(roots, { describe: realmDescriber(roots[0]![1] as object) });
    expect(w.problems).toEqual([]);
    expect(w.visited).toBeGreaterThan(500);
  });

  if (runtime2) {
    it('a connection function: the connection event and its allow/deny/logCustomData', async () => {
      const f = loadFunction('function connectionHandler(c) { var o = { c: c, self: this, allow: c.allow, deny: c.deny, log: c.logCustomData }; c.allow(); return o; }', { runtime });
      const r = await f.invokeAsync({ connectionId: 'c1', clientIp: '203.0.113.9', clientCertificate: { certificates: { leaf: { subject: 'CN=x' } } } }, { timeoutMs: 1000 });
      expect(r.outcome.kind).toBe('connection-allow');
      const raw = r.raw as Record<string, unknown>;
      expect(typeof raw.allow).toBe('function');
      const w = walkRealm([['connection.returned', raw]], { describe: realmDescriber(raw) });
      expect(w.problems).toEqual([]);
    });
  }
});

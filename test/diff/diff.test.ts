import { describe, expect, it } from 'vitest';
import {
  compileIgnore,
  diffRuns,
  isNoisyDiff,
  outcomeLabel,
  riskOf,
  routeOf,
  signatureOf,
  IgnorePatternError,
  type DiffEntry,
  type RunView,
} from '../../src/diff/index.js';
import type { Outcome } from '../../src/runtime/index.js';
import { diffFixture, fn, run, vr, vres } from './helpers.js';

const ret = fn('return r;');

describe('outcomeLabel', () => {
  const err = { name: 'Error', message: 'x', v8Message: 'x' };
  it.each<[Outcome, string]>([
    [{ kind: 'forward' }, 'forward'],
    [{ kind: 'response' }, 'response'],
    [{ kind: 'modified-response' }, 'modified-response'],
    [{ kind: 'connection-allow' }, 'connection-allow'],
    [{ kind: 'connection-deny' }, 'connection-deny'],
    [{ kind: 'execution-error', status: 503, reason: 'exception', error: err }, 'execution-error'],
    [{ kind: 'execution-error', status: 503, reason: 'timeout', error: err }, 'timeout'],
    [{ kind: 'execution-error', status: 503, reason: 'memory', error: err }, 'memory'],
    [{ kind: 'execution-error', status: 503, reason: 'never-settled', error: err }, 'never-settled'],
    [{ kind: 'execution-error', status: 503, reason: 'crash', error: err }, 'crash'],
    [{ kind: 'validation-error', status: 502, problems: [] }, 'validation-error'],
  ])('%j -> %s', (o, label) => expect(outcomeLabel(o)).toBe(label));
});

describe('diffRuns on real sandbox runs: request paths', () => {
  it('equal outputs give the shared, frozen empty array', () => {
    const ev = vr({ querystring: { a: { value: '1' } }, cookies: { s: { value: 'x' } } });
    const a = run(ret, ev);
    const b = run(fn('r.querystring = "a=1"; return r;'), ev); // string querystring == same map: no difference
    const d = diffRuns(a, b);
    expect(d).toEqual([]);
    expect(Object.isFrozen(d)).toBe(true);
    expect(diffRuns(a, run(ret, ev))).toBe(d);
  });

  it('uri, headers (lowercase paths), query, cookies: changed, added, removed', () => {
    const ev = vr({
      uri: '/docs',
      headers: { host: { value: 'h' }, accept: { value: 'text/html' }, 'x-gone': { value: 'bye' } },
      querystring: { a: { value: '1' }, b: { value: '2' } },
      cookies: { s: { value: 'x' }, t: { value: 'y' } },
    });
    const oldSrc = ret;
    const newSrc = fn(`
      r.uri += '/index.html';
      r.headers['x-foo'] = { value: 'bar' };
      delete r.headers['x-gone'];
      r.headers.accept = { value: 'application/json' };
      r.querystring.a = { value: '9' }; delete r.querystring.b; r.querystring.c = { value: '3' };
      r.cookies.s = { value: 'z' }; delete r.cookies.t; r.cookies.u = { value: 'w' };
      return r;`);
    const d = diffRuns(run(oldSrc, ev), run(newSrc, ev));
    const by = Object.fromEntries(d.map((e) => [e.path, e]));
    expect(by['request.uri']).toEqual({ path: 'request.uri', kind: 'changed', old: '/docs', new: '/docs/index.html' });
    expect(by['request.headers.x-foo']).toEqual({ path: 'request.headers.x-foo', kind: 'added', new: 'bar' });
    expect(by['request.headers.x-gone']).toEqual({ path: 'request.headers.x-gone', kind: 'removed', old: 'bye' });
    expect(by['request.headers.accept']).toEqual({ path: 'request.headers.accept', kind: 'changed', old: 'text/html', new: 'application/json' });
    expect(by['request.querystring.a']).toMatchObject({ kind: 'changed', old: '1', new: '9' });
    expect(by['request.querystring.b']).toMatchObject({ kind: 'removed', old: '2' });
    expect(by['request.querystring.c']).toMatchObject({ kind: 'added', new: '3' });
    expect(by['request.cookies.s']).toMatchObject({ kind: 'changed', old: 'x', new: 'z' });
    expect(by['request.cookies.t']).toMatchObject({ kind: 'removed', old: 'y' });
    expect(by['request.cookies.u']).toMatchObject({ kind: 'added', new: 'w' });
    expect(d).toHaveLength(10);
    // The effective form has wire capitalisation; paths do not.
    expect(Object.keys(run(newSrc, ev).effective as object)).toContain('request');
  });

  it('multiValue precedence: diffs the effective values, ordering-only is its own kind', () => {
    const ev = vr({
      headers: { host: { value: 'h' }, 'x-m': { value: 'a', multiValue: [{ value: 'a' }, { value: 'b' }] } },
      querystring: { q: { value: '1', multiValue: [{ value: '1' }, { value: '2' }] } },
    });
    const a = run(ret, ev);
    // Changing only `value` replaces the first value; the later ones stay.
    const valueOnly = run(fn(`r.headers['x-m'].value = 'z'; return r;`), ev);
    expect(diffRuns(a, valueOnly)).toEqual([{ path: 'request.headers.x-m', kind: 'changed', old: '["a","b"]', new: '["z","b"]' }]);
    // A changed multiValue wins over value.
    const mv = run(fn(`r.headers['x-m'] = { value: 'ignored', multiValue: [{ value: 'b' }, { value: 'a' }] }; r.querystring.q.multiValue = [{ value: '2' }, { value: '1' }]; return r;`), ev);
    expect(diffRuns(a, mv)).toEqual([
      { path: 'request.querystring.q', kind: 'ordering', old: '["1","2"]', new: '["2","1"]' },
      { path: 'request.headers.x-m', kind: 'ordering', old: '["a","b"]', new: '["b","a"]' },
    ]);
    // The same multiValue as the input with a changed value: value replaces the first.
    const same = run(fn(`r.headers['x-m'] = { value: 'a', multiValue: [{ value: 'a' }, { value: 'b' }] }; return r;`), ev);
    expect(diffRuns(a, same)).toEqual([]);
    // Single vs multi.
    const one = run(fn(`r.headers['x-m'] = { value: 'a' }; return r;`), ev);
    expect(diffRuns(a, one)).toEqual([{ path: 'request.headers.x-m', kind: 'changed', old: '["a","b"]', new: 'a' }]);
  });

  it('origin modification calls are compared as JSON', () => {
    const ev = vr();
    const sel = (id: string) => `import cf from 'cloudfront';\nfunction handler(event) { cf.selectRequestOriginById('${id}'); return event.request; }`;
    const a = run(sel('o1'), ev);
    const b = run(sel('o2'), ev);
    const c = run(ret, ev);
    expect(diffRuns(a, run(sel('o1'), ev))).toEqual([]);
    const d = diffRuns(a, b);
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ path: 'origin', kind: 'changed' });
    expect(JSON.parse(d[0]!.new!)).toEqual([{ op: 'selectRequestOriginById', originId: 'o2' }]);
    expect(diffRuns(c, a)[0]).toMatchObject({ path: 'origin', kind: 'added' });
    expect(diffRuns(a, c)[0]).toMatchObject({ path: 'origin', kind: 'removed' });
    expect(riskOf(d[0]!)).toBe('high');
  });

  it('request.method (hand-built: a function cannot change it)', () => {
    const mk = (method: string): RunView => ({ outcome: { kind: 'forward' }, effective: { request: { method, uri: '/', querystring: {}, headers: {}, cookies: {} } } });
    expect(diffRuns(mk('GET'), mk('POST'))).toEqual([{ path: 'request.method', kind: 'changed', old: 'GET', new: 'POST' }]);
  });

  it('inherited names of plain objects are not fields (constructor, toString)', () => {
    const mk = (q: Record<string, string[]>): RunView => ({ outcome: { kind: 'forward' }, effective: { request: { method: 'GET', uri: '/', querystring: q, headers: {}, cookies: {} } } });
    expect(diffRuns(mk({ constructor: ['1'] }), mk({}))).toEqual([{ path: 'request.querystring.constructor', kind: 'removed', old: '1' }]);
    expect(diffRuns(mk({}), mk({ toString: ['1'] }))).toEqual([{ path: 'request.querystring.toString', kind: 'added', new: '1' }]);
  });
});

describe('diffRuns: responses', () => {
  it('viewer-response: status, description, headers, set-cookies with attributes', () => {
    const ev = vres({ cookies: { s: { value: '1', attributes: 'Path=/' } } });
    const a = run(fn('return event.response;'), ev);
    const b = run(
      `function handler(event) { var res = event.response;
        res.statusCode = 201; res.statusDescription = 'Created';
        delete res.headers['strict-transport-security'];
        res.headers['x-new'] = { value: 'n' };
        res.cookies.s = { value: '2', attributes: 'Path=/; Secure' };
        res.cookies.t = { value: 'a', attributes: '', multiValue: [{ value: 'a', attributes: '' }, { value: 'b', attributes: 'HttpOnly' }] };
        return res; }`,
      ev,
    );
    const d = diffRuns(a, b);
    const by = Object.fromEntries(d.map((e) => [e.path, e]));
    expect(by['response.statusCode']).toEqual({ path: 'response.statusCode', kind: 'changed', old: '200', new: '201' });
    expect(by['response.statusDescription']).toMatchObject({ kind: 'changed', old: 'OK', new: 'Created' });
    expect(by['response.headers.strict-transport-security']).toMatchObject({ kind: 'removed', old: 'max-age=63072000' });
    expect(by['response.headers.x-new']).toMatchObject({ kind: 'added', new: 'n' });
    expect(by['response.cookies.s']).toMatchObject({ kind: 'changed', old: '1; Path=/', new: '2; Path=/; Secure' });
    expect(by['response.cookies.t']).toMatchObject({ kind: 'added', new: '["a","b; HttpOnly"]' });
    expect(riskOf(by['response.headers.strict-transport-security']!)).toBe('high');
    expect(riskOf(by['response.headers.x-new']!)).toBe('low');
    expect(riskOf(by['response.cookies.s']!)).toBe('medium');
  });

  it('set-cookie multiValue ordering', () => {
    const ev = vres({ cookies: { s: { value: '1', attributes: '', multiValue: [{ value: '1', attributes: '' }, { value: '2', attributes: 'Secure' }] } } });
    const a = run(fn('return event.response;'), ev);
    const b = run(fn(`var c = event.response.cookies.s; c.multiValue = [c.multiValue[1], c.multiValue[0]]; return event.response;`), ev);
    expect(diffRuns(a, b)).toEqual([{ path: 'response.cookies.s', kind: 'ordering', old: '["1","2; Secure"]', new: '["2; Secure","1"]' }]);
  });

  it('generated responses: body text / none, location', () => {
    const ev = vr();
    const gen = (loc: string, body: string) => fn(`return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '${loc}' } }${body} };`);
    const a = run(gen('https://a.example/x', ''), ev);
    const b = run(gen('https://b.example/x', `, body: 'moved'`), ev);
    const c = run(gen('https://a.example/x', `, body: { encoding: 'base64', data: Buffer.from('moved').toString('base64') }`.replace("Buffer.from('moved').toString('base64')", `'${Buffer.from('moved').toString('base64')}'`)), ev);
    const d = diffRuns(a, b);
    expect(d).toEqual([
      { path: 'response.headers.location', kind: 'changed', old: 'https://a.example/x', new: 'https://b.example/x' },
      { path: 'response.body', kind: 'changed', old: 'none', new: 'text:moved' },
    ]);
    expect(riskOf(d[0]!)).toBe('high');
    // base64 of UTF-8 text is normalized to text by the runtime: same body.
    expect(diffRuns(b, c).map((e) => e.path)).toEqual(['response.headers.location']);
  });
});

describe('diffRuns: outcomes and errors', () => {
  const ev = vr({ uri: '/admin' });
  const fwd = run(ret, ev);
  const redirect = run(fn(`return { statusCode: 302, headers: { location: { value: '/login' } } };`), ev);
  const throwsA = run(diffFixture('throws.js'), ev);
  const throwsB = run(fn(`throw new Error('boom ' + r.uri);`), ev);
  const invalidA = run(fn(`r.headers.host = { value: 'other' }; return r;`), ev);
  const invalidB = run(fn(`r.headers['X-Upper'] = { value: 'x' }; return r;`), ev);

  it('a different outcome label gives only the outcome entry, with details', () => {
    const d = diffRuns(fwd, redirect);
    expect(d).toEqual([{ path: 'outcome', kind: 'outcome', old: 'forward', new: 'response 302' }]);
    expect(signatureOf(d[0]!)).toBe('forward -> response 302');
    expect(riskOf(d[0]!)).toBe('high');
    const e = diffRuns(fwd, throwsA)[0]!;
    expect(e.new).toMatch(/^execution-error: TypeError: cannot get property "x" of undefined/);
    expect(signatureOf(e)).toBe(`forward -> ${e.new}`);
    const v = diffRuns(fwd, invalidA)[0]!;
    expect(v).toEqual({ path: 'outcome', kind: 'outcome', old: 'forward', new: 'validation-error: header-read-only' });
  });

  it('outcome entries are never ignored', () => {
    const ignore = compileIgnore(['**', '*'])!;
    expect(ignore('outcome')).toBe(false);
    expect(diffRuns(fwd, redirect, ignore)).toHaveLength(1);
    expect(() => compileIgnore(['outcome'])).toThrow(IgnorePatternError);
  });

  it('same label: error messages (no line numbers) and broken rules', () => {
    expect(diffRuns(throwsA, throwsA)).toEqual([]);
    const d = diffRuns(throwsA, throwsB);
    expect(d).toEqual([{ path: 'error', kind: 'changed', old: 'TypeError: cannot get property "x" of undefined', new: 'Error: boom /admin' }]);
    expect(riskOf(d[0]!)).toBe('high');
    // The same error thrown from another line is no difference.
    const shifted = run(`\n\n\n${diffFixture('throws.js')}`, ev);
    expect(diffRuns(throwsA, shifted)).toEqual([]);
    const v = diffRuns(invalidA, invalidB);
    expect(v).toEqual([
      { path: 'validation', kind: 'changed', old: 'header-read-only (request.headers.host)', new: 'header-name-uppercase (request.headers.X-Upper)' },
    ]);
    expect(riskOf(v[0]!)).toBe('high');
  });
});

describe('compileIgnore', () => {
  it('is undefined without patterns', () => expect(compileIgnore([])).toBeUndefined());
  it.each<[string, string, boolean]>([
    ['request.headers.x-debug', 'request.headers.x-debug', true],
    ['request.headers.X-Debug', 'request.headers.x-debug', true],
    ['request.headers.x-debug', 'request.headers.x-debugger', false],
    ['response.headers.*', 'response.headers.date', true],
    ['response.headers.*', 'request.headers.date', false],
    ['request.headers.x-amz-*', 'request.headers.x-amz-cf-id', true],
    ['request.headers.x-amz-*', 'request.headers.x-forwarded-for', false],
    ['request.cookies.**', 'request.cookies.session', true],
    ['request.cookies.**', 'request.cookies', true],
    ['request.**', 'request.querystring.utm_source', true],
    ['*.headers.date', 'response.headers.date', true],
    ['request.*', 'request.uri', true],
    ['request.*', 'request.headers.x', false],
    ['request.querystring.a.b', 'request.querystring.a.b', true], // a name with a dot is one segment
    ['request.querystring.*', 'request.querystring.a.b', true],
    ['request.querystring.a', 'request.querystring.a.b', false],
    ['**', 'origin', true],
    ['response.body', 'response.body', true],
  ])('%s matches %s: %s', (pattern, path, expected) => {
    expect(compileIgnore([pattern])!(path)).toBe(expected);
  });
  it('diffRuns drops ignored entries', () => {
    const ev = vr();
    const a = run(ret, ev);
    const b = run(fn(`r.headers['x-debug'] = { value: '1' }; r.headers['x-amz-a'] = { value: '1' }; r.uri = '/x'; return r;`), ev);
    expect(diffRuns(a, b).map((e) => e.path)).toEqual(['request.uri', 'request.headers.x-debug', 'request.headers.x-amz-a']);
    expect(diffRuns(a, b, compileIgnore(['request.headers.x-debug', 'request.headers.x-amz-*'])).map((e) => e.path)).toEqual(['request.uri']);
    expect(diffRuns(a, b, compileIgnore(['request.**']))).toEqual([]);
  });
  it('rejects empty patterns and segments', () => {
    expect(() => compileIgnore([''])).toThrow(/empty/);
    expect(() => compileIgnore(['request..uri'])).toThrow(/empty segment/);
  });
});

describe('riskOf', () => {
  const e = (path: string, kind: DiffEntry['kind']): DiffEntry => ({ path, kind });
  it.each<[DiffEntry, string]>([
    [e('outcome', 'outcome'), 'high'],
    [e('response.statusCode', 'changed'), 'high'],
    [e('response.headers.location', 'added'), 'high'],
    [e('request.uri', 'changed'), 'high'],
    [e('request.method', 'changed'), 'high'],
    [e('origin', 'added'), 'high'],
    [e('error', 'changed'), 'high'],
    [e('validation', 'changed'), 'high'],
    [e('response.headers.content-security-policy', 'removed'), 'high'],
    [e('response.headers.content-security-policy', 'changed'), 'medium'],
    [e('request.headers.x-foo', 'changed'), 'medium'],
    [e('request.headers.x-foo', 'removed'), 'medium'],
    [e('response.body', 'changed'), 'medium'],
    [e('request.headers.x-foo', 'added'), 'low'],
    [e('request.querystring.q', 'ordering'), 'low'],
  ])('%j is %s', (entry, risk) => expect(riskOf(entry)).toBe(risk));
});

describe('signatureOf', () => {
  const ch = (path: string, o: string, n: string): DiffEntry => ({ path, kind: 'changed', old: o, new: n });
  it('describes transformations independently of the value', () => {
    expect(signatureOf(ch('request.uri', '/docs', '/docs/index.html'))).toBe('append "/index.html"');
    expect(signatureOf(ch('request.uri', '/a/b', '/v2/a/b'))).toBe('prepend "/v2"');
    expect(signatureOf(ch('request.uri', '/old/page/1', '/new/page/1'))).toBe('replace "/old/" with "/new/"');
    expect(signatureOf(ch('request.uri', '/a/old/b', '/a/new/b'))).toBe('replace "/old/" with "/new/"');
    expect(signatureOf(ch('request.uri', '/a/b/', '/a/b'))).toBe('remove suffix "/"');
    expect(signatureOf(ch('request.uri', '/v1/a', '/a'))).toBe('remove prefix "/v1"');
    expect(signatureOf(ch('request.uri', '/a/b', '/a/x/b'))).toBe('insert "/x"');
    expect(signatureOf(ch('request.uri', '/a/x/b', '/a/b'))).toBe('remove "/x"');
    expect(signatureOf(ch('request.uri', '/Foo/Bar', '/foo/bar'))).toBe('lowercase');
    expect(signatureOf(ch('request.headers.x-cache', 'HIT', 'MISS'))).toBe('set "MISS"');
    expect(signatureOf(ch('response.headers.x-cache', 'HIT', 'MISS'))).toBe('"HIT" -> "MISS"');
    expect(signatureOf(ch('response.headers.cache-control', 'max-age=60', 'max-age=300'))).toBe('replace "=60" with "=300"');
    expect(signatureOf(ch('response.statusCode', '301', '302'))).toBe('301 -> 302');
    expect(signatureOf({ path: 'request.headers.x', kind: 'added', new: 'abc' })).toBe('added "abc"');
    expect(signatureOf({ path: 'request.headers.x', kind: 'removed', old: '123e4567-e89b-12d3-a456-426614174000' })).toBe('removed "{uuid}"');
  });

  it('templates event-specific values: digits, UUIDs, hex, tokens', () => {
    expect(signatureOf(ch('response.headers.x-id', 'req-12345', 'id-deadbeef42'))).toBe('"req-{n}" -> "id-{hex}"');
    expect(signatureOf(ch('response.headers.etag', 'W/"aB3dE5fG7hI9jK1lMn"', 'W/"x"'))).toBe('replace "\\"{token}\\"" with "\\"x\\""');
    expect(signatureOf(ch('response.headers.x', 'id=123e4567-e89b-12d3-a456-426614174000', 'id=none'))).toBe('replace "={uuid}" with "=none"');
    expect(signatureOf(ch('request.uri', '/p/1', '/p/1?ts=1700000000'))).toBe('append "?ts={n}"');
  });

  it('systematic changes over many events collapse to one signature; unrelated ones do not', () => {
    const src = fn(`if (r.uri.indexOf('.') < 0) r.uri += '/index.html'; r.headers['x-req'] = { value: 'n-' + r.uri.length * 1000 + '-' + event.context.requestId }; return r;`);
    const sigs = new Set<string>();
    const headerSigs = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const uri = i % 3 === 0 ? `/products/${i * 7919}` : i % 3 === 1 ? `/users/${i}/orders/${(i * 31) % 97}` : `/blog/post-${i}`;
      const ev = vr({ uri, id: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}` });
      for (const d of diffRuns(run(ret, ev), run(src, ev))) (d.path === 'request.uri' ? sigs : headerSigs).add(signatureOf(d));
    }
    expect([...sigs]).toEqual(['append "/index.html"']);
    expect([...headerSigs]).toEqual(['added "n-{n}-{uuid}"']);
    const unrelated = [ch('request.uri', '/a', '/b'), ch('request.uri', '/c', '/d'), ch('request.uri', '/x', '/x/index.html')].map(signatureOf);
    expect(new Set(unrelated).size).toBe(3);
  });

  it('stays bounded for long values', () => {
    const long = 'x'.repeat(10_000);
    const s = signatureOf({ path: 'response.body', kind: 'changed', old: `text:a${long}`, new: `text:b${long}` });
    expect(s.length).toBeLessThan(300);
    expect(signatureOf({ path: 'response.body', kind: 'added', new: `text:${long}` }).length).toBeLessThan(140);
    expect(signatureOf({ path: 'outcome', kind: 'outcome', old: 'forward', new: `execution-error: Error: ${long}` }).length).toBeLessThan(300);
  });
});

describe('routeOf', () => {
  it.each([
    ['/products/123', '/products/:id'],
    ['/products/123?x=1', '/products/:id'],
    ['/users/42/orders/7', '/users/:id/orders/:id'],
    ['/u/123e4567-e89b-12d3-a456-426614174000/x', '/u/:uuid/x'],
    ['/f/deadbeef12', '/f/:hex'],
    ['/t/aB3dE5fG7hI9jK1lM', '/t/:token'],
    ['/static/js/app.3f9a2b1c.js', '/static/js/app.:hash.js'],
    ['/main-3f9a2b1c.css', '/main-:hash.css'],
    ['/jquery-3.6.0.min.js', '/jquery-3.6.0.min.js'],
    ['/v2/docs/', '/v2/docs/'],
    ['/', '/'],
    ['/about', '/about'],
  ])('%s -> %s', (uri, route) => expect(routeOf(uri)).toBe(route));
});

describe('isNoisyDiff', () => {
  it('a field that differs between two runs of OLD (other clock and seed) is noise', () => {
    const oldSrc = diffFixture('rand.js');
    const newSrc = diffFixture('no-rand.js');
    const ev = vr();
    const old = run(oldSrc, ev, { now: 1000 });
    const rerun = run(oldSrc, ev, { now: 2000, seed: 7 });
    const d = diffRuns(old, run(newSrc, ev, { now: 1000 }));
    const by = Object.fromEntries(d.map((e) => [e.path, e]));
    expect(by['request.headers.x-rand']?.kind).toBe('removed');
    expect(by['request.headers.x-version']?.kind).toBe('changed');
    expect(isNoisyDiff(by['request.headers.x-rand']!, old, rerun)).toBe(true);
    expect(isNoisyDiff(by['request.headers.x-version']!, old, rerun)).toBe(false);
    // Same clock and seed: deterministic.
    expect(isNoisyDiff(by['request.headers.x-rand']!, old, run(oldSrc, ev, { now: 1000 }))).toBe(false);
  });
  it('outcome: noisy when OLD’s own outcome label changes between runs', () => {
    const flaky = fn(`if (Math.random() < 0.5) throw new Error('flake'); return r;`);
    const ev = vr();
    const runs = Array.from({ length: 40 }, (_, i) => run(flaky, ev, { now: i, seed: i }));
    const ok = runs.find((r) => r.outcome.kind === 'forward')!;
    const bad = runs.find((r) => r.outcome.kind === 'execution-error')!;
    const entry = diffRuns(ok, run(fn(`return { statusCode: 403 };`), ev))[0]!;
    expect(entry.kind).toBe('outcome');
    expect(isNoisyDiff(entry, ok, bad)).toBe(true);
    expect(isNoisyDiff(entry, ok, ok)).toBe(false);
  });
});

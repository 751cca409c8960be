import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KvsFileError, loadFunction, loadKvsFile, parseKvsSnapshot } from '../../src/runtime/index.js';
import { fixturePath, sync, vrEvent } from './helpers.js';

/** Run `body` (which sets `out`) and return out as a string. */
function evalIn(body: string, runtime: 'cloudfront-js-1.0' | 'cloudfront-js-2.0' = 'cloudfront-js-1.0'): string {
  const r = sync(loadFunction(`function handler(e) { var out; ${body}; e.request.headers['x-out'] = {value: String(out)}; return e.request; }`, { runtime }).invoke(vrEvent()));
  if (r.outcome.kind !== 'forward') throw new Error(JSON.stringify(r.outcome));
  return (r.raw as any).headers['x-out'].value;
}

describe('crypto', () => {
  it('createHash md5/sha1/sha256 with hex/base64/base64url', () => {
    for (const alg of ['md5', 'sha1', 'sha256']) {
      for (const enc of ['hex', 'base64', 'base64url'] as const) {
        expect(evalIn(`out = require('crypto').createHash('${alg}').update('héllo').update(' w').digest('${enc}')`)).toBe(
          createHash(alg).update('héllo w').digest(enc),
        );
      }
    }
  });
  it('createHmac', () => {
    expect(evalIn("out = require('crypto').createHmac('sha256', 'k').update('msg').digest('base64url')")).toBe(
      createHmac('sha256', 'k').update('msg').digest('base64url'),
    );
  });
  it('digest() without encoding: 1.0 byte string (usable as an HMAC key), 2.0 Buffer', () => {
    const expected = createHmac('sha256', createHmac('sha256', 'k').update('a').digest()).update('b').digest('hex');
    expect(evalIn("var c = require('crypto'); var k = c.createHmac('sha256', 'k').update('a').digest(); out = (typeof k) + ':' + k.length + ':' + c.createHmac('sha256', k).update('b').digest('hex')")).toBe(
      `string:32:${expected}`,
    );
    expect(evalIn("var c = require('crypto'); var k = c.createHmac('sha256', 'k').update('a').digest(); out = Buffer.isBuffer(k) + ':' + c.createHmac('sha256', k).update('b').digest('hex')", 'cloudfront-js-2.0')).toBe(
      `true:${expected}`,
    );
  });
  it('unsupported algorithm and double digest throw', () => {
    expect(evalIn("try { require('crypto').createHash('sha512'); } catch (err) { out = err.name + ': ' + err.message + ':' + (err instanceof TypeError); }")).toBe(
      'TypeError: not supported algorithm: "sha512":true',
    );
    expect(evalIn("var h = require('crypto').createHash('md5'); h.digest('hex'); try { h.digest('hex'); } catch (err) { out = err.message; }")).toBe('Digest already called');
  });
});

describe('querystring (njs semantics)', () => {
  it('parse: repeated keys become arrays, + is space, percent-decoding, custom sep/eq, maxKeys', () => {
    expect(evalIn("out = JSON.stringify(require('querystring').parse('a=1&b=x+y&a=2&c&d=%E5%AE%B6'))")).toBe('{"a":["1","2"],"b":"x y","c":"","d":"家"}');
    expect(evalIn("out = JSON.stringify(require('querystring').parse('a:1;b:2', ';', ':'))")).toBe('{"a":"1","b":"2"}');
    expect(evalIn("out = JSON.stringify(require('querystring').parse('a=1&b=2&c=3', null, null, {maxKeys: 2}))")).toBe('{"a":"1","b":"2"}');
    expect(evalIn("out = JSON.stringify(require('querystring').decode('a=%41', null, null, {decodeURIComponent: function (s) { return s.toLowerCase(); }}))")).toBe('{"a":"%41"}');
    // njs 0.7.9 and 0.8.10: the cut UTF-8 sequence %E0%A4 is one U+FFFD, the bad %A stays.
    expect(evalIn("out = JSON.stringify(require('querystring').parse('a=%E0%A4%A'))")).toBe('{"a":"\uFFFD%A"}');
  });
  it('stringify/encode, escape, unescape', () => {
    expect(evalIn("out = require('querystring').stringify({a: [1, 2], b: 'x y', c: true, d: {}, e: []})")).toBe('a=1&a=2&b=x%20y&c=true&d=');
    expect(evalIn("out = require('querystring').encode({a: 'b'}, ';', ':', {encodeURIComponent: function (s) { return s.toUpperCase(); }})")).toBe('A:B');
    expect(evalIn("var q = require('querystring'); out = q.escape('a b&c/é') + '|' + q.unescape('a%20b%26')")).toBe('a%20b%26c%2F%C3%A9|a b&');
  });
});

describe('1.0 byte strings', () => {
  it('String.bytesFrom, toUTF8/fromUTF8, toBytes/fromBytes', () => {
    expect(evalIn("out = String.bytesFrom('6869', 'hex') + String.bytesFrom('aGk=', 'base64') + String.bytesFrom([104, 105])")).toBe('hihihi');
    expect(evalIn("var b = 'é'.toUTF8(); out = b.length + ':' + b.fromUTF8() + ':' + (String.bytesFrom([0xff]).fromUTF8() === null)")).toBe('2:é:true');
    expect(evalIn("out = ('é'.toBytes() === 'é') + ':' + ('家'.toBytes() === null) + ':' + 'abc'.fromBytes(1)")).toBe('true:true:bc');
  });
});

describe('2.0 Buffer, atob/btoa, TextEncoder/TextDecoder', () => {
  it('work like the runtime documents', () => {
    expect(evalIn("out = Buffer.from('aGk', 'base64url').toString() + btoa('hi') + atob('aGk=') + new TextDecoder().decode(new TextEncoder().encode('é')) + require('buffer').Buffer.from('6869', 'hex').toString('utf8')", 'cloudfront-js-2.0')).toBe(
      'hiaGk=hiéhi',
    );
  });
});

describe('cloudfront module', () => {
  const kvs = loadKvsFile(fixturePath('kvs', 'secrets.json'));
  const load = (body: string, opts = {}) => loadFunction(`import cf from 'cloudfront';\nasync function handler(e) { let out; ${body}; e.request.headers['x-out'] = {value: String(out)}; return e.request; }`, { kvs, ...opts });
  const out = async (body: string, opts = {}, inv = {}) => {
    const r = await load(body, opts).invoke(vrEvent(), inv);
    if (r.outcome.kind !== 'forward') throw new Error(JSON.stringify(r.outcome));
    return (r.raw as any).headers['x-out'].value as string;
  };
  it('kvs get string/json/bytes, exists, meta', async () => {
    expect(await out("const s = cf.kvs(); const j = await s.get('config', {format: 'json'}); const b = await s.get('jwt.secret', {format: 'bytes'}); out = (await s.get('jwt.secret')) + '|' + j.mode + j.n + '|' + (b instanceof Uint8Array) + b.length + '|' + (await s.exists('config')) + (await s.exists('nope')) + '|' + (await s.meta()).keyCount")).toBe(
      's3cr3t|on2|true6|truefalse|2',
    );
  });
  it('kvs get rejects on a missing key (execution error when unhandled)', async () => {
    expect(await out("try { await cf.kvs().get('missing'); } catch (err) { out = err.message; }")).toBe('Key not found: "missing"');
    const r = await load("out = await cf.kvs().get('missing')").invoke(vrEvent());
    expect(r.outcome.kind).toBe('execution-error');
  });
  it('kvs without a snapshot rejects clearly', async () => {
    expect(await out("try { await cf.kvs().get('x'); } catch (err) { out = err.message; }", { kvs: undefined })).toMatch(/no KeyValueStore/);
  });
  it('edgeLocation, rawQueryString', async () => {
    expect(await out("out = cf.edgeLocation.name + ':' + e.request.rawQueryString() + ':' + Object.keys(e.request).indexOf('rawQueryString')", {}, { rawQuery: 'b=2&a=1' })).toBe('IAD:b=2&a=1:-1');
    expect(await out('out = JSON.stringify(e.request.rawQueryString())', {}, { rawQuery: '' })).toBe('""');
    expect(await out('out = typeof e.request.rawQueryString()')).toBe('undefined');
  });
  it('origin helpers are recorded as side effects and in the effective form', async () => {
    const f = loadFunction((await import('node:fs')).readFileSync(new URL('../fixtures/functions/origin-select.js', import.meta.url), 'utf8'));
    const r = sync(f.invoke(vrEvent({ uri: '/eu/page' })));
    expect(r.outcome.kind).toBe('forward');
    expect(r.sideEffects.origin).toEqual([
      { op: 'updateRequestOrigin', params: { domainName: 'eu.example.com', originPath: '/site', timeouts: { readTimeout: 30, connectionTimeout: 5 }, customHeaders: { 'x-region': 'eu' } } },
    ]);
    expect(r.sideEffects.customData).toBe('edge=IAD');
    expect((r.effective as any).origin).toEqual(r.sideEffects.origin);
    const r2 = sync(f.invoke(vrEvent({ uri: '/api/x' })));
    expect(r2.sideEffects.origin).toEqual([{ op: 'selectRequestOriginById', originId: 'api-origin' }]);
    const r3 = sync(f.invoke(vrEvent({ uri: '/other' })));
    expect(r3.sideEffects.origin).toEqual([]);
    expect((r3.effective as any).origin).toBeUndefined();
  });
  it('invalid origin parameters are an execution error', async () => {
    const bad = [
      "cf.updateRequestOrigin({domainName: 5})",
      "cf.updateRequestOrigin({timeouts: {readTimeout: 500}})",
      "cf.updateRequestOrigin({domainNmae: 'typo.example.com'})",
      "cf.selectRequestOriginById('')",
      "cf.createRequestOriginGroup({originIds: ['a']})",
    ];
    for (const b of bad) {
      const r = await load(b).invoke(vrEvent());
      expect(r.outcome.kind, b).toBe('execution-error');
    }
    const ok = await load("cf.createRequestOriginGroup({originIds: ['a', 'b'], failoverCriteria: {statusCodes: [500, 503]}})").invoke(vrEvent());
    expect(ok.sideEffects.origin).toHaveLength(1);
  });
  it('logCustomData keeps at most 800 bytes', async () => {
    const r = await load("cf.logCustomData('x'.repeat(900))").invoke(vrEvent());
    expect(r.sideEffects.customData).toHaveLength(800);
  });
});

describe('KVS snapshot files', () => {
  it('loads the AWS import format', () => {
    const s = loadKvsFile(fixturePath('kvs', 'secrets.json'));
    expect(s.entries.get('jwt.secret')).toBe('s3cr3t');
    expect(s.meta.keyCount).toBe(2);
  });
  it.each([
    [{ items: [] }, /not a KeyValueStore import file/],
    [{ data: [{ key: 'a' }] }, /data\[0\] must be/],
    [{ data: [{ key: 'k'.repeat(513), value: '' }] }, /key is 513 bytes/],
    [{ data: [{ key: 'a', value: 'v'.repeat(1025) }] }, /1025 bytes \(max 1024\)/],
    [{ data: [{ key: 'a', value: '1' }, { key: 'a', value: '2' }] }, /duplicate key/],
  ])('rejects %j', (doc, re) => {
    expect(() => parseKvsSnapshot(doc, 'kvs.json')).toThrow(re);
  });
  it('rejects a store over 5 MB', () => {
    const data = Array.from({ length: 5300 }, (_, i) => ({ key: `k${i}`, value: 'v'.repeat(1000) }));
    expect(() => parseKvsSnapshot({ data })).toThrow(/5 MB/);
  });
  it('missing file / wrong format are KvsFileError with the path', () => {
    expect(() => loadKvsFile('/nonexistent/kvs.json')).toThrow(KvsFileError);
    expect(() => loadKvsFile(fixturePath('kvs', 'wrong-format.json'))).toThrow(/wrong-format\.json: not a KeyValueStore import file/);
  });
});

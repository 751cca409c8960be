/**
 * In-realm script for the isolation tests: calls every built-in module
 * function and method a function can reach with valid arguments, then with
 * bad ones, and near a stack overflow, and collects what comes back and what
 * is thrown (including promise results and rejections, which land later: wait
 * for the microtask queue to drain before reading `out`).
 *
 * It is compiled in the sandbox context (vm.runInContext), so the arguments it
 * passes are realm values, as a function's would be. `out` is a realm array of
 * [label, value] pairs.
 */
export const EXERCISE_SOURCE = String.raw`(function (runtime2) {
'use strict';
var out = [];
function keep(label, v) { out.push([label, v]); return v; }
function attempt(label, f) {
  try { keep(label, f()); } catch (e) { keep(label + ' threw', e); }
}
function later(label, p) {
  keep(label + ' promise', p);
  if (p !== null && typeof p === 'object' && typeof p.then === 'function') {
    p.then(function (v) { keep(label + ' resolved', v); }, function (e) { keep(label + ' rejected', e); });
  }
}
// A module call made with little stack left, at each of the last 120 frames
// before an overflow: errors thrown at the host boundary (inside a bridge)
// must be of this realm too.
function nearOverflow(label, f) {
  var tries = 0;
  function rec(n) {
    try { rec(n + 1); } catch (e) {
      if (tries < 120) {
        tries++;
        if (tries === 1) keep(label + ' overflow', e);
        try { keep(label + ' near overflow', f()); } catch (e2) { keep(label + ' near overflow threw', e2); }
      }
      throw e;
    }
  }
  try { rec(0); } catch (e) { keep(label + ' unwound', e); }
}

var crypto = require('crypto'), qs = require('querystring');

// ---- crypto ----
['md5', 'sha1', 'sha256'].forEach(function (alg) {
  var h = keep('createHash ' + alg, crypto.createHash(alg));
  keep('hash.update ' + alg, h.update('x'));
  keep('hash.update(bytes) ' + alg, h.update(runtime2 ? new Uint8Array([1, 2]) : 'y'));
  keep('hash.digest() ' + alg, h.digest());
  ['hex', 'base64', 'base64url'].forEach(function (enc) {
    keep('digest ' + alg + ' ' + enc, crypto.createHash(alg).update('x').digest(enc));
    keep('hmac digest ' + alg + ' ' + enc, crypto.createHmac(alg, 'k').update('x').digest(enc));
  });
  var m = keep('createHmac ' + alg, crypto.createHmac(alg, 'key'));
  keep('hmac.update ' + alg, m.update('x'));
  keep('hmac.digest() ' + alg, m.digest());
  attempt('digest twice ' + alg, function () { return m.digest('hex'); });
  attempt('update after digest ' + alg, function () { return m.update('x'); });
});
attempt('createHash bad alg', function () { return crypto.createHash('sha512'); });
attempt('createHash no alg', function () { return crypto.createHash(); });
attempt('createHmac bad alg', function () { return crypto.createHmac('nope', 'k'); });
attempt('createHmac no key', function () { return crypto.createHmac('sha256'); });
attempt('digest bad encoding', function () { return crypto.createHash('sha256').digest('latin9'); });
attempt('update object', function () { return crypto.createHash('sha256').update({ toString: function () { return 'o'; } }).digest('hex'); });
attempt('update symbol', function () { return crypto.createHash('sha256').update(Symbol('s')); });

// ---- querystring ----
keep('qs.parse', qs.parse('a=1&b=2&b=3&__proto__=x&constructor=y&c=%E2%82%AC&d'));
keep('qs.parse sep eq', qs.parse('a:1;b:2', ';', ':', { maxKeys: 1 }));
keep('qs.parse custom decode', qs.parse('a=1', null, null, { decodeURIComponent: function (s) { return s + '!'; } }));
keep('qs.decode', qs.decode('x=1'));
keep('qs.stringify', qs.stringify({ a: 1, b: ['2', '3'], c: true, d: null, e: {} }));
keep('qs.encode', qs.encode({ a: 'b' }, ';', ':', { encodeURIComponent: function (s) { return s; } }));
keep('qs.escape', qs.escape('a b&c'));
keep('qs.unescape', qs.unescape('a%20b%zz'));
attempt('qs.parse symbol', function () { return qs.parse(Symbol('s')); });
attempt('qs.stringify symbol key', function () { var o = {}; o[Symbol('s')] = 1; return qs.stringify(o); });
attempt('qs.escape lone surrogate', function () { return qs.escape('\ud800'); });
attempt('qs.stringify throwing encoder', function () { return qs.stringify({ a: 1 }, null, null, { encodeURIComponent: function () { throw new Error('enc'); } }); });

// ---- require ----
attempt('require unknown', function () { return require('fs'); });
attempt('require child_process', function () { return require('child_process'); });
attempt('require symbol', function () { return require(Symbol('s')); });
keep('require', require);

// ---- misc built-ins ----
attempt('JSON.parse bad', function () { return JSON.parse('{'); });
attempt('eval', function () { return eval('1'); });
attempt('Function ctor', function () { return Function('return 1'); });
attempt('undefined call', function () { return undefined.x; });
attempt('Date', function () { return [new Date(), Date(), Date.now()]; });
keep('Math.random', Math.random());
keep('console', console);
keep('console.log', console.log({ a: 1 }));
keep('console.log fn', console.log(function f() {}));
later('new Promise throw', new Promise(function () { throw new Error('exec'); }));
later('Promise.reject', Promise.reject(new TypeError('r')));
later('Promise.all', Promise.all([1, Promise.resolve(2)]));
later('Promise.allSettled', Promise.allSettled([Promise.reject(new Error('s'))]));
later('Promise.any', Promise.any([Promise.reject(new Error('a'))]));
later('async fn', (async function () { await null; throw new RangeError('async'); })());
keep('arguments', (function () { return arguments; })(1, 2));
keep('regexp exec', /(a)(?<n>b)/.exec('ab'));
keep('string iterator', ''[Symbol.iterator]());
keep('array iterator', [][Symbol.iterator]());
keep('generator', (function* () { yield 1; })());
attempt('stack overflow', function () { function f() { return f() + 1; } return f(); });
attempt('huge array', function () { return new Array(-1); });
attempt('bad typed array', function () { return new Uint8Array(-1); });

if (runtime2) {
  // ---- Buffer ----
  var B = Buffer;
  var b = keep('Buffer.from', B.from('hello world'));
  keep('Buffer.from hex', B.from('0a0b', 'hex'));
  keep('Buffer.from base64', B.from('aGk=', 'base64'));
  keep('Buffer.from base64url', B.from('aGk', 'base64url'));
  keep('Buffer.from array', B.from([1, 2, 3]));
  keep('Buffer.from arraybuffer', B.from(new ArrayBuffer(4), 1, 2));
  keep('Buffer.alloc', B.alloc(8, 'ab'));
  keep('Buffer.allocUnsafe', B.allocUnsafe(4));
  keep('Buffer.allocUnsafeSlow', B.allocUnsafeSlow(4));
  keep('Buffer.concat', B.concat([b, B.from('!')]));
  keep('Buffer.compare', B.compare(b, b));
  keep('Buffer.isBuffer', B.isBuffer(b));
  keep('Buffer.isEncoding', B.isEncoding('base64url'));
  keep('Buffer.byteLength', B.byteLength('abc', 'base64url'));
  var methods = Object.getOwnPropertyNames(Object.getPrototypeOf(b)).concat(Object.getOwnPropertyNames(Object.getPrototypeOf(Object.getPrototypeOf(b))));
  methods.forEach(function (name) {
    if (name === 'constructor') return;
    var d = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(b), name) || Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Object.getPrototypeOf(b)), name);
    if (!d || typeof d.value !== 'function') return;
    var buf = B.from('abcdefgh12345678');
    attempt('buf.' + name + '()', function () { return buf[name](); });
    attempt('buf.' + name + '(1)', function () { return buf[name](1); });
    attempt('buf.' + name + '(0, 4)', function () { return buf[name](0, 4); });
    attempt('buf.' + name + '("ab", "hex")', function () { return buf[name]('ab', 'hex'); });
    attempt('buf.' + name + '(buf)', function () { return buf[name](B.from('ab')); });
    attempt('buf.' + name + '(fn)', function () { return buf[name](function (x) { return x; }); });
    attempt('buf.' + name + '(100)', function () { return buf[name](100); });
  });
  keep('buf.toJSON', b.toJSON());
  keep('buf.entries', b.entries());
  keep('buf.toString base64url', b.toString('base64url'));
  attempt('Buffer.from object', function () { return B.from({}); });
  attempt('Buffer.from undefined', function () { return B.from(); });
  attempt('Buffer.alloc negative', function () { return B.alloc(-1); });
  attempt('Buffer.concat bad', function () { return B.concat(1); });
  attempt('Buffer.concat bad item', function () { return B.concat([1]); });
  attempt('Buffer() call', function () { return B('x'); });
  attempt('buf.readUInt32LE out of range', function () { return b.readUInt32LE(100); });
  attempt('buf.write bad', function () { return b.write(1); });
  attempt('buf.toString bad enc', function () { return b.toString('nope'); });
  attempt('buf.fill bad', function () { return b.fill('zz', 0, 4, 'hex'); });
  attempt('buf.copy bad', function () { return b.copy(1); });
  attempt('buf.equals bad', function () { return b.equals(1); });
  attempt('buf.compare bad', function () { return b.compare(1); });
  attempt('buf.swap16 bad', function () { return B.from('abc').swap16(); });
  attempt('buf.writeInt8 range', function () { return b.writeInt8(1000, 0); });
  // ---- TextEncoder / TextDecoder / atob / btoa ----
  var te = keep('new TextEncoder', new TextEncoder());
  keep('te.encode', te.encode('h\u00e9\ud83d\ude00'));
  keep('te.encodeInto', te.encodeInto('abc', new Uint8Array(2)));
  keep('te.encoding', te.encoding);
  var td = keep('new TextDecoder', new TextDecoder('utf-8', { fatal: false }));
  keep('td.decode', td.decode(new Uint8Array([104, 105])));
  keep('td.decode arraybuffer', td.decode(new ArrayBuffer(2)));
  attempt('TextDecoder bad label', function () { return new TextDecoder('latin9'); });
  attempt('TextDecoder fatal', function () { return new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xff])); });
  attempt('td.decode bad', function () { return td.decode(1); });
  attempt('TextEncoder call', function () { return TextEncoder(); });
  attempt('te.encodeInto bad', function () { return te.encodeInto('a', null); });
  keep('atob', atob('aGk='));
  keep('btoa', btoa('hi'));
  attempt('atob bad', function () { return atob('*'); });
  attempt('atob none', function () { return atob(); });
  attempt('btoa wide', function () { return btoa('\u0100'); });
  // ---- cloudfront ----
  var cf = require('cloudfront');
  keep('buffer module', require('buffer'));
  var kvs = keep('cf.kvs()', cf.kvs());
  keep('cf.kvs(id)', cf.kvs('kvs-id'));
  later('kvs.get', kvs.get('k'));
  later('kvs.get json', kvs.get('j', { format: 'json' }));
  later('kvs.get bytes', kvs.get('k', { format: 'bytes' }));
  later('kvs.get bad json', kvs.get('k', { format: 'json' }));
  later('kvs.get bad format', kvs.get('k', { format: 'xml' }));
  later('kvs.get missing', kvs.get('missing'));
  later('kvs.get long key', kvs.get(new Array(600).join('k')));
  later('kvs.exists', kvs.exists('k'));
  later('kvs.exists missing', kvs.exists('nope'));
  later('kvs.meta', kvs.meta());
  keep('cf.edgeLocation', cf.edgeLocation);
  attempt('cf.updateRequestOrigin', function () { return cf.updateRequestOrigin({ domainName: 'example.com' }); });
  attempt('cf.updateRequestOrigin bad', function () { return cf.updateRequestOrigin({ domainName: 1, timeouts: { readTimeout: -1 } }); });
  attempt('cf.updateRequestOrigin none', function () { return cf.updateRequestOrigin(); });
  attempt('cf.updateRequestOrigin cyclic', function () { var o = {}; o.o = o; return cf.updateRequestOrigin(o); });
  attempt('cf.selectRequestOriginById', function () { return cf.selectRequestOriginById('origin-1'); });
  attempt('cf.selectRequestOriginById bad', function () { return cf.selectRequestOriginById(1, 2); });
  attempt('cf.createRequestOriginGroup', function () { return cf.createRequestOriginGroup({ originIds: ['a', 'b'], failoverCriteria: { statusCodes: [500] } }); });
  attempt('cf.createRequestOriginGroup bad', function () { return cf.createRequestOriginGroup({ originIds: 1 }); });
  attempt('cf.logCustomData', function () { return cf.logCustomData('x'); });
} else {
  // ---- 1.0 byte strings ----
  keep('String.bytesFrom hex', String.bytesFrom('6869', 'hex'));
  keep('String.bytesFrom base64', String.bytesFrom('aGk=', 'base64'));
  keep('String.bytesFrom array', String.bytesFrom([104, 105]));
  keep('toUTF8', 'h\u00e9'.toUTF8());
  keep('fromUTF8', '\xc3\xa9'.fromUTF8());
  keep('toBytes', 'ab'.toBytes());
  keep('fromBytes', 'ab'.fromBytes(0, 1));
  attempt('String.bytesFrom bad enc', function () { return String.bytesFrom('aa', 'utf16'); });
  attempt('String.bytesFrom bad value', function () { return String.bytesFrom(1); });
  attempt('String.bytesFrom symbol', function () { return String.bytesFrom(Symbol('s')); });
}

// ---- near a stack overflow, for each module entry point ----
nearOverflow('createHash', function () { return crypto.createHash('sha256').update('x').digest('hex'); });
nearOverflow('createHmac', function () { return crypto.createHmac('sha1', 'k').update('x').digest(); });
nearOverflow('qs.parse', function () { return qs.parse('a=1&b=%zz'); });
nearOverflow('require', function () { return require('nope'); });
nearOverflow('console.log', function () { return console.log({ a: [1, 2] }); });
if (runtime2) {
  nearOverflow('Buffer', function () { return Buffer.from('abc').toString('base64'); });
  nearOverflow('Buffer.alloc', function () { return Buffer.alloc(16).fill(1); });
  nearOverflow('TextEncoder', function () { return new TextEncoder().encode('x'); });
  nearOverflow('atob', function () { return atob('aGk='); });
  nearOverflow('kvs.get', function () { return require('cloudfront').kvs().get('k'); });
  nearOverflow('origin', function () { return require('cloudfront').updateRequestOrigin({ domainName: 'example.com' }); });
} else {
  nearOverflow('String.bytesFrom', function () { return String.bytesFrom('6869', 'hex'); });
}
// ---- past the per-call allocation budget (last: every later allocation of the call fails) ----
attempt('over budget ArrayBuffer', function () { return new ArrayBuffer(4 * 1024 * 1024 * 1024); });
if (runtime2) attempt('Buffer.alloc huge', function () { return Buffer.alloc(1e9); });
return out;
})`;

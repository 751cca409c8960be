/**
 * The escape paths issue 12 lists (and a few neighbours), as expressions a
 * function can write, each giving a value whose call with a source string
 * would, if it were the host's Function, compile host code. Shared by the
 * escape tests (in-process, `cfreplay run`, replay workers).
 */
import type { Runtime } from '../../src/runtime/index.js';

export interface EscapePath {
  name: string;
  /** An expression evaluating to the candidate constructor (inside the handler: `event` is in scope). */
  expr: string;
  /** Needs an async handler (the value comes from an awaited promise). */
  awaited?: boolean;
}

const caught = (stmt: string): string => `(function () { try { ${stmt}; } catch (e) { return e; } return null; })()`;

const COMMON: EscapePath[] = [
  { name: 'globalThis.constructor.constructor', expr: 'globalThis.constructor.constructor' },
  { name: 'this-less Function via Object', expr: 'Object.constructor' },
  { name: 'require.constructor', expr: 'require.constructor' },
  { name: "require('crypto').createHash.constructor", expr: "require('crypto').createHash.constructor" },
  { name: 'hash.update.constructor', expr: "require('crypto').createHash('sha256').update.constructor" },
  { name: 'hash object constructor.constructor', expr: "require('crypto').createHash('sha256').constructor.constructor" },
  { name: 'hmac.digest.constructor', expr: "require('crypto').createHmac('sha1', 'k').digest.constructor" },
  { name: "require('querystring').parse.constructor", expr: "require('querystring').parse.constructor" },
  { name: 'querystring.parse result constructor.constructor', expr: "require('querystring').parse('a=1').constructor.constructor" },
  { name: 'Promise.prototype.then.constructor', expr: 'Promise.prototype.then.constructor' },
  { name: 'a then() result constructor.constructor', expr: 'Promise.resolve(1).then(function () {}).constructor.constructor' },
  { name: 'console.log.constructor', expr: 'console.log.constructor' },
  { name: 'Date (frozen clock) constructor', expr: 'Date.constructor' },
  { name: 'Math.random (seeded) constructor', expr: 'Math.random.constructor' },
  { name: 'event.constructor.constructor', expr: 'event.constructor.constructor' },
  { name: 'event.request.headers.constructor.constructor', expr: 'event.request.headers.constructor.constructor' },
  { name: 'arguments[Symbol.iterator].constructor', expr: '(function () { return arguments; })()[Symbol.iterator].constructor' },
  { name: 'error from require(unknown) constructor.constructor', expr: `${caught("require('fs')")}.constructor.constructor` },
  { name: 'error from createHash(bad) constructor.constructor', expr: `${caught("require('crypto').createHash('sha512')")}.constructor.constructor` },
  { name: 'error from digest twice constructor.constructor', expr: `${caught("var h = require('crypto').createHash('md5'); h.digest('hex'); h.digest('hex')")}.constructor.constructor` },
  { name: 'TypeError from the engine constructor.constructor', expr: `${caught('null.x')}.constructor.constructor` },
  { name: 'stack overflow RangeError constructor.constructor', expr: `${caught('(function f() { return f() + 1; })()')}.constructor.constructor` },
  { name: 'EvalError of eval itself constructor.constructor', expr: `${caught("eval('1')")}.constructor.constructor` },
];

const V1: EscapePath[] = [
  { name: 'String.bytesFrom.constructor', expr: 'String.bytesFrom.constructor' },
  { name: 'String.prototype.toUTF8.constructor', expr: "'a'.toUTF8.constructor" },
  { name: 'error from String.bytesFrom(bad) constructor.constructor', expr: `${caught('String.bytesFrom(1)')}.constructor.constructor` },
];

const V2: EscapePath[] = [
  { name: 'Buffer.constructor', expr: 'Buffer.constructor' },
  { name: 'Buffer instance constructor.constructor', expr: "Buffer.from('a').constructor.constructor" },
  { name: 'Buffer instance method constructor', expr: "Buffer.from('a').toString.constructor" },
  { name: "require('buffer').Buffer.alloc.constructor", expr: "require('buffer').Buffer.alloc.constructor" },
  { name: 'error from Buffer.alloc(-1) constructor.constructor', expr: `${caught('Buffer.alloc(-1)')}.constructor.constructor` },
  { name: 'error from buf.readUInt32LE(100) constructor.constructor', expr: `${caught("Buffer.from('a').readUInt32LE(100)")}.constructor.constructor` },
  { name: 'atob.constructor', expr: 'atob.constructor' },
  { name: 'btoa.constructor', expr: 'btoa.constructor' },
  { name: 'error from atob(bad) constructor.constructor', expr: `${caught("atob('*')")}.constructor.constructor` },
  { name: 'TextEncoder.constructor', expr: 'TextEncoder.constructor' },
  { name: 'TextEncoder output constructor.constructor', expr: "new TextEncoder().encode('a').constructor.constructor" },
  { name: 'TextDecoder.prototype.decode.constructor', expr: 'TextDecoder.prototype.decode.constructor' },
  { name: "require('cloudfront').kvs.constructor", expr: "require('cloudfront').kvs.constructor" },
  { name: 'kvs handle get.constructor', expr: "require('cloudfront').kvs().get.constructor" },
  { name: 'kvs.get promise then.constructor', expr: "require('cloudfront').kvs().get('k').then.constructor" },
  { name: 'cf.updateRequestOrigin.constructor', expr: "require('cloudfront').updateRequestOrigin.constructor" },
  { name: 'error from cf.updateRequestOrigin(bad) constructor.constructor', expr: `${caught("require('cloudfront').updateRequestOrigin({ domainName: 1 })")}.constructor.constructor` },
  { name: 'cf.edgeLocation getter constructor', expr: "Object.getOwnPropertyDescriptor(require('cloudfront'), 'edgeLocation').get.constructor" },
  { name: 'event.request.rawQueryString.constructor', expr: 'event.request.rawQueryString.constructor' },
  { name: 'async function constructor', expr: 'Object.getPrototypeOf(async function () {}).constructor' },
  { name: 'kvs.get rejection constructor.constructor', expr: "(await require('cloudfront').kvs().get('missing').then(null, function (e) { return e; })).constructor.constructor", awaited: true },
  { name: 'kvs.meta result constructor.constructor', expr: "(await require('cloudfront').kvs().meta()).constructor.constructor", awaited: true },
];

export function escapePaths(runtime: Runtime): EscapePath[] {
  return [...COMMON, ...(runtime === 'cloudfront-js-2.0' ? V2 : V1)];
}

/**
 * A handler that tries every given path: with the candidate F it runs
 * F('return process')() and, when that gives a process, writes `marker-<i>`
 * with fs and (when `kill`) sends itself SIGTERM. Header x-esc-<i> gets the
 * name of what was thrown ('EvalError' expected) or 'ESCAPED'. Compact: the
 * whole source must stay under CloudFront's 10 KB.
 */
export function hostileSource(paths: EscapePath[], marker: string, kill: boolean): string {
  const async = paths.some((p) => p.awaited);
  const tries = paths
    .map((p, i) =>
      p.awaited
        ? `  var a${i} = ${p.expr};\n  esc(event, ${i}, function () { return a${i}; });` // njs refuses an await inside call arguments
        : `  esc(event, ${i}, function () { return ${p.expr}; });`,
    )
    .join('\n');
  return `function esc(event, i, get) {
  var r;
  try {
    var p = get()('return process')();
    r = 'ESCAPED';
    try { (p.getBuiltinModule ? p.getBuiltinModule('fs') : p.mainModule.require('fs')).writeFileSync(${JSON.stringify(marker)} + '-' + i, 'escaped'); } catch (w) { r = 'ESCAPED (no fs)'; }
    ${kill ? 'p.kill(p.pid);' : ''}
  } catch (e) { r = e !== null && typeof e === 'object' ? String(e.name) : typeof e; }
  event.request.headers['x-esc-' + i] = { value: r };
}
${async ? 'async ' : ''}function handler(event) {
${tries}
  return event.request;
}
`;
}

/** The same headers, all 'EvalError', without trying anything (the expected output). */
export function expectedSource(paths: EscapePath[]): string {
  return `function handler(event) {
${paths.map((_p, i) => `  event.request.headers['x-esc-${i}'] = { value: 'EvalError' };`).join('\n')}
  return event.request;
}
`;
}

// The sandbox before and after the isolation work, side by side in one process:
// per-call time of the same functions on the same events, with fresh state per
// event, through an older build's dist/ (--old <dir>, e.g. a worktree of the
// commit before) and this checkout's dist/, in alternating rounds.
// Usage: npx tsc -p tsconfig.json && node bench/isolation-bench.mjs --old /tmp/oldtree [--events N] [--rounds R]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const oldDir = opt('--old');
if (!oldDir) { console.error('usage: node bench/isolation-bench.mjs --old <checkout with a built dist/>'); process.exit(2); }
const N = Number(opt('--events', 4000));
const ROUNDS = Number(opt('--rounds', 5));
const here = new URL('../', import.meta.url);
const NEW = await import(new URL('dist/runtime/index.js', here).href);
const OLD = await import(pathToFileURL(join(resolve(oldDir), 'dist/runtime/index.js')).href);

function events(n, type) {
  const uris = ['/', '/app/', '/app/settings', '/static/main.js', '/docs/intro', '/img/logo.png'];
  return Array.from({ length: n }, (_, i) => {
    const ev = {
      version: '1.0',
      context: { distributionDomainName: 'd1.cloudfront.net', distributionId: 'E1', eventType: type, requestId: 'r' + i },
      viewer: { ip: '198.51.100.' + (i % 250) },
      request: {
        method: 'GET', uri: uris[i % uris.length], querystring: i % 3 === 0 ? { utm: { value: 'x' + i } } : {},
        headers: { host: { value: 'www.example.com' }, 'user-agent': { value: 'Mozilla/5.0 bench ' + (i % 10) }, accept: { value: 'text/html' } },
        cookies: i % 2 === 0 ? { session: { value: 's' + i } } : {},
      },
    };
    if (type === 'viewer-response') ev.response = { statusCode: 200, statusDescription: 'OK', headers: { 'content-type': { value: 'text/html' }, etag: { value: '"e' + i + '"' } }, cookies: {} };
    return ev;
  });
}
const cases = [
  ['SPA rewrite', readFileSync(new URL('examples/spa-rewrite.js', here), 'utf8'), 'viewer-request'],
  ['security headers', readFileSync(new URL('test/fixtures/functions/security-headers.js', here), 'utf8'), 'viewer-response'],
  ['crypto (sha256 of the uri)', `var crypto = require('crypto'); function handler(e) { e.request.headers['x-h'] = { value: crypto.createHash('sha256').update(e.request.uri).digest('hex') }; return e.request; }`, 'viewer-request'],
];
// CPU time of this thread, not wall time: steadier on a machine shared with other work.
function time(fn, evs) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < evs.length; i++) fn.invoke(evs[i], { now: 1.7e12 });
  const d = process.cpuUsage(c0);
  return ((d.user + d.system) * 1000) / evs.length;
}
console.log(`sandbox call time, fresh state per event: old = ${oldDir}, new = this checkout (${N} events, best of ${ROUNDS} alternating rounds, CPU time per call)`);
for (const [name, src, type] of cases) {
  const evs = events(N, type);
  const fo = OLD.loadFunction(src, { eventType: type });
  const fn = NEW.loadFunction(src, { eventType: type });
  // As in a replay chunk (symbol-keyed globals looked for per batch, not per call), where the checkout has batches.
  fo.startBatch?.();
  fn.startBatch?.();
  let bo = Infinity, bn = Infinity;
  for (let r = 0; r < ROUNDS; r++) { bo = Math.min(bo, time(fo, evs)); bn = Math.min(bn, time(fn, evs)); }
  console.log(`  ${name.padEnd(28)} old ${bo.toFixed(0).padStart(6)} ns   new ${bn.toFixed(0).padStart(6)} ns   new/old ${(bn / bo).toFixed(2)}x`);
}

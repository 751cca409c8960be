// Sandbox vs direct-call throughput for typical CloudFront Functions.
// Usage: npx tsc -p tsconfig.json && node bench/runtime-bench.mjs [--events N] [--rounds R]
// Fresh state per event in the sandbox (new top-level state, in-realm event
// copy, validation and effective form included) vs calling the same handler in
// plain Node on the same pre-built events, (a) on a fresh copy of each event
// (what any correct harness must do: handlers mutate their event) and (b) on
// the event itself (mutating it; lower bound).
import { readFileSync } from 'node:fs';
import { loadFunction } from '../dist/runtime/index.js';

const args = process.argv.slice(2);
const arg = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt; };
const N = arg('--events', 2000);
const ROUNDS = arg('--rounds', 5);
const fixtures = new URL('../test/fixtures/functions/', import.meta.url);

function makeRequestEvents(n, type) {
  const uris = ['/', '/app/', '/app/settings', '/static/main.js', '/docs/intro', '/img/logo.png'];
  const out = [];
  for (let i = 0; i < n; i++) {
    const ev = {
      version: '1.0',
      context: { distributionDomainName: 'd1.cloudfront.net', distributionId: 'E1', eventType: type, requestId: 'r' + i },
      viewer: { ip: '198.51.100.' + (i % 250) },
      request: {
        method: 'GET', uri: uris[i % uris.length] + (i % 7 === 0 ? '' : ''),
        querystring: i % 3 === 0 ? { utm: { value: 'x' + i } } : {},
        headers: { host: { value: 'www.example.com' }, 'user-agent': { value: 'Mozilla/5.0 bench ' + (i % 10) }, accept: { value: 'text/html' }, 'accept-language': { value: 'en-US,en;q=0.9' } },
        cookies: i % 2 === 0 ? { session: { value: 's' + i } } : {},
      },
    };
    if (type === 'viewer-response') {
      ev.response = { statusCode: 200, statusDescription: 'OK', headers: { 'content-type': { value: 'text/html' }, 'content-length': { value: '1234' }, etag: { value: '"e' + i + '"' } }, cookies: {} };
    }
    out.push(ev);
  }
  return out;
}

function copyEvent(v) {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) { const a = []; for (let i = 0; i < v.length; i++) a.push(copyEvent(v[i])); return a; }
  const o = {}; for (const k in v) o[k] = copyEvent(v[k]); return o;
}

function timeIt(fn, events) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < events.length; i++) fn(events[i]);
  return Number(process.hrtime.bigint() - t0);
}

function bench(name, file, type) {
  const source = readFileSync(new URL(file, fixtures), 'utf8');
  const events = makeRequestEvents(N, type);
  const loaded = loadFunction(source, { filename: file });
  loaded.startBatch?.(); // as in a replay chunk (symbol-keyed globals looked for per batch)
  // Direct: the same source compiled as a plain Node function (compiled once, like the sandbox).
  const directHandler = new Function(`'use strict';\n${source}\n;return handler;`)();
  const variants = {
    sandbox: (ev) => { const r = loaded.invoke(ev, { now: 1700000000000 }); if (r.outcome.kind === 'execution-error') throw new Error(JSON.stringify(r.outcome)); },
    'direct+copy': (ev) => directHandler(copyEvent(ev)),
    'direct (mutates)': (ev) => directHandler(ev),
  };
  const best = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, f] of Object.entries(variants)) {
      const evs = k === 'direct (mutates)' ? events.map(copyEvent) : events; // do not corrupt the shared events
      const ns = timeIt(f, evs);
      best[k] = Math.min(best[k] ?? Infinity, ns);
    }
  }
  const ops = (k) => (N / (best[k] / 1e9));
  console.log(`\n${name} (${file}, ${N} events, best of ${ROUNDS} rounds)`);
  for (const k of Object.keys(variants)) console.log(`  ${k.padEnd(18)} ${Math.round(ops(k)).toLocaleString('en-US').padStart(12)} inv/s  ${(best[k] / N).toFixed(0).padStart(6)} ns/inv`);
  console.log(`  ratio sandbox / direct+copy:      ${(best.sandbox / best['direct+copy']).toFixed(2)}x`);
  console.log(`  ratio sandbox / direct (mutates): ${(best.sandbox / best['direct (mutates)']).toFixed(2)}x`);
  return best.sandbox / best['direct+copy'];
}

const r1 = bench('SPA rewrite (viewer-request)', 'spa-rewrite.js', 'viewer-request');
const r2 = bench('Security headers (viewer-response)', 'security-headers.js', 'viewer-response');
const worst = Math.max(r1, r2);
console.log(`\nworst ratio vs direct+copy: ${worst.toFixed(2)}x (target <= 3x): ${worst <= 3 ? 'OK' : 'OVER TARGET'}`);

// Write a big, realistic HAR file as a stream (never held in memory).
// Usage: npx tsc -p tsconfig.json && node bench/gen-har.mjs [--size-mb 1024] [--out bench/out/big.har] [--seed 7]
//        node bench/gen-har.mjs --entries 300000 [--no-bodies] --out x.har   (exactly N entries, whatever the size;
//        --no-bodies leaves response bodies out, as a HAR saved without content is: a million entries stay ~2 GB)
//
// Entries come from the synthetic traffic generator (bench/synthetic.mjs):
// varied hosts, paths, raw query strings, cookies, user agents, statuses.
// Shaped like a Chrome DevTools export: pretty-printed with two-space indent,
// HTTP/2 pseudo-headers on about half the requests, cookies[] and
// queryString[] (decoded, as producers write them), Set-Cookie lines, a few
// `_fromCache` entries, timings, and response bodies (`content.text`) of a
// few KB: HTML, JSON, JavaScript, and base64 for images.
import { createWriteStream } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { prng, syntheticExchange } from './synthetic.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const sizeMb = Number(opt('--size-mb', '1024'));
const out = opt('--out', new URL('./out/big.har', import.meta.url).pathname);
const seed = Number(opt('--seed', '7'));
const target = sizeMb * 1024 * 1024;
const entries = args.includes('--entries') ? Number(opt('--entries', '0')) : undefined;
const bodies = !args.includes('--no-bodies');

const WORDS = 'the of and to in is for on with as by at from this that be are was it an or which new shoes sale red blue order cart price free shipping guide size review'.split(' ');

function words(r, n) {
  let s = '';
  for (let i = 0; i < n; i++) s += (i ? ' ' : '') + WORDS[(r() * WORDS.length) | 0];
  return s;
}

/** A pool of realistic bodies, reused: generating a fresh one per entry would dominate. */
function bodyPool(r) {
  const pool = [];
  for (let k = 0; k < 48; k++) {
    const size = 1500 + ((r() * 6000) | 0);
    const kind = k % 4;
    let text = '';
    let mimeType;
    let encoding;
    if (kind === 0) {
      mimeType = 'text/html; charset=utf-8';
      text = '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>' + words(r, 5) + '</title>\n<link rel="stylesheet" href="/static/css/app.css"></head>\n<body>\n';
      while (text.length < size) text += `<div class="card" data-id="${(r() * 1e6) | 0}"><h2>${words(r, 4)}</h2><p>${words(r, 30)} &quot;quoted&quot; &amp; more</p><a href="/products/${(r() * 1e5) | 0}?ref=home&amp;pos=${(r() * 20) | 0}">view</a></div>\n`;
      text += '<script>window.__STATE__ = {"user":null,"cart":[],"flags":{"new_checkout":true}};</script>\n</body></html>\n';
    } else if (kind === 1) {
      mimeType = 'application/json';
      const items = [];
      while (JSON.stringify(items).length < size) items.push({ id: (r() * 1e7) | 0, name: words(r, 3), price: Math.round(r() * 50000) / 100, tags: [words(r, 1), words(r, 1)], desc: `${words(r, 12)} "${words(r, 2)}" \\ back\\slash` });
      text = JSON.stringify({ items, page: 1, total: items.length * 17 });
    } else if (kind === 2) {
      mimeType = 'application/javascript';
      text = '"use strict";\n';
      while (text.length < size) text += `function f${(r() * 1e6) | 0}(a,b){if(a==="${words(r, 1)}"){return {k:'${words(r, 2)}',v:b+${(r() * 100) | 0}}}return null}\nvar s${(r() * 1e4) | 0}="${words(r, 6)}\\n{not:json}";\n`;
    } else {
      mimeType = 'image/webp';
      encoding = 'base64';
      const bytes = Buffer.alloc((size * 3) >> 2);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (r() * 256) | 0;
      text = bytes.toString('base64');
    }
    pool.push({ text, mimeType, encoding });
  }
  return pool;
}

function decodeQuery(query) {
  if (query === undefined) return [];
  return query.split('&').filter(Boolean).map((p) => {
    const eq = p.indexOf('=');
    const dec = (s) => { try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch { return s; } };
    return eq < 0 ? { name: dec(p), value: '' } : { name: dec(p.slice(0, eq)), value: dec(p.slice(eq + 1)) };
  });
}

function parseCookies(value) {
  return value.split(';').map((p) => p.trim()).filter(Boolean).map((p) => {
    const eq = p.indexOf('=');
    return { name: p.slice(0, eq), value: p.slice(eq + 1) };
  });
}

function harEntry(r, ex, pool) {
  const url = new URL(ex.url);
  const rawQuery = ex.url.includes('?') ? ex.url.slice(ex.url.indexOf('?') + 1) : undefined;
  const h2 = r() < 0.5;
  let headers = ex.headers;
  if (h2) {
    headers = [
      { name: ':authority', value: url.host },
      { name: ':method', value: ex.method },
      { name: ':path', value: url.pathname + (rawQuery !== undefined ? `?${rawQuery}` : '') },
      { name: ':scheme', value: 'https' },
      ...ex.headers.filter((h) => h.name !== 'Host').map((h) => ({ name: h.name.toLowerCase(), value: h.value })),
    ];
  }
  const cookieHeader = ex.headers.find((h) => h.name === 'Cookie');
  const drawn = ex.response.status === 304 || ex.response.status === 301 ? undefined : pool[(r() * pool.length) | 0];
  const body = bodies ? drawn : undefined;
  const respHeaders = ex.response.headers.map((h) => (h2 ? { name: h.name.toLowerCase(), value: h.value } : h));
  const setCookies = respHeaders.filter((h) => h.name.toLowerCase() === 'set-cookie');
  const entry = {
    _initiator: { type: 'parser', url: 'https://www.example.com/', lineNumber: (r() * 300) | 0 },
    _priority: 'High',
    _resourceType: body?.mimeType.startsWith('image') ? 'image' : 'document',
    cache: {},
    connection: String(100000 + ((r() * 50000) | 0)),
    pageref: `page_${1 + ((ex.source.entry / 200) | 0)}`,
    request: {
      method: ex.method,
      url: ex.url,
      httpVersion: h2 ? 'http/2.0' : 'HTTP/1.1',
      headers,
      queryString: decodeQuery(rawQuery),
      cookies: cookieHeader ? parseCookies(cookieHeader.value) : [],
      headersSize: h2 ? -1 : 400 + ((r() * 600) | 0),
      bodySize: 0,
    },
    response: {
      status: ex.response.status,
      statusText: ex.response.statusText,
      httpVersion: h2 ? 'http/2.0' : 'HTTP/1.1',
      headers: respHeaders,
      cookies: setCookies.map((h) => { const c = parseCookies(h.value.split(';')[0])[0]; return { ...c, path: '/', httpOnly: true, secure: true }; }),
      content: body
        ? { size: body.text.length, mimeType: body.mimeType, ...(body.encoding ? { encoding: body.encoding } : {}), text: body.text }
        : { size: 0, mimeType: 'x-unknown' },
      redirectURL: ex.response.status === 301 ? `https://www.example.com${url.pathname}/` : '',
      headersSize: -1,
      bodySize: body ? body.text.length : -1,
      _transferSize: body ? body.text.length + 300 : 300,
      _error: null,
    },
    serverIPAddress: '93.184.216.34',
    startedDateTime: new Date(ex.time).toISOString(),
    time: r() * 300,
    timings: { blocked: r() * 5, dns: -1, ssl: -1, connect: -1, send: 0.1, wait: r() * 200, receive: r() * 20, _blocked_queueing: 1.2 },
  };
  if (r() < 0.03) entry._fromCache = r() < 0.5 ? 'memory' : 'disk';
  return entry;
}

const INDENT = '    ';
function indentEntry(json) {
  return INDENT + json.replace(/\n/g, `\n${INDENT}`);
}

async function main() {
  mkdirSync(dirname(out), { recursive: true });
  const ws = createWriteStream(out, { highWaterMark: 4 * 1024 * 1024 });
  const write = (s) => (ws.write(s) ? undefined : new Promise((res) => ws.once('drain', res)));
  const r = prng(seed);
  const pool = bodyPool(r);
  const baseTime = Date.UTC(2026, 10, 1);
  let written = 0;
  const head = '{\n  "log": {\n    "version": "1.2",\n    "creator": {\n      "name": "WebInspector",\n      "version": "537.36"\n    },\n    "pages": [],\n    "entries": [\n';
  await write(head);
  written += head.length;
  let i = 0;
  let batch = '';
  const t0 = performance.now();
  while (entries === undefined ? written < target : i < entries) {
    const json = JSON.stringify(harEntry(r, syntheticExchange(r, i, baseTime), pool), null, 2);
    const piece = (i === 0 ? '' : ',\n') + indentEntry(json);
    batch += piece;
    written += Buffer.byteLength(piece);
    i++;
    if (batch.length > 1 << 20) {
      await write(batch);
      batch = '';
    }
  }
  batch += '\n  ]\n  }\n}\n';
  await write(batch);
  await new Promise((res, rej) => ws.end((e) => (e ? rej(e) : res())));
  const secs = (performance.now() - t0) / 1000;
  process.stderr.write(`gen-har: ${out}: ${i.toLocaleString('en-US')} entries, ${(written / 1e6).toFixed(0)} MB in ${secs.toFixed(1)} s\n`);
}

await main();

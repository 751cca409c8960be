// Realistic synthetic CloudFront traffic: varied routes, query strings, cookies,
// user agents, viewer IPs and response headers, drawn from a seeded PRNG so every
// run produces the same corpus. Used by the benchmarks and by large-input tests.
import { buildRecordedExchange, DEFAULT_BUILD_OPTIONS } from '../dist/index.js';

export function prng(seed) {
  let a = seed >>> 0, b = 0x9e3779b9, c = 0x243f6a88, d = 0xb7e15162;
  return () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9); b = (c + (c << 3)) | 0; c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0; t = (t + d) | 0; c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

const BROWSERS = [
  (v) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`,
  (v) => `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`,
  (v) => `Mozilla/5.0 (X11; Linux x86_64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`,
  (v) => `Mozilla/5.0 (iPhone; CPU iPhone OS 17_${v % 7} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.${v % 5} Mobile/15E148 Safari/604.1`,
  (v) => `Mozilla/5.0 (Linux; Android 14; SM-S9${v % 30}B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Mobile Safari/537.36`,
  () => 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  (v) => `curl/8.${v % 12}.0`,
];
const LANGS = ['en-US,en;q=0.9', 'de-DE,de;q=0.9,en;q=0.8', 'fr-FR,fr;q=0.9', 'ja,en-US;q=0.8', 'es-ES,es;q=0.9,en;q=0.7'];
const COUNTRIES = ['US', 'DE', 'FR', 'JP', 'GB', 'BR', 'IN', 'NL', 'ES', 'CA'];
const SLUGS = ['shoes', 'jackets', 'hats', 'socks', 'bags', 'watches', 'shirts', 'pants', 'gloves', 'scarves'];
const HOSTS = ['www.example.com', 'www.example.com', 'www.example.com', 'api.example.com', 'static.example.com'];

function hex(r, n) { let s = ''; for (let i = 0; i < n; i++) s += ((r() * 16) | 0).toString(16); return s; }
function pick(r, arr) { return arr[(r() * arr.length) | 0]; }

/** One normalized exchange, as a recorder would produce it. */
export function syntheticExchange(r, index, baseTime) {
  const host = pick(r, HOSTS);
  const kind = r();
  let path; let query;
  if (host === 'static.example.com') {
    path = r() < 0.5 ? `/static/js/app.${hex(r, 8)}.js` : `/images/${(r() * 50000) | 0}.${r() < 0.5 ? 'webp' : 'jpg'}`;
  } else if (host === 'api.example.com') {
    path = `/api/v1/users/${(r() * 1e6) | 0}/orders`;
    query = `page=${(r() * 20) | 0}&limit=${pick(r, ['10', '20', '50'])}`;
  } else if (kind < 0.3) {
    path = `/products/${(r() * 100000) | 0}`;
    if (r() < 0.3) query = `utm_source=${pick(r, ['google', 'newsletter', 'facebook'])}&utm_medium=${pick(r, ['cpc', 'email', 'social'])}&utm_campaign=${pick(r, ['spring', 'sale', 'launch'])}${(r() * 100) | 0}`;
  } else if (kind < 0.5) {
    path = `/category/${pick(r, SLUGS)}/page/${(r() * 30) | 0}`;
    if (r() < 0.5) query = `sort=${pick(r, ['price', 'new', 'popular'])}&color=${pick(r, ['red', 'blue', 'black'])}&color=${pick(r, ['green', 'white'])}`;
  } else if (kind < 0.65) {
    path = '/search';
    query = `q=${encodeURIComponent(pick(r, SLUGS) + ' ' + pick(r, ['sale', 'red', 'kids', '家']))}&page=${(r() * 5) | 0}`;
  } else if (kind < 0.75) {
    path = pick(r, ['/', '/about', '/contact', '/cart', '/checkout', '/account/login']);
  } else {
    path = `/blog/${2020 + ((r() * 7) | 0)}/${pick(r, SLUGS)}-guide-${(r() * 500) | 0}`;
  }
  const ua = pick(r, BROWSERS)(100 + ((r() * 40) | 0));
  const headers = [
    { name: 'Host', value: host },
    { name: 'User-Agent', value: ua },
    { name: 'Accept', value: path.startsWith('/api') ? 'application/json' : 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
    { name: 'Accept-Language', value: pick(r, LANGS) },
    { name: 'Accept-Encoding', value: 'gzip, deflate, br' },
    { name: 'CloudFront-Viewer-Country', value: pick(r, COUNTRIES) },
    { name: 'CloudFront-Is-Mobile-Viewer', value: ua.includes('Mobile') ? 'true' : 'false' },
  ];
  if (r() < 0.6) headers.push({ name: 'Referer', value: `https://www.example.com/category/${pick(r, SLUGS)}/page/${(r() * 30) | 0}` });
  if (path.startsWith('/api')) headers.push({ name: 'Authorization', value: `Bearer ${hex(r, 40)}` });
  if (r() < 0.7) {
    let cookie = `session=${hex(r, 32)}; _ga=GA1.2.${(r() * 1e9) | 0}.${1700000000 + ((r() * 1e7) | 0)}`;
    if (r() < 0.5) cookie += `; consent=${pick(r, ['all', 'necessary', 'none'])}`;
    if (r() < 0.3) cookie += `; ab=${pick(r, ['a', 'b'])}`;
    headers.push({ name: 'Cookie', value: cookie });
  }
  if (r() < 0.2) headers.push({ name: 'If-None-Match', value: `"${hex(r, 16)}"` });
  const sr = r();
  const status = sr < 0.82 ? 200 : sr < 0.9 ? 304 : sr < 0.94 ? 301 : sr < 0.98 ? 404 : 500;
  const respHeaders = [
    { name: 'Content-Type', value: path.startsWith('/api') ? 'application/json' : path.endsWith('.js') ? 'application/javascript' : 'text/html; charset=utf-8' },
    { name: 'Cache-Control', value: path.startsWith('/static') ? 'public, max-age=31536000, immutable' : 'private, max-age=0' },
    { name: 'ETag', value: `"${hex(r, 16)}"` },
    { name: 'Date', value: new Date(baseTime + index * 3).toUTCString() },
    { name: 'Server', value: 'nginx' },
    { name: 'Content-Length', value: String((r() * 90000) | 0) },
  ];
  if (status === 301) respHeaders.push({ name: 'Location', value: `https://www.example.com${path}/` });
  if (r() < 0.1) respHeaders.push({ name: 'Set-Cookie', value: `session=${hex(r, 32)}; Path=/; Secure; HttpOnly; SameSite=Lax` });
  return {
    time: baseTime + index * 3 + ((r() * 3) | 0),
    method: r() < 0.95 ? 'GET' : 'POST',
    url: `https://${host}${path}${query !== undefined ? `?${query}` : ''}`,
    headers,
    viewerIp: `${(r() * 223 + 1) | 0}.${(r() * 255) | 0}.${(r() * 255) | 0}.${(r() * 255) | 0}`,
    response: { status, statusText: status === 200 ? 'OK' : '', headers: respHeaders },
    source: { file: 'synthetic', entry: index },
  };
}

/** Recorded exchanges, generated lazily. */
export function* syntheticRecords(count, seed = 42, baseTime = Date.UTC(2026, 10, 1)) {
  const r = prng(seed);
  for (let i = 0; i < count; i++) yield buildRecordedExchange(syntheticExchange(r, i, baseTime), DEFAULT_BUILD_OPTIONS);
}

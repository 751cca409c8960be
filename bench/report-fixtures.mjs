/**
 * A generator of realistic replay reports, for the report renderers' tests and
 * benchmark while the replay engine is being written (and afterwards, for
 * sizes no test corpus reaches). Deterministic for a given seed: the same
 * options always give the same report, byte for byte.
 *
 * What it produces looks like a viewer-request replay of a storefront: diff
 * groups of every kind and risk over templated routes, a long tail of small
 * groups, outcome changes with the matching transitions, new execution errors,
 * noise from clock-dependent headers, full samples for some examples, real HDR
 * latency histograms (log-normal, NEW slightly slower), and the gate checks.
 * With `hostile` (default) a few values try to break out of HTML, XML and
 * Markdown: `</script>`, control characters, a lone surrogate, pipes and
 * backticks.
 */
// Plain JS over the build (dist/), shared by bench/report-bench.mjs and the report tests
// (test/helpers/report-fixtures.ts gives it types).
import { encodeHistogram, latencyReport, newHistogram } from '../dist/results/latency.js';
import { REPORT_SCHEMA } from '../dist/results/types.js';

/** Strings the renderers must show as text, never interpret. */
export const HOSTILE = {
  uri: '/search/</script><script>window.__pwned=1</script>',
  value: '<img src=x onerror="window.__pwned=1"> & "quotes" | pipe `tick` ]]> \u0001\u0008 \ud800 end',
  signature: 'append "</script><b>bold</b>" | `x`',
};

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick(rng, xs) {
  return xs[Math.floor(rng() * xs.length)];
}

function fnv(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
function requestId(rng) {
  let s = '';
  for (let i = 0; i < 54; i++)
    s += ID_CHARS[Math.floor(rng() * 64)];
  return `${s}==`;
}

const ROUTES = [
  { route: '/', make: () => '/' },
  { route: '/products/:id', make: (r) => `/products/${1000 + Math.floor(r() * 90000)}` },
  { route: '/products/:id/reviews', make: (r) => `/products/${1000 + Math.floor(r() * 90000)}/reviews` },
  { route: '/category/:slug', make: (r) => `/category/${pick(r, ['shoes', 'bags', 'coats', 'hats', 'sale'])}` },
  { route: '/api/v1/cart/:id', make: (r) => `/api/v1/cart/${Math.floor(r() * 1e6).toString(36)}` },
  { route: '/api/v1/users/:id', make: (r) => `/api/v1/users/${Math.floor(r() * 1e5)}` },
  { route: '/static/*', make: (r) => `/static/${pick(r, ['js', 'css', 'img'])}/${Math.floor(r() * 1e6).toString(36)}.${pick(r, ['js', 'css', 'png', 'webp'])}` },
  { route: '/blog/:slug', make: (r) => `/blog/${pick(r, ['spring-sale', 'how-we-ship', 'sizing-guide', 'new-store'])}` },
  { route: '/search', make: () => '/search' },
  { route: '/checkout', make: () => '/checkout' },
  { route: '/account/orders/:id', make: (r) => `/account/orders/${Math.floor(r() * 1e7)}` },
  { route: '/de/*', make: (r) => `/de/${pick(r, ['produkte', 'kategorie', 'hilfe'])}/${Math.floor(r() * 1000)}` },
];

const BASE_TEMPLATES = [
  { path: 'request.uri', kind: 'changed', risk: 'high', signature: 'append "/index.html"', values: (u) => ({ old: u, new: `${u.replace(/\/$/, '')}/index.html` }) },
  { path: 'outcome', kind: 'outcome', risk: 'high', signature: '"forward" -> "response"', values: () => ({ old: 'forward', new: 'response' }) },
  { path: 'response.statusCode', kind: 'changed', risk: 'high', signature: '"302" -> "301"', values: () => ({ old: '302', new: '301' }) },
  { path: 'response.headers.location', kind: 'changed', risk: 'high', signature: 'host "www.example.com" -> "example.com"', values: (u) => ({ old: `https://www.example.com${u}`, new: `https://example.com${u}` }) },
  { path: 'origin', kind: 'changed', risk: 'high', signature: 'selectRequestOriginById "s3-eu-west-1" -> "s3-us-east-1"', values: () => ({ old: 'selectRequestOriginById("s3-eu-west-1")', new: 'selectRequestOriginById("s3-us-east-1")' }) },
  { path: 'outcome', kind: 'outcome', risk: 'high', signature: '"forward" -> "execution-error"', values: () => ({ old: 'forward', new: 'execution-error' }) },
  { path: 'request.headers.cache-control', kind: 'removed', risk: 'medium', signature: 'removed', values: () => ({ old: 'max-age=0' }) },
  { path: 'request.querystring.utm_source', kind: 'removed', risk: 'medium', signature: 'removed', values: (_u, r) => ({ old: pick(r, ['newsletter', 'google', 'facebook', 'partner']) }) },
  { path: 'request.cookies.session', kind: 'changed', risk: 'medium', signature: 'value rewritten', values: (_u, r) => ({ old: Math.floor(r() * 1e12).toString(36), new: `v2.${Math.floor(r() * 1e12).toString(36)}` }) },
  { path: 'request.headers.x-ab-variant', kind: 'changed', risk: 'medium', signature: '"A" -> "B"', values: () => ({ old: 'A', new: 'B' }) },
  { path: 'request.headers.x-forwarded-host', kind: 'added', risk: 'low', signature: 'added "www.example.com"', values: () => ({ new: 'www.example.com' }) },
  { path: 'request.headers.accept-language', kind: 'ordering', risk: 'low', signature: 'values reordered', values: () => ({ old: 'en-US, de-DE', new: 'de-DE, en-US' }) },
  { path: 'request.headers.x-device-type', kind: 'added', risk: 'low', signature: 'added', values: (_u, r) => ({ new: pick(r, ['desktop', 'mobile', 'tablet']) }) },
];

function templateFor(i, hostile) {
  if (hostile && i === 3) {
    return { path: 'request.headers.x-debug', kind: 'changed', risk: 'high', signature: HOSTILE.signature, values: () => ({ old: 'plain', new: HOSTILE.value }) };
  }
  const base = BASE_TEMPLATES[i % BASE_TEMPLATES.length];
  const round = Math.floor(i / BASE_TEMPLATES.length);
  if (round === 0)
    return base;
  // The long tail: the same kinds of change on other headers and parameters.
  const kinds = [['changed', 'medium'], ['added', 'low'], ['removed', 'medium'], ['ordering', 'low'], ['changed', 'high']];
  const [kind, risk] = kinds[round % kinds.length];
  const where = pick(mulberry32(i), ['headers', 'querystring', 'cookies']);
  const name = where === 'headers' ? `x-feature-${round}-${i % BASE_TEMPLATES.length}` : `p${round}_${i % BASE_TEMPLATES.length}`;
  const path = risk === 'high' ? 'request.uri' : `request.${where}.${name}`;
  const signature = risk === 'high' ? `prefix "/v${round}"` : kind === 'changed' ? `"on" -> "off"` : kind === 'added' ? `added "${round}"` : kind === 'removed' ? 'removed' : 'values reordered';
  return {
    path,
    kind,
    risk,
    signature,
    values: (u) => risk === 'high'
      ? { old: u, new: `/v${round}${u}` }
      : kind === 'changed'
        ? { old: 'on', new: 'off' }
        : kind === 'added'
          ? { new: String(round) }
          : kind === 'removed'
            ? { old: 'on' }
            : { old: 'a, b', new: 'b, a' },
  };
}

function wireName(name) {
  return name.replace(/(^|-)([a-z])/g, (_m, d, c) => d + c.toUpperCase());
}

function baseRequest(method, uri, rng) {
  return {
    method,
    uri,
    querystring: rng() < 0.4 ? { utm_source: ['newsletter'], page: [String(1 + Math.floor(rng() * 5))] } : {},
    headers: {
      Host: ['www.example.com'],
      'User-Agent': ['Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36'],
      Accept: ['text/html,application/xhtml+xml'],
      'Accept-Language': ['en-US', 'de-DE'],
      'Cache-Control': ['max-age=0'],
      'Cloudfront-Viewer-Country': [pick(rng, ['US', 'DE', 'FR', 'GB', 'JP'])],
    },
    cookies: { session: [Math.floor(rng() * 1e12).toString(36)], consent: ['yes'] },
  };
}

function outputFor(label, req) {
  if (label === 'response') {
    return { response: { statusCode: 301, statusDescription: 'Moved Permanently', headers: { Location: [`https://example.com${req.uri}`] }, cookies: {}, body: null } };
  }
  if (label === 'forward')
    return { request: req };
  if (label === 'validation-error')
    return { error: { status: 502, type: 'FunctionValidationError' } };
  return { error: { status: 503, type: 'FunctionExecutionError' } };
}

/** Put `value` (or remove it) at a "request.headers.x-foo"-style path of an effective output. */
function applyAt(out, path, value, uri) {
  const parts = path.split('.');
  const top = parts[0];
  if (top === 'origin' && 'request' in out) {
    const id = /"([^"]+)"/.exec(value ?? '')?.[1] ?? 'default';
    return { request: out.request, origin: [{ op: 'selectRequestOriginById', originId: id }] };
  }
  if (top === 'request' && 'request' in out) {
    const req = structuredClone(out.request);
    const field = parts[1];
    const name = parts.slice(2).join('.');
    if (field === 'uri' || field === 'method') {
      if (value !== undefined)
        req[field] = value;
    }
    else if (field === 'headers' || field === 'querystring' || field === 'cookies') {
      const key = field === 'headers' ? wireName(name) : name;
      const map = req[field];
      if (value === undefined)
        delete map[key];
      else
        map[key] = value.split(', ');
    }
    return { request: req, ...(out.origin ? { origin: out.origin } : {}) };
  }
  if (top === 'response') {
    const base = 'response' in out ? structuredClone(out.response) : { statusCode: 302, statusDescription: 'Found', headers: { Location: [`https://www.example.com${uri}`] }, cookies: {}, body: null };
    if (parts[1] === 'statusCode' && value !== undefined)
      base.statusCode = Number(value);
    if (parts[1] === 'headers') {
      const key = wireName(parts.slice(2).join('.'));
      if (value === undefined)
        delete base.headers[key];
      else
        base.headers[key] = [value];
    }
    return { response: base };
  }
  return out;
}

function toEvent(id, req, rng) {
  const mv = (m) => Object.fromEntries(Object.entries(m).map(([k, vs]) => [k.toLowerCase(), vs.length > 1 ? { value: vs[0] ?? '', multiValue: vs.map((v) => ({ value: v })) } : { value: vs[0] ?? '' }]));
  return {
    version: '1.0',
    context: { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType: 'viewer-request', requestId: id },
    viewer: { ip: `198.51.100.${1 + Math.floor(rng() * 250)}` },
    request: { method: req.method, uri: req.uri, querystring: mv(req.querystring), headers: mv(req.headers), cookies: mv(req.cookies) },
  };
}

/** Split `total` into `n` positive integer parts with a long tail (Zipf-like, exponent s). */
function zipfSplit(total, n, s, min) {
  const w = [];
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const x = 1 / Math.pow(i + 1, s);
    w.push(x);
    sum += x;
  }
  const spare = Math.max(0, total - min * n);
  return w.map((x) => min + Math.floor((spare * x) / sum));
}

function splitRoutes(rng, count, cap) {
  const k = Math.min(count, 1 + Math.floor(rng() * 4));
  const chosen = new Set();
  while (chosen.size < k)
    chosen.add(Math.floor(rng() * ROUTES.length));
  const picked = [...chosen].map((i) => ROUTES[i]);
  const parts = zipfSplit(count, picked.length, 1.2, 1);
  let rest = count - parts.reduce((a, b) => a + b, 0);
  parts[0] = (parts[0] ?? 0) + rest;
  rest = 0;
  const routes = picked.map((p, i) => ({ route: p.route, count: parts[i] ?? 0 }));
  routes.sort((a, b) => b.count - a.count || (a.route < b.route ? -1 : 1));
  if (routes.length > cap) {
    const other = routes.splice(cap).reduce((a, r) => a + r.count, 0);
    routes.push({ route: '(other)', count: other });
  }
  return { routes, picked };
}

export function generateReport(options = {}) {
  const seed = options.seed ?? 42;
  const rng = mulberry32(seed);
  const events = options.events ?? 20_000;
  const nGroups = options.groups ?? 40;
  const perGroup = options.examplesPerGroup ?? 8;
  const nSamples = options.samples ?? 24;
  const hostile = options.hostile ?? true;
  const changed = nGroups === 0 ? 0 : Math.max(Math.min(events, nGroups), Math.round(events * (options.changeRate ?? 0.08)));
  const maxDiffRate = options.maxDiffRate ?? 0.01;
  const maxLatencyRatio = options.maxLatencyRatio ?? 1.2;

  // Group sizes: an event can fall in several groups, so the sizes add up to a bit more than `changed`.
  const groupEvents = Math.round(changed * 1.25);
  const sizes = nGroups > 0 ? zipfSplit(groupEvents, nGroups, 0.95, Math.max(1, Math.min(perGroup, Math.floor(groupEvents / nGroups / 2)))) : [];
  let position = 0;
  const nextPosition = () => (position = (position + 1 + Math.floor(rng() * Math.max(1, (events / Math.max(1, nGroups * perGroup)) * 2))) % Math.max(1, events));

  const diffs = [];
  const samples = [];
  const transitions = new Map();
  for (let g = 0; g < nGroups; g++) {
    const t = templateFor(g, hostile);
    const count = sizes[g] ?? 1;
    const { routes, picked } = splitRoutes(rng, count, 8);
    const examples = [];
    const n = Math.min(perGroup, count);
    for (let e = 0; e < n; e++) {
      const route = picked[e % picked.length] ?? ROUTES[0];
      const uri = hostile && g === 3 && e === 0 ? HOSTILE.uri : route.make(rng);
      const method = route.route.startsWith('/api/') && rng() < 0.4 ? 'POST' : 'GET';
      const v = t.values(uri, rng);
      const ex = { eventId: requestId(rng), position: nextPosition(), method, uri };
      if (v.old !== undefined)
        ex.old = v.old;
      if (v.new !== undefined)
        ex.new = v.new;
      examples.push(ex);
      if (e === 0 && g < nSamples) {
        const req = baseRequest(method, uri, rng);
        if (t.path.startsWith('request.')) {
          // OLD saw the value the example says it had.
          const field = t.path.split('.')[1];
          if (field === 'headers' || field === 'querystring' || field === 'cookies') {
            const key = field === 'headers' ? wireName(t.path.split('.').slice(2).join('.')) : t.path.split('.').slice(2).join('.');
            if (v.old === undefined)
              delete req[field][key];
            else
              req[field][key] = v.old.split(', ');
          }
        }
        const oldLabel = t.path === 'outcome' ? (v.old ?? 'forward') : 'forward';
        const newLabel = t.path === 'outcome' ? (v.new ?? 'forward') : 'forward';
        const oldOut = applyAt(outputFor(oldLabel, req), t.path, v.old, uri);
        const newOut = applyAt(outputFor(newLabel, req), t.path, v.new, uri);
        const dOld = Math.round(9_000 + rng() * 20_000);
        samples.push({
          eventId: ex.eventId,
          position: ex.position,
          event: toEvent(ex.eventId, req, rng),
          old: { outcome: oldLabel, effective: oldOut, logs: [`route ${route.route}`], durationNs: dOld },
          new: {
            outcome: newLabel,
            effective: newOut,
            ...(newLabel === 'execution-error' ? { error: `TypeError: cannot get property "value" of undefined\n    at handler (function.js:14:31)` } : {}),
            logs: [`route ${route.route}`, ...(hostile && g === 3 ? [HOSTILE.value] : [])],
            durationNs: Math.round(dOld * (0.9 + rng() * 0.4)),
          },
        });
      }
    }
    if (t.kind === 'outcome') {
      const key = `${t.values('/', rng).old}\u0000${t.values('/', rng).new}`;
      transitions.set(key, (transitions.get(key) ?? 0) + count);
    }
    const id = fnv(`${t.path}\u0000${t.kind}\u0000${t.signature}\u0000${g}`);
    diffs.push({ id, path: t.path, kind: t.kind, risk: t.risk, signature: t.signature, count, share: count / events, routes, examples });
  }
  diffs.sort((a, b) => ({ high: 0, medium: 1, low: 2 })[a.risk] - ({ high: 0, medium: 1, low: 2 })[b.risk] || b.count - a.count);

  const outcomeTransitions = [...transitions].map(([k, count]) => {
    const [from, to] = k.split('\u0000');
    return { from, to, count };
  });
  const timeouts = Math.min(3, events);
  const oldOutcomes = { forward: events - Math.round(events * 0.02) - timeouts, response: Math.round(events * 0.02), timeout: timeouts };
  const newOutcomes = { ...oldOutcomes };
  for (const tr of outcomeTransitions) {
    newOutcomes[tr.from] = (newOutcomes[tr.from] ?? 0) - tr.count;
    newOutcomes[tr.to] = (newOutcomes[tr.to] ?? 0) + tr.count;
  }
  // NEW fixed the timeouts.
  newOutcomes.forward = (newOutcomes.forward ?? 0) + (newOutcomes.timeout ?? 0);
  delete newOutcomes.timeout;
  if (timeouts > 0)
    outcomeTransitions.push({ from: 'timeout', to: 'forward', count: timeouts });

  const exFor = (n) => Array.from({ length: n }, () => {
    const route = pick(rng, ROUTES);
    return { eventId: requestId(rng), position: Math.floor(rng() * events), method: 'GET', uri: route.make(rng) };
  });
  const newErrorCount = outcomeTransitions.filter((t) => t.to === 'execution-error').reduce((a, t) => a + t.count, 0);
  const errors = {
    old: timeouts > 0 ? [{ outcome: 'timeout', message: 'function ran past its time budget (5 ms)', count: timeouts, examples: exFor(Math.min(3, timeouts)) }] : [],
    new: newErrorCount > 0 ? [{ outcome: 'execution-error', message: 'TypeError: cannot get property "value" of undefined', count: newErrorCount, examples: exFor(Math.min(5, newErrorCount)) }] : [],
  };

  const noise = [
    { path: 'request.headers.x-request-start', kind: 'changed', count: Math.round(events * 0.97), noisyCount: Math.round(events * 0.97), examples: exFor(3).map((e) => ({ ...e, old: 't=1715000000123', new: 't=1715000000456' })) },
    { path: 'request.querystring.nonce', kind: 'changed', count: Math.round(events * 0.12), noisyCount: Math.round(events * 0.11), examples: exFor(2).map((e) => ({ ...e, old: 'k3j2h1', new: 'p9q8r7' })) },
    { path: 'request.headers.x-ab-bucket', kind: 'changed', count: Math.round(events * 0.004), noisyCount: Math.round(events * 0.004), examples: exFor(2).map((e) => ({ ...e, old: '17', new: '83' })) },
  ];
  const noiseOnly = Math.round((events - changed) * 0.6);

  // Latency: log-normal around ~18 µs, NEW `slowdown` times slower, weighted up to one call per event.
  const draws = Math.max(1, Math.min(events, options.latencyDraws ?? 20_000));
  const slowdown = options.slowdown ?? 1.08;
  const hOld = newHistogram();
  const hNew = newHistogram();
  const per = Math.floor(events / draws);
  let extra = events - per * draws;
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  for (let i = 0; i < draws; i++) {
    const w = per + (extra > 0 ? 1 : 0);
    if (extra > 0)
      extra--;
    if (w === 0)
      continue;
    const tail = rng() < 0.002 ? 8 : 1; // GC pauses and cold caches
    hOld.recordValueWithCount(Math.max(1, Math.round(18_000 * Math.exp(0.35 * normal()) * tail)), w);
    hNew.recordValueWithCount(Math.max(1, Math.round(18_000 * slowdown * Math.exp(0.37 * normal()) * tail)), w);
  }
  const latency = { unit: 'ns', ...latencyReport(hOld, hNew), histograms: { old: encodeHistogram(hOld), new: encodeHistogram(hNew) } };

  const diffRate = events === 0 ? 0 : changed / events;
  const checks = [
    { name: 'behaviour', passed: changed === 0, message: changed === 0 ? 'no behavioural difference' : `${changed} of ${events} events behave differently`, actual: changed, limit: 0 },
    { name: 'diff-rate', passed: diffRate <= maxDiffRate, message: `${(diffRate * 100).toFixed(2)}% of events changed (limit ${(maxDiffRate * 100).toFixed(2)}%)`, actual: diffRate, limit: maxDiffRate },
    { name: 'latency-ratio', passed: latency.comparison.p99.ratio <= maxLatencyRatio, message: `p99 NEW/OLD ${latency.comparison.p99.ratio.toFixed(3)} (limit ${maxLatencyRatio})`, actual: latency.comparison.p99.ratio, limit: maxLatencyRatio },
    { name: 'completed', passed: true, message: 'every record of the corpus was replayed' },
  ];
  const durationMs = Math.max(1, Math.round(events / 40));
  return {
    schema: REPORT_SCHEMA,
    tool: { name: 'cfreplay', version: '0.1.0' },
    createdAt: options.createdAt ?? '2025-05-06T07:08:09.000Z',
    corpus: { name: 'storefront-2025-05-05', location: 'recordings/storefront-2025-05-05.cfr', records: events + 7 },
    eventType: 'viewer-request',
    functions: {
      old: { path: 'functions/router.v41.js', sha256: fnv('old').repeat(8), runtime: 'cloudfront-js-2.0', bytes: 4_812 },
      new: { path: 'functions/router.v42.js', sha256: fnv('new').repeat(8), runtime: 'cloudfront-js-2.0', bytes: 5_120 },
    },
    options: { workers: 2, ignore: ['request.headers.x-amz-cf-id'], timeoutMs: 5, maxDiffRate, maxLatencyRatio },
    events,
    changed,
    unchanged: events - changed,
    noiseOnly,
    skipped: { 'invalid event: URI longer than 8,192 bytes': 4, 'corrupt chunk': 3 },
    outcomes: { old: oldOutcomes, new: newOutcomes },
    outcomeTransitions,
    diffs,
    noise,
    errors,
    latency,
    samples,
    gate: { passed: checks.every((c) => c.passed), checks },
    run: { durationMs, eventsPerSecond: Math.round(events / (durationMs / 1000)), problems: [] },
  };
}


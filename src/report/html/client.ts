/**
 * The HTML report's script (inlined into the page; plain ES2020, no
 * template literals so it can live in this TS string). It reads the JSON
 * embedded in #cfr-data and draws the difference groups: filters (risk, kind,
 * route, path, text), a page of groups at a time, and, on expanding a group,
 * a page of its examples with OLD/NEW values side by side and, for examples
 * with a full sample, the event and both outputs with the changed fields
 * highlighted. All text from the data goes in through textContent.
 */
export const CLIENT_JS = String.raw`
(function () {
  'use strict';
  var PAGE = 50, EX_PAGE = 10;
  var data = JSON.parse(document.getElementById('cfr-data').textContent);
  var groups = data.groups;
  // Examples come after this script in the file: read them once the document is parsed.
  var S = null, EX = null;
  function loadExamples() {
    if (EX) return true;
    var node = document.getElementById('cfr-examples');
    if (!node || document.readyState === 'loading') return false;
    var x = JSON.parse(node.textContent);
    S = x.strings;
    EX = new Map();
    groups.forEach(function (g, i) { EX.set(g.id, x.ex[i] || []); });
    return true;
  }
  document.addEventListener('DOMContentLoaded', function () {
    loadExamples();
    open.forEach(function (_, id) {
      var box = list.querySelector('.group[data-id="' + CSS.escape(id) + '"]');
      var g = groups.find(function (x) { return x.id === id; });
      var b = box && box.querySelector('.g-body');
      if (b && g) b.replaceWith(bodyEl(g));
    });
    document.documentElement.dataset.examplesMs = String(Math.round(performance.now()));
    document.documentElement.dataset.examples = '1';
  });
  var samples = new Map();
  data.samples.forEach(function (s) { samples.set(s.eventId, s); });
  var state = { risk: { high: true, medium: true, low: true }, kind: '', route: '', path: '', q: '', page: 0 };
  var open = new Map(); // group id -> example page
  var filtered = groups;

  function fmt(n) { return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }
  function pct(f) { var p = f * 100; return p === 0 ? '0%' : p >= 10 ? p.toFixed(1) + '%' : p >= 0.01 ? p.toFixed(2) + '%' : p.toPrecision(2) + '%'; }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function add(parent) { for (var i = 1; i < arguments.length; i++) { var c = arguments[i]; if (c !== null && c !== undefined) parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); } return parent; }

  // ---- routes and paths for the datalists, route templates as regexps ----
  var routeTotals = new Map(), pathTotals = new Map();
  groups.forEach(function (g) {
    g.routes.forEach(function (r) { routeTotals.set(r[0], (routeTotals.get(r[0]) || 0) + r[1]); });
    pathTotals.set(g.path, (pathTotals.get(g.path) || 0) + g.count);
  });
  function fillList(id, totals) {
    var list = document.getElementById(id), keys = Array.from(totals.keys());
    keys.sort(function (a, b) { return totals.get(b) - totals.get(a) || (a < b ? -1 : 1); });
    keys.slice(0, 2000).forEach(function (k) { var o = document.createElement('option'); o.value = k; o.label = fmt(totals.get(k)) + ' events'; list.appendChild(o); });
  }
  fillList('routes-list', routeTotals);
  fillList('paths-list', pathTotals);
  var reCache = new Map();
  function routeRegex(route) {
    if (reCache.has(route)) return reCache.get(route);
    var re = null;
    if (route.charAt(0) === '/') {
      var src = route.split('/').map(function (seg) {
        if (seg === '*' || seg === '**') return '.*';
        if (/^:[\w-]+$/.test(seg) || /^\{[^}]*\}$/.test(seg)) return '[^/]+';
        return seg.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&');
      }).join('/');
      try { re = new RegExp('^' + src + '/?$'); } catch (e) { re = null; }
    }
    reCache.set(route, re);
    return re;
  }

  // ---- filtering ----
  function routeMatch(g) {
    if (!state.route) return -1;
    var q = state.route, exact = routeTotals.has(q), lq = q.toLowerCase(), n = 0, hit = false;
    for (var i = 0; i < g.routes.length; i++) {
      var r = g.routes[i][0];
      if (exact ? r === q : r.toLowerCase().indexOf(lq) >= 0) { hit = true; n += g.routes[i][1]; }
    }
    return hit ? n : 0;
  }
  function applyFilters() {
    var lp = state.path.toLowerCase(), lq = state.q.toLowerCase();
    var exactPath = pathTotals.has(state.path);
    var counts = { high: 0, medium: 0, low: 0 };
    var out = [];
    for (var i = 0; i < groups.length; i++) {
      var g = groups[i];
      if (state.kind && g.kind !== state.kind) continue;
      if (lp && (exactPath ? g.path !== state.path : g.path.toLowerCase().indexOf(lp) < 0)) continue;
      if (lq && g.path.toLowerCase().indexOf(lq) < 0 && g.sig.toLowerCase().indexOf(lq) < 0 && g.id.toLowerCase() !== lq) continue;
      if (state.route && routeMatch(g) === 0) continue;
      counts[g.risk] = (counts[g.risk] || 0) + 1;
      if (!state.risk[g.risk]) continue;
      out.push(g);
    }
    filtered = out;
    ['high', 'medium', 'low'].forEach(function (r) { document.querySelector('[data-riskcount="' + r + '"]').textContent = fmt(counts[r] || 0); });
    var maxPage = Math.max(0, Math.ceil(filtered.length / PAGE) - 1);
    if (state.page > maxPage) state.page = maxPage;
    render();
  }

  // ---- list ----
  var list = document.getElementById('groups');
  function pager(host) {
    host.textContent = '';
    var pages = Math.max(1, Math.ceil(filtered.length / PAGE));
    if (pages <= 1) return;
    var prev = el('button', 'btn', '‹ Prev'), next = el('button', 'btn', 'Next ›');
    prev.type = next.type = 'button';
    prev.disabled = state.page === 0; next.disabled = state.page >= pages - 1;
    prev.dataset.act = 'prev'; next.dataset.act = 'next';
    add(host, prev, el('span', 'small muted', 'page ' + fmt(state.page + 1) + ' of ' + fmt(pages)), next);
  }
  function render() {
    var start = state.page * PAGE, end = Math.min(filtered.length, start + PAGE);
    var events = 0;
    for (var i = 0; i < filtered.length; i++) events += state.route ? routeMatch(filtered[i]) : filtered[i].count;
    document.getElementById('shown').textContent = (filtered.length === groups.length ? 'All ' + fmt(groups.length) + ' groups' : fmt(filtered.length) + ' of ' + fmt(groups.length) + ' groups') + ' · ' + fmt(events) + ' event differences' + (state.route ? ' on the route' : '') + (filtered.length > PAGE ? ' · showing ' + fmt(start + 1) + '–' + fmt(end) : '');
    pager(document.getElementById('pager-top'));
    pager(document.getElementById('pager-bottom'));
    var frag = document.createDocumentFragment();
    for (var j = start; j < end; j++) frag.appendChild(groupEl(filtered[j]));
    list.textContent = '';
    if (filtered.length === 0) list.appendChild(el('div', 'empty', groups.length === 0 ? 'No behavioural difference between OLD and NEW.' : 'No group matches the filters.'));
    list.appendChild(frag);
  }
  function groupEl(g) {
    var box = el('div', 'group');
    box.dataset.id = g.id; box.dataset.risk = g.risk;
    var head = el('button', 'g-head');
    head.type = 'button';
    head.setAttribute('aria-expanded', 'false');
    var routes = el('span', 'routes');
    g.routes.slice(0, 3).forEach(function (r) { var c = el('span', 'route', r[0]); c.title = fmt(r[1]) + ' events'; routes.appendChild(c); });
    if (g.routes.length > 3) routes.appendChild(el('span', 'small muted', '+' + (g.routes.length - 3)));
    var path = el('span', 'g-path mono', g.path); path.title = g.path;
    var sig = el('span', 'g-sig mono', g.sig); sig.title = g.sig;
    var count = el('span', 'g-count');
    var rc = routeMatch(g);
    var line = el('span', 'g-n');
    add(line, el('b', null, fmt(g.count)), ' ', el('span', 'small muted', rc >= 0 ? fmt(rc) + ' on route' : pct(g.share)));
    add(count, line);
    var bar = el('span', 'share'), fill = el('i'); fill.style.width = Math.max(1, Math.min(100, (g.share / Math.max(1e-12, maxShare)) * 100)).toFixed(1) + '%';
    add(bar, fill); add(count, bar);
    add(head, el('span', 'caret', '▸'), el('span', 'risk risk-' + g.risk, g.risk), path, el('span', 'kind', g.kind), sig, routes, count);
    box.appendChild(head);
    if (open.has(g.id)) { box.classList.add('open'); head.setAttribute('aria-expanded', 'true'); box.appendChild(bodyEl(g)); }
    return box;
  }
  var maxShare = groups.reduce(function (m, g) { return Math.max(m, g.share); }, 0);

  // ---- expanded group ----
  function exampleRows(g) {
    var all = EX.get(g.id) || [];
    if (!state.route || state.route === '(other)') return { rows: all, note: '' };
    var res = [];
    var matching = g.routes.filter(function (r) { return routeTotals.has(state.route) ? r[0] === state.route : r[0].toLowerCase().indexOf(state.route.toLowerCase()) >= 0; });
    var regs = matching.map(function (r) { return routeRegex(r[0]); }).filter(Boolean);
    if (regs.length === 0) return { rows: all, note: '' };
    // Exact when the report records each example's route; template matching for older reports.
    var names = matching.map(function (r) { return r[0]; });
    all.forEach(function (e) {
      if (e[6] !== undefined && e[6] !== null && S[e[6]] !== undefined) { if (names.indexOf(S[e[6]]) >= 0) res.push(e); return; }
      var u = S[e[3]]; if (regs.some(function (re) { return re.test(u); })) res.push(e);
    });
    if (res.length === 0) return { rows: all, note: 'No kept example matches the route; showing all.' };
    return { rows: res, note: fmt(res.length) + ' of ' + fmt(all.length) + ' kept examples are on the route.' };
  }
  function bodyEl(g) {
    var body = el('div', 'g-body');
    var meta = el('div', 'g-meta');
    add(meta, el('span', null, 'group ' + g.id), el('span', null, fmt(g.count) + ' events (' + pct(g.share) + ' of ' + fmt(data.events) + ')'));
    var routes = el('span', 'routes');
    fillRoutes(routes, g, 12);
    add(meta, routes);
    body.appendChild(meta);
    if (!loadExamples()) { body.appendChild(el('div', 'ex-more small muted', 'Loading ' + fmt(g.nex) + ' examples…')); return body; }
    var sel = exampleRows(g), rows = sel.rows;
    var page = open.get(g.id) || 0, pages = Math.max(1, Math.ceil(rows.length / EX_PAGE));
    if (page >= pages) page = pages - 1;
    var info = el('div', 'ex-more small muted');
    add(info, rows.length === 0 ? 'No example was kept for this group.' : 'Examples ' + fmt(page * EX_PAGE + 1) + '–' + fmt(Math.min(rows.length, (page + 1) * EX_PAGE)) + ' of ' + fmt(rows.length) + (rows.length < g.count ? ' kept (of ' + fmt(g.count) + ' events)' : '') + '. ' + sel.note);
    if (pages > 1) {
      var prev = el('button', 'btn', '‹'), next = el('button', 'btn', '›');
      prev.type = next.type = 'button';
      prev.dataset.exact = 'prev'; next.dataset.exact = 'next';
      prev.disabled = page === 0; next.disabled = page >= pages - 1;
      add(info, prev, el('span', null, fmt(page + 1) + '/' + fmt(pages)), next);
    }
    body.appendChild(info);
    var firstSample = true;
    rows.slice(page * EX_PAGE, (page + 1) * EX_PAGE).forEach(function (e) {
      var s = samples.get(e[0]);
      body.appendChild(exampleEl(g, e, s, s && firstSample));
      if (s) firstSample = false;
    });
    return body;
  }
  function fillRoutes(host, g, max) {
    host.textContent = '';
    g.routes.slice(0, max).forEach(function (r) { add(host, el('span', 'route', r[0] + ' · ' + fmt(r[1]))); });
    if (g.routes.length > max) {
      var more = el('button', 'btn btn-small', 'all ' + fmt(g.routes.length) + ' routes');
      more.type = 'button'; more.dataset.allroutes = '1';
      host.appendChild(more);
    }
  }
  function exampleEl(g, e, sample, openSample) {
    var box = el('div', 'ex');
    box.dataset.event = e[0];
    var head = el('div', 'ex-head');
    add(head, el('span', 'method', S[e[2]]), el('span', 'ex-uri', S[e[3]]), el('span', 'small muted', 'record ' + e[1]), el('span', 'small muted mono', e[0]));
    if (e[7] >= 0) add(head, el('span', 'small muted ex-source', 'from ' + S[e[7]]));
    box.appendChild(head);
    var oldV = e[4] < 0 ? undefined : S[e[4]], newV = e[5] < 0 ? undefined : S[e[5]];
    if (oldV !== undefined || newV !== undefined) {
      var vals = el('div', 'ex-vals');
      var parts = splitDiff(oldV === undefined ? '' : oldV, newV === undefined ? '' : newV);
      add(vals, valueEl('OLD ' + g.path, oldV, parts, 'del'), valueEl('NEW ' + g.path, newV, parts, 'ins'));
      box.appendChild(vals);
    }
    if (sample) {
      var t = el('button', 'btn sample-toggle', openSample ? 'Hide event and outputs' : 'Event and outputs');
      t.type = 'button'; t.dataset.sample = '1';
      head.appendChild(t);
      if (openSample) box.appendChild(sampleEl(g, sample));
    }
    return box;
  }
  function splitDiff(a, b) {
    var p = 0, n = Math.min(a.length, b.length);
    while (p < n && a.charCodeAt(p) === b.charCodeAt(p)) p++;
    var s = 0;
    while (s < n - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
    return { p: p, s: s };
  }
  function valueEl(label, v, parts, tag) {
    var box = el('div', 'ex-val');
    add(box, el('span', 'side', label));
    if (v === undefined) { add(box, el('span', 'absent', 'absent')); return box; }
    if (v === '') { add(box, el('span', 'absent', 'empty string')); return box; }
    var mid = v.slice(parts.p, v.length - parts.s);
    add(box, v.slice(0, parts.p));
    if (mid) add(box, el(tag, null, mid));
    add(box, v.slice(v.length - parts.s));
    return box;
  }

  // ---- side by side JSON with changes highlighted ----
  function isObj(v) { return v !== null && typeof v === 'object'; }
  function same(a, b) {
    if (a === b) return true;
    if (!isObj(a) || !isObj(b) || Array.isArray(a) !== Array.isArray(b)) return false;
    var ka = Object.keys(a), kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    for (var i = 0; i < ka.length; i++) if (!Object.prototype.hasOwnProperty.call(b, ka[i]) || !same(a[ka[i]], b[ka[i]])) return false;
    return true;
  }
  function focusOf(path) { return path === 'outcome' ? null : path.toLowerCase().split('.'); }
  function onFocus(trail, focus) {
    if (!focus || trail.length < focus.length) return false;
    for (var i = 0; i < focus.length; i++) if (String(trail[i]).toLowerCase() !== focus[i]) return false;
    return true;
  }
  // Lines of pretty-printed JSON; cls: '', 'del'/'add' (absent on the other side), 'chg'.
  function jsonLines(v, other, hasOther, mark, focus) {
    var lines = [];
    function walk(key, val, oth, has, depth, trail, comma, inherited) {
      var cls = inherited || (mark && !has ? mark : mark && !isObj(val) && !same(val, oth) ? 'chg' : '');
      if (mark && !inherited && has && isObj(val) && (!isObj(oth) || Array.isArray(val) !== Array.isArray(oth))) cls = 'chg';
      var prefix = '  '.repeat(depth) + (key === null ? '' : JSON.stringify(key) + ': ');
      var f = onFocus(trail, focus);
      if (!isObj(val)) { lines.push([prefix + JSON.stringify(val) + comma, cls, f]); return; }
      var arr = Array.isArray(val), keys = arr ? val.map(function (_, i) { return i; }) : Object.keys(val);
      if (keys.length === 0) { lines.push([prefix + (arr ? '[]' : '{}') + comma, cls, f]); return; }
      // Short arrays and objects of plain values on one line: ["a", "b"], {"value": "x"}.
      if (keys.every(function (k) { return !isObj(val[k]); })) {
        var flat = arr ? JSON.stringify(val).replace(/","/g, '", "') : '{' + keys.map(function (k) { return JSON.stringify(k) + ': ' + JSON.stringify(val[k]); }).join(', ') + '}';
        if (flat.length <= 72) {
          if (mark && !cls && has && !same(val, oth)) cls = 'chg';
          lines.push([prefix + flat + comma, cls, f]);
          return;
        }
      }
      lines.push([prefix + (arr ? '[' : '{'), cls, f]);
      var whole = cls === 'chg' || cls === 'del' || cls === 'add' ? cls : '';
      keys.forEach(function (k, i) {
        var hasK = isObj(oth) && Array.isArray(oth) === arr && Object.prototype.hasOwnProperty.call(oth, k);
        walk(arr ? null : k, val[k], hasK ? oth[k] : undefined, hasK, depth + 1, trail.concat([k]), i < keys.length - 1 ? ',' : '', whole);
      });
      lines.push(['  '.repeat(depth) + (arr ? ']' : '}') + comma, cls, f]);
    }
    walk(null, v, other, hasOther, 0, [], '', '');
    return lines;
  }
  function pre(lines) {
    var p = el('pre');
    lines.forEach(function (l) { var d = el('div', 'jl' + (l[1] ? ' ' + l[1] : '') + (l[2] ? ' focus' : ''), l[0]); p.appendChild(d); });
    return p;
  }
  function runPane(label, run, otherRun, mark, focus) {
    var pane = el('div', 'pane');
    var h = el('div', 'pane-h');
    add(h, el('b', null, label), el('span', 'pill' + (/error|timeout|memory|settled|crash/.test(run.outcome) ? ' pill-err' : ''), run.outcome), el('span', 'small muted', (run.durationNs / 1000).toFixed(1) + ' µs'));
    pane.appendChild(h);
    if (run.error) pane.appendChild(el('div', 'pane-err', run.error));
    pane.appendChild(pre(jsonLines(run.effective, otherRun.effective, true, mark, focus)));
    if (run.logs && run.logs.length) pane.appendChild(el('div', 'pane-logs', run.logs.join('\n')));
    return pane;
  }
  function sampleEl(g, s) {
    var focus = focusOf(g.path);
    var box = el('div', 'sample');
    var ev = el('div', 'pane');
    add(ev, add(el('div', 'pane-h'), el('b', null, 'EVENT'), el('span', 'small muted', 'as both versions received it')), pre(jsonLines(s.event, undefined, false, '', focus)));
    add(box, ev, runPane('OLD OUTPUT', s.old, s.new, 'del', focus), runPane('NEW OUTPUT', s.new, s.old, 'add', focus));
    return box;
  }

  // ---- events ----
  list.addEventListener('click', function (ev) {
    var t = ev.target;
    if (!(t instanceof Element)) return;
    var box = t.closest('.group');
    if (!box) return;
    var g = groups.find(function (x) { return x.id === box.dataset.id; });
    if (!g) return;
    var btn = t.closest('button');
    if (!btn) return;
    if (btn.classList.contains('g-head')) {
      if (open.has(g.id)) { open.delete(g.id); box.classList.remove('open'); btn.setAttribute('aria-expanded', 'false'); var b = box.querySelector('.g-body'); if (b) b.remove(); }
      else { open.set(g.id, 0); box.classList.add('open'); btn.setAttribute('aria-expanded', 'true'); box.appendChild(bodyEl(g)); }
      return;
    }
    if (btn.dataset.exact) {
      open.set(g.id, (open.get(g.id) || 0) + (btn.dataset.exact === 'next' ? 1 : -1));
      var old = box.querySelector('.g-body'); if (old) old.replaceWith(bodyEl(g));
      return;
    }
    if (btn.dataset.allroutes) { fillRoutes(btn.parentElement, g, Infinity); return; }
    if (btn.dataset.sample) {
      var exBox = btn.closest('.ex'), existing = exBox.querySelector('.sample');
      if (existing) { existing.remove(); btn.textContent = 'Event and outputs'; }
      else { exBox.appendChild(sampleEl(g, samples.get(exBox.dataset.event))); btn.textContent = 'Hide event and outputs'; }
    }
  });
  function onPager(ev) {
    var t = ev.target;
    if (!(t instanceof Element) || !t.dataset.act) return;
    state.page += t.dataset.act === 'next' ? 1 : -1;
    render();
    if (ev.currentTarget.id === 'pager-bottom') document.getElementById('diffs').scrollIntoView();
  }
  document.getElementById('pager-top').addEventListener('click', onPager);
  document.getElementById('pager-bottom').addEventListener('click', onPager);
  var timer = 0;
  function later() { clearTimeout(timer); timer = setTimeout(function () { state.page = 0; applyFilters(); }, 120); }
  document.querySelectorAll('[data-risk]').forEach(function (cb) { cb.addEventListener('change', function () { state.risk[cb.dataset.risk] = cb.checked; state.page = 0; applyFilters(); }); });
  document.getElementById('f-kind').addEventListener('change', function (e) { state.kind = e.target.value; state.page = 0; applyFilters(); });
  document.getElementById('f-route').addEventListener('input', function (e) { state.route = e.target.value.trim(); later(); });
  document.getElementById('f-path').addEventListener('input', function (e) { state.path = e.target.value.trim(); later(); });
  document.getElementById('f-q').addEventListener('input', function (e) { state.q = e.target.value.trim(); later(); });
  document.getElementById('f-reset').addEventListener('click', function () {
    state = { risk: { high: true, medium: true, low: true }, kind: '', route: '', path: '', q: '', page: 0 };
    document.querySelectorAll('[data-risk]').forEach(function (cb) { cb.checked = true; });
    ['f-kind', 'f-route', 'f-path', 'f-q'].forEach(function (id) { document.getElementById(id).value = ''; });
    applyFilters();
  });
  applyFilters();
  document.documentElement.dataset.readyMs = String(Math.round(performance.now()));
  document.documentElement.dataset.ready = '1';
})();
`;

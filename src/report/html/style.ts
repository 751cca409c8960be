/** The HTML report's stylesheet (inlined into the page). Light and dark schemes. */
export const CSS = String.raw`
:root{--bg:#f6f8fa;--panel:#fff;--fg:#1f2328;--muted:#656d76;--border:#d0d7de;--soft:#eaeef2;
--high:#cf222e;--high-bg:#ffebe9;--medium:#bc4c00;--medium-bg:#fff1e5;--low:#9a6700;--low-bg:#fff8c5;
--ok:#1a7f37;--ok-bg:#dafbe1;--bad:#cf222e;--bad-bg:#ffebe9;--accent:#0969da;
--old:#57606a;--old-fill:rgba(87,96,106,.28);--new:#e16f24;--new-fill:rgba(225,111,36,.30);
--del-bg:#ffebe9;--del-fg:#82071e;--add-bg:#dafbe1;--add-fg:#116329;--chg-bg:#fff8c5;--focus:#0969da;
--mono:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace;
--sans:-apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,"Liberation Sans",sans-serif}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--panel:#161b22;--fg:#e6edf3;--muted:#8d96a0;--border:#30363d;--soft:#21262d;
--high:#ff7b72;--high-bg:rgba(248,81,73,.15);--medium:#ffa657;--medium-bg:rgba(219,109,40,.15);--low:#e3b341;--low-bg:rgba(187,128,9,.15);
--ok:#3fb950;--ok-bg:rgba(46,160,67,.15);--bad:#f85149;--bad-bg:rgba(248,81,73,.15);--accent:#4493f8;
--old:#8d96a0;--old-fill:rgba(141,150,160,.30);--new:#ff9a4d;--new-fill:rgba(255,154,77,.28);
--del-bg:rgba(248,81,73,.2);--del-fg:#ffa198;--add-bg:rgba(46,160,67,.2);--add-fg:#7ee787;--chg-bg:rgba(187,128,9,.25);--focus:#4493f8}}
*{box-sizing:border-box}
html{scroll-padding-top:56px}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 var(--sans)}
.wrap{max-width:1320px;margin:0 auto;padding:0 24px}
.mono{font-family:var(--mono);font-size:12.5px}
.small{font-size:12px}.muted{color:var(--muted)}
h2{font-size:18px;margin:0 0 12px;display:flex;align-items:baseline;gap:8px;flex-wrap:wrap}
h3{font-size:14px;margin:16px 0 8px}
.h-count{background:var(--soft);border-radius:10px;padding:0 8px;font-size:13px}
.h-sub{color:var(--muted);font-weight:400;font-size:13px}
.top{background:var(--panel);border-bottom:1px solid var(--border);padding:14px 0}
.top .wrap{display:flex;gap:24px;align-items:center;flex-wrap:wrap}
.brand{font-weight:700;font-size:20px;letter-spacing:-.01em}
.fns{display:flex;gap:18px;flex-wrap:wrap}
.fn{display:flex;gap:6px;align-items:baseline}
.fn-tag{font-size:11px;font-weight:700;border-radius:4px;padding:0 5px;color:#fff}
.fn-old{background:var(--old)}.fn-new{background:var(--new)}
.nav{position:sticky;top:0;z-index:5;background:var(--panel);border-bottom:1px solid var(--border)}
.nav .wrap{display:flex;gap:4px}
.nav a{color:var(--fg);text-decoration:none;padding:9px 12px;border-bottom:2px solid transparent;font-size:13px}
.nav a:hover{border-bottom-color:var(--accent)}
.section{background:var(--panel);border:1px solid var(--border);border-radius:8px;padding:18px 20px;margin:18px 0}
.gate{display:flex;gap:20px;align-items:flex-start;border-radius:6px;padding:12px 16px;flex-wrap:wrap}
.gate-ok{background:var(--ok-bg);border:1px solid var(--ok)}.gate-bad{background:var(--bad-bg);border:1px solid var(--bad)}
.gate-verdict{font-size:20px;white-space:nowrap;min-width:150px}
.gate-ok .gate-verdict{color:var(--ok)}.gate-bad .gate-verdict{color:var(--bad)}
.checks{list-style:none;margin:0;padding:0;display:grid;gap:3px;flex:1}
.check{display:flex;gap:8px;align-items:baseline}
.check-icon{font-weight:700;width:14px}.check.ok .check-icon{color:var(--ok)}.check.bad .check-icon{color:var(--bad)}
.check-name{font-family:var(--mono);font-size:12.5px;min-width:110px}
.ok-text{color:var(--ok);font-weight:600}.bad-text{color:var(--bad);font-weight:600}.engine-sample pre{white-space:pre-wrap;max-height:360px;overflow:auto}
.warn{margin-top:12px;background:var(--low-bg);border:1px solid var(--low);border-radius:6px;padding:8px 12px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));gap:12px;margin:16px 0 4px}
.card{border:1px solid var(--border);border-radius:6px;padding:10px 14px}
.card-label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card-value{font-size:24px;font-weight:600;font-variant-numeric:tabular-nums}
.card-sub{color:var(--muted);font-size:12px}
.card-bad .card-value{color:var(--bad)}.card-ok .card-value{color:var(--ok)}
.two{display:grid;grid-template-columns:minmax(0,1.4fr) minmax(0,1fr);gap:24px}
@media (max-width:900px){.two{grid-template-columns:1fr}}
.tbl{border-collapse:collapse;width:100%;font-size:13px}
.tbl th{text-align:left;color:var(--muted);font-weight:600;font-size:12px;border-bottom:1px solid var(--border);padding:5px 8px}
.tbl td{border-bottom:1px solid var(--soft);padding:5px 8px;vertical-align:top}
.num{text-align:right!important;font-variant-numeric:tabular-nums;white-space:nowrap}
.pill{display:inline-block;font-family:var(--mono);font-size:12px;background:var(--soft);border-radius:10px;padding:0 8px}
.pill-err{background:var(--bad-bg);color:var(--bad)}
.delta-bad{color:var(--bad);font-weight:600}.delta-good{color:var(--ok);font-weight:600}.delta-chg{color:var(--medium);font-weight:600}
.bars{width:32%;min-width:90px}.bar{display:block;height:6px;border-radius:3px;margin:2px 0}
.bar-old{background:var(--old)}.bar-new{background:var(--new)}
.bars-h{white-space:nowrap}.arrow{color:var(--muted);width:1em}
.key{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 4px 0 8px;vertical-align:-1px}
.key-old{background:var(--old)}.key-new{background:var(--new)}
.filters{display:flex;gap:12px;align-items:flex-end;flex-wrap:wrap;padding:10px 12px;background:var(--bg);border:1px solid var(--border);border-radius:6px;position:sticky;top:38px;z-index:4}
.flabel{display:block;font-size:11px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em;margin-bottom:2px}
.f input,.f select{font:13px var(--sans);padding:5px 8px;border:1px solid var(--border);border-radius:6px;background:var(--panel);color:var(--fg);min-width:170px}
.f-grow{flex:1}.f-grow input{width:100%}
.risk-toggles{display:flex;gap:6px;align-items:center;flex-wrap:wrap}.risk-toggles .flabel{width:100%}
.rt{display:inline-flex;gap:4px;align-items:center;border:1px solid var(--border);border-radius:14px;padding:3px 10px;font-size:13px;cursor:pointer;user-select:none;background:var(--panel)}
.rt span{color:var(--muted);font-variant-numeric:tabular-nums}
.rt-high:has(input:checked){background:var(--high-bg);border-color:var(--high)}
.rt-medium:has(input:checked){background:var(--medium-bg);border-color:var(--medium)}
.rt-low:has(input:checked){background:var(--low-bg);border-color:var(--low)}
.btn{font:13px var(--sans);padding:5px 12px;border:1px solid var(--border);border-radius:6px;background:var(--panel);color:var(--fg);cursor:pointer}
.btn:hover{background:var(--soft)}.btn-small{font-size:11.5px;padding:0 8px;border-radius:4px}.btn:disabled{opacity:.45;cursor:default}
.list-head,.list-foot{display:flex;justify-content:space-between;align-items:center;margin:10px 0;gap:12px;flex-wrap:wrap}
.pager{display:flex;gap:6px;align-items:center}
.groups{border:1px solid var(--border);border-radius:6px;overflow:hidden}
.group{border-bottom:1px solid var(--border)}.group:last-child{border-bottom:0}
.g-head{display:grid;grid-template-columns:18px 74px minmax(0,2.2fr) 82px minmax(0,2.2fr) minmax(0,1.8fr) 128px;gap:10px;align-items:center;width:100%;padding:7px 12px;border:0;background:var(--panel);color:var(--fg);text-align:left;font:inherit;cursor:pointer}
.g-head:hover{background:var(--bg)}
.group.open>.g-head{background:var(--bg);border-bottom:1px solid var(--border)}
.caret{color:var(--muted);transition:transform .12s}.group.open .caret{transform:rotate(90deg)}
.risk{display:inline-block;text-align:center;font-size:11px;font-weight:700;text-transform:uppercase;border-radius:10px;padding:1px 0;letter-spacing:.03em}
.risk-high{background:var(--high-bg);color:var(--high)}.risk-medium{background:var(--medium-bg);color:var(--medium)}.risk-low{background:var(--low-bg);color:var(--low)}
.g-path,.g-sig{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.g-sig{color:var(--muted)}
.kind{font-size:12px;color:var(--muted)}
.routes{display:flex;gap:4px;overflow:hidden;white-space:nowrap}
.route{font-family:var(--mono);font-size:11.5px;background:var(--soft);border-radius:4px;padding:0 5px}
.g-count{text-align:right;font-variant-numeric:tabular-nums}
.g-n{display:block;white-space:nowrap}.share{display:block;height:3px;background:var(--soft);border-radius:2px;margin-top:3px}
.share i{display:block;height:3px;border-radius:2px;background:var(--accent)}
.g-body{padding:12px 16px 16px;background:var(--panel)}
.g-meta{display:flex;gap:14px;flex-wrap:wrap;color:var(--muted);font-size:12px;margin-bottom:8px}
.g-meta .routes{flex-wrap:wrap;white-space:normal}
.ex{border:1px solid var(--border);border-radius:6px;margin:8px 0;overflow:hidden}
.ex-head{display:flex;gap:10px;align-items:baseline;padding:6px 10px;background:var(--bg);border-bottom:1px solid var(--border);flex-wrap:wrap}
.ex-uri{font-family:var(--mono);font-size:12.5px;word-break:break-all}
.method{font-family:var(--mono);font-size:11px;font-weight:700;background:var(--soft);border-radius:4px;padding:0 5px}
.ex-vals{display:grid;grid-template-columns:1fr 1fr}
.ex-val{padding:6px 10px;font-family:var(--mono);font-size:12.5px;white-space:pre-wrap;word-break:break-all}
.ex-val+.ex-val{border-left:1px solid var(--border)}
.side{font:700 10px var(--sans);letter-spacing:.05em;color:var(--muted);display:block;margin-bottom:2px}
del{background:var(--del-bg);color:var(--del-fg);text-decoration:none;border-radius:2px}
ins{background:var(--add-bg);color:var(--add-fg);text-decoration:none;border-radius:2px}
.absent{color:var(--muted);font-style:italic;font-family:var(--sans)}
.sample-toggle{margin-left:auto}
.sample{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));border-top:1px solid var(--border)}
@media (max-width:1000px){.sample{grid-template-columns:1fr}}
.pane{min-width:0;border-right:1px solid var(--border)}.pane:last-child{border-right:0}
.pane-h{font-size:12px;padding:5px 10px;border-bottom:1px solid var(--border);background:var(--bg);display:flex;gap:8px;flex-wrap:wrap;align-items:baseline}
.pane-h b{font-size:11px;letter-spacing:.05em}
.pane pre{margin:0;padding:6px 0;max-height:440px;overflow:auto;font-family:var(--mono);font-size:12px;line-height:1.45}
.jl{padding:0 10px;white-space:pre}
.jl.del{background:var(--del-bg)}.jl.add{background:var(--add-bg)}.jl.chg{background:var(--chg-bg)}
.jl.focus{box-shadow:inset 3px 0 0 var(--focus)}
.pane-err{color:var(--bad);padding:4px 10px;font-family:var(--mono);font-size:12px;white-space:pre-wrap}
.pane-logs{color:var(--muted);padding:4px 10px;font-family:var(--mono);font-size:11.5px;border-top:1px dashed var(--border);white-space:pre-wrap;word-break:break-all}
.ex-more{display:flex;gap:8px;align-items:center;margin-top:6px}
.empty{padding:28px;text-align:center;color:var(--muted)}
details.sub>summary{cursor:pointer;padding:4px 0}
.ex-tbl td{font-size:12px}
.val-old{background:var(--del-bg)}.val-new{background:var(--add-bg)}
.lat{display:grid;grid-template-columns:1fr;gap:16px}
.lat-table{display:grid;grid-template-columns:minmax(0,560px) minmax(0,1fr);gap:24px;align-items:start}
@media (max-width:1000px){.lat-table{grid-template-columns:1fr}}
.lat-note p{margin:4px 0 8px}
.charts{display:grid;grid-template-columns:1fr 1fr;gap:20px}
@media (max-width:1000px){.charts{grid-template-columns:1fr}}
.chart{width:100%;height:auto;display:block}
.chart .ct{font:600 12px var(--sans);fill:var(--fg)}
.chart .tick{font:10px var(--sans);fill:var(--muted)}.chart .axis{font:11px var(--sans);fill:var(--muted)}
.chart .grid{stroke:var(--soft);stroke-width:1}
.chart .area-old{fill:var(--old-fill);stroke:var(--old);stroke-width:1.2}
.chart .area-new{fill:var(--new-fill);stroke:var(--new);stroke-width:1.2}
.chart .line-old{fill:none;stroke:var(--old);stroke-width:2}.chart .line-new{fill:none;stroke:var(--new);stroke-width:2}
.chart .dot-old{fill:var(--old)}.chart .dot-new{fill:var(--new)}
.chart .mark{stroke-width:1.2;stroke-dasharray:4 3}.chart .mark-old{stroke:var(--old)}.chart .mark-new{stroke:var(--new)}
.chart .mlabel{font:600 9.5px var(--sans)}.chart .mlabel-old{fill:var(--old)}.chart .mlabel-new{fill:var(--new)}
.chart .hit{fill:transparent}.chart .hit:hover{fill:rgba(127,127,127,.12)}
.legend{font-size:13px;margin-bottom:6px}
.ratio.slower{color:var(--bad);font-weight:600}.ratio.faster{color:var(--ok);font-weight:600}.ratio.ns{color:var(--muted)}
.dl{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:8px 24px;margin:0}
.dl dt{color:var(--muted);font-size:12px}.dl dd{margin:0}
footer{padding:8px 24px 32px}
`;

/**
 * The HTML report's stylesheet (inline: the page makes no request of any kind). Markers differ by colour and by
 * shape/pattern (waived striped, not verified dashed), so they still read in grey on paper. `@media print` lays the
 * page out for A4: no controls, zones kept whole, colours printed.
 */
export const STYLE = `
:root{--crit:#b3001b;--high:#e8590c;--med:#e0b000;--low:#3b73d9;--info:#7d858c;--waived:#7048a8;--clean:#2b8a3e;--ink:#1d2126;--mute:#5c6670;--line:#d5dade;--bg:#f6f7f8;--nw:#0b5cad;--shared:#c92a2a;--retail:#5f3dc4}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK JP","Noto Sans JP","Hiragino Sans","Yu Gothic",Meiryo,sans-serif;color:var(--ink);background:var(--bg);font-size:14px;line-height:1.45}
body{margin:0}
header.top{background:#fff;border-bottom:1px solid var(--line);padding:10px 18px;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
header.top h1{font-size:18px;margin:0}
.verdict{font-weight:700;padding:2px 10px;border-radius:4px;color:#fff}
.verdict.fail{background:var(--crit)}.verdict.pass{background:var(--clean)}
.meta{color:var(--mute);font-size:12px}
.layout{display:grid;grid-template-columns:minmax(0,1fr) 430px;gap:14px;padding:14px 18px;align-items:start}
main>section,aside>section{background:#fff;border:1px solid var(--line);border-radius:6px;padding:10px 14px;margin-bottom:14px}
h2{font-size:16px;margin:2px 0 8px}h3{font-size:14px;margin:10px 0 6px}h4{font-size:13px;margin:8px 0 4px}
table{border-collapse:collapse;width:100%;font-size:12.5px}
th,td{border-bottom:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f0f2f4;font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.summary-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:8px 18px}
.val{white-space:pre-wrap;overflow-wrap:anywhere;unicode-bidi:isolate;font-family:ui-monospace,"Noto Sans Mono CJK JP",monospace;font-size:12px}
.hash{font-family:ui-monospace,monospace;font-size:11px;color:var(--mute);overflow-wrap:anywhere}
.sev{display:inline-block;min-width:58px;text-align:center;border-radius:3px;padding:0 4px;font-size:11.5px;font-weight:600;color:#fff}
.sev.critical{background:var(--crit)}.sev.high{background:var(--high)}.sev.medium{background:var(--med);color:#222}.sev.low{background:var(--low)}.sev.info{background:var(--info)}
.sev.waived{background:var(--waived)}
.filters{display:flex;flex-wrap:wrap;gap:6px 14px;align-items:center}
.filters label{white-space:nowrap}
.filters input[type=search]{min-width:260px;padding:3px 6px}
.count{color:var(--mute);font-size:12px}
.site{border:1px solid var(--line);border-radius:6px;padding:6px 10px 10px;margin-bottom:10px}
.site>h3{margin:2px 0 6px}
.zones{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:8px}
.zone{border:2px solid var(--line);border-radius:5px;padding:5px 7px;break-inside:avoid;background:#fff}
.zone.reach-nw-only{border-color:var(--nw)}
.zone.reach-shared{border-color:var(--shared);background:#fff5f5}
.zone.reach-retail{border-color:var(--retail);background:#f8f5ff}
.zone-head{display:flex;justify-content:space-between;gap:6px;align-items:baseline}
.zone-name{font-weight:600}
.reach{font-size:11px;font-weight:700;border-radius:3px;padding:0 5px;color:#fff;white-space:nowrap}
.reach.nw-only{background:var(--nw)}.reach.shared{background:var(--shared)}.reach.retail{background:var(--retail)}.reach.unknown{background:var(--info)}
.who{font-size:11.5px;color:var(--mute);margin:2px 0 5px}
.who .nw{color:var(--nw)}.who .retail{color:var(--retail)}
.markers{display:flex;flex-wrap:wrap;gap:4px}
.m{font:inherit;font-size:11.5px;cursor:pointer;border:2px solid transparent;border-radius:4px;padding:1px 5px;color:#fff;display:inline-flex;gap:3px;align-items:center;line-height:1.3}
.m.s-critical{background:var(--crit)}.m.s-high{background:var(--high)}.m.s-medium{background:var(--med);color:#222}.m.s-low{background:var(--low)}.m.s-info{background:var(--info)}
.m.s-waived{background:repeating-linear-gradient(135deg,var(--waived) 0 5px,#9a7cc9 5px 10px)}
.m.s-unverified{background:#fff;color:var(--ink);border:2px dashed var(--info)}
.m.s-clean{background:var(--clean)}
.m .role{font-size:9.5px;font-weight:800;background:rgba(0,0,0,.35);color:#fff;border-radius:2px;padding:0 2px}
.m.s-unverified .role{background:var(--nw)}
.m .q{font-weight:800}
.m.st-planned{opacity:.8;border-style:dotted;border-color:#333}
.m.st-removed{text-decoration:line-through;opacity:.7}
.m.sel{outline:3px solid #111;outline-offset:1px}
.m.dim{opacity:.15}
.m:focus-visible{outline:3px solid #1c7ed6}
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;font-size:12px;margin-top:6px}
.legend .m{cursor:default}
button.link{font:inherit;background:none;border:0;padding:0;color:#1c5fb8;text-decoration:underline;cursor:pointer}
aside{position:sticky;top:10px;max-height:calc(100vh - 20px);overflow:auto}
.detail dl{display:grid;grid-template-columns:120px minmax(0,1fr);gap:1px 8px;margin:0;font-size:12.5px}
.detail dt{color:var(--mute)}.detail dd{margin:0}
.finding{border-left:4px solid var(--line);padding:3px 8px;margin:6px 0}
.finding.critical{border-color:var(--crit)}.finding.high{border-color:var(--high)}.finding.medium{border-color:var(--med)}.finding.low{border-color:var(--low)}.finding.info{border-color:var(--info)}
.finding.is-waived{border-color:var(--waived)}
.finding p{margin:2px 0}
.muted{color:var(--mute)}
ul.plain{margin:0;padding-left:18px}
.printbtn{margin-left:auto}
@media (max-width:1000px){.layout{grid-template-columns:1fr}aside{position:static;max-height:none}}
@media print{
  @page{size:A4;margin:12mm 10mm}
  html{background:#fff;font-size:10.5pt}
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  .layout{display:block;padding:0}
  aside{position:static;max-height:none;overflow:visible}
  #filters,.printbtn,.no-print{display:none}
  main>section,aside>section{border:0;padding:0;margin:0 0 10pt}
  .site,.zone,tr,.finding{break-inside:avoid}
  .m.dim{opacity:1}
  #detail.empty{display:none}
  h2{break-after:avoid}
}
`

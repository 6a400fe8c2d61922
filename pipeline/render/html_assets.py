"""The HTML report's style and script, inlined in the page; the CSP allows exactly this script by its hash."""

_CSS = """
:root{--err:#c62828;--warn:#b07d00;--info:#1e6fbf;--ink:#1d232b;--muted:#5d6875;--line:#d9dee4;--bg:#f6f7f9}
*{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans","DejaVu Sans",sans-serif;
color:var(--ink);background:var(--bg)}
header.top{background:#20344d;color:#fff;padding:16px 28px 10px}
header.top h1{margin:0 0 4px;font-size:24px}
header.top .sub{margin:0;color:#d5dfeb}
header.top code{color:#fff}
nav.toc{margin-top:6px}
nav.toc a{color:#fff}
.verdict.fail{color:#ffb3b3}.verdict.pass{color:#b6f0b6}
main{padding:8px 28px 40px;max-width:1400px}
h2{font-size:20px;margin:26px 0 10px;border-bottom:2px solid var(--line);padding-bottom:4px}
h3{font-size:16px;margin:0 0 8px}
code{font-family:"DejaVu Sans Mono","Liberation Mono",monospace;font-size:.9em}
a{color:#1b5fa8}
.filters{position:sticky;top:0;z-index:5;background:#fff;border-bottom:1px solid var(--line);
padding:8px 28px;display:flex;flex-wrap:wrap;gap:6px;align-items:center;box-shadow:0 1px 4px rgba(0,0,0,.06)}
.filters .flabel{font-weight:600;margin-left:8px;color:var(--muted)}
.chip{border:1px solid var(--line);border-radius:14px;padding:1px 9px;cursor:pointer;user-select:none;background:#fafbfc}
.chip.sev-error{border-color:var(--err)}.chip.sev-warning{border-color:var(--warn)}.chip.sev-info{border-color:var(--info)}
.filters button{margin-left:10px}
.filters .count{color:var(--muted);margin-left:8px}
.tiles{display:flex;flex-wrap:wrap;gap:10px}
.tile{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:130px}
.tile .big{font-size:26px;font-weight:700}
.tile .small{color:var(--muted);font-size:13px;max-width:210px}
.t-error .big{color:var(--err)}.t-warning .big{color:var(--warn)}.t-info .big{color:var(--info)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(430px,1fr));gap:14px;margin-top:14px}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 16px;overflow:auto}
.chart{max-width:100%;height:auto;font-size:13px;fill:var(--ink)}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:13px;color:var(--muted);font-weight:600}
td.num,th.num{text-align:right;white-space:nowrap}
table.mini td{font-size:14px}
.hbar{display:inline-block;width:60px;height:8px;background:#eef1f4;margin-right:6px;vertical-align:middle;border-radius:2px}
.hbar span{display:block;height:100%;background:#7f95ad;border-radius:2px}
.priority .ptitle{color:var(--muted)}
.formula{background:#fff;border-left:4px solid #20344d;padding:6px 12px}
.note,.none,.found,.missing{color:var(--muted)}
.found{font-size:13px}
section.article{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 18px;margin:16px 0}
section.article .rank{color:var(--muted);font-weight:400}
.path{margin:0 0 6px;color:var(--muted)}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0 12px}
dl.meta dt{color:var(--muted)}dl.meta dd{margin:0}
table.findings td{font-size:14px}
tr.finding td.where{white-space:nowrap}
.sev{display:inline-block;border-radius:3px;padding:0 6px;color:#fff;font-size:12px;font-weight:600}
.sev.sev-error{background:var(--err)}.sev.sev-warning{background:var(--warn)}.sev.sev-info{background:var(--info)}
.baselined{font-size:11px;color:var(--muted);border:1px solid var(--line);border-radius:3px;padding:0 4px}
.excerpt{color:var(--muted);font-size:13px;margin-top:2px}
.evidence summary{cursor:pointer;color:var(--muted);font-size:12px}
.evidence pre{font-size:12px;white-space:pre-wrap;margin:2px 0;background:var(--bg);padding:4px}
details.textview{margin-top:12px}
details.textview summary{cursor:pointer;font-weight:600}
.text{white-space:pre-wrap;overflow-wrap:anywhere;font:16px/1.65 Georgia,"DejaVu Serif","Liberation Serif",serif;
max-width:52em;padding:10px 14px;border:1px solid var(--line);border-radius:6px;background:#fffef9;margin-top:6px}
mark{background:transparent;color:inherit;border-radius:2px;padding:0 1px}
mark.sev-error{background:#ffd3d3;box-shadow:inset 0 -2px var(--err)}
mark.sev-warning{background:#fff0b8;box-shadow:inset 0 -2px #e0a100}
mark.sev-info{background:#dcebfb;box-shadow:inset 0 -2px var(--info)}
mark.off{background:transparent;box-shadow:none}
mark.off>a.ref{display:none}
mark:target{outline:2px solid #20344d}
tr.finding:target{outline:2px solid #20344d;background:#fffbe0}
a.ref{font:700 10px/1 system-ui,sans-serif;vertical-align:super;text-decoration:none;margin-left:1px}
a.ref::after{content:attr(data-n)}
del{color:#8a8f96;background:#f0f0f0;text-decoration:line-through}
del::before{content:attr(data-rule);font:600 10px/1 system-ui,sans-serif;color:#fff;background:#8a8f96;
border-radius:3px;padding:1px 3px;margin-right:3px;vertical-align:1px;display:inline-block;text-decoration:none}
.back{margin:8px 0 0;font-size:13px}
[hidden]{display:none!important}
@media print{.filters{display:none}section.article{break-inside:auto}}
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var doc = document, root = doc.documentElement;
  var form = doc.getElementById("filters");
  var boxes = Array.prototype.slice.call(doc.querySelectorAll("input[data-filter]"));
  var rows = Array.prototype.slice.call(doc.querySelectorAll("tr.finding"));
  var marks = Array.prototype.slice.call(doc.querySelectorAll("mark[data-finding]"));
  var articles = Array.prototype.slice.call(doc.querySelectorAll("section.article"));
  var prio = {};
  Array.prototype.forEach.call(doc.querySelectorAll("[data-article-row]"), function (tr) {
    prio[tr.getAttribute("data-article-row")] = tr;
  });
  function hiddenSet() {
    var h = {};
    boxes.forEach(function (b) { if (!b.checked) { h[b.value] = true; } });
    return h;
  }
  function apply() {
    var h = hiddenSet(), names = Object.keys(h).sort(), any = names.length > 0, shown = 0, left = 0;
    function off(el) { return !!(h[el.getAttribute("data-category")] || h[el.getAttribute("data-severity")]); }
    rows.forEach(function (tr) { var o = off(tr); tr.hidden = o; if (!o) { shown += 1; } });
    marks.forEach(function (m) { m.classList.toggle("off", off(m)); });
    articles.forEach(function (s) {
      var hide = any && !s.querySelector("tr.finding:not([hidden])");
      s.hidden = hide;
      if (prio[s.id]) { prio[s.id].hidden = hide; }
      if (!hide) { left += 1; }
    });
    doc.getElementById("nothing-left").hidden = left > 0;
    doc.getElementById("filter-count").textContent =
      "showing " + shown + " of " + rows.length + " findings in " + left + " of " + articles.length + " articles";
    root.setAttribute("data-hidden", names.join(","));
    return names;
  }
  function fromHash() {
    var m = /^#hide=([^&]*)/.exec(window.location.hash || "");
    if (!m) { return; }
    var hide = {};
    decodeURIComponent(m[1]).split(",").forEach(function (v) { if (v) { hide[v] = true; } });
    boxes.forEach(function (b) { b.checked = !hide[b.value]; });
  }
  function toHash(names) {
    try {
      var url = window.location.pathname + window.location.search + (names.length ? "#hide=" + names.join(",") : "");
      window.history.replaceState(null, "", url);
    } catch (e) { /* file: URLs in some browsers refuse; filters still work */ }
  }
  boxes.forEach(function (b) { b.addEventListener("change", function () { toHash(apply()); }); });
  doc.getElementById("show-all").addEventListener("click", function () {
    boxes.forEach(function (b) { b.checked = true; });
    toHash(apply());
  });
  window.addEventListener("hashchange", function () {
    if (/^#hide=/.test(window.location.hash)) { fromHash(); apply(); }
  });
  fromHash();
  apply();
  form.hidden = false;
  root.setAttribute("data-medreview-ready", "1");
})();
"""

// The dashboard page: one self-contained HTML document (no external
// resources), polling /api/dashboard every 3 seconds.
#include "storewire/subscriber_base/dashboard.h"

namespace storewire::subscriber_base {

const char kDashboardHtml[] = R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>storewire: subscriber base</title>
<style>
  :root { --bg:#f6f7f9; --card:#fff; --ink:#1c2430; --muted:#6b7685; --accent:#2f6fde;
          --good:#1f9d55; --bad:#d64545; --warn:#c98a00; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
         background:var(--bg); color:var(--ink); }
  header { display:flex; align-items:baseline; gap:16px; padding:16px 24px; background:#1c2430; color:#fff; }
  header h1 { font-size:18px; margin:0; font-weight:600; }
  header .meta { color:#aeb8c6; font-size:12px; }
  #status.stale { color:#ffb4b4; }
  main { padding:20px 24px; display:grid; gap:20px; }
  .cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(170px,1fr)); gap:12px; }
  .card { background:var(--card); border-radius:8px; padding:14px 16px; box-shadow:0 1px 2px rgba(0,0,0,.08); }
  .card .label { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
  .card .value { font-size:28px; font-weight:650; margin-top:4px; font-variant-numeric:tabular-nums; }
  .card .sub { color:var(--muted); font-size:12px; margin-top:2px; }
  .card.bad .value { color:var(--bad); } .card.good .value { color:var(--good); }
  .card.warn .value { color:var(--warn); }
  section { background:var(--card); border-radius:8px; padding:14px 16px; box-shadow:0 1px 2px rgba(0,0,0,.08); }
  section h2 { font-size:14px; margin:0 0 10px; }
  table { width:100%; border-collapse:collapse; font-variant-numeric:tabular-nums; }
  th, td { text-align:left; padding:5px 8px; border-bottom:1px solid #eceff3; }
  th { color:var(--muted); font-weight:500; font-size:12px; }
  td.n, th.n { text-align:right; }
  .two { display:grid; grid-template-columns:1fr 1fr; gap:20px; }
  @media (max-width: 900px) { .two { grid-template-columns:1fr; } }
  svg.spark rect { fill:var(--accent); }
  .empty { color:var(--muted); font-style:italic; }
</style>
</head>
<body>
<header>
  <h1>Subscriber base</h1>
  <span class="meta">live from storewire-metrics &middot; refreshes every 3 s &middot;
    <span id="status">loading&hellip;</span></span>
</header>
<main>
  <div class="cards">
    <div class="card good"><div class="label">Active subscriptions</div>
      <div class="value" id="active-subscriptions">&ndash;</div>
      <div class="sub"><span id="tracked">&ndash;</span> subscriptions tracked</div></div>
    <div class="card"><div class="label">Active trials</div>
      <div class="value" id="active-trials">&ndash;</div></div>
    <div class="card good"><div class="label">MRR</div>
      <div class="value" id="mrr">&ndash;</div>
      <div class="sub" id="mrr-currencies"></div></div>
    <div class="card warn"><div class="label">Billing issues open</div>
      <div class="value" id="billing-issues">&ndash;</div></div>
    <div class="card"><div class="label">New paid (<span class="wlabel">24h</span>)</div>
      <div class="value" id="new-paid">&ndash;</div></div>
    <div class="card"><div class="label">New trials (<span class="wlabel">24h</span>)</div>
      <div class="value" id="new-trials">&ndash;</div></div>
    <div class="card good"><div class="label">Trial conversions (<span class="wlabel">24h</span>)</div>
      <div class="value" id="trial-conversions">&ndash;</div></div>
    <div class="card bad"><div class="label">Churn (<span class="wlabel">24h</span>)</div>
      <div class="value" id="churned">&ndash;</div></div>
    <div class="card bad"><div class="label">Refunds (<span class="wlabel">24h</span>)</div>
      <div class="value" id="refunds">&ndash;</div>
      <div class="sub" id="refund-amount"></div></div>
  </div>
  <div class="two">
    <section><h2>Events per minute by type (last hour)</h2>
      <table id="events-per-minute"><thead><tr><th>type</th><th>last 60 min</th>
        <th class="n">last min</th><th class="n">total</th></tr></thead><tbody></tbody></table></section>
    <section><h2>Last notification received</h2>
      <table id="last-received"><thead><tr><th>store</th><th>app</th><th>received</th>
        <th class="n">ago</th></tr></thead><tbody></tbody></table></section>
  </div>
  <section><h2>By product</h2>
    <table id="products"><thead><tr><th>app</th><th>store</th><th>environment</th><th>product</th>
      <th class="n">active</th><th class="n">trials</th><th class="n">MRR</th>
      <th class="n">billing issues</th><th class="n">churn</th><th class="n">refunds</th></tr></thead>
      <tbody></tbody></table></section>
</main>
<script>
"use strict";
const strip = (v, p) => (v || "").startsWith(p) ? v.slice(p.length) : (v || "");
const num = v => Number(v || 0);
const fmtInt = n => Number(n).toLocaleString("en-US");
const fmtMoney = (micros, cur) => cur + " " + (num(micros) / 1e6).toLocaleString("en-US",
  { minimumFractionDigits: 2, maximumFractionDigits: 2 });
function set(id, text, raw) {
  const el = document.getElementById(id);
  el.textContent = text;
  if (raw !== undefined) el.dataset.value = String(raw);
}
function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}
function dayWindow(windows) {
  const ws = (windows || []).slice().sort((a, b) => num(a.windowSeconds) - num(b.windowSeconds));
  return ws.find(w => num(w.windowSeconds) >= 86400) || ws[ws.length - 1] || {};
}
function fillRows(table, rows) {
  const body = document.querySelector("#" + table + " tbody");
  body.replaceChildren();
  if (rows.length === 0) {
    const tr = el("tr"); const td = el("td", "nothing yet", "empty");
    td.colSpan = 10; tr.append(td); body.append(tr); return;
  }
  for (const cells of rows) {
    const tr = el("tr");
    for (const c of cells) tr.append(c instanceof Node ? c : el("td", String(c)));
    body.append(tr);
  }
}
function spark(perMinute, nowMinute) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "spark"); svg.setAttribute("width", "180"); svg.setAttribute("height", "20");
  const max = Math.max(1, ...Object.values(perMinute));
  for (let i = 0; i < 60; i++) {
    const v = perMinute[nowMinute - 59 + i] || 0;
    if (!v) continue;
    const h = Math.max(1, Math.round(18 * v / max));
    const r = document.createElementNS(ns, "rect");
    r.setAttribute("x", String(i * 3)); r.setAttribute("width", "2");
    r.setAttribute("y", String(20 - h)); r.setAttribute("height", String(h));
    svg.append(r);
  }
  const td = el("td"); td.append(svg); return td;
}
function render(d) {
  const s = d.summary || {}; const t = s.totals || {}; const cur = s.reportingCurrency || "";
  set("active-subscriptions", fmtInt(num(t.activeSubscriptions)), num(t.activeSubscriptions));
  set("active-trials", fmtInt(num(t.activeTrials)), num(t.activeTrials));
  set("billing-issues", fmtInt(num(t.billingIssues)), num(t.billingIssues));
  set("tracked", fmtInt(num(s.subscriptionsTracked)), num(s.subscriptionsTracked));
  set("mrr", fmtMoney(t.mrrReportingMicros, cur), num(t.mrrReportingMicros));
  set("mrr-currencies", (t.mrr || []).map(m => fmtMoney(m.amountMicros, m.currency)).join(" · "));
  const w = dayWindow(t.windows);
  document.querySelectorAll(".wlabel").forEach(e => e.textContent = w.window || "24h");
  set("new-paid", fmtInt(num(w.newPaid)), num(w.newPaid));
  set("new-trials", fmtInt(num(w.newTrials)), num(w.newTrials));
  set("trial-conversions", fmtInt(num(w.trialConversions)), num(w.trialConversions));
  set("churned", fmtInt(num(w.churned)), num(w.churned));
  set("refunds", fmtInt(num(w.refunds)), num(w.refunds));
  set("refund-amount", fmtMoney(w.refundAmountReportingMicros, cur), num(w.refundAmountReportingMicros));

  const nowMinute = Math.floor(Date.parse(s.asOf || new Date().toISOString()) / 60000);
  const byType = {};
  for (const e of d.eventsPerMinute || []) {
    const type = strip(e.type, "EVENT_TYPE_");
    const m = Math.floor(Date.parse(e.minute) / 60000);
    (byType[type] = byType[type] || {})[m] = num(e.count);
  }
  fillRows("events-per-minute", Object.keys(byType).sort().map(type => {
    const pm = byType[type];
    const total = Object.values(pm).reduce((a, b) => a + b, 0);
    return [type, spark(pm, nowMinute), el("td", fmtInt(pm[nowMinute] || 0), "n"),
            el("td", fmtInt(total), "n")];
  }));
  const now = Date.now();
  fillRows("last-received", (d.lastReceived || []).map(l => {
    const at = Date.parse(l.receivedAt);
    return [strip(l.store, "STORE_"), l.appId, new Date(at).toISOString().replace(".000Z", "Z"),
            el("td", Math.max(0, Math.round((now - at) / 1000)) + " s", "n")];
  }));
  fillRows("products", ((d.products || {}).products || []).map(p => {
    const f = p.figures || {}; const pw = dayWindow(f.windows);
    return [p.appId, strip(p.store, "STORE_"), strip(p.environment, "ENVIRONMENT_"), p.productId,
            el("td", fmtInt(num(f.activeSubscriptions)), "n"), el("td", fmtInt(num(f.activeTrials)), "n"),
            el("td", fmtMoney(f.mrrReportingMicros, cur), "n"), el("td", fmtInt(num(f.billingIssues)), "n"),
            el("td", fmtInt(num(pw.churned)), "n"), el("td", fmtInt(num(pw.refunds)), "n")];
  }));
  const status = document.getElementById("status");
  status.textContent = "updated " + new Date().toLocaleTimeString();
  status.className = "";
  document.body.dataset.loaded = String(num(document.body.dataset.loaded) + 1);
}
async function refresh() {
  try {
    const r = await fetch("/api/dashboard", { cache: "no-store" });
    if (!r.ok) throw new Error("HTTP " + r.status);
    render(await r.json());
  } catch (e) {
    const status = document.getElementById("status");
    status.textContent = "cannot reach the metrics service (" + e.message + ")";
    status.className = "stale";
  }
}
refresh();
setInterval(refresh, 3000);
</script>
</body>
</html>
)html";

}  // namespace storewire::subscriber_base

// Opens the storewire-metrics dashboard in headless Chromium (Debian's
// chromium, driven by playwright-core) and checks the numbers it shows
// against the gRPC SubscriberBase summary the caller saved as JSON.
//
//   node dashboard_test.mjs URL EXPECTED_SUMMARY.json SCREENSHOT.png
// Exit 0 when every number matches, 1 otherwise (the reason on stderr).
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const [url, expectedPath, screenshot] = process.argv.slice(2);
if (!url || !expectedPath || !screenshot) {
  console.error("usage: node dashboard_test.mjs URL EXPECTED_SUMMARY.json SCREENSHOT.png");
  process.exit(2);
}
const summary = JSON.parse(readFileSync(expectedPath, "utf8"));
const totals = summary.totals || {};
const day = (totals.windows || []).find(w => Number(w.windowSeconds) === 86400) || {};
const expected = {
  "active-subscriptions": Number(totals.activeSubscriptions || 0),
  "active-trials": Number(totals.activeTrials || 0),
  "billing-issues": Number(totals.billingIssues || 0),
  "mrr": Number(totals.mrrReportingMicros || 0),
  "tracked": Number(summary.subscriptionsTracked || 0),
  "new-paid": Number(day.newPaid || 0),
  "new-trials": Number(day.newTrials || 0),
  "trial-conversions": Number(day.trialConversions || 0),
  "churned": Number(day.churned || 0),
  "refunds": Number(day.refunds || 0),
};

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
let failed = false;
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const external = [];
  page.on("request", r => { if (!r.url().startsWith(new URL(url).origin)) external.push(r.url()); });
  await page.goto(url);
  // The first refresh has rendered; wait for a second one to prove it refreshes.
  // (Polled from here: the page's Content-Security-Policy forbids the eval
  // that page.waitForFunction relies on.)
  const deadline = Date.now() + 15000;
  while (await page.$eval("body", b => Number(b.dataset.loaded || 0)) < 2) {
    if (Date.now() > deadline) throw new Error("the dashboard did not refresh twice within 15 s");
    await new Promise(r => setTimeout(r, 200));
  }
  for (const [id, want] of Object.entries(expected)) {
    const got = await page.$eval("#" + id, e => ({ value: e.dataset.value, text: e.textContent }));
    if (Number(got.value) !== want) {
      console.error(`#${id}: shows ${got.text} (data-value ${got.value}), gRPC summary says ${want}`);
      failed = true;
    }
  }
  const mrrText = await page.$eval("#mrr", e => e.textContent);
  const wantMrr = (expected.mrr / 1e6).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  if (!mrrText.includes(wantMrr) || !mrrText.startsWith(summary.reportingCurrency)) {
    console.error(`#mrr text '${mrrText}' does not read ${summary.reportingCurrency} ${wantMrr}`);
    failed = true;
  }
  const lastRows = await page.$$eval("#last-received tbody tr", rows => rows.length);
  const eventRows = await page.$$eval("#events-per-minute tbody tr", rows => rows.length);
  if (lastRows < 1 || eventRows < 1) {
    console.error(`expected rows in the last-received (${lastRows}) and events tables (${eventRows})`);
    failed = true;
  }
  if (external.length > 0) {
    console.error("the page loaded external resources: " + external.join(", "));
    failed = true;
  }
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`dashboard checked (${Object.keys(expected).length} numbers); screenshot ${screenshot}`);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);

// Verifies captured webhook deliveries with the independent `standardwebhooks`
// npm package. Input (stdin): JSON {"secret": "whsec_...", "deliveries":
// [{"id", "timestamp", "signature", "body"}]}. Output: one line per delivery,
// "ok <id>" or "fail <id> <reason>"; exit 1 when any failed.
'use strict';
const { Webhook } = require('standardwebhooks');

let input = '';
process.stdin.on('data', (c) => { input += c; });
process.stdin.on('end', () => {
  const { secret, deliveries } = JSON.parse(input);
  const wh = new Webhook(secret);
  const realNow = Date.now;
  let failed = 0;
  for (const d of deliveries) {
    // Tests verify captured requests after the fact: "now" is the delivery's
    // own timestamp, so the 5-minute replay tolerance does not interfere.
    Date.now = () => Number(d.timestamp) * 1000;
    try {
      wh.verify(d.body, {
        'webhook-id': d.id,
        'webhook-timestamp': d.timestamp,
        'webhook-signature': d.signature,
      });
      console.log(`ok ${d.id}`);
    } catch (e) {
      failed++;
      console.log(`fail ${d.id} ${e.message}`);
    } finally {
      Date.now = realNow;
    }
  }
  process.exit(failed ? 1 : 0);
});

// Apple's own Node library (SignedDataVerifier, offline, trusting the test
// root) on the vector that apple_verify_benchmark exports: notifications/s for
// the outer JWS alone (what verifyAndDecodeNotification does) and for the full
// notification (outer + nested transaction + renewal info, like storewire).
//   node verify_loop.js DIR SECONDS
'use strict';
const fs = require('fs');
const path = require('path');
const {SignedDataVerifier, Environment} = require('@apple/app-store-server-library');

async function rate(seconds, fn) {
  await fn();  // warm: the chain is verified and cached
  let n = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 20; ++i) await fn();
    n += 20;
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}

async function main() {
  const dir = process.argv[2];
  const seconds = Number(process.argv[3] || '3');
  const body = JSON.parse(fs.readFileSync(path.join(dir, 'body.json'), 'utf8'));
  const root = fs.readFileSync(path.join(dir, 'root.der'));
  const verifier =
      new SignedDataVerifier([root], false, Environment.SANDBOX, 'com.example', 1234);
  const first = await verifier.verifyAndDecodeNotification(body.signedPayload);
  if (!first.data || !first.data.signedTransactionInfo) throw new Error('vector has no nested JWS');
  const outer = await rate(seconds, () => verifier.verifyAndDecodeNotification(body.signedPayload));
  const full = await rate(seconds, async () => {
    const n = await verifier.verifyAndDecodeNotification(body.signedPayload);
    await verifier.verifyAndDecodeTransaction(n.data.signedTransactionInfo);
    await verifier.verifyAndDecodeRenewalInfo(n.data.signedRenewalInfo);
  });
  console.log(JSON.stringify({outer_per_s: outer, full_per_s: full}));
}

main().catch((e) => {
  console.error('node verify loop failed:', e);
  process.exit(1);
});

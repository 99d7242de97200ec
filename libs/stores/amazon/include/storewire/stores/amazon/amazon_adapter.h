// The Amazon Appstore adapter: verifies SNS messages carrying real-time
// notifications, confirms SNS subscriptions, and maps notifications (with
// the receipt from the Receipt Verification Service when the app has a shared
// secret).
//
//   std::unique_ptr<http::Client> client = http::MakeCurlClient({});
//   std::unique_ptr<stores::StoreAdapter> amazon = MakeAmazonAdapter(config, *client);
//   absl::StatusOr<stores::NormalizeResult> r = amazon->Normalize(raw, *app, absl::Now());
//
// Steps: parse the SNS envelope; TopicArn must be in apps[].amazon.topic_arns
// (else UNAUTHENTICATED: a confirmation for an unknown topic is refused, never
// fetched); the signing certificate is fetched only from a URL matching
// signing_cert_url_pattern (cached, certificates.h) and the signature verified
// (versions 1 and 2); then
//   SubscriptionConfirmation -> GET SubscribeURL (must match
//     subscribe_url_pattern), no events;
//   UnsubscribeConfirmation  -> no events (logged);
//   Notification             -> appPackageName checked against package_name
//     when set; RVS lookup when shared_secret is set; one event.
// Results: Reject(MALFORMED | BAD_SIGNATURE | BAD_CERTIFICATE_CHAIN |
// UNAUTHENTICATED | APP_MISMATCH | STORE_API_UNAVAILABLE | UNKNOWN_APP);
// kUnavailable when the certificate, SubscribeURL or RVS could not be reached
// (retry later).
// Prefetch (the normalizer calls it per batch) looks the batch's receipts up
// at once, up to 16 in parallel, for the notifications whose SNS signature
// verifies; Normalize then answers from it (a kUnavailable answer is asked
// again), so a batch costs about one RVS round trip instead of one per
// notification.
// Lifetime: `client` and `rvs` must outlive the adapter; rvs = nullptr builds
// the HTTP one on `client`. Thread safety: Normalize and Prefetch are safe to
// call concurrently (they block on network calls).
#ifndef STOREWIRE_STORES_AMAZON_AMAZON_ADAPTER_H_
#define STOREWIRE_STORES_AMAZON_AMAZON_ADAPTER_H_

#include <memory>

#include "storewire/core/config.h"
#include "storewire/http/client.h"
#include "storewire/stores/adapter.h"
#include "storewire/stores/amazon/rvs.h"

namespace storewire::stores::amazon {

std::unique_ptr<StoreAdapter> MakeAmazonAdapter(const Config& config, http::Client& client,
                                                const ReceiptVerifier* rvs = nullptr);

}  // namespace storewire::stores::amazon

namespace storewire::stores {
using amazon::MakeAmazonAdapter;
}  // namespace storewire::stores

#endif  // STOREWIRE_STORES_AMAZON_AMAZON_ADAPTER_H_

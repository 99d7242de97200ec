// The App Store adapter: verifies and normalizes App Store Server
// Notifications V2 ({"signedPayload": "<JWS>"}) and V1 bodies.
//
//   absl::StatusOr<std::unique_ptr<stores::StoreAdapter>> apple = MakeAppleAdapter(config);
//   absl::StatusOr<stores::NormalizeResult> r = (*apple)->Normalize(raw, *app, absl::Now());
//
// V2: the outer JWS and the nested signedTransactionInfo / signedRenewalInfo
// are each verified (SignedDataVerifier), then bundleId, appAppleId and
// environment are checked against the app config for the notification and
// the nested payloads, then mapped (mapping.h). V1: `password` must equal
// apps[].apple.shared_secret (constant-time), `bid` the bundle id.
// Results: Reject(MALFORMED | BAD_SIGNATURE | BAD_CERTIFICATE_CHAIN |
// APP_MISMATCH | ENVIRONMENT_MISMATCH | UNAUTHENTICATED | UNKNOWN_APP, detail)
// for permanent failures; a kUnavailable status only when an OCSP responder
// could not be reached (online checks), i.e. retry later.
// Lifetime: `ocsp`, when given, must outlive the adapter; when null and an app
// has online_checks, the adapter creates its own HTTP OCSP client.
// Thread safety: Normalize is safe to call concurrently.
#ifndef STOREWIRE_STORES_APPLE_APPLE_ADAPTER_H_
#define STOREWIRE_STORES_APPLE_APPLE_ADAPTER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "storewire/core/config.h"
#include "storewire/stores/adapter.h"
#include "storewire/stores/apple/ocsp.h"

namespace storewire::stores::apple {

// Loads every app's trust roots now (errors name the app and the file).
absl::StatusOr<std::unique_ptr<StoreAdapter>> MakeAppleAdapter(const Config& config,
                                                               const OcspClient* ocsp = nullptr);

}  // namespace storewire::stores::apple

namespace storewire::stores {
using apple::MakeAppleAdapter;
}  // namespace storewire::stores

#endif  // STOREWIRE_STORES_APPLE_APPLE_ADAPTER_H_

// Cheap, unverified inspection of a store's request body at the door: is it
// the store's envelope at all, and which key should its raw record carry?
//
//   absl::StatusOr<Envelope> e = InspectEnvelope(v1::STORE_APP_STORE, body);
//   if (!e.ok()) { /* 400: e.status().message() says what is missing */ }
//   e->partition_key;  // e.g. the originalTransactionId, or "" if none found
//
// Nothing here is trusted: signatures are checked later by the normalizer.
// The partition key only spreads load and keeps one subscription's records in
// order; a wrong key is harmless. Errors: kInvalidArgument (not JSON, not
// valid UTF-8, not the store's shape). Thread safety: pure functions.
#ifndef STOREWIRE_INGRESS_ENVELOPE_H_
#define STOREWIRE_INGRESS_ENVELOPE_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storewire/v1/event.pb.h"

namespace storewire::ingress {

struct Envelope {
  // "apple_v2", "apple_v1", "google_pubsub", "huawei_order",
  // "huawei_subscription", "amazon_sns".
  std::string kind;
  // Per store (see libs/ingress/README.md); "" when none could be derived.
  std::string partition_key;
};

// Keys longer than this are ignored (the next fallback applies).
inline constexpr size_t kMaxPartitionKeyBytes = 256;

absl::StatusOr<Envelope> InspectEnvelope(v1::Store store, absl::string_view body);

}  // namespace storewire::ingress

#endif  // STOREWIRE_INGRESS_ENVELOPE_H_

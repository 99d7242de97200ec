// The seam between the normalizer and each store: a StoreAdapter verifies one
// raw notification and maps it to SubscriptionEvents, as a pure function of
// (raw record, app config, now). No Kafka, no clock, no network, except what an
// adapter is explicitly handed behind an interface (an OCSP or store-API
// client).
//
//   absl::StatusOr<NormalizeResult> r = adapter.Normalize(raw, app, absl::Now());
//   if (!r.ok())          -> retryable (kUnavailable, kDeadlineExceeded): retry later
//   else if (r->rejected) -> permanent: route to <prefix>.rejected with the reason
//   else                  -> r->events go to <prefix>.events.v1
//
// Thread safety: Normalize is const and must be safe to call concurrently.
#ifndef STOREWIRE_STORES_ADAPTER_H_
#define STOREWIRE_STORES_ADAPTER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "storewire/core/config.h"
#include "storewire/v1/event.pb.h"
#include "storewire/v1/raw.pb.h"

namespace storewire::stores {

struct Rejection {
  v1::RejectReason reason = v1::REJECT_REASON_MALFORMED;
  // What an operator should check, e.g. "bundleId 'com.x' does not match
  // apps[demo].apple.bundle_id 'com.example'".
  std::string detail;
};

struct NormalizeResult {
  std::vector<v1::SubscriptionEvent> events;
  std::optional<Rejection> rejected;

  static NormalizeResult Reject(v1::RejectReason reason, std::string detail) {
    NormalizeResult r;
    r.rejected = Rejection{reason, std::move(detail)};
    return r;
  }
};

// One record of a batch, for StoreAdapter::Prefetch.
struct PrefetchItem {
  const v1::RawNotification* raw = nullptr;
  const AppConfig* app = nullptr;
};

class StoreAdapter {
 public:
  virtual ~StoreAdapter() = default;
  virtual v1::Store store() const = 0;
  // Returns a result for both accepted and permanently rejected input; a
  // non-OK status only for failures that may succeed on retry.
  virtual absl::StatusOr<NormalizeResult> Normalize(const v1::RawNotification& raw,
                                                    const AppConfig& app, absl::Time now) const = 0;
  // Optional batch hook, called before the Normalize calls of a batch: starts
  // the I/O they will need (store API calls) for all items at once and waits
  // for it, so that a batch costs one round trip instead of one per record.
  // Normalize must give the same answer with or without it. Default: nothing.
  virtual void Prefetch(const std::vector<PrefetchItem>& items) const {}
};

// The reason without its prefix: REJECT_REASON_BAD_SIGNATURE -> BAD_SIGNATURE.
std::string RejectReasonName(v1::RejectReason reason);

// proto3 JSON mapping of an event on one line (camelCase names, enums as
// names, int64 as strings, scalar defaults printed).
std::string EventToJson(const v1::SubscriptionEvent& event);

// The deterministic event id: UUIDv5 of "<store>:<store notification id>",
// plus ":<index>" for the second and later events of one notification.
std::string EventId(v1::Store store, absl::string_view store_notification_id, int index = 0);

}  // namespace storewire::stores

#endif  // STOREWIRE_STORES_ADAPTER_H_

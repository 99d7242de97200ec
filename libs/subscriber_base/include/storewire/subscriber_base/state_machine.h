// The per-subscription state machine: a pure function from (state, event) to
// the next state. No Kafka, no clock.
//
//   StateMachineOptions options = StateMachineOptionsFrom(config.metrics);
//   v1::SubscriptionState state;                      // empty = never seen
//   ApplyOutcome o = ApplyEvent(options, event, state);
//   if (o.kind == ApplyOutcome::kApplied) { /* o.counted: windowed metrics */ }
//
// Rules (README.md has the full table):
//   - idempotent: an event id already in the state's history changes nothing
//     (kDuplicate); the history (newest last, `history_size` entries) is the
//     dedupe set, persisted with the state;
//   - store-time order: an event that occurred before the state's newest
//     applied event is recorded in the history as stale and changes nothing
//     else (kStale); equal times apply in arrival order;
//   - events that concern no subscription (TEST, one-time purchases,
//     UNKNOWN, ...) are kIgnored and leave the state untouched.
// Thread safety: pure; callers own the state.
#ifndef STOREWIRE_SUBSCRIBER_BASE_STATE_MACHINE_H_
#define STOREWIRE_SUBSCRIBER_BASE_STATE_MACHINE_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "storewire/core/config.h"
#include "storewire/v1/event.pb.h"
#include "storewire/v1/subscribers.pb.h"

namespace storewire::subscriber_base {

struct StateMachineOptions {
  // product id -> ISO 8601 billing period, for events that do not say it.
  std::map<std::string, std::string, std::less<>> product_periods;
  absl::Duration refund_abuse_window = absl::Hours(48);
  int history_size = 32;
};

StateMachineOptions StateMachineOptionsFrom(const MetricsConfig& config);

struct ApplyOutcome {
  enum Kind { kApplied, kDuplicate, kStale, kIgnored };
  Kind kind = kIgnored;
  v1::SubscriptionStatus previous_status = v1::SUBSCRIPTION_STATUS_UNSPECIFIED;
  // OR of v1::WindowedMetric values the event counted towards (kApplied only).
  uint32_t counted = 0;
};

// True when events of this type concern a subscription's state.
bool ConcernsSubscription(v1::EventType type);

// Key of the state record: "<store route name>/<subscription_key>".
std::string StateKey(v1::Store store, absl::string_view subscription_key);

ApplyOutcome ApplyEvent(const StateMachineOptions& options, const v1::SubscriptionEvent& event,
                        v1::SubscriptionState& state);

// ACTIVE and GRACE_PERIOD (access, paid): counted as active and in MRR.
bool IsPaidActive(v1::SubscriptionStatus status);
// GRACE_PERIOD, BILLING_RETRY, ON_HOLD.
bool IsBillingIssue(v1::SubscriptionStatus status);

// "ACTIVE" for SUBSCRIPTION_STATUS_ACTIVE.
std::string StatusName(v1::SubscriptionStatus status);

}  // namespace storewire::subscriber_base

#endif  // STOREWIRE_SUBSCRIBER_BASE_STATE_MACHINE_H_

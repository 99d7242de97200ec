// SubscriberBase: every subscription's state plus the aggregates over them,
// fed by events (live) and by state records (rebuild on start).
//
//   SubscriberBase base(SubscriberBaseOptionsFrom(config.metrics), SystemClock::Get());
//   // on start, for every record of <prefix>.subscriptions.state:
//   base.Restore(record.key, record.value);
//   // then for every event of <prefix>.events.v1:
//   std::optional<StateRecord> out = base.Apply(event);   // write it to the state topic
//   v1::SummaryResponse s = base.Summary({});
//
// Apply returns the subscription's full new state for every event that
// concerns a subscription, duplicates included: if a transaction that wrote
// the state was aborted and its events are redelivered, the (unchanged)
// state is written again, so that the state topic always ends with the
// in-memory state. Deduplication by event id (history in the state) makes
// that safe: a restart never double counts.
//
// Thread safety: every method may be called from any thread (one mutex).
// Errors: Restore returns kInvalidArgument for a value that is not a
// SubscriptionState (the caller logs and skips it).
#ifndef STOREWIRE_SUBSCRIBER_BASE_SUBSCRIBER_BASE_H_
#define STOREWIRE_SUBSCRIBER_BASE_SUBSCRIBER_BASE_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "storewire/core/clock.h"
#include "storewire/core/config.h"
#include "storewire/core/metrics.h"
#include "storewire/subscriber_base/aggregates.h"
#include "storewire/subscriber_base/state_machine.h"
#include "storewire/v1/subscribers.pb.h"

namespace storewire::subscriber_base {

struct SubscriberBaseOptions {
  StateMachineOptions state_machine;
  AggregateOptions aggregates;
  int refund_abuse_count = 2;
  // Product label values on Prometheus beyond this many distinct products
  // become "other" (bounded cardinality).
  int max_product_labels = 200;
  // Where counters (events, changes) go; nullptr = none.
  MetricsRegistry* registry = nullptr;
};

SubscriberBaseOptions SubscriberBaseOptionsFrom(const MetricsConfig& config);

struct StateRecord {
  std::string key;    // StateKey(store, subscription_key)
  std::string value;  // binary v1::SubscriptionState
};

class SubscriberBase {
 public:
  SubscriberBase(SubscriberBaseOptions options, const Clock& clock);

  std::optional<StateRecord> Apply(const v1::SubscriptionEvent& event);
  absl::Status Restore(absl::string_view key, absl::string_view value);

  v1::SummaryResponse Summary(const v1::SummaryRequest& request) const;
  v1::ProductBreakdownResponse ProductBreakdown(const v1::ProductBreakdownRequest& request) const;
  // STORE_UNSPECIFIED looks in every store.
  v1::GetSubscriptionResponse Get(const v1::GetSubscriptionRequest& request) const;
  v1::RefundAbuseResponse RefundAbuse(const v1::RefundAbuseRequest& request) const;
  v1::DashboardData Dashboard() const;

  // Sets the Prometheus gauges of "now" figures (call before rendering).
  void PublishGauges(MetricsRegistry& registry) const;

  int64_t size() const;

 private:
  void ApplyLocked(const std::string& key, v1::SubscriptionState&& next,
                   const ApplyOutcome& outcome, const v1::SubscriptionState* before);
  void NoteReceived(const v1::SubscriptionState& state);
  void CountEvent(const v1::SubscriptionEvent& event, const ApplyOutcome& outcome);
  std::string ProductLabel(const std::string& product) const;
  Counter& CounterFor(const std::string& name, const std::string& help, Labels labels);

  const SubscriberBaseOptions options_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, v1::SubscriptionState> states_;
  Aggregates aggregates_;
  // (app, customer) -> quick refunds per subscription key.
  std::map<std::pair<std::string, std::string>, std::map<std::string, int32_t>> quick_refunds_;
  std::map<std::pair<v1::Store, std::string>, google::protobuf::Timestamp> last_received_;
  // unix minute (wall clock) -> event type -> count, the last hour.
  std::map<int64_t, std::map<v1::EventType, int64_t>> events_per_minute_;
  mutable std::map<std::string, bool> product_labels_;
  mutable std::set<Labels> published_;
  std::map<std::pair<std::string, Labels>, Counter*> counters_;
  int64_t applied_ = 0;
  int64_t duplicates_ = 0;
  int64_t stale_ = 0;
  int64_t applies_since_prune_ = 0;
};

}  // namespace storewire::subscriber_base

#endif  // STOREWIRE_SUBSCRIBER_BASE_SUBSCRIBER_BASE_H_

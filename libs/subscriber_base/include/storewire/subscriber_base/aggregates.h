// Aggregates of the subscriber base per (app, store, environment, product):
// figures of "now" (active subscriptions, active trials, billing issues open,
// MRR per currency) kept incrementally from each state's contribution, and
// counts over sliding windows (new paid, new trials, trial conversions,
// churn, refunds with amounts) kept in one-minute buckets of store time.
//
//   Aggregates agg(options);
//   agg.Replace(old_state_or_null, new_state);          // "now" figures
//   agg.Count(new_state, history_entry);                // windowed counts
//   v1::BaseFigures f = agg.Figures(filter, now);
//
// Thread safety: none; SubscriberBase serializes access.
#ifndef STOREWIRE_SUBSCRIBER_BASE_AGGREGATES_H_
#define STOREWIRE_SUBSCRIBER_BASE_AGGREGATES_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/time/time.h"
#include "storewire/v1/subscribers.pb.h"

namespace storewire::subscriber_base {

struct AggregateOptions {
  std::string reporting_currency = "USD";
  // Units of the reporting currency per unit of the key currency.
  std::map<std::string, double> fx;
  std::vector<absl::Duration> windows = {absl::Hours(24)};
};

struct DimensionKey {
  std::string app_id;
  v1::Store store = v1::STORE_UNSPECIFIED;
  v1::Environment environment = v1::ENVIRONMENT_UNSPECIFIED;
  std::string product_id;
  auto operator<=>(const DimensionKey&) const = default;
};

DimensionKey DimensionOf(const v1::SubscriptionState& state);

// Keeps dimensions whose fields match the non-empty filter fields.
struct DimensionFilter {
  std::string app_id;
  v1::Store store = v1::STORE_UNSPECIFIED;
  v1::Environment environment = v1::ENVIRONMENT_UNSPECIFIED;
  bool Matches(const DimensionKey& key) const;
};

class Aggregates {
 public:
  explicit Aggregates(AggregateOptions options);

  // Moves the "now" contribution of a subscription from `before` (nullptr for
  // a new one) to `after`.
  void Replace(const v1::SubscriptionState* before, const v1::SubscriptionState& after);
  // Adds (sign +1) or removes (-1) an applied history entry's windowed counts
  // at its store time.
  void Count(const v1::SubscriptionState& state, const v1::HistoryEntry& entry, int sign = 1);
  // Drops buckets older than the longest window before `now`.
  void Prune(absl::Time now);

  v1::BaseFigures Figures(const DimensionFilter& filter, absl::Time now) const;
  // One entry per dimension that matches, in key order.
  std::vector<std::pair<DimensionKey, v1::BaseFigures>> PerDimension(const DimensionFilter& filter,
                                                                     absl::Time now) const;
  // Walks the "now" figures (for Prometheus gauges): active, trials,
  // billing issues, MRR in the reporting currency.
  void ForEachDimension(
      const std::function<void(const DimensionKey&, int64_t active, int64_t trials,
                               int64_t billing_issues, int64_t mrr_reporting_micros)>& fn) const;

  const AggregateOptions& options() const { return options_; }
  // Reporting-currency micros for `amount_micros` of `currency`; false when
  // no FX rate is configured.
  bool ToReporting(const std::string& currency, int64_t amount_micros, int64_t& out) const;

 private:
  struct Bucket {
    int64_t new_paid = 0;
    int64_t new_trials = 0;
    int64_t conversions = 0;
    int64_t churned = 0;
    int64_t refunds = 0;
    std::map<std::string, int64_t> refund_amount;
  };
  struct Dimension {
    int64_t active = 0;
    int64_t trials = 0;
    int64_t billing_issues = 0;
    std::map<std::string, int64_t> mrr;  // currency -> micros
    std::map<int64_t, Bucket> buckets;   // unix minute -> counts
  };
  void AddContribution(const v1::SubscriptionState& state, int sign);
  void AddFigures(const Dimension& d, absl::Time now, v1::BaseFigures& out) const;
  void FinishFigures(v1::BaseFigures& out) const;

  AggregateOptions options_;
  absl::Duration longest_window_;
  std::map<DimensionKey, Dimension> dimensions_;
};

// "1h", "24h", "7d", "90m": a window's label.
std::string WindowLabel(absl::Duration window);

}  // namespace storewire::subscriber_base

#endif  // STOREWIRE_SUBSCRIBER_BASE_AGGREGATES_H_

#include "storewire/subscriber_base/subscriber_base.h"

#include <algorithm>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "storewire/core/stores.h"

namespace storewire::subscriber_base {
namespace {

using google::protobuf::Timestamp;
using google::protobuf::util::TimeUtil;

Timestamp ToProto(absl::Time t) { return TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(t)); }

DimensionFilter FilterOf(const std::string& app, v1::Store store, v1::Environment env) {
  return {app, store, env};
}

std::string EnvironmentLabel(v1::Environment env) {
  return absl::AsciiStrToLower(EnumSuffix(v1::Environment_Name(env), "ENVIRONMENT_"));
}

}  // namespace

SubscriberBaseOptions SubscriberBaseOptionsFrom(const MetricsConfig& config) {
  SubscriberBaseOptions options;
  options.state_machine = StateMachineOptionsFrom(config);
  options.aggregates.reporting_currency = config.reporting_currency;
  options.aggregates.fx = config.fx;
  options.aggregates.windows = config.windows;
  options.refund_abuse_count = config.refund_abuse_count;
  return options;
}

SubscriberBase::SubscriberBase(SubscriberBaseOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock), aggregates_(options_.aggregates) {}

int64_t SubscriberBase::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int64_t>(states_.size());
}

void SubscriberBase::NoteReceived(const v1::SubscriptionState& state) {
  if (!state.has_last_received_at()) return;
  Timestamp& last = last_received_[{state.store(), state.app_id()}];
  if (last < state.last_received_at()) last = state.last_received_at();
}

void SubscriberBase::ApplyLocked(const std::string& key, v1::SubscriptionState&& next,
                                 const ApplyOutcome& outcome, const v1::SubscriptionState* before) {
  if (outcome.kind == ApplyOutcome::kApplied) {
    aggregates_.Replace(before, next);
    aggregates_.Count(next, next.history(next.history_size() - 1));
    const int32_t old_quick = before != nullptr ? before->quick_refunds() : 0;
    if (next.quick_refunds() != old_quick && !next.customer_id().empty()) {
      quick_refunds_[{next.app_id(), next.customer_id()}][key] = next.quick_refunds();
    }
    NoteReceived(next);
  }
  states_[key] = std::move(next);
}

void SubscriberBase::CountEvent(const v1::SubscriptionEvent& event, const ApplyOutcome& outcome) {
  switch (outcome.kind) {
    case ApplyOutcome::kApplied:
      ++applied_;
      break;
    case ApplyOutcome::kDuplicate:
      ++duplicates_;
      break;
    case ApplyOutcome::kStale:
      ++stale_;
      break;
    case ApplyOutcome::kIgnored:
      break;
  }
  const int64_t minute = absl::ToUnixSeconds(clock_.Now()) / 60;
  ++events_per_minute_[minute][event.type()];
  if (options_.registry != nullptr) {
    static constexpr const char* kOutcomes[] = {"applied", "duplicate", "stale", "ignored"};
    CounterFor("storewire_subscribers_events_total", "Events by type and outcome",
               {{"app", event.app_id()},
                {"store", std::string(StoreRouteName(event.store()))},
                {"environment", EnvironmentLabel(event.environment())},
                {"type", EnumSuffix(v1::EventType_Name(event.type()), "EVENT_TYPE_")},
                {"outcome", kOutcomes[outcome.kind]}})
        .Increment();
    static constexpr std::pair<v1::WindowedMetric, const char*> kChanges[] = {
        {v1::WINDOWED_METRIC_NEW_PAID, "new_paid"},
        {v1::WINDOWED_METRIC_NEW_TRIAL, "new_trial"},
        {v1::WINDOWED_METRIC_TRIAL_CONVERSION, "trial_conversion"},
        {v1::WINDOWED_METRIC_CHURN, "churn"},
        {v1::WINDOWED_METRIC_REFUND, "refund"}};
    for (const auto& [bit, name] : kChanges) {
      if ((outcome.counted & bit) == 0) continue;
      CounterFor("storewire_subscribers_changes_total",
                 "New paid, new trials, trial conversions, churn and refunds",
                 {{"app", event.app_id()},
                  {"store", std::string(StoreRouteName(event.store()))},
                  {"environment", EnvironmentLabel(event.environment())},
                  {"product", ProductLabel(event.product_id())},
                  {"change", name}})
          .Increment();
    }
  }
  if (++applies_since_prune_ >= 10000 || events_per_minute_.size() > 61) {
    applies_since_prune_ = 0;
    events_per_minute_.erase(events_per_minute_.begin(),
                             events_per_minute_.lower_bound(minute - 60));
    aggregates_.Prune(clock_.Now());
  }
}

std::optional<StateRecord> SubscriberBase::Apply(const v1::SubscriptionEvent& event) {
  if (!ConcernsSubscription(event.type()) || event.subscription_key().empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    CountEvent(event, ApplyOutcome{});
    return std::nullopt;
  }
  std::string key = StateKey(event.store(), event.subscription_key());
  std::lock_guard<std::mutex> lock(mu_);
  auto it = states_.find(key);
  v1::SubscriptionState next;
  if (it != states_.end()) next = it->second;
  ApplyOutcome outcome = ApplyEvent(options_.state_machine, event, next);
  CountEvent(event, outcome);
  if (outcome.kind == ApplyOutcome::kDuplicate) {
    return StateRecord{std::move(key), it->second.SerializeAsString()};
  }
  StateRecord record{key, next.SerializeAsString()};
  ApplyLocked(key, std::move(next), outcome, it != states_.end() ? &it->second : nullptr);
  return record;
}

absl::Status SubscriberBase::Restore(absl::string_view key, absl::string_view value) {
  v1::SubscriptionState state;
  if (!state.ParseFromArray(value.data(), static_cast<int>(value.size())) ||
      state.subscription_key().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("state record '", key, "' is not a SubscriptionState"));
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::string k(key);
  auto it = states_.find(k);
  if (it != states_.end()) {
    // A newer record for the same key (compaction has not run yet): take the
    // older one's contribution out first.
    const v1::SubscriptionState& old = it->second;
    v1::SubscriptionState nothing;
    aggregates_.Replace(&old, nothing);
    for (const v1::HistoryEntry& h : old.history()) aggregates_.Count(old, h, -1);
  }
  aggregates_.Replace(nullptr, state);
  for (const v1::HistoryEntry& h : state.history()) aggregates_.Count(state, h);
  if (!state.customer_id().empty()) {
    auto& per_subscription = quick_refunds_[{state.app_id(), state.customer_id()}];
    if (state.quick_refunds() > 0) {
      per_subscription[k] = state.quick_refunds();
    } else {
      per_subscription.erase(k);
    }
  }
  NoteReceived(state);
  states_[k] = std::move(state);
  return absl::OkStatus();
}

v1::SummaryResponse SubscriberBase::Summary(const v1::SummaryRequest& request) const {
  std::lock_guard<std::mutex> lock(mu_);
  const absl::Time now = clock_.Now();
  v1::SummaryResponse out;
  out.set_reporting_currency(options_.aggregates.reporting_currency);
  out.set_subscriptions_tracked(static_cast<int64_t>(states_.size()));
  *out.mutable_totals() =
      aggregates_.Figures(FilterOf(request.app_id(), request.store(), request.environment()), now);
  *out.mutable_as_of() = ToProto(now);
  out.set_events_applied(applied_);
  out.set_events_duplicate(duplicates_);
  out.set_events_stale(stale_);
  return out;
}

v1::ProductBreakdownResponse SubscriberBase::ProductBreakdown(
    const v1::ProductBreakdownRequest& request) const {
  std::lock_guard<std::mutex> lock(mu_);
  v1::ProductBreakdownResponse out;
  out.set_reporting_currency(options_.aggregates.reporting_currency);
  for (auto& [key, figures] : aggregates_.PerDimension(
           FilterOf(request.app_id(), request.store(), request.environment()), clock_.Now())) {
    v1::ProductFigures* p = out.add_products();
    p->set_app_id(key.app_id);
    p->set_store(key.store);
    p->set_environment(key.environment);
    p->set_product_id(key.product_id);
    *p->mutable_figures() = std::move(figures);
  }
  return out;
}

v1::GetSubscriptionResponse SubscriberBase::Get(const v1::GetSubscriptionRequest& request) const {
  std::lock_guard<std::mutex> lock(mu_);
  v1::GetSubscriptionResponse out;
  for (v1::Store store : kAllStores) {
    if (request.store() != v1::STORE_UNSPECIFIED && request.store() != store) continue;
    auto it = states_.find(StateKey(store, request.subscription_key()));
    if (it != states_.end()) *out.add_subscriptions() = it->second;
  }
  return out;
}

v1::RefundAbuseResponse SubscriberBase::RefundAbuse(const v1::RefundAbuseRequest& request) const {
  std::lock_guard<std::mutex> lock(mu_);
  v1::RefundAbuseResponse out;
  *out.mutable_window() =
      TimeUtil::SecondsToDuration(absl::ToInt64Seconds(options_.state_machine.refund_abuse_window));
  out.set_min_refunds(options_.refund_abuse_count);
  for (const auto& [who, per_subscription] : quick_refunds_) {
    if (!request.app_id().empty() && request.app_id() != who.first) continue;
    int32_t total = 0;
    for (const auto& [key, n] : per_subscription) total += n;
    if (total < options_.refund_abuse_count) continue;
    v1::RefundAbuser* a = out.add_customers();
    a->set_app_id(who.first);
    a->set_customer_id(who.second);
    a->set_quick_refunds(total);
    for (const auto& [key, n] : per_subscription) {
      if (n > 0) a->add_subscription_keys(key);
    }
  }
  std::stable_sort(out.mutable_customers()->begin(), out.mutable_customers()->end(),
                   [](const v1::RefundAbuser& a, const v1::RefundAbuser& b) {
                     return a.quick_refunds() > b.quick_refunds();
                   });
  return out;
}

v1::DashboardData SubscriberBase::Dashboard() const {
  v1::DashboardData out;
  *out.mutable_summary() = Summary({});
  *out.mutable_products() = ProductBreakdown({});
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now_minute = absl::ToUnixSeconds(clock_.Now()) / 60;
  for (auto it = events_per_minute_.lower_bound(now_minute - 59); it != events_per_minute_.end();
       ++it) {
    for (const auto& [type, count] : it->second) {
      v1::EventsInMinute* e = out.add_events_per_minute();
      *e->mutable_minute() = TimeUtil::SecondsToTimestamp(it->first * 60);
      e->set_type(type);
      e->set_count(count);
    }
  }
  for (const auto& [who, when] : last_received_) {
    v1::LastReceived* l = out.add_last_received();
    l->set_store(who.first);
    l->set_app_id(who.second);
    *l->mutable_received_at() = when;
  }
  return out;
}

Counter& SubscriberBase::CounterFor(const std::string& name, const std::string& help,
                                    Labels labels) {
  auto key = std::make_pair(name, std::move(labels));
  auto it = counters_.find(key);
  if (it == counters_.end()) {
    Counter& c = options_.registry->GetCounter(name, help, key.second);
    it = counters_.emplace(std::move(key), &c).first;
  }
  return *it->second;
}

std::string SubscriberBase::ProductLabel(const std::string& product) const {
  auto it = product_labels_.find(product);
  if (it != product_labels_.end()) return it->second ? product : "other";
  const bool own = static_cast<int>(product_labels_.size()) < options_.max_product_labels;
  product_labels_[product] = own;
  return own ? product : "other";
}

void SubscriberBase::PublishGauges(MetricsRegistry& registry) const {
  std::lock_guard<std::mutex> lock(mu_);
  struct Sums {
    int64_t active = 0, trials = 0, billing = 0, mrr = 0;
  };
  std::map<Labels, Sums> sums;
  aggregates_.ForEachDimension(
      [&](const DimensionKey& key, int64_t active, int64_t trials, int64_t billing, int64_t mrr) {
        Labels labels = {{"app", key.app_id},
                         {"store", std::string(StoreRouteName(key.store))},
                         {"environment", EnvironmentLabel(key.environment)},
                         {"product", ProductLabel(key.product_id)}};
        Sums& s = sums[labels];
        s.active += active;
        s.trials += trials;
        s.billing += billing;
        s.mrr += mrr;
      });
  // Series of dimensions that went away are set to 0, not left stale.
  for (const Labels& labels : published_) sums.try_emplace(labels);
  const std::string currency = options_.aggregates.reporting_currency;
  for (const auto& [labels, s] : sums) {
    published_.insert(labels);
    registry
        .GetGauge("storewire_subscribers_active", "Active paid subscriptions (incl. grace)", labels)
        .Set(static_cast<double>(s.active));
    registry.GetGauge("storewire_subscribers_trials", "Active trials", labels)
        .Set(static_cast<double>(s.trials));
    registry
        .GetGauge("storewire_subscribers_billing_issues",
                  "Subscriptions in grace period, billing retry or on hold", labels)
        .Set(static_cast<double>(s.billing));
    Labels with_currency = labels;
    with_currency.emplace_back("currency", currency);
    registry
        .GetGauge("storewire_subscribers_mrr",
                  "Monthly recurring revenue in the reporting currency", with_currency)
        .Set(static_cast<double>(s.mrr) / 1e6);
  }
  registry.GetGauge("storewire_subscribers_tracked", "Subscriptions with a state")
      .Set(static_cast<double>(states_.size()));
}

}  // namespace storewire::subscriber_base

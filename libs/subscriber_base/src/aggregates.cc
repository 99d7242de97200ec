#include "storewire/subscriber_base/aggregates.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "storewire/subscriber_base/billing_period.h"
#include "storewire/subscriber_base/state_machine.h"

namespace storewire::subscriber_base {
namespace {

using google::protobuf::util::TimeUtil;

int64_t MinuteOf(const google::protobuf::Timestamp& t) {
  int64_t s = t.seconds();
  return s >= 0 ? s / 60 : (s - 59) / 60;
}

void AddMoney(std::map<std::string, int64_t>& m, const std::string& currency, int64_t micros) {
  int64_t& v = m[currency];
  v += micros;
  if (v == 0) m.erase(currency);
}

void AddMoneyTo(google::protobuf::RepeatedPtrField<v1::Money>& list, const std::string& currency,
                int64_t micros) {
  for (v1::Money& m : list) {
    if (m.currency() == currency) {
      m.set_amount_micros(m.amount_micros() + micros);
      return;
    }
  }
  v1::Money* added = list.Add();
  added->set_currency(currency);
  added->set_amount_micros(micros);
}

}  // namespace

DimensionKey DimensionOf(const v1::SubscriptionState& state) {
  return {state.app_id(), state.store(), state.environment(), state.product_id()};
}

bool DimensionFilter::Matches(const DimensionKey& key) const {
  return (app_id.empty() || app_id == key.app_id) &&
         (store == v1::STORE_UNSPECIFIED || store == key.store) &&
         (environment == v1::ENVIRONMENT_UNSPECIFIED || environment == key.environment);
}

std::string WindowLabel(absl::Duration window) {
  const int64_t minutes = absl::ToInt64Minutes(window);
  if (minutes % (24 * 60) == 0 && minutes > 24 * 60) return absl::StrCat(minutes / (24 * 60), "d");
  if (minutes % 60 == 0) return absl::StrCat(minutes / 60, "h");
  if (minutes > 0 && absl::Minutes(minutes) == window) return absl::StrCat(minutes, "m");
  return absl::StrCat(absl::ToInt64Seconds(window), "s");
}

Aggregates::Aggregates(AggregateOptions options) : options_(std::move(options)) {
  longest_window_ = absl::ZeroDuration();
  for (absl::Duration w : options_.windows) longest_window_ = std::max(longest_window_, w);
}

bool Aggregates::ToReporting(const std::string& currency, int64_t amount_micros,
                             int64_t& out) const {
  if (currency == options_.reporting_currency) {
    out = amount_micros;
    return true;
  }
  auto it = options_.fx.find(currency);
  if (it == options_.fx.end()) return false;
  out = static_cast<int64_t>(std::llround(static_cast<double>(amount_micros) * it->second));
  return true;
}

void Aggregates::AddContribution(const v1::SubscriptionState& state, int sign) {
  const v1::SubscriptionStatus status = state.status();
  const bool paid = IsPaidActive(status);
  const bool trial = status == v1::SUBSCRIPTION_STATUS_TRIAL;
  const bool billing = IsBillingIssue(status);
  int64_t mrr = 0;
  if (paid && !state.billing_period().empty()) {
    absl::StatusOr<MonthlyFactor> f = MonthlyFactorFor(state.billing_period());
    if (f.ok()) mrr = f->Apply(state.price().amount_micros());
  }
  if (!paid && !trial && !billing && mrr == 0) return;
  Dimension& d = dimensions_[DimensionOf(state)];
  d.active += sign * (paid ? 1 : 0);
  d.trials += sign * (trial ? 1 : 0);
  d.billing_issues += sign * (billing ? 1 : 0);
  if (mrr != 0) AddMoney(d.mrr, state.price().currency(), sign * mrr);
}

void Aggregates::Replace(const v1::SubscriptionState* before, const v1::SubscriptionState& after) {
  if (before != nullptr) AddContribution(*before, -1);
  AddContribution(after, +1);
}

void Aggregates::Count(const v1::SubscriptionState& state, const v1::HistoryEntry& entry,
                       int sign) {
  const uint32_t c = entry.counted();
  if (c == 0 || entry.stale()) return;
  Bucket& b = dimensions_[DimensionOf(state)].buckets[MinuteOf(entry.occurred_at())];
  if (c & v1::WINDOWED_METRIC_NEW_PAID) b.new_paid += sign;
  if (c & v1::WINDOWED_METRIC_NEW_TRIAL) b.new_trials += sign;
  if (c & v1::WINDOWED_METRIC_TRIAL_CONVERSION) b.conversions += sign;
  if (c & v1::WINDOWED_METRIC_CHURN) b.churned += sign;
  if (c & v1::WINDOWED_METRIC_REFUND) {
    b.refunds += sign;
    if (entry.refund().amount_micros() != 0) {
      AddMoney(b.refund_amount, entry.refund().currency(), sign * entry.refund().amount_micros());
    }
  }
}

void Aggregates::Prune(absl::Time now) {
  const int64_t oldest = absl::ToUnixSeconds(now - longest_window_) / 60 - 1;
  for (auto it = dimensions_.begin(); it != dimensions_.end();) {
    Dimension& d = it->second;
    d.buckets.erase(d.buckets.begin(), d.buckets.lower_bound(oldest));
    const bool empty = d.active == 0 && d.trials == 0 && d.billing_issues == 0 && d.mrr.empty() &&
                       d.buckets.empty();
    it = empty ? dimensions_.erase(it) : std::next(it);
  }
}

void Aggregates::AddFigures(const Dimension& d, absl::Time now, v1::BaseFigures& out) const {
  out.set_active_subscriptions(out.active_subscriptions() + d.active);
  out.set_active_trials(out.active_trials() + d.trials);
  out.set_billing_issues(out.billing_issues() + d.billing_issues);
  for (const auto& [currency, micros] : d.mrr) AddMoneyTo(*out.mutable_mrr(), currency, micros);
  if (out.windows_size() == 0) {
    for (absl::Duration w : options_.windows) {
      v1::WindowCounts* wc = out.add_windows();
      wc->set_window(WindowLabel(w));
      wc->set_window_seconds(absl::ToInt64Seconds(w));
    }
  }
  for (int i = 0; i < out.windows_size(); ++i) {
    v1::WindowCounts& wc = *out.mutable_windows(i);
    const int64_t start = absl::ToUnixSeconds(now - absl::Seconds(wc.window_seconds())) / 60;
    for (auto it = d.buckets.lower_bound(start); it != d.buckets.end(); ++it) {
      const Bucket& b = it->second;
      wc.set_new_paid(wc.new_paid() + b.new_paid);
      wc.set_new_trials(wc.new_trials() + b.new_trials);
      wc.set_trial_conversions(wc.trial_conversions() + b.conversions);
      wc.set_churned(wc.churned() + b.churned);
      wc.set_refunds(wc.refunds() + b.refunds);
      for (const auto& [currency, micros] : b.refund_amount) {
        AddMoneyTo(*wc.mutable_refund_amount(), currency, micros);
      }
    }
  }
}

void Aggregates::FinishFigures(v1::BaseFigures& out) const {
  if (out.windows_size() == 0) {
    for (absl::Duration w : options_.windows) {
      v1::WindowCounts* wc = out.add_windows();
      wc->set_window(WindowLabel(w));
      wc->set_window_seconds(absl::ToInt64Seconds(w));
    }
  }
  auto by_currency = [](const v1::Money& a, const v1::Money& b) {
    return a.currency() < b.currency();
  };
  std::sort(out.mutable_mrr()->begin(), out.mutable_mrr()->end(), by_currency);
  int64_t total = 0;
  for (const v1::Money& m : out.mrr()) {
    int64_t converted = 0;
    if (ToReporting(m.currency(), m.amount_micros(), converted)) {
      total += converted;
    } else {
      out.add_mrr_unconverted_currencies(m.currency());
    }
  }
  out.set_mrr_reporting_micros(total);
  for (v1::WindowCounts& wc : *out.mutable_windows()) {
    std::sort(wc.mutable_refund_amount()->begin(), wc.mutable_refund_amount()->end(), by_currency);
    int64_t refunded = 0;
    for (const v1::Money& m : wc.refund_amount()) {
      int64_t converted = 0;
      if (ToReporting(m.currency(), m.amount_micros(), converted)) refunded += converted;
    }
    wc.set_refund_amount_reporting_micros(refunded);
  }
}

v1::BaseFigures Aggregates::Figures(const DimensionFilter& filter, absl::Time now) const {
  v1::BaseFigures out;
  for (const auto& [key, d] : dimensions_) {
    if (filter.Matches(key)) AddFigures(d, now, out);
  }
  FinishFigures(out);
  return out;
}

std::vector<std::pair<DimensionKey, v1::BaseFigures>> Aggregates::PerDimension(
    const DimensionFilter& filter, absl::Time now) const {
  std::vector<std::pair<DimensionKey, v1::BaseFigures>> out;
  for (const auto& [key, d] : dimensions_) {
    if (!filter.Matches(key)) continue;
    v1::BaseFigures f;
    AddFigures(d, now, f);
    FinishFigures(f);
    out.emplace_back(key, std::move(f));
  }
  return out;
}

void Aggregates::ForEachDimension(
    const std::function<void(const DimensionKey&, int64_t, int64_t, int64_t, int64_t)>& fn) const {
  for (const auto& [key, d] : dimensions_) {
    int64_t mrr = 0;
    for (const auto& [currency, micros] : d.mrr) {
      int64_t converted = 0;
      if (ToReporting(currency, micros, converted)) mrr += converted;
    }
    fn(key, d.active, d.trials, d.billing_issues, mrr);
  }
}

}  // namespace storewire::subscriber_base

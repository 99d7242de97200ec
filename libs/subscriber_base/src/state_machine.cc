#include "storewire/subscriber_base/state_machine.h"

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "storewire/core/stores.h"

namespace storewire::subscriber_base {
namespace {

using google::protobuf::Timestamp;
using google::protobuf::util::TimeUtil;

// What an event type does to the status.
enum class Effect {
  kNone,      // concerns no subscription
  kNeutral,   // keeps the status (sets one from the period when unknown)
  kActivate,  // TRIAL when the period is a trial, else ACTIVE
  kTrial,     // TRIAL
  kSet,       // a fixed status (see FixedStatus)
};

Effect EffectOf(v1::EventType type) {
  switch (type) {
    case v1::EVENT_TYPE_TRIAL_STARTED:
      return Effect::kTrial;
    case v1::EVENT_TYPE_SUBSCRIPTION_STARTED:
    case v1::EVENT_TYPE_RESUBSCRIBED:
    case v1::EVENT_TYPE_RENEWED:
    case v1::EVENT_TYPE_BILLING_RECOVERED:
    case v1::EVENT_TYPE_RESUMED:
    case v1::EVENT_TYPE_REFUND_REVERSED:
    case v1::EVENT_TYPE_OFFER_REDEEMED:
    case v1::EVENT_TYPE_PRODUCT_CHANGED:
      return Effect::kActivate;
    case v1::EVENT_TYPE_BILLING_ISSUE:
    case v1::EVENT_TYPE_GRACE_PERIOD_STARTED:
    case v1::EVENT_TYPE_GRACE_PERIOD_ENDED:
    case v1::EVENT_TYPE_ON_HOLD:
    case v1::EVENT_TYPE_PAUSED:
    case v1::EVENT_TYPE_EXPIRED:
    case v1::EVENT_TYPE_REFUNDED:
    case v1::EVENT_TYPE_REVOKED:
      return Effect::kSet;
    case v1::EVENT_TYPE_AUTO_RENEW_DISABLED:
    case v1::EVENT_TYPE_AUTO_RENEW_ENABLED:
    case v1::EVENT_TYPE_PRODUCT_CHANGE_SCHEDULED:
    case v1::EVENT_TYPE_PRODUCT_CHANGE_CANCELED:
    case v1::EVENT_TYPE_PAUSE_SCHEDULED:
    case v1::EVENT_TYPE_DEFERRED:
    case v1::EVENT_TYPE_REFUND_DECLINED:
    case v1::EVENT_TYPE_PRICE_INCREASE_PENDING:
    case v1::EVENT_TYPE_PRICE_INCREASE_ACCEPTED:
    case v1::EVENT_TYPE_RENEWAL_EXTENDED:
    case v1::EVENT_TYPE_CONSUMPTION_REQUESTED:
      return Effect::kNeutral;
    default:
      // TEST, ONE_TIME_PURCHASE(_CANCELED), EXTERNAL_PURCHASE_TOKEN,
      // CONSENT_RESCINDED, PENDING_PURCHASE_CANCELED,
      // RENEWAL_EXTENSION_SUMMARY, UNKNOWN.
      return Effect::kNone;
  }
}

v1::SubscriptionStatus FixedStatus(v1::EventType type, v1::SubscriptionStatus current) {
  switch (type) {
    case v1::EVENT_TYPE_BILLING_ISSUE:
      // A grace period already open stays open until GRACE_PERIOD_ENDED.
      return current == v1::SUBSCRIPTION_STATUS_GRACE_PERIOD
                 ? current
                 : v1::SUBSCRIPTION_STATUS_BILLING_RETRY;
    case v1::EVENT_TYPE_GRACE_PERIOD_STARTED:
      return v1::SUBSCRIPTION_STATUS_GRACE_PERIOD;
    case v1::EVENT_TYPE_GRACE_PERIOD_ENDED:
      return v1::SUBSCRIPTION_STATUS_BILLING_RETRY;
    case v1::EVENT_TYPE_ON_HOLD:
      return v1::SUBSCRIPTION_STATUS_ON_HOLD;
    case v1::EVENT_TYPE_PAUSED:
      return v1::SUBSCRIPTION_STATUS_PAUSED;
    case v1::EVENT_TYPE_EXPIRED:
      return v1::SUBSCRIPTION_STATUS_EXPIRED;
    case v1::EVENT_TYPE_REFUNDED:
      return v1::SUBSCRIPTION_STATUS_REFUNDED;
    case v1::EVENT_TYPE_REVOKED:
      return v1::SUBSCRIPTION_STATUS_REVOKED;
    default:
      return current;
  }
}

bool Ended(v1::SubscriptionStatus s) {
  return s == v1::SUBSCRIPTION_STATUS_UNSPECIFIED || s == v1::SUBSCRIPTION_STATUS_EXPIRED ||
         s == v1::SUBSCRIPTION_STATUS_REFUNDED || s == v1::SUBSCRIPTION_STATUS_REVOKED;
}

const Timestamp& EventTime(const v1::SubscriptionEvent& event) {
  return event.has_occurred_at() ? event.occurred_at() : event.received_at();
}

void CopyEventFields(const StateMachineOptions& options, const v1::SubscriptionEvent& event,
                     v1::SubscriptionState& state) {
  state.set_store(event.store());
  if (!event.app_id().empty()) state.set_app_id(event.app_id());
  if (event.environment() != v1::ENVIRONMENT_UNSPECIFIED)
    state.set_environment(event.environment());
  state.set_subscription_key(event.subscription_key());
  const bool product_changed =
      !event.product_id().empty() && event.product_id() != state.product_id();
  if (!event.product_id().empty()) state.set_product_id(event.product_id());
  if (event.has_price() &&
      (event.price().amount_micros() != 0 || !event.price().currency().empty())) {
    *state.mutable_price() = event.price();
  }
  if (!event.billing_period().empty()) {
    state.set_billing_period(event.billing_period());
  } else if (product_changed || state.billing_period().empty()) {
    auto it = options.product_periods.find(state.product_id());
    if (it != options.product_periods.end()) {
      state.set_billing_period(it->second);
    } else if (product_changed) {
      state.clear_billing_period();
    }
  }
  if (!event.customer_id().empty()) state.set_customer_id(event.customer_id());
  if (event.has_expires_at()) *state.mutable_expires_at() = event.expires_at();
  if (event.has_purchased_at()) *state.mutable_purchased_at() = event.purchased_at();
  if (event.period_type() != v1::PERIOD_TYPE_UNSPECIFIED)
    state.set_period_type(event.period_type());
  if (event.has_auto_renew()) {
    state.set_auto_renew(event.auto_renew());
  } else if (event.type() == v1::EVENT_TYPE_AUTO_RENEW_DISABLED) {
    state.set_auto_renew(false);
  } else if (event.type() == v1::EVENT_TYPE_AUTO_RENEW_ENABLED) {
    state.set_auto_renew(true);
  }
}

void AppendHistory(const StateMachineOptions& options, v1::HistoryEntry entry,
                   v1::SubscriptionState& state) {
  auto* history = state.mutable_history();
  *history->Add() = std::move(entry);
  const int excess = history->size() - std::max(1, options.history_size);
  if (excess > 0) history->DeleteSubrange(0, excess);
}

}  // namespace

StateMachineOptions StateMachineOptionsFrom(const MetricsConfig& config) {
  StateMachineOptions options;
  for (const MetricsProductConfig& p : config.products) {
    if (!p.billing_period.empty()) options.product_periods[p.id] = p.billing_period;
  }
  options.refund_abuse_window = config.refund_abuse_window;
  options.history_size = config.history_size;
  return options;
}

bool ConcernsSubscription(v1::EventType type) { return EffectOf(type) != Effect::kNone; }

std::string StateKey(v1::Store store, absl::string_view subscription_key) {
  return absl::StrCat(StoreRouteName(store), "/", subscription_key);
}

bool IsPaidActive(v1::SubscriptionStatus s) {
  return s == v1::SUBSCRIPTION_STATUS_ACTIVE || s == v1::SUBSCRIPTION_STATUS_GRACE_PERIOD;
}

bool IsBillingIssue(v1::SubscriptionStatus s) {
  return s == v1::SUBSCRIPTION_STATUS_GRACE_PERIOD || s == v1::SUBSCRIPTION_STATUS_BILLING_RETRY ||
         s == v1::SUBSCRIPTION_STATUS_ON_HOLD;
}

std::string StatusName(v1::SubscriptionStatus status) {
  return EnumSuffix(v1::SubscriptionStatus_Name(status), "SUBSCRIPTION_STATUS_");
}

ApplyOutcome ApplyEvent(const StateMachineOptions& options, const v1::SubscriptionEvent& event,
                        v1::SubscriptionState& state) {
  ApplyOutcome outcome;
  outcome.previous_status = state.status();
  const Effect effect = EffectOf(event.type());
  if (effect == Effect::kNone || event.subscription_key().empty()) return outcome;

  for (const v1::HistoryEntry& h : state.history()) {
    if (h.event_id() == event.id()) {
      outcome.kind = ApplyOutcome::kDuplicate;
      return outcome;
    }
  }
  const Timestamp& when = EventTime(event);
  v1::HistoryEntry entry;
  entry.set_event_id(event.id());
  entry.set_type(event.type());
  *entry.mutable_occurred_at() = when;

  if (state.has_last_event_at() && when < state.last_event_at()) {
    entry.set_stale(true);
    entry.set_status_after(state.status());
    AppendHistory(options, std::move(entry), state);
    outcome.kind = ApplyOutcome::kStale;
    return outcome;
  }

  const v1::SubscriptionStatus before = state.status();
  if (!state.has_first_seen()) *state.mutable_first_seen() = when;
  CopyEventFields(options, event, state);
  const bool trial_period = state.period_type() == v1::PERIOD_TYPE_TRIAL;
  v1::SubscriptionStatus after = before;
  switch (effect) {
    case Effect::kTrial:
      after = v1::SUBSCRIPTION_STATUS_TRIAL;
      break;
    case Effect::kActivate:
      after = trial_period ? v1::SUBSCRIPTION_STATUS_TRIAL : v1::SUBSCRIPTION_STATUS_ACTIVE;
      break;
    case Effect::kSet:
      after = FixedStatus(event.type(), before);
      break;
    case Effect::kNeutral:
      if (before == v1::SUBSCRIPTION_STATUS_UNSPECIFIED) {
        after = trial_period ? v1::SUBSCRIPTION_STATUS_TRIAL : v1::SUBSCRIPTION_STATUS_ACTIVE;
      }
      break;
    case Effect::kNone:
      break;
  }
  if (event.type() == v1::EVENT_TYPE_TRIAL_STARTED) state.set_period_type(v1::PERIOD_TYPE_TRIAL);
  state.set_status(after);

  uint32_t counted = 0;
  if (after == v1::SUBSCRIPTION_STATUS_TRIAL && before != v1::SUBSCRIPTION_STATUS_TRIAL) {
    counted |= v1::WINDOWED_METRIC_NEW_TRIAL;
  }
  if (before == v1::SUBSCRIPTION_STATUS_TRIAL && IsPaidActive(after)) {
    counted |= v1::WINDOWED_METRIC_TRIAL_CONVERSION;
  } else if (IsPaidActive(after) && Ended(before) &&
             (event.type() == v1::EVENT_TYPE_SUBSCRIPTION_STARTED ||
              event.type() == v1::EVENT_TYPE_RESUBSCRIBED ||
              event.type() == v1::EVENT_TYPE_OFFER_REDEEMED)) {
    counted |= v1::WINDOWED_METRIC_NEW_PAID;
  }
  if (event.type() == v1::EVENT_TYPE_EXPIRED && before != v1::SUBSCRIPTION_STATUS_EXPIRED) {
    counted |= v1::WINDOWED_METRIC_CHURN;
  }
  if (event.type() == v1::EVENT_TYPE_REFUNDED) {
    counted |= v1::WINDOWED_METRIC_REFUND;
    *entry.mutable_refund() = event.has_price() ? event.price() : state.price();
    if (state.has_purchased_at() &&
        when - state.purchased_at() <= TimeUtil::NanosecondsToDuration(
                                           absl::ToInt64Nanoseconds(options.refund_abuse_window))) {
      state.set_quick_refunds(state.quick_refunds() + 1);
    }
  }
  entry.set_counted(counted);
  entry.set_status_after(after);
  *state.mutable_last_event_at() = when;
  state.set_last_event_id(event.id());
  if (event.has_received_at()) *state.mutable_last_received_at() = event.received_at();
  AppendHistory(options, std::move(entry), state);

  outcome.kind = ApplyOutcome::kApplied;
  outcome.counted = counted;
  return outcome;
}

}  // namespace storewire::subscriber_base

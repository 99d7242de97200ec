// Builds SubscriptionEvents for the subscriber-base tests.
#ifndef STOREWIRE_TESTS_UNIT_SUBSCRIBER_BASE_EVENT_BUILDER_H_
#define STOREWIRE_TESTS_UNIT_SUBSCRIBER_BASE_EVENT_BUILDER_H_

#include <string>

#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"
#include "storewire/v1/event.pb.h"

namespace storewire::subscriber_base::testing {

inline google::protobuf::Timestamp Ts(absl::Time t) {
  return google::protobuf::util::TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(t));
}

// 2026-01-01T00:00:00Z.
inline absl::Time T0() { return absl::FromUnixSeconds(1767225600); }

class EventBuilder {
 public:
  EventBuilder(std::string id, v1::EventType type, std::string key = "sub-1") {
    e_.set_id(std::move(id));
    e_.set_type(type);
    e_.set_store(v1::STORE_APP_STORE);
    e_.set_environment(v1::ENVIRONMENT_PRODUCTION);
    e_.set_app_id("demo");
    e_.set_subscription_key(std::move(key));
    e_.set_product_id("pro.monthly");
    *e_.mutable_occurred_at() = Ts(T0());
    *e_.mutable_received_at() = Ts(T0());
    e_.set_period_type(v1::PERIOD_TYPE_NORMAL);
    e_.mutable_price()->set_amount_micros(9'990'000);
    e_.mutable_price()->set_currency("USD");
    e_.set_billing_period("P1M");
  }
  EventBuilder& At(absl::Time t) {
    *e_.mutable_occurred_at() = Ts(t);
    *e_.mutable_received_at() = Ts(t);
    return *this;
  }
  EventBuilder& Purchased(absl::Time t) {
    *e_.mutable_purchased_at() = Ts(t);
    return *this;
  }
  EventBuilder& Price(int64_t micros, std::string currency) {
    e_.mutable_price()->set_amount_micros(micros);
    e_.mutable_price()->set_currency(std::move(currency));
    return *this;
  }
  EventBuilder& Period(std::string p) {
    e_.set_billing_period(std::move(p));
    return *this;
  }
  EventBuilder& Product(std::string p) {
    e_.set_product_id(std::move(p));
    return *this;
  }
  EventBuilder& PeriodType(v1::PeriodType t) {
    e_.set_period_type(t);
    return *this;
  }
  EventBuilder& Customer(std::string c) {
    e_.set_customer_id(std::move(c));
    return *this;
  }
  EventBuilder& AutoRenew(bool on) {
    e_.set_auto_renew(on);
    return *this;
  }
  EventBuilder& Store(v1::Store s) {
    e_.set_store(s);
    return *this;
  }
  EventBuilder& App(std::string a) {
    e_.set_app_id(std::move(a));
    return *this;
  }
  v1::SubscriptionEvent Build() const { return e_; }
  operator v1::SubscriptionEvent() const { return e_; }

 private:
  v1::SubscriptionEvent e_;
};

}  // namespace storewire::subscriber_base::testing

#endif  // STOREWIRE_TESTS_UNIT_SUBSCRIBER_BASE_EVENT_BUILDER_H_

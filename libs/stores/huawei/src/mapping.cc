#include "storewire/stores/huawei/mapping.h"

#include <array>

#include "absl/strings/str_cat.h"
#include "storewire/crypto/digest.h"
#include "storewire/stores/adapter.h"

namespace storewire::stores::huawei {
namespace {

constexpr std::array<const char*, 14> kTypeNames = {"INITIAL_BUY",
                                                    "CANCEL",
                                                    "RENEWAL",
                                                    "INTERACTIVE_RENEWAL",
                                                    "NEW_RENEWAL_PREF",
                                                    "RENEWAL_STOPPED",
                                                    "RENEWAL_RESTORED",
                                                    "RENEWAL_RECURRING",
                                                    "IN_GRACE_PERIOD",
                                                    "ON_HOLD",
                                                    "PAUSED",
                                                    "PAUSE_PLAN_CHANGED",
                                                    "PRICE_CHANGE_CONFIRMED",
                                                    "DEFERRED"};

void SetTime(google::protobuf::Timestamp* ts, absl::Time t) {
  const int64_t micros = absl::ToUnixMicros(t);
  ts->set_seconds(micros / 1'000'000);
  ts->set_nanos(static_cast<int32_t>((micros % 1'000'000) * 1000));
}
void SetTime(google::protobuf::Timestamp* ts, const std::optional<absl::Time>& t) {
  if (t) SetTime(ts, *t);
}

void Attr(v1::SubscriptionEvent& e, const char* key, absl::string_view value) {
  if (!value.empty()) (*e.mutable_attributes())[key] = std::string(value);
}
void Attr(v1::SubscriptionEvent& e, const char* key, const std::optional<int64_t>& value) {
  if (value) (*e.mutable_attributes())[key] = absl::StrCat(*value);
}

v1::Environment EnvironmentOf(absl::string_view env) {
  if (env == "PROD") return v1::ENVIRONMENT_PRODUCTION;
  if (env == "SandBox" || env == "Sandbox" || env == "SANDBOX") return v1::ENVIRONMENT_SANDBOX;
  return v1::ENVIRONMENT_UNSPECIFIED;
}

// Huawei expirationIntent: 1 user canceled, 2 product unavailable, 3 abnormal
// signing information, 4 billing error, 5 price increase not agreed, 6 unknown.
v1::Reason ReasonOf(std::optional<int64_t> intent) {
  if (!intent) return v1::REASON_UNSPECIFIED;
  switch (*intent) {
    case 1:
      return v1::REASON_VOLUNTARY;
    case 2:
      return v1::REASON_PRODUCT_UNAVAILABLE;
    case 4:
      return v1::REASON_BILLING_ERROR;
    case 5:
      return v1::REASON_PRICE_INCREASE;
    default:
      return v1::REASON_OTHER;
  }
}

bool IsRefund(const StatusUpdate& u) {
  return !u.refund_pay_order_id.empty() ||
         (u.receipt && u.receipt->purchase_state.value_or(0) == 2);
}

void Common(const v1::RawNotification& raw, absl::string_view app_id, const Notification& n,
            v1::SubscriptionEvent& e) {
  e.set_store(v1::STORE_APP_GALLERY);
  e.set_app_id(std::string(app_id));
  e.set_request_id(raw.request_id());
  *e.mutable_received_at() = raw.received_at();
  if (n.notify_time) {
    SetTime(e.mutable_occurred_at(), *n.notify_time);
  } else {
    *e.mutable_occurred_at() = raw.received_at();
  }
  Attr(e, "huawei.applicationId", n.application_id);
  Attr(e, "huawei.version", n.version);
}

}  // namespace

std::string SubscriptionTypeName(int64_t type) {
  if (type >= 0 && type < static_cast<int64_t>(kTypeNames.size())) return kTypeNames[type];
  return absl::StrCat(type);
}

v1::EventType SubscriptionEventType(const StatusUpdate& u) {
  switch (u.notification_type.value_or(-1)) {
    case 0:
      return v1::EVENT_TYPE_SUBSCRIPTION_STARTED;
    case 1:
      return IsRefund(u) ? v1::EVENT_TYPE_REFUNDED : v1::EVENT_TYPE_REVOKED;
    case 2:
    case 7:
      return v1::EVENT_TYPE_RENEWED;
    case 3:
      return v1::EVENT_TYPE_RESUBSCRIBED;
    case 4:
      return v1::EVENT_TYPE_PRODUCT_CHANGE_SCHEDULED;
    case 5:
      return v1::EVENT_TYPE_AUTO_RENEW_DISABLED;
    case 6:
      return v1::EVENT_TYPE_AUTO_RENEW_ENABLED;
    case 8:
      return v1::EVENT_TYPE_GRACE_PERIOD_STARTED;
    case 9:
      return v1::EVENT_TYPE_ON_HOLD;
    case 10:
      return v1::EVENT_TYPE_PAUSED;
    case 11:
      return v1::EVENT_TYPE_PAUSE_SCHEDULED;
    case 12:
      return v1::EVENT_TYPE_PRICE_INCREASE_ACCEPTED;
    case 13:
      return v1::EVENT_TYPE_DEFERRED;
    default:
      return v1::EVENT_TYPE_UNKNOWN;
  }
}

v1::SubscriptionEvent MapStatusUpdate(const Notification& n, const StatusUpdate& u,
                                      const v1::RawNotification& raw, absl::string_view app_id) {
  v1::SubscriptionEvent e;
  const int64_t type = u.notification_type.value_or(-1);
  e.set_id(EventId(
      v1::STORE_APP_GALLERY,
      absl::StrCat("sub:", crypto::HexEncode(crypto::Sha256(n.subscription->status_update_json)))));
  e.set_type(SubscriptionEventType(u));
  Common(raw, app_id, n, e);
  e.set_environment(EnvironmentOf(u.environment));
  const PurchaseData* p = u.receipt ? &*u.receipt : nullptr;
  std::string subscription_id = u.subscription_id;
  if (subscription_id.empty() && p != nullptr) subscription_id = p->subscription_id;
  std::string token =
      u.purchase_token.empty() && p != nullptr ? p->purchase_token : u.purchase_token;
  e.set_subscription_key(!subscription_id.empty() ? subscription_id
                         : !token.empty()         ? token
                                                  : u.latest_receipt);
  e.set_original_transaction_id(subscription_id);
  e.set_transaction_id(!u.order_id.empty() ? u.order_id : (p != nullptr ? p->order_id : ""));
  std::string product = p != nullptr && !p->product_id.empty() ? p->product_id : u.product_id;
  e.set_product_id(product);
  e.mutable_store_notification()->set_type(SubscriptionTypeName(type));
  Attr(e, "huawei.notificationType", u.notification_type);
  Attr(e, "huawei.latestReceipt", u.latest_receipt);
  Attr(e, "huawei.refundPayOrderId", u.refund_pay_order_id);
  Attr(e, "huawei.expirationIntent", u.expiration_intent);
  if (type == 4 && !u.product_id.empty()) e.set_auto_renew_product_id(u.product_id);
  if (u.auto_renew_status) {
    e.set_auto_renew(*u.auto_renew_status == 1);
  } else if (p != nullptr && p->auto_renewing) {
    e.set_auto_renew(*p->auto_renewing);
  }
  if (type == 5) e.set_auto_renew(false);
  if (type == 6) e.set_auto_renew(true);
  e.set_reason(ReasonOf(u.expiration_intent
                            ? u.expiration_intent
                            : (p != nullptr ? p->expiration_intent : std::nullopt)));
  if (type == 1) {
    SetTime(e.mutable_revoked_at(),
            u.cancellation_date ? u.cancellation_date : (p ? p->cancel_time : std::nullopt));
    if (IsRefund(u)) e.set_reason(v1::REASON_REFUND);
  }
  e.set_period_type(v1::PERIOD_TYPE_NORMAL);
  if (p != nullptr) {
    if (p->trial_flag.value_or(0) == 1) {
      e.set_period_type(v1::PERIOD_TYPE_TRIAL);
    } else if (p->introductory_flag.value_or(0) == 1) {
      e.set_period_type(v1::PERIOD_TYPE_INTRO);
    }
    SetTime(e.mutable_purchased_at(), p->purchase_time);
    SetTime(e.mutable_expires_at(), p->expiration_date);
    SetTime(e.mutable_grace_period_expires_at(), p->grace_expiration_time);
    // |price| < 9e14 keeps the micros inside int64 (hostile input cannot overflow).
    if (p->price && *p->price > -900'000'000'000'000 && *p->price < 900'000'000'000'000 &&
        !p->currency.empty()) {
      e.mutable_price()->set_amount_micros(*p->price * 10'000);  // 1/100 units -> micros
      e.mutable_price()->set_currency(p->currency);
    }
    e.set_country(p->country);
    if (!p->ori_subscription_id.empty() && p->ori_subscription_id != subscription_id) {
      e.set_superseded_key(p->ori_subscription_id);
    }
    Attr(e, "huawei.purchaseToken", p->purchase_token);
    Attr(e, "huawei.productGroup", p->product_group);
    Attr(e, "huawei.cancelReason", p->cancel_reason);
    Attr(e, "huawei.cancelWay", p->cancel_way);
    Attr(e, "huawei.purchaseState", p->purchase_state);
    Attr(e, "huawei.priceConsentStatus", p->price_consent_status);
  }
  return e;
}

v1::SubscriptionEvent MapOrder(const Notification& n, const OrderNotification& order,
                               const v1::RawNotification& raw, absl::string_view app_id) {
  v1::SubscriptionEvent e;
  const int64_t type = order.notification_type.value_or(-1);
  e.set_id(EventId(
      v1::STORE_APP_GALLERY,
      absl::StrCat("order:", type, ":", crypto::HexEncode(crypto::Sha256(order.purchase_token)))));
  e.set_type(type == 1   ? v1::EVENT_TYPE_ONE_TIME_PURCHASE
             : type == 2 ? v1::EVENT_TYPE_REFUNDED
                         : v1::EVENT_TYPE_UNKNOWN);
  Common(raw, app_id, n, e);
  e.set_subscription_key(order.purchase_token);
  e.set_product_id(order.product_id);
  if (type == 2) e.set_reason(v1::REASON_REFUND);
  e.mutable_store_notification()->set_type(type == 1   ? "ORDER_PAID"
                                           : type == 2 ? "ORDER_REFUNDED"
                                                       : absl::StrCat("ORDER_", type));
  Attr(e, "huawei.notificationType", order.notification_type);
  Attr(e, "huawei.purchaseToken", order.purchase_token);
  // Order notifications carry no signature (README.md, "What is authenticated").
  (*e.mutable_attributes())["huawei.signed"] = "false";
  return e;
}

}  // namespace storewire::stores::huawei

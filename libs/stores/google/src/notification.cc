#include "storewire/stores/google/notification.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "json.h"

namespace storewire::stores::google {
namespace {

using json::Member;

int IntOr0(const json::Value* v) {
  std::optional<int64_t> n = json::Int64(v);
  return n && *n >= INT32_MIN && *n <= INT32_MAX ? static_cast<int>(*n) : 0;
}

}  // namespace

absl::StatusOr<PushMessage> ParsePushRequest(absl::string_view body) {
  rapidjson::Document doc;
  if (absl::Status s = json::Parse(body, doc, "Pub/Sub push request"); !s.ok()) return s;
  const json::Value* message = Member(&doc, "message");
  if (message == nullptr || !message->IsObject()) {
    return absl::InvalidArgumentError("Pub/Sub push request has no \"message\" object");
  }
  PushMessage push;
  push.message_id = json::String(Member(message, {"messageId", "message_id"}));
  if (push.message_id.empty()) {
    return absl::InvalidArgumentError("Pub/Sub message has no messageId");
  }
  push.publish_time = json::Rfc3339(Member(message, {"publishTime", "publish_time"}));
  const json::Value* data = Member(message, "data");
  if (data == nullptr || !data->IsString()) {
    return absl::InvalidArgumentError("Pub/Sub message has no \"data\" string");
  }
  absl::string_view encoded(data->GetString(), data->GetStringLength());
  if (!absl::Base64Unescape(encoded, &push.data) &&
      !absl::WebSafeBase64Unescape(encoded, &push.data)) {
    return absl::InvalidArgumentError("Pub/Sub message data is not base64");
  }
  if (const json::Value* attributes = Member(message, "attributes");
      attributes != nullptr && attributes->IsObject()) {
    for (const auto& m : attributes->GetObject()) {
      if (m.value.IsString()) push.attributes[m.name.GetString()] = m.value.GetString();
    }
  }
  push.subscription = json::String(Member(&doc, "subscription"));
  push.delivery_attempt =
      json::Int64(Member(&doc, {"deliveryAttempt", "delivery_attempt"})).value_or(0);
  return push;
}

std::string SubscriptionTypeName(int code) {
  switch (code) {
    case 1:
      return "SUBSCRIPTION_RECOVERED";
    case 2:
      return "SUBSCRIPTION_RENEWED";
    case 3:
      return "SUBSCRIPTION_CANCELED";
    case 4:
      return "SUBSCRIPTION_PURCHASED";
    case 5:
      return "SUBSCRIPTION_ON_HOLD";
    case 6:
      return "SUBSCRIPTION_IN_GRACE_PERIOD";
    case 7:
      return "SUBSCRIPTION_RESTARTED";
    case 8:
      return "SUBSCRIPTION_PRICE_CHANGE_CONFIRMED";
    case 9:
      return "SUBSCRIPTION_DEFERRED";
    case 10:
      return "SUBSCRIPTION_PAUSED";
    case 11:
      return "SUBSCRIPTION_PAUSE_SCHEDULE_CHANGED";
    case 12:
      return "SUBSCRIPTION_REVOKED";
    case 13:
      return "SUBSCRIPTION_EXPIRED";
    case 17:
      return "SUBSCRIPTION_ITEMS_CHANGED";
    case 18:
      return "SUBSCRIPTION_CANCELLATION_SCHEDULED";
    case 19:
      return "SUBSCRIPTION_PRICE_CHANGE_UPDATED";
    case 20:
      return "SUBSCRIPTION_PENDING_PURCHASE_CANCELED";
    case 22:
      return "SUBSCRIPTION_PRICE_STEP_UP_CONSENT_UPDATED";
    default:
      return "UNKNOWN";
  }
}

std::string OneTimeTypeName(int code) {
  switch (code) {
    case 1:
      return "ONE_TIME_PRODUCT_PURCHASED";
    case 2:
      return "ONE_TIME_PRODUCT_CANCELED";
    default:
      return "UNKNOWN";
  }
}

absl::StatusOr<DeveloperNotification> ParseDeveloperNotification(absl::string_view text) {
  rapidjson::Document doc;
  if (absl::Status s = json::Parse(text, doc, "DeveloperNotification"); !s.ok()) return s;
  DeveloperNotification n;
  n.version = json::String(Member(&doc, "version"));
  n.package_name = json::String(Member(&doc, "packageName"));
  if (n.package_name.empty()) {
    return absl::InvalidArgumentError("DeveloperNotification has no packageName");
  }
  if (std::optional<int64_t> millis = json::Int64(Member(&doc, "eventTimeMillis"))) {
    n.event_time = absl::FromUnixMillis(*millis);
  }
  const json::Value* sub = Member(&doc, "subscriptionNotification");
  const json::Value* one_time = Member(&doc, "oneTimeProductNotification");
  const json::Value* voided = Member(&doc, "voidedPurchaseNotification");
  const json::Value* test = Member(&doc, "testNotification");
  const int kinds =
      (sub != nullptr) + (one_time != nullptr) + (voided != nullptr) + (test != nullptr);
  if (kinds != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "DeveloperNotification must hold exactly one of subscriptionNotification, "
        "oneTimeProductNotification, voidedPurchaseNotification, testNotification (found ",
        kinds, ")"));
  }
  const json::Value* body = sub != nullptr ? sub : one_time != nullptr ? one_time : voided;
  if (test != nullptr) {
    n.kind = NotificationKind::kTest;
    if (!test->IsObject()) return absl::InvalidArgumentError("testNotification is not an object");
    return n;
  }
  if (!body->IsObject()) return absl::InvalidArgumentError("notification body is not an object");
  n.purchase_token = json::String(Member(body, "purchaseToken"));
  if (n.purchase_token.empty()) {
    return absl::InvalidArgumentError("notification has no purchaseToken");
  }
  if (sub != nullptr) {
    n.kind = NotificationKind::kSubscription;
    n.notification_type = IntOr0(Member(sub, "notificationType"));
    n.subscription_id = json::String(Member(sub, "subscriptionId"));
    if (n.notification_type <= 0) {
      return absl::InvalidArgumentError("subscriptionNotification has no notificationType");
    }
  } else if (one_time != nullptr) {
    n.kind = NotificationKind::kOneTimeProduct;
    n.notification_type = IntOr0(Member(one_time, "notificationType"));
    n.sku = json::String(Member(one_time, "sku"));
    if (n.notification_type <= 0) {
      return absl::InvalidArgumentError("oneTimeProductNotification has no notificationType");
    }
  } else {
    n.kind = NotificationKind::kVoidedPurchase;
    n.order_id = json::String(Member(voided, "orderId"));
    n.product_type = IntOr0(Member(voided, "productType"));
    n.refund_type = IntOr0(Member(voided, "refundType"));
  }
  return n;
}

}  // namespace storewire::stores::google

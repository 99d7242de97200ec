#include "storewire/stores/huawei/payload.h"

#include "json_fields.h"

namespace storewire::stores::huawei {
namespace {

using internal::Fields;
using internal::ParseObject;

const rapidjson::Value* SubObject(const rapidjson::Value& parent, const char* name,
                                  absl::Status& error) {
  auto it = parent.FindMember(name);
  if (it == parent.MemberEnd() || it->value.IsNull()) return nullptr;
  if (!it->value.IsObject()) {
    if (error.ok()) {
      error = absl::InvalidArgumentError(absl::StrCat("field '", name, "' is not an object"));
    }
    return nullptr;
  }
  return &it->value;
}

absl::StatusOr<SubscriptionEnvelope> ReadSubscription(Fields& f) {
  SubscriptionEnvelope s;
  f.String("statusUpdateNotification", s.status_update_json);
  f.String("notificationSignature", s.signature);
  if (s.signature.empty()) f.String("notifycationSignature", s.signature);  // Huawei's spelling
  f.String("signatureAlgorithm", s.signature_algorithm);
  f.String("version", s.version);
  if (!f.status().ok()) return f.status();
  if (s.status_update_json.empty()) {
    return absl::InvalidArgumentError("statusUpdateNotification is missing or empty");
  }
  return s;
}

}  // namespace

absl::StatusOr<Notification> DecodeNotification(absl::string_view body) {
  rapidjson::Document doc;
  if (absl::Status s = ParseObject(body, doc, "body"); !s.ok()) return s;
  Notification n;
  Fields f(doc, "");
  f.String("version", n.version);
  f.String("eventType", n.event_type);
  f.String("applicationId", n.application_id);
  f.Millis("notifyTime", n.notify_time);
  if (!f.status().ok()) return f.status();
  absl::Status shape;
  const rapidjson::Value* order = SubObject(doc, "orderNotification", shape);
  const rapidjson::Value* sub = SubObject(doc, "subNotification", shape);
  if (!shape.ok()) return shape;
  if (order != nullptr && sub != nullptr) {
    return absl::InvalidArgumentError("body has both orderNotification and subNotification");
  }
  if (order != nullptr) {
    Fields o(*order, "orderNotification");
    OrderNotification& on = n.order.emplace();
    o.String("version", on.version);
    o.Int64("notificationType", on.notification_type);
    o.String("purchaseToken", on.purchase_token);
    o.String("productId", on.product_id);
    if (!o.status().ok()) return o.status();
    if (!on.notification_type) {
      return absl::InvalidArgumentError("orderNotification.notificationType is missing");
    }
    if (on.purchase_token.empty()) {
      return absl::InvalidArgumentError("orderNotification.purchaseToken is missing");
    }
    return n;
  }
  if (sub != nullptr) {
    Fields s(*sub, "subNotification");
    absl::StatusOr<SubscriptionEnvelope> e = ReadSubscription(s);
    if (!e.ok()) return e.status();
    n.subscription = *std::move(e);
    return n;
  }
  if (f.Find("statusUpdateNotification") != nullptr) {  // v1 shape
    absl::StatusOr<SubscriptionEnvelope> e = ReadSubscription(f);
    if (!e.ok()) return e.status();
    n.subscription = *std::move(e);
    return n;
  }
  return absl::InvalidArgumentError(
      "body has neither orderNotification nor subNotification.statusUpdateNotification");
}

absl::StatusOr<PurchaseData> DecodePurchaseData(absl::string_view json) {
  rapidjson::Document doc;
  if (absl::Status s = ParseObject(json, doc, "latestReceiptInfo"); !s.ok()) return s;
  Fields f(doc, "latestReceiptInfo");
  PurchaseData p;
  f.String("applicationId", p.application_id);
  f.String("orderId", p.order_id);
  f.String("productId", p.product_id);
  f.String("productName", p.product_name);
  f.String("purchaseToken", p.purchase_token);
  f.String("subscriptionId", p.subscription_id);
  f.String("oriSubscriptionId", p.ori_subscription_id);
  f.String("currency", p.currency);
  f.String("country", p.country);
  f.String("productGroup", p.product_group);
  f.String("lastOrderId", p.last_order_id);
  f.String("payOrderId", p.pay_order_id);
  f.Int64("price", p.price);
  f.Int64("purchaseState", p.purchase_state);
  f.Int64("purchaseType", p.purchase_type);
  f.Int64("kind", p.kind);
  f.Int64("trialFlag", p.trial_flag);
  f.Int64("introductoryFlag", p.introductory_flag);
  f.Int64("cancelReason", p.cancel_reason);
  f.Int64("cancelWay", p.cancel_way);
  f.Int64("expirationIntent", p.expiration_intent);
  f.Int64("renewStatus", p.renew_status);
  f.Int64("priceConsentStatus", p.price_consent_status);
  f.Int64("quantity", p.quantity);
  f.Bool("autoRenewing", p.auto_renewing);
  f.Bool("subIsvalid", p.sub_is_valid);
  f.Millis("purchaseTime", p.purchase_time);
  f.Millis("expirationDate", p.expiration_date);
  f.Millis("cancelTime", p.cancel_time);
  f.Millis("oriPurchaseTime", p.ori_purchase_time);
  f.Millis("graceExpirationTime", p.grace_expiration_time);
  if (!f.status().ok()) return f.status();
  return p;
}

absl::StatusOr<StatusUpdate> DecodeStatusUpdate(absl::string_view json) {
  rapidjson::Document doc;
  if (absl::Status s = ParseObject(json, doc, "statusUpdateNotification"); !s.ok()) return s;
  Fields f(doc, "statusUpdateNotification");
  StatusUpdate u;
  f.String("environment", u.environment);
  f.Int64("notificationType", u.notification_type);
  f.String("subscriptionId", u.subscription_id);
  f.String("orderId", u.order_id);
  f.String("latestReceipt", u.latest_receipt);
  f.String("refundPayOrderId", u.refund_pay_order_id);
  f.String("productId", u.product_id);
  f.String("applicationId", u.application_id);
  f.String("purchaseToken", u.purchase_token);
  f.String("latestReceiptInfo", u.latest_receipt_info_json);
  f.String("latestExpiredReceiptInfo", u.latest_expired_receipt_info_json);
  f.Millis("cancellationDate", u.cancellation_date);
  f.Int64("autoRenewStatus", u.auto_renew_status);
  f.Int64("expirationIntent", u.expiration_intent);
  if (!f.status().ok()) return f.status();
  if (!u.notification_type) {
    return absl::InvalidArgumentError("statusUpdateNotification.notificationType is missing");
  }
  const std::string& info = !u.latest_receipt_info_json.empty()
                                ? u.latest_receipt_info_json
                                : u.latest_expired_receipt_info_json;
  if (!info.empty()) {
    absl::StatusOr<PurchaseData> p = DecodePurchaseData(info);
    if (!p.ok()) return p.status();
    u.receipt = *std::move(p);
  }
  return u;
}

}  // namespace storewire::stores::huawei

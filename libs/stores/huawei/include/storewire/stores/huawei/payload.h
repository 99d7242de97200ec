// Decoding of Huawei AppGallery IAP server notifications into plain structs.
//
//   absl::StatusOr<Notification> n = DecodeNotification(raw.body());
//   if (n->subscription) {
//     // verify n->subscription->signature over n->subscription->status_update_json
//     absl::StatusOr<StatusUpdate> s = DecodeStatusUpdate(n->subscription->status_update_json);
//   }
//
// Shapes accepted (see README.md):
//   v2: {"version":"v2","eventType":"ORDER"|"SUBSCRIPTION","notifyTime":ms,
//        "applicationId":"...","orderNotification":{...}|"subNotification":{
//        "statusUpdateNotification":"<JSON string>","notificationSignature":"...",
//        "signatureAlgorithm":"SHA256WithRSA"|"SHA256WithRSA/PSS"}}
//   v1 (older apps): {"statusUpdateNotification":"<JSON string>",
//        "notifycationSignature":"..."} (Huawei's spelling; the correct one too).
// The statusUpdateNotification string is kept byte for byte: it is what the
// signature covers. Unknown members are ignored; a known member of the wrong
// JSON type is kInvalidArgument naming it; null is absent. Integers sent as
// strings are accepted (Huawei's examples use both).
// Thread safety: pure functions.
#ifndef STOREWIRE_STORES_HUAWEI_PAYLOAD_H_
#define STOREWIRE_STORES_HUAWEI_PAYLOAD_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace storewire::stores::huawei {

// orderNotification: one-time products (1 paid, 2 refunded). Not signed by
// Huawei: see README.md ("What is authenticated").
struct OrderNotification {
  std::string version, purchase_token, product_id;
  std::optional<int64_t> notification_type;
};

struct SubscriptionEnvelope {
  std::string status_update_json;   // exact bytes that were signed
  std::string signature;            // base64, as sent
  std::string signature_algorithm;  // "" = SHA256WithRSA
  std::string version;
};

struct Notification {
  std::string version, event_type, application_id;
  std::optional<absl::Time> notify_time;
  std::optional<OrderNotification> order;
  std::optional<SubscriptionEnvelope> subscription;
};

// The InAppPurchaseData of latestReceiptInfo (subset storewire maps).
struct PurchaseData {
  std::string application_id, order_id, product_id, product_name, purchase_token;
  std::string subscription_id, ori_subscription_id, currency, country, product_group;
  std::string last_order_id, pay_order_id;
  std::optional<int64_t> price;  // in the currency's 1/100 units
  std::optional<int64_t> purchase_state, purchase_type, kind, trial_flag, introductory_flag;
  std::optional<int64_t> cancel_reason, cancel_way, expiration_intent, renew_status;
  std::optional<int64_t> price_consent_status, quantity;
  std::optional<bool> auto_renewing, sub_is_valid;
  std::optional<absl::Time> purchase_time, expiration_date, cancel_time, ori_purchase_time;
  std::optional<absl::Time> grace_expiration_time;
};

struct StatusUpdate {
  std::string environment;  // "PROD" | "SandBox" (also "Sandbox")
  std::optional<int64_t> notification_type;
  std::string subscription_id, order_id, latest_receipt, refund_pay_order_id;
  std::string product_id, application_id, purchase_token;
  std::string latest_receipt_info_json, latest_expired_receipt_info_json;
  std::optional<absl::Time> cancellation_date;
  std::optional<int64_t> auto_renew_status, expiration_intent;
  // Decoded latestReceiptInfo (else latestExpiredReceiptInfo), when present.
  std::optional<PurchaseData> receipt;
};

absl::StatusOr<Notification> DecodeNotification(absl::string_view body);
absl::StatusOr<StatusUpdate> DecodeStatusUpdate(absl::string_view json);
absl::StatusOr<PurchaseData> DecodePurchaseData(absl::string_view json);

}  // namespace storewire::stores::huawei

#endif  // STOREWIRE_STORES_HUAWEI_PAYLOAD_H_

// Decoding of Apple's notification payloads (after verification) into plain
// structs: App Store Server Notifications V2 (responseBodyV2DecodedPayload and
// its data / summary / externalPurchaseToken / appData shapes), the nested
// JWSTransactionDecodedPayload and JWSRenewalInfoDecodedPayload, and V1
// notification bodies.
//
//   absl::StatusOr<NotificationV2> n = DecodeNotificationV2(verified.payload);
//   n->Environment();   // data/summary/appData environment, or from the
//                       // externalPurchaseId prefix
//
// Rules: unknown members are ignored (Apple adds fields); a known member of
// the wrong JSON type is an error (kInvalidArgument naming it); null is
// treated as absent. Dates are milliseconds since the epoch, possibly
// fractional (Xcode); prices are int64 milliunits.
// Thread safety: pure functions.
#ifndef STOREWIRE_STORES_APPLE_PAYLOAD_H_
#define STOREWIRE_STORES_APPLE_PAYLOAD_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace storewire::stores::apple {

struct TransactionInfo {
  std::string transaction_id, original_transaction_id, web_order_line_item_id;
  std::string bundle_id, product_id, subscription_group_identifier, type;
  std::string app_account_token, in_app_ownership_type, environment, transaction_reason;
  std::string storefront, storefront_id, currency, offer_identifier, offer_discount_type;
  std::string offer_period, app_transaction_id, revocation_type;
  std::optional<absl::Time> purchase_date, original_purchase_date, expires_date;
  std::optional<absl::Time> revocation_date, signed_date;
  std::optional<int64_t> price, quantity, offer_type, revocation_reason, revocation_percentage;
  std::optional<bool> is_upgraded;
};

struct RenewalInfo {
  std::string original_transaction_id, auto_renew_product_id, product_id, environment;
  std::string currency, offer_identifier, offer_discount_type, offer_period;
  std::string app_transaction_id, app_account_token;
  std::optional<int64_t> auto_renew_status, expiration_intent, price_increase_status;
  std::optional<int64_t> offer_type, renewal_price;
  std::optional<bool> is_in_billing_retry_period;
  std::optional<absl::Time> grace_period_expires_date, signed_date;
  std::optional<absl::Time> recent_subscription_start_date, renewal_date;
  std::vector<std::string> eligible_win_back_offer_ids;
};

struct NotificationData {
  std::optional<int64_t> app_apple_id;
  std::string bundle_id, bundle_version, environment;
  std::string signed_transaction_info, signed_renewal_info, consumption_request_reason;
  std::optional<int64_t> status;
};

struct NotificationSummary {
  std::optional<int64_t> app_apple_id;
  std::string environment, bundle_id, product_id, request_identifier;
  std::vector<std::string> storefront_country_codes;
  std::optional<int64_t> succeeded_count, failed_count;
};

struct ExternalPurchaseToken {
  std::optional<int64_t> app_apple_id;
  std::string external_purchase_id, bundle_id, token_type;
  std::optional<absl::Time> token_creation_date, token_expiration_date;
};

struct AppData {
  std::optional<int64_t> app_apple_id;
  std::string bundle_id, environment, signed_app_transaction_info;
};

struct NotificationV2 {
  std::string notification_type, subtype, notification_uuid, version;
  std::optional<absl::Time> signed_date;
  std::optional<NotificationData> data;
  std::optional<NotificationSummary> summary;
  std::optional<ExternalPurchaseToken> external_purchase_token;
  std::optional<AppData> app_data;

  // From whichever shape is present; empty / nullopt when none carries it.
  std::string BundleId() const;
  std::optional<int64_t> AppAppleId() const;
  // "Sandbox" / "Production" as Apple spells it. For externalPurchaseToken:
  // "Sandbox" when externalPurchaseId starts with "SANDBOX", else "Production".
  std::string Environment() const;
};

absl::StatusOr<NotificationV2> DecodeNotificationV2(absl::string_view json);
absl::StatusOr<TransactionInfo> DecodeTransactionInfo(absl::string_view json);
absl::StatusOr<RenewalInfo> DecodeRenewalInfo(absl::string_view json);

// V1 (deprecated): values are mostly strings ("purchase_date_ms": "1698...").
struct ReceiptInfoV1 {
  std::string product_id, transaction_id, original_transaction_id, web_order_line_item_id;
  std::string promotional_offer_id, offer_code_ref_name, app_account_token;
  std::string in_app_ownership_type, subscription_group_identifier, cancellation_reason;
  std::optional<absl::Time> purchase_date, original_purchase_date, expires_date;
  std::optional<absl::Time> cancellation_date;
  bool is_trial_period = false;
  bool is_in_intro_offer_period = false;
};

struct PendingRenewalInfoV1 {
  std::string auto_renew_product_id, product_id, original_transaction_id, expiration_intent;
  std::string auto_renew_status;
  bool is_in_billing_retry_period = false;
  std::optional<absl::Time> grace_period_expires_date;
};

struct NotificationV1 {
  std::string notification_type, password, environment, bid, bvrs;
  std::string auto_renew_status, auto_renew_product_id, original_transaction_id;
  std::vector<ReceiptInfoV1> latest_receipt_info;
  std::vector<PendingRenewalInfoV1> pending_renewal_info;

  // The latest_receipt_info entry with the latest purchase date, or nullptr.
  const ReceiptInfoV1* LatestReceipt() const;
};

absl::StatusOr<NotificationV1> DecodeNotificationV1(absl::string_view json);

}  // namespace storewire::stores::apple

#endif  // STOREWIRE_STORES_APPLE_PAYLOAD_H_

// Amazon Appstore real-time notifications (the SNS Message JSON) and the
// Receipt Verification Service receipt, decoded into plain structs.
//
//   absl::StatusOr<RtnMessage> n = DecodeRtnMessage(sns.message);
//   absl::StatusOr<Receipt> r = DecodeReceipt(rvs_response_body);
//
// Unknown members are ignored; a known member of the wrong JSON type is
// kInvalidArgument naming it; null is absent; numbers sent as strings are
// accepted. Thread safety: pure functions.
#ifndef STOREWIRE_STORES_AMAZON_RTN_H_
#define STOREWIRE_STORES_AMAZON_RTN_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace storewire::stores::amazon {

struct RtnMessage {
  std::string app_package_name, notification_type, app_user_id, receipt_id;
  // e.g. {"cancelledReceiptId": "..."} (SUBSCRIPTION_MODIFIED_IMMEDIATE).
  std::map<std::string, std::string> related_receipts;
  std::optional<absl::Time> timestamp;
  std::optional<bool> beta_product_transaction;
};

// RVS verifyReceiptId response (subset storewire maps).
struct Receipt {
  std::string receipt_id, product_id, product_type, term_sku, term, parent_product_id;
  std::string deferred_sku;
  std::optional<absl::Time> purchase_date, cancel_date, renewal_date, free_trial_end_date;
  std::optional<absl::Time> grace_period_end_date, deferred_date, auto_renewing_date;
  std::optional<int64_t> cancel_reason, quantity;
  std::optional<bool> test_transaction, beta_product, auto_renewing;
};

absl::StatusOr<RtnMessage> DecodeRtnMessage(absl::string_view json);
absl::StatusOr<Receipt> DecodeReceipt(absl::string_view json);

// "1 Month" -> "P1M", "3 Months" -> "P3M", "1 Week" -> "P1W", "1 Year" -> "P1Y";
// "" for anything else.
std::string TermToIsoPeriod(absl::string_view term);

}  // namespace storewire::stores::amazon

#endif  // STOREWIRE_STORES_AMAZON_RTN_H_

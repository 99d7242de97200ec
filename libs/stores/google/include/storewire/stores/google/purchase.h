// The Play Developer API resources storewire reads, parsed from their JSON:
// purchases.subscriptionsv2 (SubscriptionPurchaseV2) and purchases.products
// (ProductPurchase). Only the fields the mapping needs; absent fields stay
// empty / nullopt.
//
//   absl::StatusOr<SubscriptionPurchase> p = ParseSubscriptionPurchaseV2(body);
//   p->state == "SUBSCRIPTION_STATE_ACTIVE"; p->line_items[0].expiry_time; ...
//
// Errors: kInvalidArgument when the body is not a JSON object. Pure.
#ifndef STOREWIRE_STORES_GOOGLE_PURCHASE_H_
#define STOREWIRE_STORES_GOOGLE_PURCHASE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace storewire::stores::google {

struct Money {
  std::string currency;
  int64_t micros = 0;  // units * 1e6 + nanos / 1e3
};

struct LineItem {
  std::string product_id;
  std::optional<absl::Time> expiry_time;
  bool auto_renewing = false;  // autoRenewingPlan present
  std::optional<bool> auto_renew_enabled;
  std::optional<Money> recurring_price;
  bool price_change_pending = false;  // autoRenewingPlan.priceChangeDetails present
  std::string price_change_state;     // priceChangeDetails.priceChangeState
  std::string base_plan_id;
  std::string offer_id;
  // "freeTrial", "introductoryPrice", "basePrice", "prorationPeriod" (the
  // offerPhase member present), or "" when Google does not say.
  std::string offer_phase;
  std::string latest_order_id;
};

struct SubscriptionPurchase {
  std::string state;  // SUBSCRIPTION_STATE_ACTIVE, ...
  std::vector<LineItem> line_items;
  std::optional<absl::Time> start_time;
  std::string region_code;
  std::string linked_purchase_token;
  std::string acknowledgement_state;  // ACKNOWLEDGEMENT_STATE_(UN)ACKNOWLEDGED
  // canceledStateContext: "user", "system", "developer", "replacement" or "".
  std::string canceled_by;
  std::optional<int> cancel_survey_reason;  // userInitiatedCancellation.cancelSurveyResult.reason
  std::optional<absl::Time> auto_resume_time;  // pausedStateContext
  bool test_purchase = false;
  std::string obfuscated_account_id;
  std::string obfuscated_profile_id;
  std::string latest_order_id;  // top-level (deprecated) or the first line item's
};

absl::StatusOr<SubscriptionPurchase> ParseSubscriptionPurchaseV2(absl::string_view body);

struct ProductPurchase {
  int purchase_state = 0;  // 0 purchased, 1 canceled, 2 pending
  int acknowledgement_state = 0;
  int consumption_state = 0;
  std::optional<absl::Time> purchase_time;
  std::string order_id;
  std::string region_code;
  bool test_purchase = false;  // purchaseType == 0
  int quantity = 1;
  std::string obfuscated_account_id;
  std::string obfuscated_profile_id;
};

absl::StatusOr<ProductPurchase> ParseProductPurchase(absl::string_view body);

}  // namespace storewire::stores::google

#endif  // STOREWIRE_STORES_GOOGLE_PURCHASE_H_

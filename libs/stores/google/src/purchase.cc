#include "storewire/stores/google/purchase.h"

#include "json.h"

namespace storewire::stores::google {
namespace {

using json::Member;

std::optional<Money> ParseMoney(const json::Value* v) {
  if (v == nullptr || !v->IsObject()) return std::nullopt;
  Money m;
  m.currency = json::String(Member(v, "currencyCode"));
  int64_t units = json::Int64(Member(v, "units")).value_or(0);
  int64_t nanos = json::Int64(Member(v, "nanos")).value_or(0);
  m.micros = units * 1'000'000 + nanos / 1'000;
  return m;
}

}  // namespace

absl::StatusOr<SubscriptionPurchase> ParseSubscriptionPurchaseV2(absl::string_view body) {
  rapidjson::Document doc;
  if (absl::Status s = json::Parse(body, doc, "SubscriptionPurchaseV2"); !s.ok()) return s;
  SubscriptionPurchase p;
  p.state = json::String(Member(&doc, "subscriptionState"));
  p.start_time = json::Rfc3339(Member(&doc, "startTime"));
  p.region_code = json::String(Member(&doc, "regionCode"));
  p.linked_purchase_token = json::String(Member(&doc, "linkedPurchaseToken"));
  p.acknowledgement_state = json::String(Member(&doc, "acknowledgementState"));
  p.test_purchase = Member(&doc, "testPurchase") != nullptr;
  p.latest_order_id = json::String(Member(&doc, "latestOrderId"));
  if (const json::Value* ids = Member(&doc, "externalAccountIdentifiers")) {
    p.obfuscated_account_id = json::String(Member(ids, "obfuscatedExternalAccountId"));
    p.obfuscated_profile_id = json::String(Member(ids, "obfuscatedExternalProfileId"));
  }
  if (const json::Value* canceled = Member(&doc, "canceledStateContext")) {
    if (const json::Value* user = Member(canceled, "userInitiatedCancellation")) {
      p.canceled_by = "user";
      if (auto reason = json::Int64(Member(Member(user, "cancelSurveyResult"), "reason"))) {
        p.cancel_survey_reason = static_cast<int>(*reason);
      } else if (auto name = Member(Member(user, "cancelSurveyResult"), "reason");
                 name != nullptr && name->IsString()) {
        p.cancel_survey_reason = 0;
      }
    } else if (Member(canceled, "systemInitiatedCancellation") != nullptr) {
      p.canceled_by = "system";
    } else if (Member(canceled, "developerInitiatedCancellation") != nullptr) {
      p.canceled_by = "developer";
    } else if (Member(canceled, "replacementCancellation") != nullptr) {
      p.canceled_by = "replacement";
    }
  }
  if (const json::Value* paused = Member(&doc, "pausedStateContext")) {
    p.auto_resume_time = json::Rfc3339(Member(paused, "autoResumeTime"));
  }
  if (const json::Value* items = Member(&doc, "lineItems"); items != nullptr && items->IsArray()) {
    for (const json::Value& v : items->GetArray()) {
      if (!v.IsObject()) continue;
      LineItem item;
      item.product_id = json::String(Member(&v, "productId"));
      item.expiry_time = json::Rfc3339(Member(&v, "expiryTime"));
      item.latest_order_id = json::String(Member(&v, "latestSuccessfulOrderId"));
      if (const json::Value* plan = Member(&v, "autoRenewingPlan")) {
        item.auto_renewing = true;
        item.auto_renew_enabled = json::Bool(Member(plan, "autoRenewEnabled"));
        item.recurring_price = ParseMoney(Member(plan, "recurringPrice"));
        if (const json::Value* change = Member(plan, "priceChangeDetails")) {
          item.price_change_pending = true;
          item.price_change_state = json::String(Member(change, "priceChangeState"));
        }
      }
      if (const json::Value* offer = Member(&v, "offerDetails")) {
        item.base_plan_id = json::String(Member(offer, "basePlanId"));
        item.offer_id = json::String(Member(offer, "offerId"));
      }
      if (const json::Value* phase = Member(&v, "offerPhase");
          phase != nullptr && phase->IsObject()) {
        for (const char* name :
             {"freeTrial", "introductoryPrice", "basePrice", "prorationPeriod"}) {
          if (Member(phase, name) != nullptr) {
            item.offer_phase = name;
            break;
          }
        }
      }
      p.line_items.push_back(std::move(item));
    }
  }
  if (p.latest_order_id.empty() && !p.line_items.empty()) {
    p.latest_order_id = p.line_items[0].latest_order_id;
  }
  return p;
}

absl::StatusOr<ProductPurchase> ParseProductPurchase(absl::string_view body) {
  rapidjson::Document doc;
  if (absl::Status s = json::Parse(body, doc, "ProductPurchase"); !s.ok()) return s;
  ProductPurchase p;
  p.purchase_state = static_cast<int>(json::Int64(Member(&doc, "purchaseState")).value_or(0));
  p.acknowledgement_state =
      static_cast<int>(json::Int64(Member(&doc, "acknowledgementState")).value_or(0));
  p.consumption_state = static_cast<int>(json::Int64(Member(&doc, "consumptionState")).value_or(0));
  if (auto millis = json::Int64(Member(&doc, "purchaseTimeMillis"))) {
    p.purchase_time = absl::FromUnixMillis(*millis);
  }
  p.order_id = json::String(Member(&doc, "orderId"));
  p.region_code = json::String(Member(&doc, "regionCode"));
  std::optional<int64_t> type = json::Int64(Member(&doc, "purchaseType"));
  p.test_purchase = type.has_value() && *type == 0;
  p.quantity = static_cast<int>(json::Int64(Member(&doc, "quantity")).value_or(1));
  p.obfuscated_account_id = json::String(Member(&doc, "obfuscatedExternalAccountId"));
  p.obfuscated_profile_id = json::String(Member(&doc, "obfuscatedExternalProfileId"));
  return p;
}

}  // namespace storewire::stores::google

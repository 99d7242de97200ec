#include "storewire/stores/amazon/rtn.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "json_fields.h"

namespace storewire::stores::amazon {

absl::StatusOr<RtnMessage> DecodeRtnMessage(absl::string_view json) {
  rapidjson::Document doc;
  if (absl::Status s = internal::ParseObject(json, doc, "SNS Message"); !s.ok()) return s;
  internal::Fields f(doc, "Message");
  RtnMessage m;
  f.String("appPackageName", m.app_package_name);
  f.String("notificationType", m.notification_type);
  f.String("appUserId", m.app_user_id);
  f.String("receiptId", m.receipt_id);
  f.Millis("timestamp", m.timestamp);
  f.Bool("betaProductTransaction", m.beta_product_transaction);
  if (const rapidjson::Value* related = f.Find("relatedReceipts")) {
    if (related->IsObject()) {
      for (const auto& member : related->GetObject()) {
        if (member.value.IsString()) {
          m.related_receipts[std::string(member.name.GetString(), member.name.GetStringLength())] =
              std::string(member.value.GetString(), member.value.GetStringLength());
        }
      }
    } else if (!related->IsArray()) {  // Amazon's docs show {} and []
      f.Fail("relatedReceipts", "an object");
    }
  }
  if (!f.status().ok()) return f.status();
  if (m.notification_type.empty()) {
    return absl::InvalidArgumentError("Message.notificationType is missing");
  }
  return m;
}

absl::StatusOr<Receipt> DecodeReceipt(absl::string_view json) {
  rapidjson::Document doc;
  if (absl::Status s = internal::ParseObject(json, doc, "RVS receipt"); !s.ok()) return s;
  internal::Fields f(doc, "receipt");
  Receipt r;
  f.String("receiptId", r.receipt_id);
  f.String("productId", r.product_id);
  f.String("productType", r.product_type);
  f.String("termSku", r.term_sku);
  f.String("term", r.term);
  f.String("parentProductId", r.parent_product_id);
  f.String("deferredSku", r.deferred_sku);
  f.Millis("purchaseDate", r.purchase_date);
  f.Millis("cancelDate", r.cancel_date);
  f.Millis("renewalDate", r.renewal_date);
  f.Millis("freeTrialEndDate", r.free_trial_end_date);
  f.Millis("gracePeriodEndDate", r.grace_period_end_date);
  f.Millis("deferredDate", r.deferred_date);
  f.Millis("autoRenewingDate", r.auto_renewing_date);
  f.Int64("cancelReason", r.cancel_reason);
  f.Int64("quantity", r.quantity);
  f.Bool("testTransaction", r.test_transaction);
  f.Bool("betaProduct", r.beta_product);
  f.Bool("autoRenewing", r.auto_renewing);
  if (!f.status().ok()) return f.status();
  return r;
}

std::string TermToIsoPeriod(absl::string_view term) {
  std::vector<absl::string_view> parts =
      absl::StrSplit(absl::StripAsciiWhitespace(term), ' ', absl::SkipEmpty());
  int n = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &n) || n <= 0 || n > 99) return "";
  const std::string unit = absl::AsciiStrToLower(parts[1]);
  const char* letter = nullptr;
  if (unit == "day" || unit == "days") letter = "D";
  if (unit == "week" || unit == "weeks") letter = "W";
  if (unit == "month" || unit == "months") letter = "M";
  if (unit == "year" || unit == "years") letter = "Y";
  if (letter == nullptr) return "";
  return absl::StrCat("P", n, letter);
}

}  // namespace storewire::stores::amazon

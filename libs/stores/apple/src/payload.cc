#include "storewire/stores/apple/payload.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace storewire::stores::apple {
namespace {

// Reads members of one JSON object; the first type error wins and names the
// member by its path.
class Fields {
 public:
  Fields(const rapidjson::Value& object, std::string path)
      : object_(object), path_(std::move(path)) {}

  const rapidjson::Value* Find(const char* name) {
    auto it = object_.FindMember(name);
    if (it == object_.MemberEnd() || it->value.IsNull()) return nullptr;
    return &it->value;
  }

  void String(const char* name, std::string& out) {
    const rapidjson::Value* v = Find(name);
    if (v == nullptr) return;
    if (!v->IsString()) return Fail(name, "a string");
    out.assign(v->GetString(), v->GetStringLength());
  }

  void Int64(const char* name, std::optional<int64_t>& out) {
    const rapidjson::Value* v = Find(name);
    if (v == nullptr) return;
    if (v->IsInt64()) {
      out = v->GetInt64();
    } else if (v->IsDouble() && std::isfinite(v->GetDouble()) && std::fabs(v->GetDouble()) < 9e15 &&
               std::trunc(v->GetDouble()) == v->GetDouble()) {
      out = static_cast<int64_t>(v->GetDouble());
    } else {
      Fail(name, "an integer");
    }
  }

  void Bool(const char* name, std::optional<bool>& out) {
    const rapidjson::Value* v = Find(name);
    if (v == nullptr) return;
    if (!v->IsBool()) return Fail(name, "a boolean");
    out = v->GetBool();
  }

  // Milliseconds since the epoch, possibly fractional.
  void Millis(const char* name, std::optional<absl::Time>& out) {
    const rapidjson::Value* v = Find(name);
    if (v == nullptr) return;
    if (v->IsInt64() && std::llabs(v->GetInt64()) < 1'000'000'000'000'000) {
      out = absl::FromUnixMillis(v->GetInt64());
    } else if (v->IsNumber() && std::isfinite(v->GetDouble()) && std::fabs(v->GetDouble()) < 1e15) {
      out = absl::FromUnixMicros(std::llround(v->GetDouble() * 1000.0));
    } else {
      Fail(name, "a millisecond time");
    }
  }

  void StringArray(const char* name, std::vector<std::string>& out) {
    const rapidjson::Value* v = Find(name);
    if (v == nullptr) return;
    if (!v->IsArray()) return Fail(name, "an array of strings");
    for (const auto& item : v->GetArray()) {
      if (!item.IsString()) return Fail(name, "an array of strings");
      out.emplace_back(item.GetString(), item.GetStringLength());
    }
  }

  // V1 style: a decimal string ("1698148900000") or a number.
  void MillisString(const char* name, std::optional<absl::Time>& out) {
    const rapidjson::Value* v = Find(name);
    if (v == nullptr) return;
    if (v->IsString()) {
      int64_t ms = 0;
      if (!absl::SimpleAtoi(absl::string_view(v->GetString(), v->GetStringLength()), &ms)) {
        return Fail(name, "a decimal millisecond string");
      }
      out = absl::FromUnixMillis(ms);
      return;
    }
    Millis(name, out);
  }

  // V1 style: "true"/"false" strings or booleans.
  void BoolString(const char* name, bool& out) {
    const rapidjson::Value* v = Find(name);
    if (v == nullptr) return;
    if (v->IsBool()) {
      out = v->GetBool();
    } else if (v->IsString()) {
      absl::string_view s(v->GetString(), v->GetStringLength());
      if (s == "true" || s == "1") {
        out = true;
      } else if (s == "false" || s == "0") {
        out = false;
      } else {
        Fail(name, "\"true\" or \"false\"");
      }
    } else {
      Fail(name, "\"true\" or \"false\"");
    }
  }

  // A string, or a number rendered as text (V1 sends some ids either way).
  void Text(const char* name, std::string& out) {
    const rapidjson::Value* v = Find(name);
    if (v == nullptr) return;
    if (v->IsString()) {
      out.assign(v->GetString(), v->GetStringLength());
    } else if (v->IsInt64()) {
      out = absl::StrCat(v->GetInt64());
    } else if (v->IsBool()) {
      out = v->GetBool() ? "true" : "false";
    } else {
      Fail(name, "a string");
    }
  }

  const absl::Status& status() const { return status_; }
  const std::string& path() const { return path_; }

 private:
  void Fail(const char* name, const char* expected) {
    if (status_.ok()) {
      status_ = absl::InvalidArgumentError(
          absl::StrCat("field '", path_.empty() ? "" : path_ + ".", name, "' is not ", expected));
    }
  }

  const rapidjson::Value& object_;
  std::string path_;
  absl::Status status_;
};

// Parses in place in `buffer` (a copy of `json` that must outlive `doc`):
// the nested JWS strings (kilobytes each) then cost one memcpy, not a
// character-by-character copy onto the parser's stack.
absl::Status ParseObject(absl::string_view json, std::string& buffer, rapidjson::Document& doc,
                         absl::string_view what) {
  if (json.find('\0') != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is not JSON: it contains a NUL byte"));
  }
  buffer.assign(json.data(), json.size());
  doc.ParseInsitu(buffer.data());
  if (doc.HasParseError()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is not JSON: ", rapidjson::GetParseError_En(doc.GetParseError()),
                     " at offset ", doc.GetErrorOffset()));
  }
  if (!doc.IsObject())
    return absl::InvalidArgumentError(absl::StrCat(what, " is not a JSON object"));
  return absl::OkStatus();
}

// Finds an optional nested object; sets `error` when present but not an object.
const rapidjson::Value* SubObject(const rapidjson::Value& parent, const char* name,
                                  absl::Status& error) {
  auto it = parent.FindMember(name);
  if (it == parent.MemberEnd() || it->value.IsNull()) return nullptr;
  if (!it->value.IsObject()) {
    if (error.ok())
      error = absl::InvalidArgumentError(absl::StrCat("field '", name, "' is not an object"));
    return nullptr;
  }
  return &it->value;
}

absl::Status First(std::initializer_list<absl::Status> statuses) {
  for (const auto& s : statuses) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

TransactionInfo ReadTransaction(Fields& f) {
  TransactionInfo t;
  f.String("transactionId", t.transaction_id);
  f.String("originalTransactionId", t.original_transaction_id);
  f.String("webOrderLineItemId", t.web_order_line_item_id);
  f.String("bundleId", t.bundle_id);
  f.String("productId", t.product_id);
  f.String("subscriptionGroupIdentifier", t.subscription_group_identifier);
  f.String("type", t.type);
  f.String("appAccountToken", t.app_account_token);
  f.String("inAppOwnershipType", t.in_app_ownership_type);
  f.String("environment", t.environment);
  f.String("transactionReason", t.transaction_reason);
  f.String("storefront", t.storefront);
  f.String("storefrontId", t.storefront_id);
  f.String("currency", t.currency);
  f.String("offerIdentifier", t.offer_identifier);
  f.String("offerDiscountType", t.offer_discount_type);
  f.String("offerPeriod", t.offer_period);
  f.String("appTransactionId", t.app_transaction_id);
  f.String("revocationType", t.revocation_type);
  f.Millis("purchaseDate", t.purchase_date);
  f.Millis("originalPurchaseDate", t.original_purchase_date);
  f.Millis("expiresDate", t.expires_date);
  f.Millis("revocationDate", t.revocation_date);
  f.Millis("signedDate", t.signed_date);
  f.Int64("price", t.price);
  f.Int64("quantity", t.quantity);
  f.Int64("offerType", t.offer_type);
  f.Int64("revocationReason", t.revocation_reason);
  f.Int64("revocationPercentage", t.revocation_percentage);
  f.Bool("isUpgraded", t.is_upgraded);
  return t;
}

RenewalInfo ReadRenewal(Fields& f) {
  RenewalInfo r;
  f.String("originalTransactionId", r.original_transaction_id);
  f.String("autoRenewProductId", r.auto_renew_product_id);
  f.String("productId", r.product_id);
  f.String("environment", r.environment);
  f.String("currency", r.currency);
  f.String("offerIdentifier", r.offer_identifier);
  f.String("offerDiscountType", r.offer_discount_type);
  f.String("offerPeriod", r.offer_period);
  f.String("appTransactionId", r.app_transaction_id);
  f.String("appAccountToken", r.app_account_token);
  f.Int64("autoRenewStatus", r.auto_renew_status);
  f.Int64("expirationIntent", r.expiration_intent);
  f.Int64("priceIncreaseStatus", r.price_increase_status);
  f.Int64("offerType", r.offer_type);
  f.Int64("renewalPrice", r.renewal_price);
  f.Bool("isInBillingRetryPeriod", r.is_in_billing_retry_period);
  f.Millis("gracePeriodExpiresDate", r.grace_period_expires_date);
  f.Millis("signedDate", r.signed_date);
  f.Millis("recentSubscriptionStartDate", r.recent_subscription_start_date);
  f.Millis("renewalDate", r.renewal_date);
  f.StringArray("eligibleWinBackOfferIds", r.eligible_win_back_offer_ids);
  return r;
}

}  // namespace

std::string NotificationV2::BundleId() const {
  if (data) return data->bundle_id;
  if (summary) return summary->bundle_id;
  if (external_purchase_token) return external_purchase_token->bundle_id;
  if (app_data) return app_data->bundle_id;
  return {};
}

std::optional<int64_t> NotificationV2::AppAppleId() const {
  if (data) return data->app_apple_id;
  if (summary) return summary->app_apple_id;
  if (external_purchase_token) return external_purchase_token->app_apple_id;
  if (app_data) return app_data->app_apple_id;
  return std::nullopt;
}

std::string NotificationV2::Environment() const {
  if (data) return data->environment;
  if (summary) return summary->environment;
  if (external_purchase_token) {
    return absl::StartsWith(external_purchase_token->external_purchase_id, "SANDBOX")
               ? "Sandbox"
               : "Production";
  }
  if (app_data) return app_data->environment;
  return {};
}

absl::StatusOr<NotificationV2> DecodeNotificationV2(absl::string_view json) {
  std::string buffer;
  rapidjson::Document doc;
  if (absl::Status s = ParseObject(json, buffer, doc, "notification payload"); !s.ok()) return s;
  NotificationV2 n;
  Fields f(doc, "");
  f.String("notificationType", n.notification_type);
  f.String("subtype", n.subtype);
  f.String("notificationUUID", n.notification_uuid);
  f.String("version", n.version);
  f.Millis("signedDate", n.signed_date);
  absl::Status shape;
  if (const auto* v = SubObject(doc, "data", shape)) {
    Fields d(*v, "data");
    NotificationData data;
    d.Int64("appAppleId", data.app_apple_id);
    d.String("bundleId", data.bundle_id);
    d.String("bundleVersion", data.bundle_version);
    d.String("environment", data.environment);
    d.String("signedTransactionInfo", data.signed_transaction_info);
    d.String("signedRenewalInfo", data.signed_renewal_info);
    d.String("consumptionRequestReason", data.consumption_request_reason);
    d.Int64("status", data.status);
    if (!d.status().ok()) return d.status();
    n.data = std::move(data);
  }
  if (const auto* v = SubObject(doc, "summary", shape)) {
    Fields d(*v, "summary");
    NotificationSummary s;
    d.Int64("appAppleId", s.app_apple_id);
    d.String("environment", s.environment);
    d.String("bundleId", s.bundle_id);
    d.String("productId", s.product_id);
    d.String("requestIdentifier", s.request_identifier);
    d.StringArray("storefrontCountryCodes", s.storefront_country_codes);
    d.Int64("succeededCount", s.succeeded_count);
    d.Int64("failedCount", s.failed_count);
    if (!d.status().ok()) return d.status();
    n.summary = std::move(s);
  }
  if (const auto* v = SubObject(doc, "externalPurchaseToken", shape)) {
    Fields d(*v, "externalPurchaseToken");
    ExternalPurchaseToken t;
    d.Int64("appAppleId", t.app_apple_id);
    d.String("externalPurchaseId", t.external_purchase_id);
    d.String("bundleId", t.bundle_id);
    d.String("tokenType", t.token_type);
    d.Millis("tokenCreationDate", t.token_creation_date);
    d.Millis("tokenExpirationDate", t.token_expiration_date);
    if (!d.status().ok()) return d.status();
    n.external_purchase_token = std::move(t);
  }
  if (const auto* v = SubObject(doc, "appData", shape)) {
    Fields d(*v, "appData");
    AppData a;
    d.Int64("appAppleId", a.app_apple_id);
    d.String("bundleId", a.bundle_id);
    d.String("environment", a.environment);
    d.String("signedAppTransactionInfo", a.signed_app_transaction_info);
    if (!d.status().ok()) return d.status();
    n.app_data = std::move(a);
  }
  if (absl::Status s = First({f.status(), shape}); !s.ok()) return s;
  int shapes = n.data.has_value() + n.summary.has_value() + n.external_purchase_token.has_value() +
               n.app_data.has_value();
  if (shapes > 1) {
    return absl::InvalidArgumentError(
        "payload has more than one of data, summary, externalPurchaseToken, appData");
  }
  if (n.notification_type.empty())
    return absl::InvalidArgumentError("payload has no notificationType");
  if (n.notification_uuid.empty())
    return absl::InvalidArgumentError("payload has no notificationUUID");
  return n;
}

absl::StatusOr<TransactionInfo> DecodeTransactionInfo(absl::string_view json) {
  std::string buffer;
  rapidjson::Document doc;
  if (absl::Status s = ParseObject(json, buffer, doc, "signedTransactionInfo payload"); !s.ok())
    return s;
  Fields f(doc, "signedTransactionInfo");
  TransactionInfo t = ReadTransaction(f);
  if (!f.status().ok()) return f.status();
  return t;
}

absl::StatusOr<RenewalInfo> DecodeRenewalInfo(absl::string_view json) {
  std::string buffer;
  rapidjson::Document doc;
  if (absl::Status s = ParseObject(json, buffer, doc, "signedRenewalInfo payload"); !s.ok())
    return s;
  Fields f(doc, "signedRenewalInfo");
  RenewalInfo r = ReadRenewal(f);
  if (!f.status().ok()) return f.status();
  return r;
}

const ReceiptInfoV1* NotificationV1::LatestReceipt() const {
  const ReceiptInfoV1* best = nullptr;
  for (const auto& r : latest_receipt_info) {
    if (best == nullptr || r.purchase_date.value_or(absl::InfinitePast()) >
                               best->purchase_date.value_or(absl::InfinitePast())) {
      best = &r;
    }
  }
  return best;
}

absl::StatusOr<NotificationV1> DecodeNotificationV1(absl::string_view json) {
  std::string buffer;
  rapidjson::Document doc;
  if (absl::Status s = ParseObject(json, buffer, doc, "V1 notification"); !s.ok()) return s;
  NotificationV1 n;
  Fields f(doc, "");
  f.String("notification_type", n.notification_type);
  f.String("password", n.password);
  f.String("environment", n.environment);
  f.String("bid", n.bid);
  f.Text("bvrs", n.bvrs);
  f.Text("auto_renew_status", n.auto_renew_status);
  f.String("auto_renew_product_id", n.auto_renew_product_id);
  f.Text("original_transaction_id", n.original_transaction_id);
  if (!f.status().ok()) return f.status();
  if (n.notification_type.empty())
    return absl::InvalidArgumentError("V1 body has no notification_type");
  absl::Status shape;
  const rapidjson::Value* unified = SubObject(doc, "unified_receipt", shape);
  if (!shape.ok()) return shape;
  if (unified == nullptr) return n;
  auto read_array = [&](const char* name, auto&& read_one) -> absl::Status {
    auto it = unified->FindMember(name);
    if (it == unified->MemberEnd() || it->value.IsNull()) return absl::OkStatus();
    if (!it->value.IsArray()) {
      return absl::InvalidArgumentError(
          absl::StrCat("field 'unified_receipt.", name, "' is not an array"));
    }
    for (const auto& item : it->value.GetArray()) {
      if (!item.IsObject()) {
        return absl::InvalidArgumentError(
            absl::StrCat("field 'unified_receipt.", name, "' holds a non-object"));
      }
      Fields e(item, absl::StrCat("unified_receipt.", name));
      read_one(e);
      if (!e.status().ok()) return e.status();
    }
    return absl::OkStatus();
  };
  absl::Status s = read_array("latest_receipt_info", [&n](Fields& e) {
    ReceiptInfoV1 r;
    e.Text("product_id", r.product_id);
    e.Text("transaction_id", r.transaction_id);
    e.Text("original_transaction_id", r.original_transaction_id);
    e.Text("web_order_line_item_id", r.web_order_line_item_id);
    e.Text("promotional_offer_id", r.promotional_offer_id);
    e.Text("offer_code_ref_name", r.offer_code_ref_name);
    e.Text("app_account_token", r.app_account_token);
    e.Text("in_app_ownership_type", r.in_app_ownership_type);
    e.Text("subscription_group_identifier", r.subscription_group_identifier);
    e.Text("cancellation_reason", r.cancellation_reason);
    e.MillisString("purchase_date_ms", r.purchase_date);
    e.MillisString("original_purchase_date_ms", r.original_purchase_date);
    e.MillisString("expires_date_ms", r.expires_date);
    e.MillisString("cancellation_date_ms", r.cancellation_date);
    e.BoolString("is_trial_period", r.is_trial_period);
    e.BoolString("is_in_intro_offer_period", r.is_in_intro_offer_period);
    n.latest_receipt_info.push_back(std::move(r));
  });
  if (!s.ok()) return s;
  s = read_array("pending_renewal_info", [&n](Fields& e) {
    PendingRenewalInfoV1 p;
    e.Text("auto_renew_product_id", p.auto_renew_product_id);
    e.Text("product_id", p.product_id);
    e.Text("original_transaction_id", p.original_transaction_id);
    e.Text("expiration_intent", p.expiration_intent);
    e.Text("auto_renew_status", p.auto_renew_status);
    e.BoolString("is_in_billing_retry_period", p.is_in_billing_retry_period);
    e.MillisString("grace_period_expires_date_ms", p.grace_period_expires_date);
    n.pending_renewal_info.push_back(std::move(p));
  });
  if (!s.ok()) return s;
  return n;
}

}  // namespace storewire::stores::apple

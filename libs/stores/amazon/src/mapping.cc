#include "storewire/stores/amazon/mapping.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "storewire/stores/adapter.h"

namespace storewire::stores::amazon {
namespace {

void SetTime(google::protobuf::Timestamp* ts, const std::optional<absl::Time>& t) {
  if (!t) return;
  const int64_t micros = absl::ToUnixMicros(*t);
  ts->set_seconds(micros / 1'000'000);
  ts->set_nanos(static_cast<int32_t>((micros % 1'000'000) * 1000));
}

void Attr(v1::SubscriptionEvent& e, const std::string& key, absl::string_view value) {
  if (!value.empty()) (*e.mutable_attributes())[key] = std::string(value);
}

}  // namespace

v1::EventType RtnEventType(absl::string_view type) {
  static const std::pair<absl::string_view, v1::EventType> kTypes[] = {
      {"SUBSCRIPTION_PURCHASED", v1::EVENT_TYPE_SUBSCRIPTION_STARTED},
      {"SUBSCRIPTION_RENEWED", v1::EVENT_TYPE_RENEWED},
      {"SUBSCRIPTION_CONVERTED_FREE_TRIAL_TO_PAID", v1::EVENT_TYPE_RENEWED},
      {"SUBSCRIPTION_CANCELLED", v1::EVENT_TYPE_REVOKED},
      {"SUBSCRIPTION_EXPIRED", v1::EVENT_TYPE_EXPIRED},
      {"SUBSCRIPTION_IN_GRACE_PERIOD", v1::EVENT_TYPE_GRACE_PERIOD_STARTED},
      {"SUBSCRIPTION_OUT_OF_GRACE_PERIOD", v1::EVENT_TYPE_GRACE_PERIOD_ENDED},
      {"SUBSCRIPTION_GRACE_PERIOD_EXPIRED", v1::EVENT_TYPE_GRACE_PERIOD_ENDED},
      {"SUBSCRIPTION_AUTO_RENEWAL_ON", v1::EVENT_TYPE_AUTO_RENEW_ENABLED},
      {"SUBSCRIPTION_AUTO_RENEWAL_OFF", v1::EVENT_TYPE_AUTO_RENEW_DISABLED},
      {"SUBSCRIPTION_SCHEDULED_TO_END", v1::EVENT_TYPE_AUTO_RENEW_DISABLED},
      {"SUBSCRIPTION_MODIFIED_IMMEDIATE", v1::EVENT_TYPE_PRODUCT_CHANGED},
      {"SUBSCRIPTION_MODIFIED_DEFERRED", v1::EVENT_TYPE_PRODUCT_CHANGE_SCHEDULED},
      {"SUBSCRIPTION_PAUSED", v1::EVENT_TYPE_PAUSED},
      {"SUBSCRIPTION_RESUMED", v1::EVENT_TYPE_RESUMED},
      {"CONSUMABLE_PURCHASED", v1::EVENT_TYPE_ONE_TIME_PURCHASE},
      {"ENTITLEMENT_PURCHASED", v1::EVENT_TYPE_ONE_TIME_PURCHASE},
      {"CONSUMABLE_CANCELLED", v1::EVENT_TYPE_ONE_TIME_PURCHASE_CANCELED},
      {"ENTITLEMENT_CANCELLED", v1::EVENT_TYPE_ONE_TIME_PURCHASE_CANCELED},
  };
  for (const auto& [name, event_type] : kTypes) {
    if (name == type) return event_type;
  }
  return v1::EVENT_TYPE_UNKNOWN;
}

v1::SubscriptionEvent MapNotification(const SnsMessage& sns, const RtnMessage& rtn,
                                      const Receipt* receipt, const v1::RawNotification& raw,
                                      absl::string_view app_id) {
  v1::SubscriptionEvent e;
  e.set_id(EventId(v1::STORE_AMAZON_APPSTORE, sns.message_id));
  const v1::EventType type = RtnEventType(rtn.notification_type);
  e.set_type(type);
  e.set_store(v1::STORE_AMAZON_APPSTORE);
  e.set_app_id(std::string(app_id));
  e.set_request_id(raw.request_id());
  *e.mutable_received_at() = raw.received_at();
  if (rtn.timestamp) {
    SetTime(e.mutable_occurred_at(), rtn.timestamp);
  } else if (sns.Time()) {
    SetTime(e.mutable_occurred_at(), sns.Time());
  } else {
    *e.mutable_occurred_at() = raw.received_at();
  }
  const bool test = rtn.beta_product_transaction.value_or(false) ||
                    (receipt != nullptr && (receipt->test_transaction.value_or(false) ||
                                            receipt->beta_product.value_or(false)));
  e.set_environment(test ? v1::ENVIRONMENT_SANDBOX : v1::ENVIRONMENT_PRODUCTION);
  e.set_subscription_key(rtn.receipt_id);
  e.set_transaction_id(rtn.receipt_id);
  e.set_original_transaction_id(rtn.receipt_id);
  e.set_customer_id(rtn.app_user_id);
  e.mutable_store_notification()->set_id(sns.message_id);
  e.mutable_store_notification()->set_type(rtn.notification_type);
  Attr(e, "amazon.appPackageName", rtn.app_package_name);
  Attr(e, "amazon.topicArn", sns.topic_arn);
  for (const auto& [name, value] : rtn.related_receipts) Attr(e, "amazon." + name, value);
  if (auto it = rtn.related_receipts.find("cancelledReceiptId");
      it != rtn.related_receipts.end() && it->second != rtn.receipt_id) {
    e.set_superseded_key(it->second);
  }
  if (type == v1::EVENT_TYPE_AUTO_RENEW_ENABLED) e.set_auto_renew(true);
  if (type == v1::EVENT_TYPE_AUTO_RENEW_DISABLED) e.set_auto_renew(false);
  e.set_period_type(v1::PERIOD_TYPE_NORMAL);
  if (receipt != nullptr) {
    e.set_product_id(!receipt->term_sku.empty() ? receipt->term_sku : receipt->product_id);
    Attr(e, "amazon.parentProductId", receipt->parent_product_id);
    Attr(e, "amazon.productType", receipt->product_type);
    SetTime(e.mutable_purchased_at(), receipt->purchase_date);
    SetTime(e.mutable_expires_at(),
            receipt->cancel_date ? receipt->cancel_date : receipt->renewal_date);
    SetTime(e.mutable_grace_period_expires_at(), receipt->grace_period_end_date);
    if (type == v1::EVENT_TYPE_REVOKED || type == v1::EVENT_TYPE_ONE_TIME_PURCHASE_CANCELED) {
      SetTime(e.mutable_revoked_at(), receipt->cancel_date);
    }
    e.set_billing_period(TermToIsoPeriod(receipt->term));
    if (!receipt->deferred_sku.empty()) e.set_auto_renew_product_id(receipt->deferred_sku);
    if (receipt->auto_renewing && !e.has_auto_renew()) e.set_auto_renew(*receipt->auto_renewing);
    if (receipt->free_trial_end_date && receipt->purchase_date &&
        *receipt->free_trial_end_date > *receipt->purchase_date &&
        (type == v1::EVENT_TYPE_SUBSCRIPTION_STARTED)) {
      e.set_period_type(v1::PERIOD_TYPE_TRIAL);
    }
    if (receipt->cancel_reason) {
      (*e.mutable_attributes())["amazon.cancelReason"] = absl::StrCat(*receipt->cancel_reason);
      e.set_reason(v1::REASON_OTHER);
    }
  }
  if (type == v1::EVENT_TYPE_EXPIRED && e.reason() == v1::REASON_UNSPECIFIED) {
    e.set_reason(v1::REASON_OTHER);
  }
  return e;
}

}  // namespace storewire::stores::amazon

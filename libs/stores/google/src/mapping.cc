#include "storewire/stores/google/mapping.h"

#include "absl/strings/str_cat.h"
#include "storewire/stores/adapter.h"

namespace storewire::stores::google {
namespace {

void SetTime(::google::protobuf::Timestamp* ts, absl::Time t) {
  const int64_t micros = absl::ToUnixMicros(t);
  int64_t seconds = micros / 1'000'000;
  int64_t rem = micros % 1'000'000;
  if (rem < 0) {
    rem += 1'000'000;
    --seconds;
  }
  ts->set_seconds(seconds);
  ts->set_nanos(static_cast<int32_t>(rem * 1000));
}

void SetTime(::google::protobuf::Timestamp* ts, const std::optional<absl::Time>& t) {
  if (t) SetTime(ts, *t);
}

void Attr(v1::SubscriptionEvent& e, const char* key, const std::string& value) {
  if (!value.empty()) (*e.mutable_attributes())[key] = value;
}

v1::Reason CancelReason(const SubscriptionPurchase* p) {
  if (p == nullptr) return v1::REASON_UNSPECIFIED;
  if (p->canceled_by == "user") return v1::REASON_VOLUNTARY;
  if (p->canceled_by == "system") return v1::REASON_BILLING_ERROR;
  if (p->canceled_by == "developer") return v1::REASON_DEVELOPER;
  if (p->canceled_by == "replacement") return v1::REASON_OTHER;
  return v1::REASON_UNSPECIFIED;
}

v1::PeriodType PeriodOf(const LineItem* item) {
  if (item == nullptr) return v1::PERIOD_TYPE_UNSPECIFIED;
  if (item->offer_phase == "freeTrial") return v1::PERIOD_TYPE_TRIAL;
  if (item->offer_phase == "introductoryPrice") return v1::PERIOD_TYPE_INTRO;
  if (item->offer_phase == "prorationPeriod") return v1::PERIOD_TYPE_PROMOTIONAL;
  return v1::PERIOD_TYPE_NORMAL;
}

v1::Reason ReasonFor(v1::EventType type, const SubscriptionPurchase* p) {
  switch (type) {
    case v1::EVENT_TYPE_AUTO_RENEW_DISABLED:
    case v1::EVENT_TYPE_EXPIRED:
      return CancelReason(p);
    case v1::EVENT_TYPE_ON_HOLD:
    case v1::EVENT_TYPE_GRACE_PERIOD_STARTED:
      return v1::REASON_BILLING_ERROR;
    case v1::EVENT_TYPE_REVOKED:
    case v1::EVENT_TYPE_REFUNDED:
      return v1::REASON_REFUND;
    default:
      return v1::REASON_UNSPECIFIED;
  }
}

void FillSubscription(const MappingInput& in, v1::SubscriptionEvent& e) {
  const DeveloperNotification& n = *in.notification;
  const SubscriptionPurchase* p = in.subscription;
  e.set_type(SubscriptionEventType(n.notification_type, p));
  e.mutable_store_notification()->set_subtype(SubscriptionTypeName(n.notification_type));
  e.set_product_id(n.subscription_id);
  if (p == nullptr) return;
  const LineItem* item = p->line_items.empty() ? nullptr : &p->line_items.front();
  e.set_environment(p->test_purchase ? v1::ENVIRONMENT_SANDBOX : v1::ENVIRONMENT_PRODUCTION);
  if (item != nullptr) {
    if (!item->product_id.empty()) e.set_product_id(item->product_id);
    SetTime(e.mutable_expires_at(), item->expiry_time);
    if (item->recurring_price) {
      e.mutable_price()->set_amount_micros(item->recurring_price->micros);
      e.mutable_price()->set_currency(item->recurring_price->currency);
    }
    if (item->auto_renew_enabled) e.set_auto_renew(*item->auto_renew_enabled);
    e.set_offer_id(item->offer_id);
    e.set_period_type(PeriodOf(item));
    Attr(e, "base_plan_id", item->base_plan_id);
    Attr(e, "price_change_state", item->price_change_state);
    if (e.type() == v1::EVENT_TYPE_GRACE_PERIOD_STARTED) {
      SetTime(e.mutable_grace_period_expires_at(), item->expiry_time);
    }
  }
  e.set_transaction_id(p->latest_order_id);
  SetTime(e.mutable_purchased_at(), p->start_time);
  e.set_customer_id(p->obfuscated_account_id);
  e.set_country(p->region_code);
  e.set_reason(ReasonFor(e.type(), p));
  Attr(e, "subscription_state", p->state);
  Attr(e, "obfuscated_profile_id", p->obfuscated_profile_id);
  Attr(e, "acknowledgement_state", p->acknowledgement_state);
  Attr(e, "canceled_by", p->canceled_by);
  if (p->cancel_survey_reason) {
    (*e.mutable_attributes())["cancel_survey_reason"] = absl::StrCat(*p->cancel_survey_reason);
  }
  if (p->auto_resume_time) {
    (*e.mutable_attributes())["auto_resume_time"] = absl::FormatTime(*p->auto_resume_time);
  }
  if (!p->linked_purchase_token.empty()) {
    // This purchase replaced the linked one (upgrade, downgrade, resubscribe).
    e.set_superseded_key(p->linked_purchase_token);
    Attr(e, "linked_purchase_token", p->linked_purchase_token);
  }
  if (p->canceled_by == "replacement") (*e.mutable_attributes())["superseded"] = "true";
}

void FillOneTime(const MappingInput& in, v1::SubscriptionEvent& e) {
  const DeveloperNotification& n = *in.notification;
  e.set_type(n.notification_type == 1   ? v1::EVENT_TYPE_ONE_TIME_PURCHASE
             : n.notification_type == 2 ? v1::EVENT_TYPE_ONE_TIME_PURCHASE_CANCELED
                                        : v1::EVENT_TYPE_UNKNOWN);
  e.mutable_store_notification()->set_subtype(OneTimeTypeName(n.notification_type));
  e.set_product_id(n.sku);
  const ProductPurchase* p = in.product;
  if (p == nullptr) return;
  e.set_environment(p->test_purchase ? v1::ENVIRONMENT_SANDBOX : v1::ENVIRONMENT_PRODUCTION);
  e.set_transaction_id(p->order_id);
  SetTime(e.mutable_purchased_at(), p->purchase_time);
  e.set_customer_id(p->obfuscated_account_id);
  e.set_country(p->region_code);
  (*e.mutable_attributes())["purchase_state"] = absl::StrCat(p->purchase_state);
  (*e.mutable_attributes())["quantity"] = absl::StrCat(p->quantity);
  Attr(e, "obfuscated_profile_id", p->obfuscated_profile_id);
}

}  // namespace

v1::EventType SubscriptionEventType(int code, const SubscriptionPurchase* purchase) {
  switch (code) {
    case kSubRecovered:
      return v1::EVENT_TYPE_BILLING_RECOVERED;
    case kSubRenewed:
      return v1::EVENT_TYPE_RENEWED;
    case kSubCanceled:
    case kSubCancellationScheduled:
      return v1::EVENT_TYPE_AUTO_RENEW_DISABLED;
    case kSubPurchased: {
      const bool trial = purchase != nullptr && !purchase->line_items.empty() &&
                         purchase->line_items.front().offer_phase == "freeTrial";
      return trial ? v1::EVENT_TYPE_TRIAL_STARTED : v1::EVENT_TYPE_SUBSCRIPTION_STARTED;
    }
    case kSubOnHold:
      return v1::EVENT_TYPE_ON_HOLD;
    case kSubInGracePeriod:
      return v1::EVENT_TYPE_GRACE_PERIOD_STARTED;
    case kSubRestarted:
      return v1::EVENT_TYPE_AUTO_RENEW_ENABLED;
    case kSubPriceChangeConfirmed:
      return v1::EVENT_TYPE_PRICE_INCREASE_ACCEPTED;
    case kSubPriceChangeUpdated:
    case kSubPriceStepUpConsentUpdated: {
      const bool confirmed = purchase != nullptr && !purchase->line_items.empty() &&
                             (purchase->line_items.front().price_change_state == "CONFIRMED" ||
                              purchase->line_items.front().price_change_state == "APPLIED");
      return confirmed ? v1::EVENT_TYPE_PRICE_INCREASE_ACCEPTED
                       : v1::EVENT_TYPE_PRICE_INCREASE_PENDING;
    }
    case kSubDeferred:
      return v1::EVENT_TYPE_DEFERRED;
    case kSubPaused:
      return v1::EVENT_TYPE_PAUSED;
    case kSubPauseScheduleChanged:
      return v1::EVENT_TYPE_PAUSE_SCHEDULED;
    case kSubRevoked:
      return v1::EVENT_TYPE_REVOKED;
    case kSubExpired:
      return v1::EVENT_TYPE_EXPIRED;
    case kSubItemsChanged:
      return v1::EVENT_TYPE_PRODUCT_CHANGED;
    case kSubPendingPurchaseCanceled:
      return v1::EVENT_TYPE_PENDING_PURCHASE_CANCELED;
    default:
      return v1::EVENT_TYPE_UNKNOWN;
  }
}

v1::SubscriptionEvent MapNotification(const MappingInput& in) {
  const DeveloperNotification& n = *in.notification;
  v1::SubscriptionEvent e;
  e.set_id(EventId(v1::STORE_PLAY_STORE, in.message_id));
  e.set_store(v1::STORE_PLAY_STORE);
  e.set_environment(v1::ENVIRONMENT_PRODUCTION);
  e.set_app_id(in.app_id);
  e.set_subscription_key(in.subscription_key.empty() ? n.purchase_token : in.subscription_key);
  e.set_original_transaction_id(e.subscription_key());
  if (n.event_time) {
    SetTime(e.mutable_occurred_at(), *n.event_time);
  } else {
    SetTime(e.mutable_occurred_at(), in.publish_time);
  }
  e.mutable_store_notification()->set_id(in.message_id);
  e.mutable_store_notification()->set_type(absl::StrCat(n.notification_type));
  Attr(e, "purchase_token", n.purchase_token);
  Attr(e, "package_name", n.package_name);
  switch (n.kind) {
    case NotificationKind::kSubscription:
      FillSubscription(in, e);
      break;
    case NotificationKind::kOneTimeProduct:
      FillOneTime(in, e);
      break;
    case NotificationKind::kVoidedPurchase:
      e.set_type(v1::EVENT_TYPE_REFUNDED);
      e.set_reason(v1::REASON_REFUND);
      e.set_transaction_id(n.order_id);
      e.mutable_store_notification()->set_type("voided");
      e.mutable_store_notification()->set_subtype(n.product_type == 2 ? "ONE_TIME"
                                                                      : "SUBSCRIPTION");
      (*e.mutable_attributes())["product_type"] = absl::StrCat(n.product_type);
      (*e.mutable_attributes())["refund_type"] = absl::StrCat(n.refund_type);
      break;
    case NotificationKind::kTest:
      e.set_type(v1::EVENT_TYPE_TEST);
      e.set_subscription_key(absl::StrCat("test:", in.message_id));
      e.set_original_transaction_id("");
      e.mutable_store_notification()->set_type("test");
      break;
  }
  if (e.type() == v1::EVENT_TYPE_UNKNOWN) {
    (*e.mutable_attributes())["notification_type"] = absl::StrCat(n.notification_type);
  }
  return e;
}

}  // namespace storewire::stores::google

#include "storewire/stores/apple/mapping.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "storewire/crypto/digest.h"
#include "storewire/stores/adapter.h"

namespace storewire::stores::apple {
namespace {

void SetTime(google::protobuf::Timestamp* ts, absl::Time t) {
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

// Sets a Timestamp field only when the payload carried the date: calling
// mutable_...() on an absent one would publish 1970-01-01T00:00:00Z.
using TimestampField = google::protobuf::Timestamp* (v1::SubscriptionEvent::*)();
void SetTime(v1::SubscriptionEvent& e, TimestampField field, const std::optional<absl::Time>& t) {
  if (t) SetTime((e.*field)(), *t);
}

void CopyReceivedAt(const v1::RawNotification& raw, v1::SubscriptionEvent& e) {
  if (raw.has_received_at()) *e.mutable_received_at() = raw.received_at();
}

v1::Environment EnvironmentOf(absl::string_view env) {
  if (env == "Production" || env == "PROD") return v1::ENVIRONMENT_PRODUCTION;
  if (env == "Sandbox") return v1::ENVIRONMENT_SANDBOX;
  return v1::ENVIRONMENT_UNSPECIFIED;
}

v1::Reason ReasonFromExpirationIntent(std::optional<int64_t> intent) {
  if (!intent) return v1::REASON_UNSPECIFIED;
  switch (*intent) {
    case 1:
      return v1::REASON_VOLUNTARY;
    case 2:
      return v1::REASON_BILLING_ERROR;
    case 3:
      return v1::REASON_PRICE_INCREASE;
    case 4:
      return v1::REASON_PRODUCT_UNAVAILABLE;
    default:
      return v1::REASON_OTHER;
  }
}

bool IsFreeTrial(const TransactionInfo* tx) {
  return tx != nullptr && tx->offer_discount_type == "FREE_TRIAL";
}

void Attr(v1::SubscriptionEvent& e, const char* key, absl::string_view value) {
  if (!value.empty()) (*e.mutable_attributes())[key] = std::string(value);
}
void Attr(v1::SubscriptionEvent& e, const char* key, const std::optional<int64_t>& value) {
  if (value) (*e.mutable_attributes())[key] = absl::StrCat(*value);
}
void AttrTime(v1::SubscriptionEvent& e, const char* key, const std::optional<absl::Time>& value) {
  if (value) {
    (*e.mutable_attributes())[key] =
        absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", *value, absl::UTCTimeZone());
  }
}

}  // namespace

v1::PeriodType PeriodTypeOf(std::optional<int64_t> offer_type,
                            absl::string_view offer_discount_type) {
  if (offer_discount_type == "FREE_TRIAL") return v1::PERIOD_TYPE_TRIAL;
  if (!offer_type) return v1::PERIOD_TYPE_NORMAL;
  switch (*offer_type) {
    case 1:
      return v1::PERIOD_TYPE_INTRO;
    case 2:  // promotional offer
    case 3:  // offer code
    case 4:  // win-back offer
      return v1::PERIOD_TYPE_PROMOTIONAL;
    default:
      return v1::PERIOD_TYPE_NORMAL;
  }
}

v1::EventType EventTypeV2(absl::string_view type, absl::string_view sub,
                          const TransactionInfo* tx) {
  using E = v1::EventType;
  const bool none = sub.empty();
  auto only = [&](E e) { return none ? e : v1::EVENT_TYPE_UNKNOWN; };
  if (type == "SUBSCRIBED") {
    if (sub == "INITIAL_BUY") {
      return IsFreeTrial(tx) ? v1::EVENT_TYPE_TRIAL_STARTED : v1::EVENT_TYPE_SUBSCRIPTION_STARTED;
    }
    if (sub == "RESUBSCRIBE") return v1::EVENT_TYPE_RESUBSCRIBED;
  } else if (type == "DID_RENEW") {
    if (sub == "BILLING_RECOVERY") return v1::EVENT_TYPE_BILLING_RECOVERED;
    return only(v1::EVENT_TYPE_RENEWED);
  } else if (type == "DID_CHANGE_RENEWAL_STATUS") {
    if (sub == "AUTO_RENEW_DISABLED") return v1::EVENT_TYPE_AUTO_RENEW_DISABLED;
    if (sub == "AUTO_RENEW_ENABLED") return v1::EVENT_TYPE_AUTO_RENEW_ENABLED;
  } else if (type == "DID_CHANGE_RENEWAL_PREF") {
    if (sub == "UPGRADE") return v1::EVENT_TYPE_PRODUCT_CHANGED;
    if (sub == "DOWNGRADE") return v1::EVENT_TYPE_PRODUCT_CHANGE_SCHEDULED;
    return only(v1::EVENT_TYPE_PRODUCT_CHANGE_CANCELED);
  } else if (type == "DID_FAIL_TO_RENEW") {
    if (sub == "GRACE_PERIOD") return v1::EVENT_TYPE_GRACE_PERIOD_STARTED;
    return only(v1::EVENT_TYPE_BILLING_ISSUE);
  } else if (type == "GRACE_PERIOD_EXPIRED") {
    return only(v1::EVENT_TYPE_GRACE_PERIOD_ENDED);
  } else if (type == "EXPIRED") {
    if (none || sub == "VOLUNTARY" || sub == "BILLING_RETRY" || sub == "PRICE_INCREASE" ||
        sub == "PRODUCT_NOT_FOR_SALE") {
      return v1::EVENT_TYPE_EXPIRED;
    }
  } else if (type == "PRICE_INCREASE") {
    if (sub == "PENDING") return v1::EVENT_TYPE_PRICE_INCREASE_PENDING;
    if (sub == "ACCEPTED") return v1::EVENT_TYPE_PRICE_INCREASE_ACCEPTED;
  } else if (type == "OFFER_REDEEMED") {
    if (none || sub == "UPGRADE" || sub == "DOWNGRADE" || sub == "INITIAL_BUY" ||
        sub == "RESUBSCRIBE") {
      return v1::EVENT_TYPE_OFFER_REDEEMED;
    }
  } else if (type == "RENEWAL_EXTENSION") {
    if (sub == "SUMMARY" || sub == "FAILURE") return v1::EVENT_TYPE_RENEWAL_EXTENSION_SUMMARY;
  } else if (type == "EXTERNAL_PURCHASE_TOKEN") {
    if (sub == "UNREPORTED" || sub == "CREATED" || sub == "ACTIVE_TOKEN_REMINDER") {
      return v1::EVENT_TYPE_EXTERNAL_PURCHASE_TOKEN;
    }
  } else {
    static const std::pair<absl::string_view, E> kNoSubtype[] = {
        {"REFUND", v1::EVENT_TYPE_REFUNDED},
        {"REFUND_DECLINED", v1::EVENT_TYPE_REFUND_DECLINED},
        {"REFUND_REVERSED", v1::EVENT_TYPE_REFUND_REVERSED},
        {"REVOKE", v1::EVENT_TYPE_REVOKED},
        {"RENEWAL_EXTENDED", v1::EVENT_TYPE_RENEWAL_EXTENDED},
        {"ONE_TIME_CHARGE", v1::EVENT_TYPE_ONE_TIME_PURCHASE},
        {"CONSUMPTION_REQUEST", v1::EVENT_TYPE_CONSUMPTION_REQUESTED},
        {"TEST", v1::EVENT_TYPE_TEST},
        {"RESCIND_CONSENT", v1::EVENT_TYPE_CONSENT_RESCINDED},
    };
    for (const auto& [name, event] : kNoSubtype) {
      if (type == name) return only(event);
    }
  }
  return v1::EVENT_TYPE_UNKNOWN;
}

v1::SubscriptionEvent MapNotificationV2(const NotificationV2& n,
                                        const std::optional<TransactionInfo>& tx,
                                        const std::optional<RenewalInfo>& renewal,
                                        const v1::RawNotification& raw, absl::string_view app_id) {
  v1::SubscriptionEvent e;
  e.set_id(EventId(v1::STORE_APP_STORE, n.notification_uuid));
  e.set_type(EventTypeV2(n.notification_type, n.subtype, tx ? &*tx : nullptr));
  e.set_store(v1::STORE_APP_STORE);
  e.set_environment(EnvironmentOf(n.Environment()));
  e.set_app_id(std::string(app_id));
  e.set_request_id(raw.request_id());
  CopyReceivedAt(raw, e);
  SetTime(e, &v1::SubscriptionEvent::mutable_occurred_at, n.signed_date);
  auto* sn = e.mutable_store_notification();
  sn->set_id(n.notification_uuid);
  sn->set_type(n.notification_type);
  sn->set_subtype(n.subtype);

  if (tx) {
    e.set_product_id(tx->product_id);
    e.set_transaction_id(tx->transaction_id);
    e.set_original_transaction_id(tx->original_transaction_id);
    SetTime(e, &v1::SubscriptionEvent::mutable_purchased_at, tx->purchase_date);
    SetTime(e, &v1::SubscriptionEvent::mutable_expires_at, tx->expires_date);
    SetTime(e, &v1::SubscriptionEvent::mutable_revoked_at, tx->revocation_date);
    e.set_period_type(PeriodTypeOf(tx->offer_type, tx->offer_discount_type));
    if (tx->price) {
      e.mutable_price()->set_amount_micros(*tx->price * 1000);
      e.mutable_price()->set_currency(tx->currency);
    }
    e.set_customer_id(tx->app_account_token);
    e.set_country(tx->storefront);
    e.set_offer_id(tx->offer_identifier);
    e.set_ownership(tx->in_app_ownership_type);
    Attr(e, "webOrderLineItemId", tx->web_order_line_item_id);
    Attr(e, "subscriptionGroupIdentifier", tx->subscription_group_identifier);
    Attr(e, "productType", tx->type);
    Attr(e, "transactionReason", tx->transaction_reason);
    Attr(e, "storefrontId", tx->storefront_id);
    Attr(e, "offerType", tx->offer_type);
    Attr(e, "offerDiscountType", tx->offer_discount_type);
    Attr(e, "offerPeriod", tx->offer_period);
    Attr(e, "appTransactionId", tx->app_transaction_id);
    Attr(e, "quantity", tx->quantity);
    Attr(e, "revocationReason", tx->revocation_reason);
    Attr(e, "revocationType", tx->revocation_type);
    Attr(e, "revocationPercentage", tx->revocation_percentage);
    AttrTime(e, "originalPurchaseDate", tx->original_purchase_date);
    if (tx->is_upgraded) Attr(e, "isUpgraded", *tx->is_upgraded ? "true" : "false");
  }
  if (renewal) {
    if (e.product_id().empty()) e.set_product_id(renewal->product_id);
    if (e.original_transaction_id().empty()) {
      e.set_original_transaction_id(renewal->original_transaction_id);
    }
    if (renewal->auto_renew_status) e.set_auto_renew(*renewal->auto_renew_status == 1);
    const std::string& current = e.product_id();
    if (!renewal->auto_renew_product_id.empty() && renewal->auto_renew_product_id != current) {
      e.set_auto_renew_product_id(renewal->auto_renew_product_id);
    }
    SetTime(e, &v1::SubscriptionEvent::mutable_grace_period_expires_at,
            renewal->grace_period_expires_date);
    if (e.customer_id().empty()) e.set_customer_id(renewal->app_account_token);
    if (e.offer_id().empty()) e.set_offer_id(renewal->offer_identifier);
    Attr(e, "expirationIntent", renewal->expiration_intent);
    Attr(e, "priceIncreaseStatus", renewal->price_increase_status);
    if (renewal->is_in_billing_retry_period) {
      Attr(e, "isInBillingRetryPeriod", *renewal->is_in_billing_retry_period ? "true" : "false");
    }
    if (renewal->renewal_price) {
      Attr(e, "renewalPriceMicros", std::optional<int64_t>(*renewal->renewal_price * 1000));
      Attr(e, "renewalCurrency", renewal->currency);
    }
    AttrTime(e, "renewalDate", renewal->renewal_date);
    AttrTime(e, "recentSubscriptionStartDate", renewal->recent_subscription_start_date);
    Attr(e, "eligibleWinBackOfferIds", absl::StrJoin(renewal->eligible_win_back_offer_ids, ","));
  }

  if (e.type() == v1::EVENT_TYPE_EXPIRED) {
    if (n.subtype == "VOLUNTARY") {
      e.set_reason(v1::REASON_VOLUNTARY);
    } else if (n.subtype == "BILLING_RETRY") {
      e.set_reason(v1::REASON_BILLING_ERROR);
    } else if (n.subtype == "PRICE_INCREASE") {
      e.set_reason(v1::REASON_PRICE_INCREASE);
    } else if (n.subtype == "PRODUCT_NOT_FOR_SALE") {
      e.set_reason(v1::REASON_PRODUCT_UNAVAILABLE);
    } else if (renewal) {
      e.set_reason(ReasonFromExpirationIntent(renewal->expiration_intent));
    }
  } else if (e.type() == v1::EVENT_TYPE_REFUNDED) {
    e.set_reason(v1::REASON_REFUND);
  } else if (e.type() == v1::EVENT_TYPE_BILLING_ISSUE ||
             e.type() == v1::EVENT_TYPE_GRACE_PERIOD_STARTED) {
    e.set_reason(v1::REASON_BILLING_ERROR);
  }

  if (n.data) {
    Attr(e, "bundleId", n.data->bundle_id);
    Attr(e, "bundleVersion", n.data->bundle_version);
    Attr(e, "status", n.data->status);
    Attr(e, "consumptionRequestReason", n.data->consumption_request_reason);
  }
  if (n.summary) {
    if (e.product_id().empty()) e.set_product_id(n.summary->product_id);
    Attr(e, "requestIdentifier", n.summary->request_identifier);
    Attr(e, "storefrontCountryCodes", absl::StrJoin(n.summary->storefront_country_codes, ","));
    Attr(e, "succeededCount", n.summary->succeeded_count);
    Attr(e, "failedCount", n.summary->failed_count);
  }
  if (n.external_purchase_token) {
    Attr(e, "externalPurchaseId", n.external_purchase_token->external_purchase_id);
    Attr(e, "tokenType", n.external_purchase_token->token_type);
    AttrTime(e, "tokenCreationDate", n.external_purchase_token->token_creation_date);
    AttrTime(e, "tokenExpirationDate", n.external_purchase_token->token_expiration_date);
  }
  if (n.app_data) Attr(e, "bundleId", n.app_data->bundle_id);

  if (!e.original_transaction_id().empty()) {
    e.set_subscription_key(e.original_transaction_id());
  } else if (n.external_purchase_token) {
    e.set_subscription_key(
        absl::StrCat("apple:external:", n.external_purchase_token->external_purchase_id));
  } else if (n.summary) {
    e.set_subscription_key(absl::StrCat("apple:renewal-extension:", n.summary->request_identifier));
  } else {
    e.set_subscription_key(absl::StrCat("apple:app:", n.BundleId()));
  }
  return e;
}

v1::SubscriptionEvent MapNotificationV1(const NotificationV1& n, const v1::RawNotification& raw,
                                        absl::string_view app_id) {
  v1::SubscriptionEvent e;
  const std::string body_hash = crypto::HexEncode(crypto::Sha256(raw.body()));
  e.set_id(EventId(v1::STORE_APP_STORE, absl::StrCat("v1:", body_hash)));
  e.set_store(v1::STORE_APP_STORE);
  e.set_environment(EnvironmentOf(n.environment));
  e.set_app_id(std::string(app_id));
  e.set_request_id(raw.request_id());
  CopyReceivedAt(raw, e);
  if (raw.has_received_at()) {
    *e.mutable_occurred_at() = raw.received_at();  // V1 carries no signing time
  }
  auto* sn = e.mutable_store_notification();
  sn->set_id(absl::StrCat("v1:", body_hash));
  sn->set_type(n.notification_type);

  const ReceiptInfoV1* r = n.LatestReceipt();
  const std::string& t = n.notification_type;
  v1::EventType type = v1::EVENT_TYPE_UNKNOWN;
  if (t == "INITIAL_BUY") {
    type = r && r->is_trial_period ? v1::EVENT_TYPE_TRIAL_STARTED
                                   : v1::EVENT_TYPE_SUBSCRIPTION_STARTED;
  } else if (t == "DID_RENEW") {
    type = v1::EVENT_TYPE_RENEWED;
  } else if (t == "DID_RECOVER") {
    type = v1::EVENT_TYPE_BILLING_RECOVERED;
  } else if (t == "INTERACTIVE_RENEWAL") {
    type = v1::EVENT_TYPE_RESUBSCRIBED;
  } else if (t == "DID_CHANGE_RENEWAL_STATUS") {
    type = n.auto_renew_status == "true" ? v1::EVENT_TYPE_AUTO_RENEW_ENABLED
                                         : v1::EVENT_TYPE_AUTO_RENEW_DISABLED;
  } else if (t == "DID_CHANGE_RENEWAL_PREF") {
    type = v1::EVENT_TYPE_PRODUCT_CHANGE_SCHEDULED;
  } else if (t == "DID_FAIL_TO_RENEW") {
    type = v1::EVENT_TYPE_BILLING_ISSUE;
    e.set_reason(v1::REASON_BILLING_ERROR);
  } else if (t == "CANCEL" || t == "REFUND") {
    type = v1::EVENT_TYPE_REFUNDED;
    e.set_reason(v1::REASON_REFUND);
  } else if (t == "REVOKE") {
    type = v1::EVENT_TYPE_REVOKED;
  } else if (t == "PRICE_INCREASE_CONSENT") {
    type = v1::EVENT_TYPE_PRICE_INCREASE_PENDING;
  } else if (t == "CONSUMPTION_REQUEST") {
    type = v1::EVENT_TYPE_CONSUMPTION_REQUESTED;
  }
  e.set_type(type);
  if (!n.auto_renew_status.empty()) e.set_auto_renew(n.auto_renew_status == "true");
  if (!n.auto_renew_product_id.empty()) e.set_auto_renew_product_id(n.auto_renew_product_id);
  if (r != nullptr) {
    e.set_product_id(r->product_id);
    e.set_transaction_id(r->transaction_id);
    e.set_original_transaction_id(r->original_transaction_id);
    SetTime(e, &v1::SubscriptionEvent::mutable_purchased_at, r->purchase_date);
    SetTime(e, &v1::SubscriptionEvent::mutable_expires_at, r->expires_date);
    SetTime(e, &v1::SubscriptionEvent::mutable_revoked_at, r->cancellation_date);
    e.set_period_type(r->is_trial_period            ? v1::PERIOD_TYPE_TRIAL
                      : r->is_in_intro_offer_period ? v1::PERIOD_TYPE_INTRO
                      : !r->promotional_offer_id.empty() || !r->offer_code_ref_name.empty()
                          ? v1::PERIOD_TYPE_PROMOTIONAL
                          : v1::PERIOD_TYPE_NORMAL);
    e.set_customer_id(r->app_account_token);
    e.set_ownership(r->in_app_ownership_type);
    e.set_offer_id(!r->promotional_offer_id.empty() ? r->promotional_offer_id
                                                    : r->offer_code_ref_name);
    Attr(e, "webOrderLineItemId", r->web_order_line_item_id);
    Attr(e, "cancellationReason", r->cancellation_reason);
  }
  if (e.auto_renew_product_id() == e.product_id()) e.clear_auto_renew_product_id();
  if (e.original_transaction_id().empty()) e.set_original_transaction_id(n.original_transaction_id);
  e.set_subscription_key(!e.original_transaction_id().empty() ? e.original_transaction_id()
                                                              : absl::StrCat("apple:app:", n.bid));
  Attr(e, "notificationVersion", "1");
  Attr(e, "bundleVersion", n.bvrs);
  return e;
}

}  // namespace storewire::stores::apple

// Decoding of Apple's documented payload models (unsigned JSON from Apple's
// library tests) and of Xcode's fractional-millisecond dates.
#include "storewire/stores/apple/payload.h"

#include <gtest/gtest.h>

#include "storewire/crypto/base64.h"
#include "storewire/stores/apple/mapping.h"
#include "test_util.h"

namespace storewire::apple_test {
namespace {

using namespace stores::apple;  // NOLINT

TEST(ApplePayload, FullTransactionModel) {
  auto t = DecodeTransactionInfo(ReadVector("models/signedTransaction.json"));
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->transaction_id, "23456");
  EXPECT_EQ(t->original_transaction_id, "12345");
  EXPECT_EQ(*t->price, 10990);
  EXPECT_EQ(t->currency, "USD");
  EXPECT_EQ(*t->offer_type, 1);
  EXPECT_EQ(t->offer_discount_type, "PAY_AS_YOU_GO");
  EXPECT_EQ(*t->revocation_reason, 1);
  EXPECT_EQ(absl::ToUnixMillis(*t->revocation_date), 1698148950000);
  EXPECT_EQ(absl::ToUnixMillis(*t->expires_date), 1698149000000);
  EXPECT_EQ(t->in_app_ownership_type, "PURCHASED");
  EXPECT_TRUE(*t->is_upgraded);
  EXPECT_EQ(PeriodTypeOf(t->offer_type, t->offer_discount_type), v1::PERIOD_TYPE_INTRO);
  auto revoked = DecodeTransactionInfo(ReadVector("models/signedTransactionWithRevocation.json"));
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(*revoked->revocation_percentage, 50000);
}

TEST(ApplePayload, FullRenewalModel) {
  auto r = DecodeRenewalInfo(ReadVector("models/signedRenewalInfo.json"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(*r->expiration_intent, 1);
  EXPECT_EQ(r->auto_renew_product_id, "com.example.product.2");
  EXPECT_EQ(*r->auto_renew_status, 1);
  EXPECT_TRUE(*r->is_in_billing_retry_period);
  EXPECT_EQ(*r->renewal_price, 9990);
  EXPECT_EQ(r->eligible_win_back_offer_ids.size(), 2u);
}

TEST(ApplePayload, NotificationShapes) {
  auto n = DecodeNotificationV2(ReadVector("models/signedNotification.json"));
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->notification_type, "SUBSCRIBED");
  ASSERT_TRUE(n->data.has_value());
  auto summary = DecodeNotificationV2(ReadVector("models/signedSummaryNotification.json"));
  ASSERT_TRUE(summary.ok()) << summary.status();
  ASSERT_TRUE(summary->summary.has_value());
  EXPECT_EQ(*summary->summary->failed_count, 2);
  auto token =
      DecodeNotificationV2(ReadVector("models/signedExternalPurchaseTokenNotification.json"));
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->Environment(), "Production");
  auto sandbox_token = DecodeNotificationV2(
      ReadVector("models/signedExternalPurchaseTokenSandboxNotification.json"));
  ASSERT_TRUE(sandbox_token.ok());
  EXPECT_EQ(sandbox_token->Environment(), "Sandbox");
  auto consent = DecodeNotificationV2(ReadVector("models/signedRescindConsentNotification.json"));
  ASSERT_TRUE(consent.ok()) << consent.status();
  ASSERT_TRUE(consent->app_data.has_value());
  auto consumption =
      DecodeNotificationV2(ReadVector("models/signedConsumptionRequestNotification.json"));
  ASSERT_TRUE(consumption.ok());
  EXPECT_FALSE(consumption->data->consumption_request_reason.empty());
}

TEST(ApplePayload, XcodeFractionalMilliseconds) {
  std::string jws = ReadVector("xcode/xcode-signed-transaction.jws.txt");
  size_t a = jws.find('.'), b = jws.find('.', a + 1);
  auto payload = crypto::Base64UrlDecode(jws.substr(a + 1, b - a - 1));
  ASSERT_TRUE(payload.ok());
  auto t = DecodeTransactionInfo(*payload);
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_TRUE(t->purchase_date.has_value());
  EXPECT_EQ(absl::ToUnixMicros(*t->purchase_date), 1697679936049730);
}

TEST(ApplePayload, WrongTypesAreErrorsNamingTheField) {
  auto t = DecodeTransactionInfo(R"({"price":"9990"})");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("price"), absl::string_view::npos);
  EXPECT_FALSE(DecodeTransactionInfo(R"({"purchaseDate":"x"})").ok());
  EXPECT_FALSE(
      DecodeNotificationV2(R"({"notificationType":"TEST","notificationUUID":"u","summary":[]})")
          .ok());
  EXPECT_FALSE(DecodeNotificationV2(R"({"notificationType":"TEST"})").ok());
  EXPECT_TRUE(DecodeTransactionInfo(R"({"price":null,"unknownNewField":{"a":1}})").ok());
}

}  // namespace
}  // namespace storewire::apple_test

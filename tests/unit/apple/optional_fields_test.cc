// Optional payload members stay unset in the event when Apple leaves them out
// (no 1970-01-01 timestamps, no zero prices), and are set when present.
#include <gtest/gtest.h>

#include "storewire/stores/adapter.h"
#include "storewire/stores/apple/apple_adapter.h"
#include "storewire/stores/apple/mapping.h"
#include "storewire/testing/apple_test_signer.h"
#include "test_util.h"

namespace storewire::apple_test {
namespace {

using stores::apple::MapNotificationV1;
using stores::apple::MapNotificationV2;
using stores::apple::NotificationData;
using stores::apple::NotificationV1;
using stores::apple::NotificationV2;
using stores::apple::ReceiptInfoV1;
using stores::apple::RenewalInfo;
using stores::apple::TransactionInfo;

NotificationV2 BareNotification() {
  NotificationV2 n;
  n.notification_type = "DID_RENEW";
  n.notification_uuid = "0c7a3c4e-1111-4222-8333-944455556666";
  n.data = NotificationData{};
  n.data->bundle_id = "com.example";
  n.data->environment = "Sandbox";
  return n;
}

void ExpectNoEpochInJson(const v1::SubscriptionEvent& e) {
  const std::string json = stores::EventToJson(e);
  EXPECT_EQ(json.find("1970-01-01"), std::string::npos) << json;
  EXPECT_EQ(json.find("gracePeriodExpiresAt"), std::string::npos) << json;
  EXPECT_EQ(json.find("revokedAt"), std::string::npos) << json;
}

TEST(OptionalFields, V2AbsentDatesPriceAndAutoRenewStayUnset) {
  TransactionInfo tx;
  tx.original_transaction_id = "100";
  tx.transaction_id = "101";
  RenewalInfo renewal;
  renewal.original_transaction_id = "100";
  v1::RawNotification raw;  // no received_at
  const v1::SubscriptionEvent e = MapNotificationV2(BareNotification(), tx, renewal, raw, "demo");
  EXPECT_FALSE(e.has_occurred_at());
  EXPECT_FALSE(e.has_received_at());
  EXPECT_FALSE(e.has_purchased_at());
  EXPECT_FALSE(e.has_expires_at());
  EXPECT_FALSE(e.has_revoked_at());
  EXPECT_FALSE(e.has_grace_period_expires_at());
  EXPECT_FALSE(e.has_price());
  EXPECT_FALSE(e.has_auto_renew());
  EXPECT_EQ(e.auto_renew_product_id(), "");
  EXPECT_EQ(e.attributes().count("originalPurchaseDate"), 0u);
  EXPECT_EQ(e.attributes().count("renewalDate"), 0u);
  EXPECT_EQ(e.attributes().count("expirationIntent"), 0u);
  EXPECT_EQ(e.subscription_key(), "100");
  ExpectNoEpochInJson(e);
}

TEST(OptionalFields, V2PresentDatesAreSet) {
  NotificationV2 n = BareNotification();
  n.signed_date = absl::FromUnixMillis(1761962975123);
  TransactionInfo tx;
  tx.original_transaction_id = "100";
  tx.purchase_date = absl::FromUnixMillis(1761962900000);
  tx.expires_date = absl::FromUnixMillis(1764554900000);
  tx.revocation_date = absl::FromUnixMillis(1762000000000);
  tx.price = 4990;
  tx.currency = "EUR";
  RenewalInfo renewal;
  renewal.grace_period_expires_date = absl::FromUnixMillis(1765000000000);
  renewal.auto_renew_status = 0;
  v1::RawNotification raw;
  raw.mutable_received_at()->set_seconds(1761963000);
  const v1::SubscriptionEvent e = MapNotificationV2(n, tx, renewal, raw, "demo");
  EXPECT_EQ(e.occurred_at().seconds(), 1761962975);
  EXPECT_EQ(e.occurred_at().nanos(), 123000000);
  EXPECT_EQ(e.received_at().seconds(), 1761963000);
  EXPECT_EQ(e.purchased_at().seconds(), 1761962900);
  EXPECT_EQ(e.expires_at().seconds(), 1764554900);
  EXPECT_EQ(e.revoked_at().seconds(), 1762000000);
  EXPECT_EQ(e.grace_period_expires_at().seconds(), 1765000000);
  EXPECT_EQ(e.price().amount_micros(), 4990000);
  EXPECT_EQ(e.price().currency(), "EUR");
  ASSERT_TRUE(e.has_auto_renew());
  EXPECT_FALSE(e.auto_renew());
}

TEST(OptionalFields, V1AbsentDatesStayUnset) {
  NotificationV1 n;
  n.notification_type = "DID_RENEW";
  n.environment = "Sandbox";
  n.bid = "com.example";
  ReceiptInfoV1 r;
  r.product_id = "com.example.monthly";
  r.original_transaction_id = "100";
  n.latest_receipt_info.push_back(r);
  v1::RawNotification raw;  // no received_at
  raw.set_body("{}");
  const v1::SubscriptionEvent e = MapNotificationV1(n, raw, "demo");
  EXPECT_FALSE(e.has_occurred_at());
  EXPECT_FALSE(e.has_received_at());
  EXPECT_FALSE(e.has_purchased_at());
  EXPECT_FALSE(e.has_expires_at());
  EXPECT_FALSE(e.has_revoked_at());
  EXPECT_FALSE(e.has_grace_period_expires_at());
  EXPECT_FALSE(e.has_auto_renew());
  ExpectNoEpochInJson(e);
}

TEST(OptionalFields, MintedNotificationWithoutGraceOrRevocationLeavesThemUnset) {
  auto signer = testing::AppleTestSigner::Create();
  Config config = MakeConfig({signer->WriteRootPem(::testing::TempDir())});
  auto adapter = stores::apple::MakeAppleAdapter(config);
  ASSERT_TRUE(adapter.ok()) << adapter.status();
  testing::NotificationParams p;  // SUBSCRIBED/INITIAL_BUY: no grace period, no revocation
  p.transaction->expires_date_ms.reset();
  p.transaction->price.reset();
  auto r = (*adapter)->Normalize(Raw(signer->NotificationBody(p)), config.apps[0], VectorNow());
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_FALSE(r->rejected) << r->rejected->detail;
  ASSERT_EQ(r->events.size(), 1u);
  const v1::SubscriptionEvent& e = r->events[0];
  EXPECT_FALSE(e.has_grace_period_expires_at());
  EXPECT_FALSE(e.has_revoked_at());
  EXPECT_FALSE(e.has_expires_at());
  EXPECT_FALSE(e.has_price());
  EXPECT_TRUE(e.has_purchased_at());
  EXPECT_TRUE(e.has_occurred_at());
  ExpectNoEpochInJson(e);
}

}  // namespace
}  // namespace storewire::apple_test

#include "storewire/stores/google/mapping.h"

#include "gtest/gtest.h"
#include "storewire/stores/adapter.h"
#include "storewire/testing/google_fakes.h"

namespace storewire::stores::google {
namespace {

using ::storewire::testing::SubscriptionJson;
using ::storewire::testing::SubscriptionSpec;

SubscriptionPurchase Purchase(const SubscriptionSpec& spec) {
  absl::StatusOr<SubscriptionPurchase> p = ParseSubscriptionPurchaseV2(SubscriptionJson(spec));
  EXPECT_TRUE(p.ok()) << p.status();
  return *p;
}

v1::SubscriptionEvent Map(int code, const SubscriptionSpec& spec, const std::string& key = "") {
  auto n = ParseDeveloperNotification(testing::SubscriptionNotificationJson("com.x", code, "tok"));
  EXPECT_TRUE(n.ok());
  SubscriptionPurchase p = Purchase(spec);
  return MapNotification({.app_id = "demo",
                          .message_id = "m-1",
                          .notification = &*n,
                          .subscription = &p,
                          .subscription_key = key});
}

TEST(MappingTest, EverySubscriptionCodeMapsToItsEventType) {
  const std::vector<std::pair<int, v1::EventType>> table = {
      {1, v1::EVENT_TYPE_BILLING_RECOVERED},
      {2, v1::EVENT_TYPE_RENEWED},
      {3, v1::EVENT_TYPE_AUTO_RENEW_DISABLED},
      {4, v1::EVENT_TYPE_SUBSCRIPTION_STARTED},
      {5, v1::EVENT_TYPE_ON_HOLD},
      {6, v1::EVENT_TYPE_GRACE_PERIOD_STARTED},
      {7, v1::EVENT_TYPE_AUTO_RENEW_ENABLED},
      {8, v1::EVENT_TYPE_PRICE_INCREASE_ACCEPTED},
      {9, v1::EVENT_TYPE_DEFERRED},
      {10, v1::EVENT_TYPE_PAUSED},
      {11, v1::EVENT_TYPE_PAUSE_SCHEDULED},
      {12, v1::EVENT_TYPE_REVOKED},
      {13, v1::EVENT_TYPE_EXPIRED},
      {17, v1::EVENT_TYPE_PRODUCT_CHANGED},
      {18, v1::EVENT_TYPE_AUTO_RENEW_DISABLED},
      {19, v1::EVENT_TYPE_PRICE_INCREASE_PENDING},
      {20, v1::EVENT_TYPE_PENDING_PURCHASE_CANCELED},
      {22, v1::EVENT_TYPE_PRICE_INCREASE_PENDING},
      {14, v1::EVENT_TYPE_UNKNOWN},
      {42, v1::EVENT_TYPE_UNKNOWN},
  };
  for (const auto& [code, type] : table) {
    v1::SubscriptionEvent e = Map(code, {});
    EXPECT_EQ(e.type(), type) << "code " << code;
    EXPECT_EQ(e.store_notification().type(), std::to_string(code));
  }
  EXPECT_EQ(Map(42, {}).attributes().at("notification_type"), "42");
  EXPECT_EQ(Map(42, {}).store_notification().subtype(), "UNKNOWN");
}

TEST(MappingTest, PurchaseInFreeTrialIsTrialStarted) {
  v1::SubscriptionEvent e = Map(4, {.offer_phase = "freeTrial"});
  EXPECT_EQ(e.type(), v1::EVENT_TYPE_TRIAL_STARTED);
  EXPECT_EQ(e.period_type(), v1::PERIOD_TYPE_TRIAL);
  EXPECT_EQ(Map(4, {.offer_phase = "introductoryPrice"}).period_type(), v1::PERIOD_TYPE_INTRO);
}

TEST(MappingTest, PriceChangeUpdatedIsAcceptedOnceConfirmed) {
  EXPECT_EQ(Map(19, {.price_change_state = "OUTSTANDING"}).type(),
            v1::EVENT_TYPE_PRICE_INCREASE_PENDING);
  EXPECT_EQ(Map(19, {.price_change_state = "CONFIRMED"}).type(),
            v1::EVENT_TYPE_PRICE_INCREASE_ACCEPTED);
}

TEST(MappingTest, FillsTheCommonFieldsFromThePurchase) {
  v1::SubscriptionEvent e = Map(2, {}, "root-tok");
  EXPECT_EQ(e.id(), EventId(v1::STORE_PLAY_STORE, "m-1"));
  EXPECT_EQ(e.store(), v1::STORE_PLAY_STORE);
  EXPECT_EQ(e.environment(), v1::ENVIRONMENT_PRODUCTION);
  EXPECT_EQ(e.app_id(), "demo");
  EXPECT_EQ(e.subscription_key(), "root-tok");
  EXPECT_EQ(e.product_id(), "premium_monthly");
  EXPECT_EQ(e.transaction_id(), "GPA.1234-5678");
  EXPECT_EQ(e.price().amount_micros(), 9990000);
  EXPECT_EQ(e.price().currency(), "EUR");
  EXPECT_EQ(e.expires_at().seconds(), 1893456000);    // 2030-01-01
  EXPECT_EQ(e.purchased_at().seconds(), 1890777600);  // 2029-12-01
  EXPECT_EQ(e.occurred_at().seconds(), 1700000000);
  EXPECT_TRUE(e.has_auto_renew());
  EXPECT_TRUE(e.auto_renew());
  EXPECT_EQ(e.customer_id(), "acct-1");
  EXPECT_EQ(e.country(), "DE");
  EXPECT_EQ(e.period_type(), v1::PERIOD_TYPE_NORMAL);
  EXPECT_EQ(e.store_notification().id(), "m-1");
  EXPECT_EQ(e.store_notification().subtype(), "SUBSCRIPTION_RENEWED");
  EXPECT_EQ(e.attributes().at("purchase_token"), "tok");
}

TEST(MappingTest, TestPurchasesAreSandbox) {
  EXPECT_EQ(Map(2, {.test_purchase = true}).environment(), v1::ENVIRONMENT_SANDBOX);
}

TEST(MappingTest, CancellationReasonComesFromTheCanceledStateContext) {
  EXPECT_EQ(Map(3, {.canceled_by = "user"}).reason(), v1::REASON_VOLUNTARY);
  EXPECT_EQ(Map(3, {.canceled_by = "user"}).attributes().at("cancel_survey_reason"), "1");
  EXPECT_EQ(Map(3, {.canceled_by = "system"}).reason(), v1::REASON_BILLING_ERROR);
  EXPECT_EQ(Map(3, {.canceled_by = "developer"}).reason(), v1::REASON_DEVELOPER);
  EXPECT_EQ(Map(13, {.canceled_by = "replacement"}).reason(), v1::REASON_OTHER);
  EXPECT_EQ(Map(13, {.canceled_by = "replacement"}).attributes().at("superseded"), "true");
  EXPECT_EQ(Map(12, {}).reason(), v1::REASON_REFUND);
  EXPECT_EQ(Map(5, {}).reason(), v1::REASON_BILLING_ERROR);
}

TEST(MappingTest, LinkedPurchaseNamesTheTokenItReplaced) {
  v1::SubscriptionEvent e = Map(4, {.linked_purchase_token = "old-tok"}, "root");
  EXPECT_EQ(e.superseded_key(), "old-tok");
  EXPECT_EQ(e.subscription_key(), "root");
}

TEST(MappingTest, VoidedOneTimeAndTest) {
  auto voided = ParseDeveloperNotification(testing::VoidedNotificationJson("p", "t", "GPA.9", 1));
  v1::SubscriptionEvent v =
      MapNotification({.app_id = "a", .message_id = "m", .notification = &*voided});
  EXPECT_EQ(v.type(), v1::EVENT_TYPE_REFUNDED);
  EXPECT_EQ(v.reason(), v1::REASON_REFUND);
  EXPECT_EQ(v.transaction_id(), "GPA.9");
  EXPECT_EQ(v.subscription_key(), "t");

  auto one = ParseDeveloperNotification(testing::OneTimeNotificationJson("p", 1, "t", "coins"));
  auto product = ParseProductPurchase(testing::ProductJson(0, "GPA.7", /*test=*/true));
  ASSERT_TRUE(product.ok());
  v1::SubscriptionEvent o = MapNotification(
      {.app_id = "a", .message_id = "m", .notification = &*one, .product = &*product});
  EXPECT_EQ(o.type(), v1::EVENT_TYPE_ONE_TIME_PURCHASE);
  EXPECT_EQ(o.product_id(), "coins");
  EXPECT_EQ(o.transaction_id(), "GPA.7");
  EXPECT_EQ(o.environment(), v1::ENVIRONMENT_SANDBOX);
  EXPECT_EQ(o.customer_id(), "acct-9");
  auto canceled = ParseDeveloperNotification(testing::OneTimeNotificationJson("p", 2, "t", "c"));
  EXPECT_EQ(MapNotification({.notification = &*canceled}).type(),
            v1::EVENT_TYPE_ONE_TIME_PURCHASE_CANCELED);

  auto test = ParseDeveloperNotification(testing::TestNotificationJson("p"));
  v1::SubscriptionEvent t =
      MapNotification({.app_id = "a", .message_id = "m9", .notification = &*test});
  EXPECT_EQ(t.type(), v1::EVENT_TYPE_TEST);
  EXPECT_EQ(t.id(), EventId(v1::STORE_PLAY_STORE, "m9"));
}

}  // namespace
}  // namespace storewire::stores::google

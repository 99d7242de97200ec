#include "storewire/stores/google/notification.h"

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "storewire/testing/google_fakes.h"

namespace storewire::stores::google {
namespace {

using ::storewire::testing::PushBody;

TEST(PushRequestTest, AcceptsCamelCaseAndSnakeCaseFields) {
  for (bool snake : {false, true}) {
    absl::StatusOr<PushMessage> push = ParsePushRequest(PushBody("msg-7", "{\"a\":1}", snake));
    ASSERT_TRUE(push.ok()) << push.status();
    EXPECT_EQ(push->message_id, "msg-7");
    EXPECT_EQ(push->data, "{\"a\":1}");
    ASSERT_TRUE(push->publish_time.has_value());
    EXPECT_EQ(absl::ToUnixSeconds(*push->publish_time), 1700000000);
    EXPECT_EQ(push->subscription, "projects/p/subscriptions/s");
  }
}

TEST(PushRequestTest, AcceptsBase64UrlData) {
  std::string data;
  absl::WebSafeBase64Escape("{\"x\":\"?\?>>\"}", &data);
  auto push =
      ParsePushRequest(absl::StrCat(R"({"message":{"data":")", data, R"(","messageId":"1"}})"));
  ASSERT_TRUE(push.ok()) << push.status();
  EXPECT_EQ(push->data, "{\"x\":\"?\?>>\"}");
}

TEST(PushRequestTest, RejectsWhatIsNotAPush) {
  for (const char* body :
       {"", "[]", "{}", R"({"message":"x"})", R"({"message":{"data":"e30="}})",
        R"({"message":{"messageId":"1"}})", R"({"message":{"messageId":"1","data":"!!!"}})"}) {
    EXPECT_EQ(ParsePushRequest(body).status().code(), absl::StatusCode::kInvalidArgument) << body;
  }
}

TEST(DeveloperNotificationTest, ParsesEverySubscriptionCode) {
  for (int code : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 17, 18, 19, 20, 22}) {
    auto n = ParseDeveloperNotification(
        testing::SubscriptionNotificationJson("com.x", code, "tok", 1700000000123));
    ASSERT_TRUE(n.ok()) << code << n.status();
    EXPECT_EQ(n->kind, NotificationKind::kSubscription);
    EXPECT_EQ(n->notification_type, code);
    EXPECT_EQ(n->purchase_token, "tok");
    EXPECT_EQ(n->subscription_id, "premium_monthly");
    EXPECT_EQ(absl::ToUnixMillis(*n->event_time), 1700000000123);
    EXPECT_NE(SubscriptionTypeName(code), "UNKNOWN") << code;
  }
}

TEST(DeveloperNotificationTest, UnknownFutureCodesAreKept) {
  auto n = ParseDeveloperNotification(testing::SubscriptionNotificationJson("com.x", 99, "tok"));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->notification_type, 99);
  EXPECT_EQ(SubscriptionTypeName(99), "UNKNOWN");
  EXPECT_EQ(SubscriptionTypeName(14), "UNKNOWN");
}

TEST(DeveloperNotificationTest, EventTimeMayBeANumber) {
  auto n = ParseDeveloperNotification(
      R"({"packageName":"p","eventTimeMillis":1700000000999,"testNotification":{"version":"1.0"}})");
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->kind, NotificationKind::kTest);
  EXPECT_EQ(absl::ToUnixMillis(*n->event_time), 1700000000999);
}

TEST(DeveloperNotificationTest, ParsesOneTimeVoidedAndTest) {
  auto one = ParseDeveloperNotification(testing::OneTimeNotificationJson("p", 2, "t1", "coins"));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->kind, NotificationKind::kOneTimeProduct);
  EXPECT_EQ(one->notification_type, 2);
  EXPECT_EQ(one->sku, "coins");
  auto voided = ParseDeveloperNotification(testing::VoidedNotificationJson("p", "t2", "GPA.9", 2));
  ASSERT_TRUE(voided.ok());
  EXPECT_EQ(voided->kind, NotificationKind::kVoidedPurchase);
  EXPECT_EQ(voided->order_id, "GPA.9");
  EXPECT_EQ(voided->product_type, 2);
  EXPECT_EQ(voided->refund_type, 1);
  auto test = ParseDeveloperNotification(testing::TestNotificationJson("p"));
  ASSERT_TRUE(test.ok());
  EXPECT_EQ(test->kind, NotificationKind::kTest);
  EXPECT_EQ(test->package_name, "p");
}

TEST(DeveloperNotificationTest, RejectsAmbiguousOrIncompleteNotifications) {
  for (
      const char* json :
      {R"({"packageName":"p"})", R"({"testNotification":{}})",
       R"({"packageName":"p","testNotification":{},"subscriptionNotification":{"notificationType":2,"purchaseToken":"t"}})",
       R"({"packageName":"p","subscriptionNotification":{"notificationType":2}})",
       R"({"packageName":"p","subscriptionNotification":{"purchaseToken":"t"}})",
       R"({"packageName":"p","subscriptionNotification":{"notificationType":"x","purchaseToken":"t"}})",
       R"({"packageName":"p","voidedPurchaseNotification":{"orderId":"o"}})",
       R"({"packageName":"p","subscriptionNotification":[]})", "not json"}) {
    EXPECT_EQ(ParseDeveloperNotification(json).status().code(), absl::StatusCode::kInvalidArgument)
        << json;
  }
}

}  // namespace
}  // namespace storewire::stores::google

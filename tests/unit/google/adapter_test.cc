// The Google adapter against the fake Play Developer API over real HTTP.
#include "gtest/gtest.h"
#include "storewire/stores/google/google_adapter.h"
#include "storewire/testing/google_fakes.h"

namespace storewire::stores::google {
namespace {

using ::storewire::testing::FakeGoogle;
using ::storewire::testing::PushBody;
using ::storewire::testing::SubscriptionJson;
using ::storewire::testing::SubscriptionNotificationJson;
using ::storewire::testing::SubscriptionSpec;

constexpr char kPackage[] = "com.example.app";

class GoogleAdapterTest : public ::testing::Test {
 protected:
  GoogleAdapterTest()
      : client_(http::MakeCurlClient({.max_connections_per_host = 64})),
        api_(MakeHttpPlayApi(google_.base_url(), *client_, nullptr, absl::Milliseconds(300))),
        adapter_([this](const AppConfig&) { return api_.get(); },
                 {.retry = {.max_attempts = 4,
                            .initial_backoff = absl::Milliseconds(20),
                            .max_backoff = absl::Milliseconds(50),
                            .deadline = absl::Seconds(5)}}) {
    app_.id = "demo";
    app_.google.emplace();
    app_.google->package_name = kPackage;
    app_.google->play_api_base_url = google_.base_url();
  }

  v1::RawNotification Raw(const std::string& message_id, const std::string& notification) {
    v1::RawNotification raw;
    raw.set_store(v1::STORE_PLAY_STORE);
    raw.set_app_id("demo");
    raw.set_body(PushBody(message_id, notification));
    return raw;
  }

  absl::StatusOr<NormalizeResult> Normalize(const std::string& message_id,
                                            const std::string& notification) {
    return adapter_.Normalize(Raw(message_id, notification), app_, absl::Now());
  }

  FakeGoogle google_;
  std::unique_ptr<http::Client> client_;
  std::unique_ptr<PlayApi> api_;
  GoogleAdapter adapter_;
  AppConfig app_;
};

TEST_F(GoogleAdapterTest, SubscriptionNotificationIsEnrichedFromTheApi) {
  google_.SetSubscription("tok-1", SubscriptionJson({.offer_phase = "freeTrial"}));
  auto r = Normalize("m-1", SubscriptionNotificationJson(kPackage, 4, "tok-1"));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_FALSE(r->rejected.has_value()) << r->rejected->detail;
  ASSERT_EQ(r->events.size(), 1u);
  EXPECT_EQ(r->events[0].type(), v1::EVENT_TYPE_TRIAL_STARTED);
  EXPECT_EQ(r->events[0].subscription_key(), "tok-1");
  EXPECT_EQ(r->events[0].price().amount_micros(), 9990000);
  EXPECT_EQ(r->events[0].id(), EventId(v1::STORE_PLAY_STORE, "m-1"));
  EXPECT_EQ(google_.api_calls(), 1);
}

TEST_F(GoogleAdapterTest, EveryKnownSubscriptionCodeProducesOneEvent) {
  google_.SetSubscription("tok-1", SubscriptionJson({}));
  for (int code : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 17, 18, 19, 20, 22, 77}) {
    auto r =
        Normalize(absl::StrCat("m-", code), SubscriptionNotificationJson(kPackage, code, "tok-1"));
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->events.size(), 1u) << code;
    EXPECT_EQ(r->events[0].store_notification().type(), std::to_string(code));
    EXPECT_EQ(r->events[0].type() == v1::EVENT_TYPE_UNKNOWN, code == 77) << code;
  }
}

TEST_F(GoogleAdapterTest, TestVoidedAndOneTimeNotifications) {
  auto test = Normalize("m-t", testing::TestNotificationJson(kPackage));
  ASSERT_TRUE(test.ok());
  EXPECT_EQ(test->events.at(0).type(), v1::EVENT_TYPE_TEST);
  auto voided = Normalize("m-v", testing::VoidedNotificationJson(kPackage, "tok-v", "GPA.1", 1));
  ASSERT_TRUE(voided.ok());
  EXPECT_EQ(voided->events.at(0).type(), v1::EVENT_TYPE_REFUNDED);
  google_.SetProduct("tok-p", testing::ProductJson(0, "GPA.2"));
  auto one = Normalize("m-o", testing::OneTimeNotificationJson(kPackage, 1, "tok-p", "coins"));
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->events.at(0).type(), v1::EVENT_TYPE_ONE_TIME_PURCHASE);
  EXPECT_EQ(one->events.at(0).transaction_id(), "GPA.2");
  EXPECT_EQ(google_.api_calls(), 1);  // test and voided need no API call
}

TEST_F(GoogleAdapterTest, WrongPackageIsAppMismatch) {
  auto r = Normalize("m", SubscriptionNotificationJson("com.other", 2, "tok-1"));
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->rejected.has_value());
  EXPECT_EQ(r->rejected->reason, v1::REJECT_REASON_APP_MISMATCH);
  EXPECT_EQ(google_.api_calls(), 0);
}

TEST_F(GoogleAdapterTest, MalformedPushOrNotificationIsRejected) {
  v1::RawNotification raw;
  raw.set_body("{\"message\":{}}");
  auto r = adapter_.Normalize(raw, app_, absl::Now());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rejected->reason, v1::REJECT_REASON_MALFORMED);
  auto bad = Normalize("m", "{\"packageName\":\"com.example.app\"}");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->rejected->reason, v1::REJECT_REASON_MALFORMED);
}

TEST_F(GoogleAdapterTest, UnknownTokenIsStoreApiUnavailableRejection) {
  auto r = Normalize("m", SubscriptionNotificationJson(kPackage, 2, "no-such-token"));
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->rejected.has_value());
  EXPECT_EQ(r->rejected->reason, v1::REJECT_REASON_STORE_API_UNAVAILABLE);
  EXPECT_EQ(google_.api_calls(), 1);  // 404 is not retried
}

TEST_F(GoogleAdapterTest, ForbiddenIsAppMismatch) {
  google_.FailNext(1, 403);
  auto r = Normalize("m", SubscriptionNotificationJson(kPackage, 2, "tok-1"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rejected->reason, v1::REJECT_REASON_APP_MISMATCH);
}

TEST_F(GoogleAdapterTest, RetriesThrough429And500ThenSucceeds) {
  google_.SetSubscription("tok-1", SubscriptionJson({}));
  for (int status : {429, 500, 503}) {
    google_.FailNext(2, status);
    const int before = google_.api_calls();
    auto r = Normalize("m", SubscriptionNotificationJson(kPackage, 2, "tok-1"));
    ASSERT_TRUE(r.ok()) << status << r.status();
    EXPECT_EQ(r->events.at(0).type(), v1::EVENT_TYPE_RENEWED);
    EXPECT_EQ(google_.api_calls() - before, 3) << status;
  }
}

TEST_F(GoogleAdapterTest, RetriesThroughTimeoutsThenSucceeds) {
  google_.SetSubscription("tok-1", SubscriptionJson({}));
  google_.HangNext(2, absl::Seconds(2));
  auto r = Normalize("m", SubscriptionNotificationJson(kPackage, 2, "tok-1"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->events.at(0).type(), v1::EVENT_TYPE_RENEWED);
}

TEST_F(GoogleAdapterTest, ApiDownIsRetryableNeverARejection) {
  google_.SetSubscription("tok-1", SubscriptionJson({}));
  google_.set_down(true);
  auto r = Normalize("m", SubscriptionNotificationJson(kPackage, 2, "tok-1"));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
  EXPECT_EQ(google_.api_calls(), 4);  // max_attempts
  google_.set_down(false);
  auto later = Normalize("m", SubscriptionNotificationJson(kPackage, 2, "tok-1"));
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(later->events.at(0).id(), EventId(v1::STORE_PLAY_STORE, "m"));
}

TEST_F(GoogleAdapterTest, UpgradeChainOfThreeTokensSharesTheRootKey) {
  google_.SetSubscription("tok-a", SubscriptionJson({.canceled_by = "replacement"}));
  google_.SetSubscription(
      "tok-b", SubscriptionJson({.linked_purchase_token = "tok-a", .canceled_by = "replacement"}));
  google_.SetSubscription("tok-c", SubscriptionJson({.product_id = "premium_yearly",
                                                     .linked_purchase_token = "tok-b"}));
  // The newest token first: the adapter walks back through the API.
  auto c = Normalize("m-c", SubscriptionNotificationJson(kPackage, 4, "tok-c"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->events.at(0).subscription_key(), "tok-a");
  EXPECT_EQ(c->events.at(0).superseded_key(), "tok-b");
  EXPECT_EQ(google_.api_calls(), 3);
  // Remembered: later events of any token of the chain need no walk.
  auto b = Normalize("m-b", SubscriptionNotificationJson(kPackage, 13, "tok-b"));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->events.at(0).subscription_key(), "tok-a");
  EXPECT_EQ(b->events.at(0).attributes().at("superseded"), "true");
  auto c2 = Normalize("m-c2", SubscriptionNotificationJson(kPackage, 2, "tok-c"));
  ASSERT_TRUE(c2.ok());
  EXPECT_EQ(c2->events.at(0).subscription_key(), "tok-a");
  EXPECT_EQ(google_.api_calls(), 5);  // one call each for the two notifications
  auto a = Normalize("m-a", SubscriptionNotificationJson(kPackage, 13, "tok-a"));
  EXPECT_EQ(a->events.at(0).subscription_key(), "tok-a");
}

TEST_F(GoogleAdapterTest, ChainWithAGonePredecessorIsKeyedOnTheOldestKnownToken) {
  google_.SetSubscription("tok-new", SubscriptionJson({.linked_purchase_token = "tok-gone"}));
  auto r = Normalize("m", SubscriptionNotificationJson(kPackage, 4, "tok-new"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->events.at(0).subscription_key(), "tok-gone");
}

TEST_F(GoogleAdapterTest, PrefetchRunsTheBatchsCallsConcurrently) {
  google_.set_latency(absl::Milliseconds(100));
  std::vector<v1::RawNotification> raws;
  for (int i = 0; i < 50; ++i) {
    std::string token = absl::StrCat("tok-", i);
    google_.SetSubscription(token, SubscriptionJson({}));
    raws.push_back(Raw(absl::StrCat("m-", i), SubscriptionNotificationJson(kPackage, 2, token)));
  }
  std::vector<PrefetchItem> items;
  for (const auto& raw : raws) items.push_back({&raw, &app_});
  absl::Time start = absl::Now();
  adapter_.Prefetch(items);
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));  // sequential would be 5 s
  EXPECT_GT(google_.max_in_flight(), 1);
  EXPECT_EQ(google_.api_calls(), 50);
  for (const auto& raw : raws) {
    auto r = adapter_.Normalize(raw, app_, absl::Now());
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->events.at(0).type(), v1::EVENT_TYPE_RENEWED);
  }
  EXPECT_EQ(google_.api_calls(), 50);  // Normalize used the prefetched state
}

TEST_F(GoogleAdapterTest, AcknowledgesUnacknowledgedPurchasesWhenConfigured) {
  google_.SetSubscription(
      "tok-1", SubscriptionJson({.acknowledgement_state = "ACKNOWLEDGEMENT_STATE_PENDING"}));
  auto r = Normalize("m", SubscriptionNotificationJson(kPackage, 4, "tok-1"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(google_.acknowledges(), 0);
  app_.google->acknowledge_purchases = true;
  r = Normalize("m", SubscriptionNotificationJson(kPackage, 4, "tok-1"));
  ASSERT_TRUE(r.ok());
  absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (google_.acknowledges() == 0 && absl::Now() < deadline)
    absl::SleepFor(absl::Milliseconds(5));
  EXPECT_EQ(google_.acknowledges(), 1);
}

}  // namespace
}  // namespace storewire::stores::google

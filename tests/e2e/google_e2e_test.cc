// End to end on the real broker for Google Play: a Pub/Sub push with a signed
// OIDC token, posted to storewire-ingress, comes out of storewire-normalizer as
// a SubscriptionEvent enriched from the (fake) Play Developer API reached with
// a service-account token; a push with a bad token is refused with 401 and
// never stored; a notification whose API stays down is deferred to the retry
// topic and normalized once the API is back (nothing lost).
#include "../integration/pipeline/pipeline_fixture.h"
#include "gtest/gtest.h"
#include "storewire/testing/google_fakes.h"
#include "storewire/v1/event.pb.h"
#include "storewire/v1/raw.pb.h"

namespace storewire::testing {
namespace {

constexpr char kPackage[] = "com.example.app";
constexpr char kEmail[] = "rtdn-push@example.iam.gserviceaccount.com";

const TestRsaKey& PushKey() {
  static const TestRsaKey key = TestRsaKey::Generate();
  return key;
}

std::string HeaderOf(const kafka::ConsumedRecord& r, const std::string& key) {
  for (const kafka::Header& h : r.headers) {
    if (h.key == key) return h.value;
  }
  return "<missing>";
}

class GoogleEndToEndTest : public PipelineTest {
 protected:
  void SetUp() override {
    PipelineTest::SetUp();
    if (IsSkipped()) return;
    google_ = std::make_unique<FakeGoogle>();
    google_->AddJwksKey("push-kid", PushKey());
    google_->set_require_auth(true);
    const std::string services = ServiceSections();
    audience_ = absl::StrCat("http://127.0.0.1:", http_port_, "/v1/google/demo");
    std::string key_file = dir_ + "/play-sa.json";
    WriteFile(key_file, ServiceAccountKeyJson(TestRsaKey::Generate(), "play@p.iam", "sa-kid"));
    const std::string path = dir_ + "/storewire.yaml";
    WriteFile(path, absl::StrCat(KafkaSection(),
                                 "apps:\n  - id: demo\n    google:\n"
                                 "      package_name: ",
                                 kPackage, "\n      push_audience: ", audience_,
                                 "\n      push_service_account: ", kEmail,
                                 "\n      service_account_key_file: ", key_file,
                                 "\n      play_api_base_url: ", google_->base_url(),
                                 "\n      oauth_token_url: ", google_->token_url(),
                                 "\n      jwks_url: ", google_->jwks_url(), "\n", services));
    StartIngressAndNormalizer(path);
  }

  HttpResult Push(const std::string& body, const std::string& jwt) {
    return PostTo("/v1/google/demo", body,
                  {"content-type: application/json", "authorization: Bearer " + jwt});
  }
  std::string GoodToken() {
    return MintJwt(PushKey(), "push-kid", PushClaims(audience_, kEmail, absl::Now()));
  }

  std::unique_ptr<FakeGoogle> google_;
  std::string audience_;
};

TEST_F(GoogleEndToEndTest, SignedPushBecomesAnEnrichedEvent) {
  google_->SetSubscription("tok-e2e", SubscriptionJson({.offer_phase = "freeTrial"}));
  HttpResult r = Push(PushBody("msg-e2e-1", SubscriptionNotificationJson(kPackage, 4, "tok-e2e")),
                      GoodToken());
  ASSERT_EQ(r.status, 200) << r.body << ingress_.Log();

  std::vector<kafka::ConsumedRecord> records = Consume({Topic("events.v1")}, 1, absl::Seconds(60));
  ASSERT_EQ(records.size(), 1u) << normalizer_.Log();
  v1::SubscriptionEvent event;
  ASSERT_TRUE(event.ParseFromString(records[0].value));
  EXPECT_EQ(records[0].key, "tok-e2e");
  EXPECT_EQ(event.type(), v1::EVENT_TYPE_TRIAL_STARTED);
  EXPECT_EQ(event.store(), v1::STORE_PLAY_STORE);
  EXPECT_EQ(event.app_id(), "demo");
  EXPECT_EQ(event.subscription_key(), "tok-e2e");
  EXPECT_EQ(event.product_id(), "premium_monthly");
  EXPECT_EQ(event.price().amount_micros(), 9990000);
  EXPECT_EQ(event.customer_id(), "acct-1");
  EXPECT_EQ(event.store_notification().id(), "msg-e2e-1");
  EXPECT_EQ(HeaderOf(records[0], "ce_source"), "storewire/google/demo");
  EXPECT_GE(google_->token_requests(), 1);  // the service-account grant was used
}

TEST_F(GoogleEndToEndTest, BadPushTokensAre401AndNeverStored) {
  const std::string body = PushBody("msg-bad", SubscriptionNotificationJson(kPackage, 2, "t"));
  HttpResult wrong_audience =
      Push(body, MintJwt(PushKey(), "push-kid", PushClaims("https://evil", kEmail, absl::Now())));
  EXPECT_EQ(wrong_audience.status, 401);
  EXPECT_NE(wrong_audience.body.find("WRONG_AUDIENCE"), std::string::npos) << wrong_audience.body;
  EXPECT_EQ(Push(body, "not.a.jwt").status, 401);
  HttpResult none = HttpPost(absl::StrCat("http://127.0.0.1:", http_port_, "/v1/google/demo"), body,
                             {"content-type: application/json"}, absl::Seconds(20));
  EXPECT_EQ(none.status, 401);
  EXPECT_TRUE(Consume({Topic("raw.google")}, 1, absl::Seconds(3)).empty());
}

TEST_F(GoogleEndToEndTest, ApiDownForALongTimeDefersThenDeliversWithoutLoss) {
  google_->SetSubscription("tok-down", SubscriptionJson({}));
  google_->set_down(true);
  ASSERT_EQ(
      Push(PushBody("msg-down", SubscriptionNotificationJson(kPackage, 2, "tok-down")), GoodToken())
          .status,
      200);
  // The record waits on the retry topic; the raw partition is not blocked.
  std::vector<kafka::ConsumedRecord> deferred =
      Consume({Topic("retry.google")}, 1, absl::Seconds(60));
  ASSERT_EQ(deferred.size(), 1u) << normalizer_.Log();
  EXPECT_EQ(HeaderOf(deferred[0], "storewire_attempt"), "1");
  google_->SetSubscription("tok-next", SubscriptionJson({}));
  google_->set_down(false);
  std::vector<kafka::ConsumedRecord> records = Consume({Topic("events.v1")}, 1, absl::Seconds(90));
  ASSERT_EQ(records.size(), 1u) << normalizer_.Log();
  v1::SubscriptionEvent event;
  ASSERT_TRUE(event.ParseFromString(records[0].value));
  EXPECT_EQ(event.type(), v1::EVENT_TYPE_RENEWED);
  EXPECT_EQ(event.store_notification().id(), "msg-down");
  EXPECT_TRUE(Consume({Topic("rejected")}, 1, absl::Seconds(2)).empty());
}

}  // namespace
}  // namespace storewire::testing

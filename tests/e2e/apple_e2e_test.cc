// End to end on the real broker: a signed App Store notification posted to
// storewire-ingress comes out of storewire-normalizer as a SubscriptionEvent on
// <prefix>.events.v1 (fields, key, CloudEvents headers); a forged one lands on
// <prefix>.rejected with BAD_SIGNATURE. Apple's own test chain and vectors
// (tests/data/apple) are used, anchored on Apple's test root.
#include <csignal>

#include "../integration/pipeline/pipeline_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storewire/v1/event.pb.h"
#include "storewire/v1/raw.pb.h"

namespace storewire::testing {
namespace {

std::string Vector(const std::string& name) {
  std::string jws = ReadFile(SourcePath("tests/data/apple/derived/" + name + ".jws.txt"));
  jws.erase(jws.find_last_not_of(" \r\n") + 1);
  return absl::StrCat(R"({"signedPayload":")", jws, R"("})");
}

std::string Header(const kafka::ConsumedRecord& r, const std::string& key) {
  for (const kafka::Header& h : r.headers) {
    if (h.key == key) return h.value;
  }
  return "<missing>";
}

class AppleEndToEndTest : public PipelineTest {
 protected:
  void SetUp() override {
    PipelineTest::SetUp();
    if (IsSkipped()) return;
    const std::string path = dir_ + "/storewire.yaml";
    WriteFile(path, absl::StrCat(KafkaSection(),
                                 "apps:\n  - id: demo\n    apple:\n"
                                 "      bundle_id: com.example\n      app_apple_id: 1234\n"
                                 "      trust_roots: [",
                                 SourcePath("tests/data/apple/certs/testCA.der"), "]\n",
                                 ServiceSections()));
    StartIngressAndNormalizer(path);
  }

  HttpResult Post(const std::string& body) {
    return PostTo("/v1/apple/demo", body, {"content-type: application/json"});
  }
};

TEST_F(AppleEndToEndTest, SignedSubscribedNotificationBecomesASubscriptionStartedEvent) {
  HttpResult r = Post(Vector("G1_subscribed_initialBuy_sandbox"));
  ASSERT_EQ(r.status, 200) << r.body << ingress_.Log();

  std::vector<kafka::ConsumedRecord> records = Consume({Topic("events.v1")}, 1, absl::Seconds(60));
  ASSERT_EQ(records.size(), 1u) << normalizer_.Log();
  const kafka::ConsumedRecord& record = records[0];
  EXPECT_EQ(record.key, "2000000000000000");
  v1::SubscriptionEvent event;
  ASSERT_TRUE(event.ParseFromString(record.value));
  EXPECT_EQ(event.type(), v1::EVENT_TYPE_SUBSCRIPTION_STARTED);
  EXPECT_EQ(event.store(), v1::STORE_APP_STORE);
  EXPECT_EQ(event.environment(), v1::ENVIRONMENT_SANDBOX);
  EXPECT_EQ(event.app_id(), "demo");
  EXPECT_EQ(event.subscription_key(), "2000000000000000");
  EXPECT_EQ(event.original_transaction_id(), "2000000000000000");
  EXPECT_EQ(event.transaction_id(), "2000000000000001");
  EXPECT_EQ(event.product_id(), "com.example.monthly");
  EXPECT_EQ(event.price().amount_micros(), 9990000);
  EXPECT_EQ(event.price().currency(), "USD");
  EXPECT_EQ(event.occurred_at().seconds(), 1761962975);
  EXPECT_EQ(event.store_notification().type(), "SUBSCRIBED");
  EXPECT_EQ(event.store_notification().subtype(), "INITIAL_BUY");
  EXPECT_FALSE(event.request_id().empty());
  EXPECT_EQ(Header(record, "ce_id"), event.id());
  EXPECT_EQ(Header(record, "ce_type"), "storewire.subscription.subscription_started.v1");
  EXPECT_EQ(Header(record, "ce_source"), "storewire/apple/demo");
  EXPECT_EQ(Header(record, "content-type"), "application/protobuf");

  // Apple's retry of the same notification yields the same event id.
  ASSERT_EQ(Post(Vector("G1_subscribed_initialBuy_sandbox")).status, 200);
  records = Consume({Topic("events.v1")}, 2, absl::Seconds(60));
  ASSERT_EQ(records.size(), 2u);
  v1::SubscriptionEvent retry;
  ASSERT_TRUE(retry.ParseFromString(records[1].value));
  EXPECT_EQ(retry.id(), event.id());
}

TEST_F(AppleEndToEndTest, ForgedSignatureIsStoredThenRejectedWithBadSignature) {
  HttpResult r = Post(Vector("D1_testNotification_bad_signature"));
  ASSERT_EQ(r.status, 200) << "the ingress stores first; the normalizer verifies";
  std::vector<kafka::ConsumedRecord> records = Consume({Topic("rejected")}, 1, absl::Seconds(60));
  ASSERT_EQ(records.size(), 1u) << normalizer_.Log();
  v1::RejectedNotification rejected;
  ASSERT_TRUE(rejected.ParseFromString(records[0].value));
  EXPECT_EQ(rejected.reason(), v1::REJECT_REASON_BAD_SIGNATURE);
  EXPECT_EQ(rejected.raw().body(), Vector("D1_testNotification_bad_signature"));
  EXPECT_EQ(rejected.source_topic(), Topic("raw.apple"));
  EXPECT_TRUE(Consume({Topic("events.v1")}, 1, absl::Seconds(3)).empty());
}

}  // namespace
}  // namespace storewire::testing

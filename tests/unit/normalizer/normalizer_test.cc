#include "storewire/normalizer/normalizer.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace storewire::normalizer {
namespace {

using ::testing::HasSubstr;

// An adapter with knobs: accepts with one event, rejects, or fails retryably.
class FakeAdapter : public stores::StoreAdapter {
 public:
  enum class Mode { kAccept, kReject, kUnavailable };
  explicit FakeAdapter(Mode mode) : mode_(mode) {}
  v1::Store store() const override { return v1::STORE_APP_STORE; }
  absl::StatusOr<stores::NormalizeResult> Normalize(const v1::RawNotification& raw,
                                                    const AppConfig& app,
                                                    absl::Time now) const override {
    if (mode_ == Mode::kUnavailable) return absl::UnavailableError("OCSP responder down");
    if (mode_ == Mode::kReject) {
      return stores::NormalizeResult::Reject(v1::REJECT_REASON_BAD_SIGNATURE, "signature broken");
    }
    stores::NormalizeResult result;
    v1::SubscriptionEvent& e = result.events.emplace_back();
    e.set_id(stores::EventId(v1::STORE_APP_STORE, "uuid-1"));
    e.set_type(v1::EVENT_TYPE_RENEWED);
    e.set_store(v1::STORE_APP_STORE);
    e.set_app_id(app.id);
    e.set_subscription_key("2000000001");
    e.mutable_occurred_at()->set_seconds(1761962975);
    return result;
  }

 private:
  Mode mode_;
};

Config TestConfig() {
  Config config;
  config.kafka.topic_prefix = "sw";
  AppConfig app;
  app.id = "demo";
  app.apple.emplace();
  config.apps.push_back(app);
  return config;
}

kafka::ConsumedRecord RawRecord(v1::Store store, const std::string& app) {
  v1::RawNotification raw;
  raw.set_store(store);
  raw.set_app_id(app);
  raw.set_body("{\"signedPayload\":\"x\"}");
  raw.set_request_id("req-1");
  raw.set_partition_key("2000000001");
  raw.mutable_received_at()->set_seconds(1761962980);
  return {"sw.raw.apple", 3, 42, "2000000001", raw.SerializeAsString(), {}, 0};
}

Normalizer Make(const Config& config, FakeAdapter::Mode mode, const Clock& clock) {
  AdapterSet adapters;
  adapters[v1::STORE_APP_STORE] = std::make_unique<FakeAdapter>(mode);
  return Normalizer(config, std::move(adapters), clock);
}

std::string HeaderValue(const kafka::OutgoingRecord& r, const std::string& key) {
  for (const kafka::Header& h : r.headers) {
    if (h.key == key) return h.value;
  }
  return "<missing>";
}

TEST(NormalizerTest, AcceptedEventGoesToEventsTopicKeyedBySubscriptionWithCloudEvents) {
  Config config = TestConfig();
  FakeClock clock(absl::FromUnixSeconds(1761963000));
  Normalizer n = Make(config, FakeAdapter::Mode::kAccept, clock);
  std::vector<kafka::OutgoingRecord> out;
  ASSERT_TRUE(n.Transform(RawRecord(v1::STORE_APP_STORE, "demo"), out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "sw.events.v1");
  EXPECT_EQ(out[0].key, "2000000001");
  v1::SubscriptionEvent event;
  ASSERT_TRUE(event.ParseFromString(out[0].value));
  EXPECT_EQ(event.request_id(), "req-1");
  EXPECT_EQ(event.received_at().seconds(), 1761962980);
  EXPECT_EQ(HeaderValue(out[0], "ce_specversion"), "1.0");
  EXPECT_EQ(HeaderValue(out[0], "ce_id"), event.id());
  EXPECT_EQ(HeaderValue(out[0], "ce_source"), "storewire/apple/demo");
  EXPECT_EQ(HeaderValue(out[0], "ce_type"), "storewire.subscription.renewed.v1");
  EXPECT_EQ(HeaderValue(out[0], "ce_time"), "2025-11-01T02:09:35Z");
  EXPECT_EQ(HeaderValue(out[0], "content-type"), "application/protobuf");
}

TEST(NormalizerTest, RejectionGoesToRejectedTopicWithReasonAndSource) {
  Config config = TestConfig();
  FakeClock clock(absl::FromUnixSeconds(1761963000));
  Normalizer n = Make(config, FakeAdapter::Mode::kReject, clock);
  std::vector<kafka::OutgoingRecord> out;
  ASSERT_TRUE(n.Transform(RawRecord(v1::STORE_APP_STORE, "demo"), out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "sw.rejected");
  v1::RejectedNotification rejected;
  ASSERT_TRUE(rejected.ParseFromString(out[0].value));
  EXPECT_EQ(rejected.reason(), v1::REJECT_REASON_BAD_SIGNATURE);
  EXPECT_EQ(rejected.detail(), "signature broken");
  EXPECT_EQ(rejected.source_topic(), "sw.raw.apple");
  EXPECT_EQ(rejected.source_partition(), 3);
  EXPECT_EQ(rejected.source_offset(), 42);
  EXPECT_EQ(rejected.raw().body(), "{\"signedPayload\":\"x\"}");
  EXPECT_EQ(rejected.rejected_at().seconds(), 1761963000);
  EXPECT_EQ(HeaderValue(out[0], "storewire_reject_reason"), "BAD_SIGNATURE");
}

TEST(NormalizerTest, RetryableAdapterFailureIsReturnedAndProducesNothing) {
  Config config = TestConfig();
  FakeClock clock(absl::FromUnixSeconds(0));
  Normalizer n = Make(config, FakeAdapter::Mode::kUnavailable, clock);
  std::vector<kafka::OutgoingRecord> out;
  absl::Status s = n.Transform(RawRecord(v1::STORE_APP_STORE, "demo"), out);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(out.empty());
}

TEST(NormalizerTest, UnknownAppIsRejectedNotDropped) {
  Config config = TestConfig();
  FakeClock clock(absl::FromUnixSeconds(0));
  Normalizer n = Make(config, FakeAdapter::Mode::kAccept, clock);
  std::vector<kafka::OutgoingRecord> out;
  ASSERT_TRUE(n.Transform(RawRecord(v1::STORE_APP_STORE, "gone"), out).ok());
  ASSERT_EQ(out.size(), 1u);
  v1::RejectedNotification rejected;
  ASSERT_TRUE(rejected.ParseFromString(out[0].value));
  EXPECT_EQ(rejected.reason(), v1::REJECT_REASON_UNKNOWN_APP);
  EXPECT_THAT(rejected.detail(), HasSubstr("'gone'"));
}

TEST(NormalizerTest, StoreWithoutAdapterIsRejectedAsNotSupported) {
  Config config = TestConfig();
  FakeClock clock(absl::FromUnixSeconds(0));
  Normalizer n = Make(config, FakeAdapter::Mode::kAccept, clock);
  std::vector<kafka::OutgoingRecord> out;
  ASSERT_TRUE(n.Transform(RawRecord(v1::STORE_APP_GALLERY, "demo"), out).ok());
  ASSERT_EQ(out.size(), 1u);
  v1::RejectedNotification rejected;
  ASSERT_TRUE(rejected.ParseFromString(out[0].value));
  EXPECT_EQ(rejected.reason(), v1::REJECT_REASON_STORE_NOT_SUPPORTED);
  EXPECT_THAT(rejected.detail(), HasSubstr("huawei"));
}

TEST(NormalizerTest, UndecodableRecordIsRejectedAsMalformedWithItsBytes) {
  Config config = TestConfig();
  FakeClock clock(absl::FromUnixSeconds(0));
  Normalizer n = Make(config, FakeAdapter::Mode::kAccept, clock);
  std::vector<kafka::OutgoingRecord> out;
  kafka::ConsumedRecord garbage{"sw.raw.apple", 0, 7, "k", "\xff\xff\xff not protobuf", {}, 0};
  ASSERT_TRUE(n.Transform(garbage, out).ok());
  ASSERT_EQ(out.size(), 1u);
  v1::RejectedNotification rejected;
  ASSERT_TRUE(rejected.ParseFromString(out[0].value));
  EXPECT_EQ(rejected.reason(), v1::REJECT_REASON_MALFORMED);
  EXPECT_EQ(rejected.raw().body(), "\xff\xff\xff not protobuf");
  EXPECT_EQ(out[0].key, "k");
}

TEST(NormalizerTest, InputTopicsCoverEveryStore) {
  Config config = TestConfig();
  FakeClock clock(absl::FromUnixSeconds(0));
  Normalizer n = Make(config, FakeAdapter::Mode::kAccept, clock);
  EXPECT_THAT(n.InputTopics(), ::testing::ElementsAre("sw.raw.apple", "sw.raw.google",
                                                      "sw.raw.huawei", "sw.raw.amazon"));
}

TEST(EventJsonTest, PrintsContractFieldNamesAndInt64AsString) {
  v1::SubscriptionEvent e;
  e.set_type(v1::EVENT_TYPE_RENEWED);
  e.mutable_price()->set_amount_micros(9990000);
  e.mutable_price()->set_currency("USD");
  e.set_auto_renew(false);
  std::string json = stores::EventToJson(e);
  EXPECT_THAT(json, HasSubstr("\"amountMicros\":\"9990000\""));
  EXPECT_THAT(json, HasSubstr("\"type\":\"EVENT_TYPE_RENEWED\""));
  EXPECT_THAT(json, HasSubstr("\"autoRenew\":false"));
  EXPECT_THAT(json, HasSubstr("\"subscriptionKey\":\"\""));
}

}  // namespace
}  // namespace storewire::normalizer

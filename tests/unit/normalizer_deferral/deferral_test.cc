// Deferral of records whose store API is unavailable, and the batch prefetch.
#include "storewire/normalizer/deferral.h"

#include <atomic>

#include "gtest/gtest.h"

namespace storewire::normalizer {
namespace {

// Fails retryably while `down`, counts Prefetch calls.
class FlakyAdapter : public stores::StoreAdapter {
 public:
  v1::Store store() const override { return v1::STORE_PLAY_STORE; }
  absl::StatusOr<stores::NormalizeResult> Normalize(const v1::RawNotification& raw,
                                                    const AppConfig& app,
                                                    absl::Time now) const override {
    if (down) return absl::UnavailableError("Play Developer API unavailable: HTTP 503");
    stores::NormalizeResult result;
    v1::SubscriptionEvent& e = result.events.emplace_back();
    e.set_id("e-1");
    e.set_store(v1::STORE_PLAY_STORE);
    e.set_subscription_key("tok");
    return result;
  }
  void Prefetch(const std::vector<stores::PrefetchItem>& items) const override {
    prefetched += static_cast<int>(items.size());
  }
  bool down = true;
  mutable std::atomic<int> prefetched{0};
};

class DeferralTest : public ::testing::Test {
 protected:
  DeferralTest() : clock_(absl::FromUnixSeconds(1700000000)) {
    config_.kafka.topic_prefix = "sw";
    AppConfig app;
    app.id = "demo";
    app.google.emplace();
    config_.apps.push_back(app);
    auto adapter = std::make_unique<FlakyAdapter>();
    adapter_ = adapter.get();
    AdapterSet adapters;
    adapters[v1::STORE_PLAY_STORE] = std::move(adapter);
    normalizer_ = std::make_unique<Normalizer>(config_, std::move(adapters), clock_);
  }

  kafka::ConsumedRecord Record() {
    v1::RawNotification raw;
    raw.set_store(v1::STORE_PLAY_STORE);
    raw.set_app_id("demo");
    raw.set_body("{}");
    return {"sw.raw.google", 2, 17, "tok", raw.SerializeAsString(), {}, 0};
  }

  static std::string Header(const kafka::OutgoingRecord& r, const std::string& key) {
    for (const kafka::Header& h : r.headers) {
      if (h.key == key) return h.value;
    }
    return "<missing>";
  }

  Config config_;
  FakeClock clock_;
  FlakyAdapter* adapter_ = nullptr;
  std::unique_ptr<Normalizer> normalizer_;
};

TEST_F(DeferralTest, UnavailableApiDefersTheRecordToTheRetryTopic) {
  std::vector<kafka::OutgoingRecord> out;
  kafka::ConsumedRecord in = Record();
  ASSERT_TRUE(TransformOrDefer(*normalizer_, {}, in, out, clock_.Now()).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "sw.retry.google");
  EXPECT_EQ(out[0].key, "tok");
  EXPECT_EQ(out[0].value, in.value);  // the raw record, unchanged
  EXPECT_EQ(Header(out[0], "storewire_attempt"), "1");
  EXPECT_EQ(Header(out[0], "storewire_not_before"), "1700000010000");  // + 10 s
  EXPECT_EQ(Header(out[0], "storewire_deferred_from"), "sw.raw.google/2@17");
}

TEST_F(DeferralTest, LaterAttemptsBackOffAndKeepTheOrigin) {
  kafka::ConsumedRecord in = Record();
  in.topic = "sw.retry.google";
  in.headers = {{"storewire_attempt", "6"},
                {"storewire_not_before", "1699999990000"},
                {"storewire_deferred_from", "sw.raw.google/0@5"}};
  EXPECT_EQ(NotBefore(in), absl::FromUnixMillis(1699999990000));
  std::vector<kafka::OutgoingRecord> out;
  ASSERT_TRUE(TransformOrDefer(*normalizer_, {}, in, out, clock_.Now()).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Header(out[0], "storewire_attempt"), "7");
  EXPECT_EQ(Header(out[0], "storewire_not_before"), "1700000600000");  // capped at 10 min
  EXPECT_EQ(Header(out[0], "storewire_deferred_from"), "sw.raw.google/0@5");
}

TEST_F(DeferralTest, AnswerFromTheApiProducesTheEventNotADeferral) {
  adapter_->down = false;
  std::vector<kafka::OutgoingRecord> out;
  ASSERT_TRUE(TransformOrDefer(*normalizer_, {}, Record(), out, clock_.Now()).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].topic, "sw.events.v1");
}

TEST_F(DeferralTest, PrefetchHandsTheBatchToTheAdapter) {
  normalizer_->Prefetch({Record(), Record(), {"sw.raw.google", 0, 1, "", "not a proto", {}, 0}});
  EXPECT_EQ(adapter_->prefetched.load(), 2);
}

TEST_F(DeferralTest, WaitUntilDueReturnsAtOnceForDueRecordsAndOnStop) {
  kafka::ConsumedRecord due = Record();
  due.headers = {{"storewire_not_before", "1000"}};
  std::atomic<bool> stop{false};
  absl::Time start = absl::Now();
  WaitUntilDue({due}, absl::Minutes(1), stop);
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  kafka::ConsumedRecord later = Record();
  later.headers = {
      {"storewire_not_before", std::to_string(absl::ToUnixMillis(absl::Now() + absl::Hours(1)))}};
  stop = true;
  start = absl::Now();
  WaitUntilDue({later}, absl::Minutes(1), stop);
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  stop = false;
  start = absl::Now();
  WaitUntilDue({later}, absl::Milliseconds(300), stop);
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(300));
}

}  // namespace
}  // namespace storewire::normalizer

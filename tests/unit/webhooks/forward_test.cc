// The config's raw forwards as endpoints: ids, topics, headers, and how the
// registry holds them (found and listed, never matching events, not editable).
#include "storewire/webhooks/forward.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storewire/core/clock.h"
#include "storewire/webhooks/endpoint.h"
#include "storewire/webhooks/registry.h"

namespace storewire::webhooks {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

Config TwoForwards() {
  Config config;
  config.kafka.topic_prefix = "sw";
  AppConfig& demo = config.apps.emplace_back();
  demo.id = "demo";
  demo.forwards["apple"] = {.url = "https://legacy.example.com/apple",
                            .headers = {{"Authorization", "Bearer legacy"}},
                            .max_in_flight = 3};
  demo.forwards["google"] = {.url = "https://legacy.example.com/rtdn"};
  AppConfig& other = config.apps.emplace_back();
  other.id = "other";
  other.forwards["apple"] = {.url = "https://other.example.com/apple"};
  config.apps.emplace_back().id = "plain";
  return config;
}

TEST(ForwardTest, OneEndpointPerConfiguredForward) {
  std::vector<v1::WebhookEndpoint> forwards = ForwardEndpoints(TwoForwards());
  ASSERT_EQ(forwards.size(), 3u);
  EXPECT_EQ(forwards[0].id(), "fwd_demo_apple");
  EXPECT_EQ(forwards[0].url(), "https://legacy.example.com/apple");
  EXPECT_EQ(forwards[0].max_in_flight(), 3);
  EXPECT_EQ(forwards[0].forward().app_id(), "demo");
  EXPECT_EQ(forwards[0].forward().store(), v1::STORE_APP_STORE);
  EXPECT_EQ(forwards[0].forward().headers().at("Authorization"), "Bearer legacy");
  EXPECT_EQ(forwards[0].secret(), "");
  EXPECT_EQ(forwards[1].id(), "fwd_demo_google");
  EXPECT_EQ(forwards[1].forward().store(), v1::STORE_PLAY_STORE);
  EXPECT_EQ(forwards[2].id(), "fwd_other_apple");

  // Listings never show the configured header values (often credentials).
  v1::WebhookEndpoint listed = Redacted(forwards[0]);
  EXPECT_EQ(listed.forward().headers().at("Authorization"), "<redacted>");
  EXPECT_EQ(listed.forward().app_id(), "demo");
  EXPECT_FALSE(Redacted(v1::WebhookEndpoint()).has_forward());
}

TEST(ForwardTest, ReadsOnlyTheRawTopicsOfForwardedStores) {
  EXPECT_THAT(ForwardedRawTopics(TwoForwards()), ElementsAre("sw.raw.apple", "sw.raw.google"));
  EXPECT_TRUE(ForwardedRawTopics(Config{}).empty());
}

TEST(ForwardTest, HeadersAreTheStoresThenTheConfigsThenOurIds) {
  v1::RawForward forward;
  (*forward.mutable_headers())["Content-Type"] = "application/json";  // overrides the store's
  (*forward.mutable_headers())["x-legacy"] = "1";
  v1::RawNotification raw;
  raw.set_app_id("demo");
  raw.set_request_id("req-9");
  (*raw.mutable_headers())["content-type"] = "text/plain; charset=UTF-8";
  (*raw.mutable_headers())["x-amz-sns-message-type"] = "Notification";
  (*raw.mutable_headers())["storewire-request-id"] = "forged";
  EXPECT_THAT(ForwardHeaders(forward, raw),
              ElementsAre(Pair("Content-Type", "application/json"),
                          Pair("storewire-app-id", "demo"), Pair("storewire-request-id", "req-9"),
                          Pair("x-amz-sns-message-type", "Notification"), Pair("x-legacy", "1")));
}

class AcceptingSink : public kafka::RecordSink {
 public:
  void Send(kafka::OutgoingRecord record, DeliveryCallback done) override {
    records.push_back(std::move(record));
    done(absl::OkStatus());
  }
  std::vector<kafka::OutgoingRecord> records;
};

TEST(ForwardRegistryTest, ForwardsAreFoundAndListedButNeverMatchEventsOrChange) {
  Registry registry;
  v1::WebhookEndpoint endpoint;
  endpoint.set_id("ep_all");
  endpoint.set_url("https://hooks.example.com/");
  registry.Apply(endpoint);
  registry.SetForwards(ForwardEndpoints(TwoForwards()));

  ASSERT_NE(registry.ForwardFor("demo", v1::STORE_APP_STORE), nullptr);
  EXPECT_EQ(registry.ForwardFor("demo", v1::STORE_APP_STORE)->id(), "fwd_demo_apple");
  EXPECT_EQ(registry.ForwardFor("demo", v1::STORE_APP_GALLERY), nullptr);
  EXPECT_EQ(registry.ForwardFor("plain", v1::STORE_APP_STORE), nullptr);
  EXPECT_EQ(registry.List().size(), 4u);

  v1::SubscriptionEvent event;
  event.set_app_id("demo");
  event.set_store(v1::STORE_APP_STORE);
  std::vector<EndpointPtr> matching = registry.Matching(event);
  ASSERT_EQ(matching.size(), 1u);
  EXPECT_EQ(matching[0]->id(), "ep_all");

  AcceptingSink sink;
  EndpointStore store(sink, "sw.webhooks.endpoints", registry, SystemClock::Get());
  absl::StatusOr<v1::WebhookEndpoint> disabled =
      store.Update("fwd_demo_apple", [](v1::WebhookEndpoint& e) {
        e.set_disabled(true);
        return absl::OkStatus();
      });
  EXPECT_EQ(disabled.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(disabled.status().message(), HasSubstr("apps[demo].apple.forward"));
  EXPECT_TRUE(sink.records.empty());

  // A new config replaces the forwards.
  registry.SetForwards({});
  EXPECT_EQ(registry.ForwardFor("demo", v1::STORE_APP_STORE), nullptr);
  EXPECT_EQ(registry.List().size(), 1u);
}

}  // namespace
}  // namespace storewire::webhooks

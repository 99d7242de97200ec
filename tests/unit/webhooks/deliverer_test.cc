#include "storewire/webhooks/deliverer.h"

#include <mutex>

#include "absl/strings/match.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "storewire/webhooks/forward.h"
#include "storewire/webhooks/signature.h"

namespace storewire::webhooks {
namespace {

using google::protobuf::util::TimeUtil;

// Holds every request until the test answers it.
class FakeClient : public http::Client {
 public:
  void Send(http::ClientRequest request, Callback done) override {
    std::lock_guard<std::mutex> lock(mu_);
    requests.push_back(std::move(request));
    callbacks.push_back(std::move(done));
  }
  void Answer(size_t i, absl::StatusOr<http::ClientResponse> r) {
    Callback cb;
    {
      std::lock_guard<std::mutex> lock(mu_);
      cb = std::move(callbacks.at(i));
    }
    cb(std::move(r));
  }
  std::vector<http::ClientRequest> requests;
  std::vector<Callback> callbacks;
  std::mutex mu_;
};

// Acknowledges every record at once.
class FakeSink : public kafka::RecordSink {
 public:
  void Send(kafka::OutgoingRecord record, DeliveryCallback done) override {
    records.push_back(record);
    done(absl::OkStatus());
  }
  std::vector<kafka::OutgoingRecord> On(const std::string& topic) const {
    std::vector<kafka::OutgoingRecord> out;
    for (const auto& r : records) {
      if (r.topic == topic) out.push_back(r);
    }
    return out;
  }
  std::vector<kafka::OutgoingRecord> records;
};

absl::StatusOr<http::ClientResponse> Status(int code, http::HeaderList headers = {}) {
  http::ClientResponse r;
  r.status = code;
  r.headers = std::move(headers);
  return r;
}

std::string HeaderOf(const http::ClientRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class DelivererTest : public ::testing::Test {
 protected:
  DelivererTest() : clock_(absl::FromUnixSeconds(1'800'000'000)) {
    config_.retry_schedule = {absl::Seconds(5), absl::Minutes(5)};
    config_.max_in_flight_per_endpoint = 2;
    config_.max_queued_per_endpoint = 1;
    config_.circuit_failure_threshold = 3;
  }

  void SetUp() override {
    policy_ = std::make_unique<RetryPolicy>("sw", config_);
    store_ = std::make_unique<EndpointStore>(sink_, "sw.webhooks.endpoints", registry_, clock_);
    deliverer_ =
        std::make_unique<Deliverer>(config_, client_, sink_, *store_, *policy_, clock_, timer_);
  }

  EndpointPtr AddEndpoint(const std::string& id) {
    v1::WebhookEndpoint e;
    e.set_id(id);
    e.set_url("https://hooks.example.com/" + id);
    e.set_secret(GenerateSecret());
    registry_.Apply(e);
    return registry_.Find(id);
  }

  DeliveryJob Job(EndpointPtr endpoint, const std::string& event_id, int attempt = 0) {
    DeliveryJob job;
    job.endpoint = std::move(endpoint);
    job.delivery.set_endpoint_id(job.endpoint->id());
    job.delivery.mutable_event()->set_id(event_id);
    job.delivery.set_attempt(attempt);
    job.body = std::make_shared<const std::string>(R"({"id":")" + event_id + R"("})");
    return job;
  }

  void Submit(DeliveryJob job) {
    deliverer_->Submit(std::move(job), [this] { ++done_; });
  }

  WebhooksConfig config_;
  FakeClock clock_;
  FakeClient client_;
  FakeSink sink_;
  Registry registry_;
  Timer timer_;
  std::unique_ptr<RetryPolicy> policy_;
  std::unique_ptr<EndpointStore> store_;
  std::unique_ptr<Deliverer> deliverer_;
  int done_ = 0;
};

TEST_F(DelivererTest, TwoHundredIsDoneWithASignedRequest) {
  EndpointPtr ep = AddEndpoint("ep_a");
  Submit(Job(ep, "evt-1"));
  ASSERT_EQ(client_.requests.size(), 1u);
  const http::ClientRequest& r = client_.requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://hooks.example.com/ep_a");
  EXPECT_FALSE(r.follow_redirects);
  EXPECT_EQ(r.timeout, config_.total_timeout);
  EXPECT_EQ(HeaderOf(r, "webhook-id"), "evt-1");
  EXPECT_EQ(HeaderOf(r, "webhook-timestamp"), "1800000000");
  EXPECT_TRUE(VerifySignature(ep->secret(), "evt-1", 1'800'000'000, r.body,
                              HeaderOf(r, "webhook-signature")));
  EXPECT_EQ(done_, 0);
  client_.Answer(0, Status(204));
  EXPECT_EQ(done_, 1);
  EXPECT_TRUE(sink_.records.empty());
}

TEST_F(DelivererTest, FailureGoesToTheFirstRetryTopicWithItsDueTime) {
  Submit(Job(AddEndpoint("ep_a"), "evt-1"));
  client_.Answer(0, Status(500));
  EXPECT_EQ(done_, 1);
  auto retries = sink_.On("sw.webhooks.retry.5s");
  ASSERT_EQ(retries.size(), 1u);
  EXPECT_EQ(retries[0].key, "ep_a");
  v1::WebhookDelivery d;
  ASSERT_TRUE(d.ParseFromString(retries[0].value));
  EXPECT_EQ(d.attempt(), 1);
  EXPECT_EQ(d.last_status(), 500);
  EXPECT_EQ(d.last_error(), "HTTP 500");
  EXPECT_EQ(d.event().id(), "evt-1");
  const int64_t due = TimeUtil::TimestampToSeconds(d.due_at()) - 1'800'000'000;
  EXPECT_GE(due, 4);  // 5 s +/- 20%
  EXPECT_LE(due, 6);
}

TEST_F(DelivererTest, ExhaustedScheduleEndsInTheDlq) {
  Submit(Job(AddEndpoint("ep_a"), "evt-1", /*attempt=*/2));
  client_.Answer(0, absl::DeadlineExceededError("timeout"));
  EXPECT_EQ(done_, 1);
  EXPECT_TRUE(sink_.On("sw.webhooks.retry.5m").empty());
  auto dead = sink_.On("sw.webhooks.dlq");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].key, "ep_a/evt-1");
  v1::WebhookDelivery d;
  ASSERT_TRUE(d.ParseFromString(dead[0].value));
  EXPECT_EQ(d.attempt(), 3);
  EXPECT_EQ(d.last_error(), "timeout");
  EXPECT_FALSE(d.redriven());
}

TEST_F(DelivererTest, GoneDisablesTheEndpointAndDeadLetters) {
  Submit(Job(AddEndpoint("ep_a"), "evt-1"));
  client_.Answer(0, Status(410));
  EXPECT_EQ(done_, 1);
  EXPECT_EQ(sink_.On("sw.webhooks.dlq").size(), 1u);
  auto updates = sink_.On("sw.webhooks.endpoints");
  ASSERT_EQ(updates.size(), 1u);
  EXPECT_TRUE(registry_.Find("ep_a")->disabled());
  EXPECT_TRUE(absl::StrContains(registry_.Find("ep_a")->disabled_reason(), "410"));
  EXPECT_TRUE(registry_.Matching(v1::SubscriptionEvent()).empty());
}

// The due time follows Retry-After, and a wait longer than the 5s step goes
// to the 5m topic, not in front of the 5s topic's short retries.
TEST_F(DelivererTest, RetryAfterOf429SetsTheDueTime) {
  Submit(Job(AddEndpoint("ep_a"), "evt-1"));
  client_.Answer(0, Status(429, {{"retry-after", "120"}}));
  EXPECT_TRUE(sink_.On("sw.webhooks.retry.5s").empty());
  auto retries = sink_.On("sw.webhooks.retry.5m");
  ASSERT_EQ(retries.size(), 1u);
  v1::WebhookDelivery d;
  ASSERT_TRUE(d.ParseFromString(retries[0].value));
  EXPECT_EQ(TimeUtil::TimestampToSeconds(d.due_at()), 1'800'000'000 + 120);
}

TEST_F(DelivererTest, BusyEndpointQueuesThenDefersWithoutSlowingOthers) {
  EndpointPtr slow = AddEndpoint("ep_slow");
  EndpointPtr fast = AddEndpoint("ep_fast");
  for (int i = 0; i < 5; ++i) Submit(Job(slow, "evt-" + std::to_string(i)));
  // 2 in flight, 1 queued, 2 deferred to the first retry topic (no attempt).
  EXPECT_EQ(client_.requests.size(), 2u);
  auto deferred = sink_.On("sw.webhooks.retry.5s");
  ASSERT_EQ(deferred.size(), 2u);
  v1::WebhookDelivery d;
  ASSERT_TRUE(d.ParseFromString(deferred[0].value));
  EXPECT_EQ(d.attempt(), 0);
  EXPECT_EQ(done_, 2);
  // Another endpoint goes out at once.
  Submit(Job(fast, "evt-fast"));
  ASSERT_EQ(client_.requests.size(), 3u);
  EXPECT_EQ(client_.requests[2].url, "https://hooks.example.com/ep_fast");
  // A finished slow request lets the queued one start.
  client_.Answer(0, Status(200));
  ASSERT_EQ(client_.requests.size(), 4u);
  EXPECT_EQ(HeaderOf(client_.requests[3], "webhook-id"), "evt-2");
}

TEST_F(DelivererTest, CircuitOpensAfterConsecutiveFailures) {
  EndpointPtr ep = AddEndpoint("ep_a");
  for (int i = 0; i < 3; ++i) {
    Submit(Job(ep, "evt-" + std::to_string(i)));
    client_.Answer(i, Status(503));
  }
  ASSERT_EQ(client_.requests.size(), 3u);
  Submit(Job(ep, "evt-open"));
  EXPECT_EQ(client_.requests.size(), 3u);  // deferred without a request
  EXPECT_EQ(done_, 4);
  // After the open period one probe goes through; success closes the circuit.
  clock_.Advance(config_.circuit_open_duration + absl::Seconds(1));
  Submit(Job(ep, "evt-probe"));
  Submit(Job(ep, "evt-waits"));
  ASSERT_EQ(client_.requests.size(), 4u);
  client_.Answer(3, Status(200));
  Submit(Job(ep, "evt-after"));
  EXPECT_EQ(client_.requests.size(), 5u);
}

TEST_F(DelivererTest, FailingLongerThanDisableAfterDisables) {
  config_.disable_after = absl::Hours(1);
  SetUp();
  EndpointPtr ep = AddEndpoint("ep_a");
  Submit(Job(ep, "evt-1"));
  client_.Answer(0, Status(500));
  clock_.Advance(absl::Hours(2));
  Submit(Job(ep, "evt-2"));
  client_.Answer(1, Status(500));
  EXPECT_TRUE(registry_.Find("ep_a")->disabled());
  EXPECT_TRUE(absl::StrContains(registry_.Find("ep_a")->disabled_reason(), "every attempt failed"));
  EXPECT_EQ(sink_.On("sw.webhooks.dlq").size(), 1u);
}

// Raw forwarding shares the machinery: the store's body and headers go out
// unsigned; failures take the same retry topics and dead letters; a forward
// is never disabled (it comes from the config).
class ForwardDelivererTest : public DelivererTest {
 protected:
  EndpointPtr AddForward() {
    Config config;
    AppConfig& app = config.apps.emplace_back();
    app.id = "demo";
    app.forwards["apple"] = {.url = "https://legacy.example.com/apple",
                             .headers = {{"X-Legacy-Key", "k-1"}}};
    registry_.SetForwards(ForwardEndpoints(config));
    return registry_.ForwardFor("demo", v1::STORE_APP_STORE);
  }

  DeliveryJob RawJob(EndpointPtr forward, int attempt = 0) {
    DeliveryJob job;
    job.endpoint = std::move(forward);
    v1::RawNotification& raw = *job.delivery.mutable_raw();
    raw.set_store(v1::STORE_APP_STORE);
    raw.set_app_id("demo");
    raw.set_request_id("req-42");
    raw.set_body(std::string("{\"signedPayload\" : \"a.b.c\"}\n\xff", 30));
    (*raw.mutable_headers())["content-type"] = "application/json; charset=utf-8";
    (*raw.mutable_headers())["user-agent"] = "App Store Server Notifications";
    *raw.mutable_received_at() = TimeUtil::SecondsToTimestamp(1'799'999'990);
    job.delivery.set_endpoint_id(job.endpoint->id());
    job.delivery.set_attempt(attempt);
    job.body = std::make_shared<const std::string>(raw.body());
    return job;
  }
};

TEST_F(ForwardDelivererTest, SendsTheStoresBodyAndHeadersUnsigned) {
  EndpointPtr forward = AddForward();
  ASSERT_NE(forward, nullptr);
  DeliveryJob job = RawJob(forward);
  const std::string body = job.delivery.raw().body();
  Submit(std::move(job));
  ASSERT_EQ(client_.requests.size(), 1u);
  const http::ClientRequest& r = client_.requests[0];
  EXPECT_EQ(r.url, "https://legacy.example.com/apple");
  EXPECT_EQ(r.body, body) << "byte for byte, invalid UTF-8 included";
  EXPECT_EQ(HeaderOf(r, "content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(HeaderOf(r, "user-agent"), "App Store Server Notifications");
  EXPECT_EQ(HeaderOf(r, "X-Legacy-Key"), "k-1");
  EXPECT_EQ(HeaderOf(r, "storewire-request-id"), "req-42");
  EXPECT_EQ(HeaderOf(r, "storewire-app-id"), "demo");
  EXPECT_EQ(HeaderOf(r, "webhook-signature"), "");
  EXPECT_FALSE(r.follow_redirects);
  client_.Answer(0, Status(204));
  EXPECT_EQ(done_, 1);
  EXPECT_TRUE(sink_.records.empty());
}

TEST_F(ForwardDelivererTest, FailureCarriesTheRawNotificationToTheRetryTopic) {
  Submit(RawJob(AddForward()));
  client_.Answer(0, Status(503));
  EXPECT_EQ(done_, 1);
  auto retries = sink_.On("sw.webhooks.retry.5s");
  ASSERT_EQ(retries.size(), 1u);
  EXPECT_EQ(retries[0].key, "fwd_demo_apple");
  v1::WebhookDelivery d;
  ASSERT_TRUE(d.ParseFromString(retries[0].value));
  EXPECT_EQ(d.endpoint_id(), "fwd_demo_apple");
  EXPECT_EQ(d.raw().request_id(), "req-42");
  EXPECT_EQ(d.raw().body().size(), 30u);
  EXPECT_FALSE(d.has_event());
  EXPECT_EQ(d.attempt(), 1);
  EXPECT_EQ(d.last_status(), 503);
}

TEST_F(ForwardDelivererTest, GoneDeadLettersButNeverDisablesTheForward) {
  Submit(RawJob(AddForward()));
  client_.Answer(0, Status(410));
  EXPECT_EQ(done_, 1);
  auto dead = sink_.On("sw.webhooks.dlq");
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].key, "fwd_demo_apple/req-42");
  EXPECT_TRUE(sink_.On("sw.webhooks.endpoints").empty()) << "a forward is not a registry record";
  EXPECT_FALSE(registry_.Find("fwd_demo_apple")->disabled());
}

}  // namespace
}  // namespace storewire::webhooks

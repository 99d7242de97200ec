// storewire-webhooks end to end on the real broker: events produced to
// <prefix>.events.v1 arrive at a real HTTP receiver, signed (checked by the npm
// package standardwebhooks), retried through the delay topics, dead-lettered
// and redriven, and survive a SIGKILL of the dispatcher.
#include <grpcpp/grpcpp.h>

#include <csignal>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "receiver.h"
#include "storewire/kafka/kafka.h"
#include "storewire/testing/process.h"
#include "storewire/v1/webhooks.grpc.pb.h"
#include "storewire/webhooks/registry.h"

namespace storewire::testing {
namespace {

using google::protobuf::util::TimeUtil;

class WebhooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    brokers_ = TestKafkaBrokers();
    if (brokers_.empty()) GTEST_SKIP() << "set STOREWIRE_TEST_KAFKA_BROKERS (tests/run does)";
    prefix_ = UniqueName("wh");
    dir_ = MakeTempDir("webhooks");
    ASSERT_TRUE(receiver_.Start());
  }
  void TearDown() override {
    if (service_.pid() > 0) {
      service_.Signal(SIGTERM);
      service_.Wait(absl::Seconds(20));
    }
    receiver_.Stop();
  }

  // Starts storewire-webhooks with `extra` lines in its webhooks: section.
  void StartService(const std::string& extra = "", bool allow_private = true) {
    if (control_port_ == 0) {
      control_port_ = FreePort();
      admin_port_ = FreePort();
    }
    const std::string config = dir_ + "/storewire.yaml";
    WriteFile(config,
              absl::StrCat("kafka:\n  brokers: ", brokers_, "\n  topic_prefix: ", prefix_,
                           "\n  partitions: 3\n", "webhooks:\n  admin_port: ", admin_port_,
                           "\n  control_port: ", control_port_, "\n  group_id: ", prefix_,
                           "-webhooks\n  allow_private_targets: ", allow_private ? "true" : "false",
                           "\n  retry_schedule: [1s, 1s, 1s, 1s]\n  retry_jitter: 0\n", extra));
    auto child = ChildProcess::Spawn(
        {BinaryPath("storewire-webhooks"), "--config", config, "--instance-id", prefix_}, {},
        dir_ + "/webhooks.log");
    ASSERT_TRUE(child.ok()) << child.status();
    service_ = *std::move(child);
    const std::string ready = absl::StrCat("http://127.0.0.1:", admin_port_, "/readyz");
    ASSERT_TRUE(WaitUntil([&] { return HttpGet(ready, absl::Seconds(1)).status == 200; },
                          absl::Seconds(60)))
        << service_.Log();
    stub_ = v1::WebhookControl::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", control_port_), grpc::InsecureChannelCredentials()));
  }

  v1::WebhookEndpoint Add(const std::string& path, v1::EndpointFilter filter = {}) {
    v1::AddEndpointRequest req;
    req.set_url(receiver_.Url(path));
    *req.mutable_filter() = filter;
    v1::WebhookEndpoint resp;
    grpc::ClientContext ctx;
    grpc::Status s = stub_->AddEndpoint(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  v1::WebhookEndpoint Get(const std::string& id) {
    v1::GetEndpointRequest req;
    req.set_id(id);
    v1::WebhookEndpoint resp;
    grpc::ClientContext ctx;
    EXPECT_TRUE(stub_->GetEndpoint(&ctx, req, &resp).ok());
    return resp;
  }

  std::vector<v1::WebhookDelivery> DeadLetters(const std::string& endpoint_id) {
    v1::ListDeadLettersRequest req;
    req.set_endpoint_id(endpoint_id);
    v1::ListDeadLettersResponse resp;
    grpc::ClientContext ctx;
    grpc::Status s = stub_->ListDeadLetters(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {resp.deliveries().begin(), resp.deliveries().end()};
  }

  v1::SubscriptionEvent Event(v1::EventType type, v1::Environment env) {
    v1::SubscriptionEvent e;
    e.set_id(UniqueName("evt"));
    e.set_type(type);
    e.set_environment(env);
    e.set_store(v1::STORE_APP_STORE);
    e.set_app_id("demo");
    e.set_subscription_key(UniqueName("sub"));
    *e.mutable_received_at() = TimeUtil::GetCurrentTime();
    return e;
  }

  void Produce(const std::vector<v1::SubscriptionEvent>& events) {
    if (!producer_) {
      auto p = kafka::Producer::Create({.brokers = brokers_, .client_id = "it"}, absl::Seconds(20));
      ASSERT_TRUE(p.ok()) << p.status();
      producer_ = *std::move(p);
    }
    for (const v1::SubscriptionEvent& e : events) {
      producer_->Send({.topic = prefix_ + ".events.v1",
                       .key = e.subscription_key(),
                       .value = e.SerializeAsString()},
                      [](absl::Status s) { ASSERT_TRUE(s.ok()) << s; });
    }
    ASSERT_TRUE(producer_->Flush(absl::Seconds(20)).ok());
  }

  void ExpectVerified(const std::string& secret, const std::vector<Captured>& deliveries) {
    bool ok = false;
    std::string out = VerifyWithStandardWebhooks(secret, deliveries, ok);
    EXPECT_TRUE(ok) << out;
  }

  std::string brokers_, prefix_, dir_;
  int control_port_ = 0, admin_port_ = 0;
  Receiver receiver_;
  ChildProcess service_;
  std::unique_ptr<v1::WebhookControl::Stub> stub_;
  std::unique_ptr<kafka::Producer> producer_;
};

TEST_F(WebhooksTest, DeliversSignedEventsToMatchingEndpointsOnly) {
  StartService();
  v1::WebhookEndpoint all = Add("/all");
  v1::EndpointFilter sandbox_expired;
  sandbox_expired.add_event_types("EXPIRED");
  sandbox_expired.add_environments(v1::ENVIRONMENT_SANDBOX);
  v1::WebhookEndpoint filtered = Add("/filtered", sandbox_expired);
  EXPECT_TRUE(absl::StartsWith(all.secret(), "whsec_"));

  std::vector<v1::SubscriptionEvent> events = {
      Event(v1::EVENT_TYPE_RENEWED, v1::ENVIRONMENT_PRODUCTION),
      Event(v1::EVENT_TYPE_EXPIRED, v1::ENVIRONMENT_SANDBOX),
      Event(v1::EVENT_TYPE_EXPIRED, v1::ENVIRONMENT_PRODUCTION)};
  Produce(events);
  ASSERT_TRUE(
      WaitUntil([&] { return receiver_.DistinctIds("/all").size() == 3; }, absl::Seconds(30)))
      << service_.Log();
  ASSERT_TRUE(
      WaitUntil([&] { return receiver_.DistinctIds("/filtered").size() == 1; }, absl::Seconds(10)));
  EXPECT_EQ(receiver_.DistinctIds("/all"),
            (std::set<std::string>{events[0].id(), events[1].id(), events[2].id()}));
  std::vector<Captured> got = receiver_.Requests("/filtered");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, events[1].id());
  EXPECT_EQ(got[0].content_type, "application/json");
  EXPECT_TRUE(absl::StrContains(got[0].user_agent, "storewire"));
  EXPECT_TRUE(absl::StrContains(got[0].body, "\"type\":\"EVENT_TYPE_EXPIRED\"")) << got[0].body;
  EXPECT_TRUE(absl::StrContains(got[0].body, "\"id\":\"" + events[1].id() + "\""));
  ExpectVerified(all.secret(), receiver_.Requests("/all"));
  ExpectVerified(filtered.secret(), got);
  // Another endpoint's secret does not verify.
  bool ok = true;
  VerifyWithStandardWebhooks(all.secret(), got, ok);
  EXPECT_FALSE(ok);
}

TEST_F(WebhooksTest, FailsThreeTimesThenSucceedsWithTheSameWebhookId) {
  receiver_.Behave("/flaky", {500, 503, 500, 200});
  StartService();
  v1::WebhookEndpoint ep = Add("/flaky");
  v1::SubscriptionEvent event = Event(v1::EVENT_TYPE_RENEWED, v1::ENVIRONMENT_PRODUCTION);
  Produce({event});
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto r = receiver_.Requests("/flaky");
        return !r.empty() && r.back().answered == 200;
      },
      absl::Seconds(60)))
      << service_.Log();
  std::vector<Captured> got = receiver_.Requests("/flaky");
  ASSERT_EQ(got.size(), 4u);
  for (const Captured& c : got) EXPECT_EQ(c.id, event.id());
  for (size_t i = 1; i < got.size(); ++i) {
    EXPECT_GE(got[i].at - got[i - 1].at, absl::Milliseconds(900)) << "retry " << i;
  }
  ExpectVerified(ep.secret(), got);
}

// Retries waiting for an hour are not held in memory: their retry-topic
// partitions are paused at them (storewire_webhooks_retry_waiting counts
// partitions, at most the topic's 3), nothing stays in flight, and a healthy
// endpoint keeps getting its events meanwhile.
TEST_F(WebhooksTest, RetriesWaitingForAnHourPauseTheirPartitionsInsteadOfHoldingRecords) {
  receiver_.Behave("/later", {503});
  receiver_.RetryAfter("/later", 3600);
  StartService("  circuit_failure_threshold: 1000\n");
  Add("/later");
  std::vector<v1::SubscriptionEvent> events;
  for (int i = 0; i < 200; ++i) {
    events.push_back(Event(v1::EVENT_TYPE_RENEWED, v1::ENVIRONMENT_PRODUCTION));
  }
  Produce(events);
  ASSERT_TRUE(
      WaitUntil([&] { return receiver_.DistinctIds("/later").size() == 200; }, absl::Seconds(60)))
      << service_.Log();
  const std::string metrics_url = absl::StrCat("http://127.0.0.1:", admin_port_, "/metrics");
  auto gauge = [&](const std::string& name) {
    const std::string text = HttpGet(metrics_url, absl::Seconds(5)).body;
    const size_t at = text.find("\n" + name + " ");
    return at == std::string::npos ? -1.0 : std::stod(text.substr(at + name.size() + 2));
  };
  ASSERT_TRUE(
      WaitUntil([&] { return gauge("storewire_webhooks_retry_waiting") > 0; }, absl::Seconds(30)))
      << service_.Log();
  absl::SleepFor(absl::Seconds(2));
  EXPECT_LE(gauge("storewire_webhooks_retry_waiting"), 3.0);
  EXPECT_EQ(gauge("storewire_webhooks_in_flight"), 0.0);
  EXPECT_EQ(receiver_.Count("/later"), 200u) << "nothing is retried before it is due";

  Add("/healthy");
  v1::SubscriptionEvent fresh = Event(v1::EVENT_TYPE_EXPIRED, v1::ENVIRONMENT_PRODUCTION);
  Produce({fresh});
  ASSERT_TRUE(WaitUntil([&] { return receiver_.DistinctIds("/healthy").count(fresh.id()) == 1; },
                        absl::Seconds(30)));
}

TEST_F(WebhooksTest, AlwaysFailingEndsInTheDlqThenRedriveDelivers) {
  receiver_.Behave("/down", {500});
  StartService();
  v1::WebhookEndpoint ep = Add("/down");
  v1::SubscriptionEvent event = Event(v1::EVENT_TYPE_REFUNDED, v1::ENVIRONMENT_PRODUCTION);
  Produce({event});
  std::vector<v1::WebhookDelivery> dead;
  ASSERT_TRUE(WaitUntil(
      [&] {
        dead = DeadLetters(ep.id());
        return !dead.empty();
      },
      absl::Seconds(60)))
      << service_.Log();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].event().id(), event.id());
  EXPECT_EQ(dead[0].attempt(), 5);  // 1 + 4 retries
  EXPECT_EQ(dead[0].last_status(), 500);
  EXPECT_EQ(receiver_.Requests("/down").size(), 5u);

  receiver_.Behave("/down", {200});  // the endpoint is fixed
  const int64_t before = absl::ToUnixSeconds(absl::Now());
  v1::WebhookRedriveRequest req;
  req.set_endpoint_id(ep.id());
  v1::WebhookRedriveResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->Redrive(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.redriven(), 1);
  ASSERT_TRUE(WaitUntil([&] { return receiver_.Requests("/down").back().answered == 200; },
                        absl::Seconds(30)));
  Captured redriven = receiver_.Requests("/down").back();
  EXPECT_EQ(redriven.id, event.id());
  EXPECT_GE(std::stoll(redriven.timestamp), before);  // re-signed, fresh timestamp
  ExpectVerified(ep.secret(), {redriven});
  EXPECT_TRUE(DeadLetters(ep.id()).empty());
}

TEST_F(WebhooksTest, GoneDisablesTheEndpoint) {
  receiver_.Behave("/gone", {410});
  StartService();
  v1::WebhookEndpoint ep = Add("/gone");
  Produce({Event(v1::EVENT_TYPE_RENEWED, v1::ENVIRONMENT_PRODUCTION)});
  ASSERT_TRUE(WaitUntil([&] { return Get(ep.id()).disabled(); }, absl::Seconds(30)))
      << service_.Log();
  EXPECT_TRUE(absl::StrContains(Get(ep.id()).disabled_reason(), "410"));
  Produce({Event(v1::EVENT_TYPE_RENEWED, v1::ENVIRONMENT_PRODUCTION)});
  absl::SleepFor(absl::Seconds(2));  // nothing may arrive: give it the chance
  EXPECT_EQ(receiver_.Requests("/gone").size(), 1u);
}

TEST_F(WebhooksTest, HangingEndpointDoesNotSlowAHealthyOne) {
  receiver_.Behave("/hang", {-1});
  StartService("  total_timeout: 20s\n  max_in_flight_per_endpoint: 4\n");
  Add("/hang");
  Add("/healthy");
  std::vector<v1::SubscriptionEvent> events;
  for (int i = 0; i < 200; ++i) {
    events.push_back(Event(v1::EVENT_TYPE_RENEWED, v1::ENVIRONMENT_PRODUCTION));
  }
  const absl::Time start = absl::Now();
  Produce(events);
  ASSERT_TRUE(
      WaitUntil([&] { return receiver_.DistinctIds("/healthy").size() == 200; }, absl::Seconds(15)))
      << receiver_.DistinctIds("/healthy").size() << " of 200\n"
      << service_.Log();
  // Every healthy delivery arrived while the hanging endpoint still held its
  // first requests (20 s timeout).
  EXPECT_LT(absl::Now() - start, absl::Seconds(15));
  EXPECT_LE(receiver_.Requests("/hang").size(), 4u);
}

TEST_F(WebhooksTest, SigkillUnderLoadLosesNoEvent) {
  StartService();
  v1::WebhookEndpoint ep = Add("/load");
  std::vector<v1::SubscriptionEvent> events;
  for (int i = 0; i < 2000; ++i) {
    events.push_back(Event(v1::EVENT_TYPE_RENEWED, v1::ENVIRONMENT_PRODUCTION));
  }
  Produce(events);
  ASSERT_TRUE(
      WaitUntil([&] { return receiver_.Requests("/load").size() >= 300; }, absl::Seconds(30)));
  service_.Signal(SIGKILL);
  service_.Wait(absl::Seconds(10));
  const size_t at_kill = receiver_.DistinctIds("/load").size();
  StartService();
  ASSERT_TRUE(WaitUntil([&] { return receiver_.DistinctIds("/load").size() == events.size(); },
                        absl::Seconds(90)))
      << receiver_.DistinctIds("/load").size() << " of " << events.size() << " (at kill " << at_kill
      << ")\n"
      << service_.Log();
  std::set<std::string> expected;
  for (const auto& e : events) expected.insert(e.id());
  EXPECT_EQ(receiver_.DistinctIds("/load"), expected);
  // Duplicates (at least once) carry the same webhook-id and a valid signature.
  std::vector<Captured> sample = receiver_.Requests("/load");
  sample.resize(std::min<size_t>(sample.size(), 50));
  ExpectVerified(ep.secret(), sample);
}

TEST_F(WebhooksTest, RotatedSecretSignsWithBothDuringTheOverlap) {
  StartService();
  v1::WebhookEndpoint ep = Add("/rotate");
  v1::RotateSecretRequest req;
  req.set_id(ep.id());
  req.set_overlap_seconds(3600);
  v1::WebhookEndpoint rotated;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->RotateSecret(&ctx, req, &rotated).ok());
  EXPECT_NE(rotated.secret(), ep.secret());
  EXPECT_EQ(rotated.previous_secret(), ep.secret());
  Produce({Event(v1::EVENT_TYPE_RENEWED, v1::ENVIRONMENT_PRODUCTION)});
  ASSERT_TRUE(WaitUntil([&] { return !receiver_.Requests("/rotate").empty(); }, absl::Seconds(30)));
  std::vector<Captured> got = receiver_.Requests("/rotate");
  EXPECT_EQ(std::count(got[0].signature.begin(), got[0].signature.end(), ' '), 1)
      << got[0].signature;
  ExpectVerified(ep.secret(), got);
  ExpectVerified(rotated.secret(), got);
}

TEST_F(WebhooksTest, ReplaySendsAnEndpointTheEventsOfATimeRangeAgain) {
  StartService();
  v1::WebhookEndpoint ep = Add("/replay");
  std::vector<v1::SubscriptionEvent> events = {
      Event(v1::EVENT_TYPE_RENEWED, v1::ENVIRONMENT_PRODUCTION),
      Event(v1::EVENT_TYPE_EXPIRED, v1::ENVIRONMENT_PRODUCTION)};
  v1::SubscriptionEvent old = Event(v1::EVENT_TYPE_RENEWED, v1::ENVIRONMENT_PRODUCTION);
  *old.mutable_received_at() = TimeUtil::SecondsToTimestamp(1'000'000);  // outside the range
  events.push_back(old);
  Produce(events);
  ASSERT_TRUE(
      WaitUntil([&] { return receiver_.Requests("/replay").size() == 3; }, absl::Seconds(30)));
  v1::WebhookReplayRequest req;
  req.set_endpoint_id(ep.id());
  *req.mutable_from() = TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(absl::Now()) - 3600);
  v1::WebhookReplayResponse resp;
  grpc::ClientContext ctx;
  grpc::Status s = stub_->Replay(&ctx, req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.queued(), 2);
  ASSERT_TRUE(
      WaitUntil([&] { return receiver_.Requests("/replay").size() == 5; }, absl::Seconds(30)));
  std::vector<Captured> got = receiver_.Requests("/replay");
  EXPECT_EQ((std::set<std::string>{got[3].id, got[4].id}),
            (std::set<std::string>{events[0].id(), events[1].id()}));
  ExpectVerified(ep.secret(), got);
}

TEST_F(WebhooksTest, LoopbackIsRefusedUnlessAllowed) {
  StartService("", /*allow_private=*/false);
  v1::WebhookEndpoint ep = Add("/private");
  v1::SendTestEventRequest req;
  req.set_id(ep.id());
  v1::SendTestEventResponse resp;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub_->SendTestEvent(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), 0);
  EXPECT_TRUE(absl::StrContains(resp.error(), "SSRF")) << resp.error();
  EXPECT_TRUE(receiver_.Requests("/private").empty());
  EXPECT_FALSE(absl::StrContains(service_.Log(), ep.secret()));  // secrets never logged
}

TEST_F(WebhooksTest, StorewirectlAddsListsTestsAndRemovesEndpoints) {
  StartService();
  const std::string server = absl::StrCat("127.0.0.1:", control_port_);
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), BinaryPath("storewirectl"));
    args.push_back("--server");
    args.push_back(server);
    const std::string log = dir_ + "/ctl-" + UniqueName("out") + ".log";
    auto child = ChildProcess::Spawn(args, {}, log);
    EXPECT_TRUE(child.ok());
    int rc = child->Wait(absl::Seconds(60));
    return std::make_pair(rc, ReadFile(log));
  };
  auto [rc, out] = run({"endpoints", "add", "--url", receiver_.Url("/ctl"), "--events",
                        "RENEWED,EXPIRED", "--environment", "SANDBOX"});
  ASSERT_EQ(rc, 0) << out;
  EXPECT_TRUE(absl::StrContains(out, "whsec_")) << out;
  const size_t at = out.find("\"id\":\"ep_");
  ASSERT_NE(at, std::string::npos) << out;
  const std::string id = out.substr(at + 6, out.find('"', at + 6) - (at + 6));
  auto [rc_list, list] = run({"endpoints", "list"});
  EXPECT_EQ(rc_list, 0);
  EXPECT_TRUE(absl::StrContains(list, id)) << list;
  EXPECT_FALSE(absl::StrContains(list, "whsec_")) << list;  // listings redact secrets
  auto [rc_test, test] = run({"endpoints", "test", id});
  EXPECT_EQ(rc_test, 0) << test;
  EXPECT_EQ(receiver_.Requests("/ctl").size(), 1u);
  auto [rc_rm, rm] = run({"endpoints", "rm", id});
  EXPECT_EQ(rc_rm, 0) << rm;
  auto [rc_list2, list2] = run({"endpoints", "list"});
  EXPECT_FALSE(absl::StrContains(list2, id)) << list2;
  auto [rc_get, get] = run({"endpoints", "get", id});
  EXPECT_EQ(rc_get, 1) << get;
}

}  // namespace
}  // namespace storewire::testing

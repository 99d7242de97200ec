// Raw forwarding end to end on the real broker: storewire-ingress stores what
// the stores post, storewire-webhooks forwards it from the raw topics to the
// apps' configured URLs (a real HTTP receiver): the body byte for byte with
// the store's headers, retried through the webhook retry topics, dead-lettered
// and redriven like any webhook delivery.
#include <grpcpp/grpcpp.h>

#include <csignal>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "receiver.h"
#include "storewire/testing/process.h"
#include "storewire/v1/webhooks.grpc.pb.h"

namespace storewire::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Pair;

class ForwardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    brokers_ = TestKafkaBrokers();
    if (brokers_.empty()) GTEST_SKIP() << "set STOREWIRE_TEST_KAFKA_BROKERS (tests/run does)";
    prefix_ = UniqueName("fwd");
    dir_ = MakeTempDir("forward");
    ASSERT_TRUE(receiver_.Start());
    http_port_ = FreePort();
    const std::string config = dir_ + "/storewire.yaml";
    WriteFile(config,
              absl::StrCat("kafka:\n  brokers: ", brokers_, "\n  topic_prefix: ", prefix_,
                           "\n  partitions: 3\n"
                           "apps:\n"
                           "  - id: demo\n"
                           "    apple:\n"
                           "      bundle_id: com.example\n"
                           "      forward:\n"
                           "        url: ",
                           receiver_.Url("/legacy/apple"),
                           "\n        headers: {X-Legacy-Key: k-1}\n"
                           "    google:\n"
                           "      package_name: com.example.app\n"
                           "      verify_push_token: false\n"
                           "      forward: {url: \"",
                           receiver_.Url("/legacy/google"),
                           "\"}\n"
                           "  - id: quiet\n"
                           "    apple: {bundle_id: com.quiet}\n"
                           "ingress:\n  bind_address: 127.0.0.1\n  http_port: ",
                           http_port_, "\n  admin_port: ", FreePort(), "\n  control_port: ",
                           FreePort(), "\nwebhooks:\n  admin_port: ", FreePort(),
                           "\n  control_port: ", control_port_, "\n  group_id: ", prefix_,
                           "-webhooks\n  allow_private_targets: true\n  forward_start: earliest\n"
                           "  retry_schedule: [1s, 1s]\n  retry_jitter: 0\n"));
    auto ingress = ChildProcess::Spawn({BinaryPath("storewire-ingress"), "--config", config}, {},
                                       dir_ + "/ingress.log");
    ASSERT_TRUE(ingress.ok()) << ingress.status();
    ingress_ = *std::move(ingress);
    auto webhooks = ChildProcess::Spawn(
        {BinaryPath("storewire-webhooks"), "--config", config, "--instance-id", prefix_}, {},
        dir_ + "/webhooks.log");
    ASSERT_TRUE(webhooks.ok()) << webhooks.status();
    webhooks_ = *std::move(webhooks);
    stub_ = v1::WebhookControl::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", control_port_), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    for (ChildProcess* p : {&webhooks_, &ingress_}) {
      if (p->pid() > 0) {
        p->Signal(SIGTERM);
        p->Wait(absl::Seconds(20));
      }
    }
    receiver_.Stop();
  }

  // Posts until the ingress (still starting) answers; returns the last answer.
  HttpResult Post(const std::string& path, const std::string& body,
                  const std::vector<std::string>& headers) {
    HttpResult r;
    WaitUntil(
        [&] {
          r = HttpPost(absl::StrCat("http://127.0.0.1:", http_port_, path), body, headers,
                       absl::Seconds(10));
          return r.status != 0 && r.status != 503;
        },
        absl::Seconds(60));
    return r;
  }

  bool WaitForRequests(const std::string& path, size_t n) {
    return WaitUntil([&] { return receiver_.Count(path) >= n; }, absl::Seconds(60));
  }

  std::string Log() { return webhooks_.Log() + ingress_.Log(); }

  std::string brokers_, prefix_, dir_;
  int http_port_ = 0, control_port_ = FreePort();
  Receiver receiver_;
  ChildProcess ingress_, webhooks_;
  std::unique_ptr<v1::WebhookControl::Stub> stub_;
};

// An App Store Server Notification V2 envelope, oddly spaced: a forward must
// not re-serialize it.
constexpr char kAppleBody[] =
    "{ \"signedPayload\" :\n  \"eyJhbGciOiJFUzI1NiJ9.eyJub3RpZmljYXRpb25UeXBlIjoiVEVTVCJ9.c2ln\" "
    "}\n";

TEST_F(ForwardTest, ForwardsTheStoresBodyByteForByteWithItsHeaders) {
  HttpResult apple = Post("/v1/apple/demo", kAppleBody,
                          {"content-type: application/json; charset=utf-8",
                           "user-agent: App Store Server Notifications"});
  ASSERT_EQ(apple.status, 200) << apple.body << Log();
  const std::string apple_request_id = apple.headers["x-request-id"];
  ASSERT_FALSE(apple_request_id.empty());

  const std::string push = absl::StrCat(
      R"({"message":{"data":")",
      absl::Base64Escape(
          R"({"version":"1.0","packageName":"com.example.app",)"
          R"("eventTimeMillis":"1700000000000","testNotification":{"version":"1.0"}})"),
      R"(","messageId":"136969346945","publishTime":"2026-11-22T06:00:00Z"},)"
      R"("subscription":"projects/p/subscriptions/rtdn"})");
  HttpResult google = Post("/v1/google/demo", push,
                           {"content-type: application/json", "authorization: Bearer push-token"});
  ASSERT_EQ(google.status, 200) << google.body << Log();
  // An app without a forward: stored, never forwarded.
  ASSERT_EQ(Post("/v1/apple/quiet", kAppleBody, {"content-type: application/json"}).status, 200);

  ASSERT_TRUE(WaitForRequests("/legacy/apple", 1)) << Log();
  ASSERT_TRUE(WaitForRequests("/legacy/google", 1)) << Log();
  std::vector<Captured> a = receiver_.Requests("/legacy/apple");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].body, kAppleBody);
  EXPECT_EQ(a[0].content_type, "application/json; charset=utf-8");
  EXPECT_EQ(a[0].user_agent, "App Store Server Notifications");
  EXPECT_THAT(a[0].headers, Contains(Pair("x-legacy-key", "k-1")));
  EXPECT_THAT(a[0].headers, Contains(Pair("storewire-request-id", apple_request_id)));
  EXPECT_THAT(a[0].headers, Contains(Pair("storewire-app-id", "demo")));
  EXPECT_EQ(a[0].signature, "") << "forwards are the store's requests, not signed events";

  std::vector<Captured> g = receiver_.Requests("/legacy/google");
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].body, push);
  EXPECT_THAT(g[0].headers, Contains(Pair("authorization", "Bearer push-token")));
  EXPECT_THAT(g[0].headers, Contains(Pair("storewire-request-id", google.headers["x-request-id"])));

  // Nothing else arrives (the quiet app's notification is not forwarded).
  absl::SleepFor(absl::Seconds(2));
  EXPECT_EQ(receiver_.Count("/legacy/apple"), 1u);
  EXPECT_EQ(receiver_.Count("/legacy/google"), 1u);

  // The forwards are listed with the endpoints and refuse operator edits.
  grpc::ClientContext list_ctx;
  v1::ListEndpointsResponse listed;
  ASSERT_TRUE(stub_->ListEndpoints(&list_ctx, {}, &listed).ok());
  ASSERT_EQ(listed.endpoints_size(), 2);
  EXPECT_EQ(listed.endpoints(0).id(), "fwd_demo_apple");
  EXPECT_EQ(listed.endpoints(1).id(), "fwd_demo_google");
  grpc::ClientContext disable_ctx;
  v1::SetEndpointEnabledRequest disable;
  disable.set_id("fwd_demo_apple");
  v1::WebhookEndpoint ignored;
  grpc::Status s = stub_->DisableEndpoint(&disable_ctx, disable, &ignored);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(s.error_message(), HasSubstr("apps[demo].apple.forward"));
}

TEST_F(ForwardTest, FailingForwardRetriesThenDeadLettersThenRedriveDelivers) {
  receiver_.Behave("/legacy/apple", {500});
  HttpResult posted = Post("/v1/apple/demo", kAppleBody, {"content-type: application/json"});
  ASSERT_EQ(posted.status, 200) << Log();
  const std::string request_id = posted.headers["x-request-id"];

  // First attempt + the two retries of the schedule, then the DLQ.
  std::vector<v1::WebhookDelivery> dead;
  ASSERT_TRUE(WaitUntil(
      [&] {
        grpc::ClientContext ctx;
        v1::ListDeadLettersRequest req;
        req.set_endpoint_id("fwd_demo_apple");
        v1::ListDeadLettersResponse resp;
        if (!stub_->ListDeadLetters(&ctx, req, &resp).ok()) return false;
        dead.assign(resp.deliveries().begin(), resp.deliveries().end());
        return !dead.empty();
      },
      absl::Seconds(90)))
      << Log();
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].raw().body(), kAppleBody);
  EXPECT_EQ(dead[0].raw().request_id(), request_id);
  EXPECT_EQ(dead[0].attempt(), 3);
  EXPECT_EQ(dead[0].last_status(), 500);
  EXPECT_EQ(receiver_.Count("/legacy/apple"), 3u);

  receiver_.Behave("/legacy/apple", {200});
  grpc::ClientContext ctx;
  v1::WebhookRedriveRequest redrive;
  redrive.set_endpoint_id("fwd_demo_apple");
  redrive.set_event_id(request_id);
  v1::WebhookRedriveResponse redriven;
  grpc::Status s = stub_->Redrive(&ctx, redrive, &redriven);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(redriven.redriven(), 1);
  ASSERT_TRUE(WaitForRequests("/legacy/apple", 4)) << Log();
  std::vector<Captured> all = receiver_.Requests("/legacy/apple");
  EXPECT_EQ(all.back().answered, 200);
  EXPECT_EQ(all.back().body, kAppleBody);
  for (const Captured& c : all) {
    EXPECT_THAT(c.headers, Contains(Pair("storewire-request-id", request_id)));
  }
  // The request id follows the notification from the ingress to its forward.
  EXPECT_THAT(ingress_.Log(), HasSubstr(request_id));
  EXPECT_THAT(webhooks_.Log(), HasSubstr(absl::StrCat("\"request_id\":\"", request_id)));
}

}  // namespace
}  // namespace storewire::testing

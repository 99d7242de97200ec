// The webhooks and metrics control services check the bearer token on every
// call, like the ingress and normalizer ones: no token or a wrong one is
// UNAUTHENTICATED before the call touches anything, the right one is served.
#include <grpcpp/grpcpp.h>

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storewire/cli/cli.h"
#include "storewire/control/server.h"
#include "storewire/core/clock.h"
#include "storewire/subscriber_base/grpc_service.h"
#include "storewire/v1/subscribers.grpc.pb.h"
#include "storewire/v1/webhooks.grpc.pb.h"
#include "storewire/webhooks/control_service.h"
#include "storewire/webhooks/registry.h"

namespace storewire::control {
namespace {

using ::testing::HasSubstr;

constexpr char kToken[] = "ops-token-5d21";

// Endpoint writes are never reached by these calls; a sink that accepts
// everything keeps the store constructible.
class AcceptingSink : public kafka::RecordSink {
 public:
  void Send(kafka::OutgoingRecord, DeliveryCallback done) override { done(absl::OkStatus()); }
};

class ServiceAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ControlConfig config;
    config.tokens = {kToken};
    ASSERT_TRUE(server_.Configure(config).ok());
    v1::WebhookEndpoint endpoint;
    endpoint.set_id("ep_listed");
    endpoint.set_url("https://hooks.example.com/a");
    endpoint.set_secret("whsec_c2VjcmV0LXZhbHVlLW5vdC1saXN0ZWQ=");
    registry_.Apply(endpoint);
    webhooks_ = std::make_unique<webhooks::ControlService>(
        webhooks::ControlService::Deps{.config = &webhooks_config_,
                                       .store = &store_,
                                       .clock = &SystemClock::Get(),
                                       .events_topic = "unused.events.v1",
                                       .auth = &server_.authenticator()});
    subscribers_ =
        std::make_unique<subscriber_base::SubscriberBaseService>(base_, server_.authenticator());
    server_.AddService(webhooks_.get());
    server_.AddService(subscribers_.get());
    ASSERT_TRUE(server_.Start("127.0.0.1", 0).ok());
    auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_.port()),
                                       grpc::InsecureChannelCredentials());
    webhook_stub_ = v1::WebhookControl::NewStub(channel);
    subscriber_stub_ = v1::SubscriberBase::NewStub(channel);
  }
  void TearDown() override { server_.Shutdown(); }

  static void Authorize(grpc::ClientContext& context, const std::string& authorization) {
    if (!authorization.empty()) context.AddMetadata("authorization", authorization);
  }

  grpc::Status ListEndpoints(const std::string& authorization, v1::ListEndpointsResponse& out) {
    grpc::ClientContext context;
    Authorize(context, authorization);
    return webhook_stub_->ListEndpoints(&context, {}, &out);
  }
  grpc::Status AddEndpoint(const std::string& authorization) {
    grpc::ClientContext context;
    Authorize(context, authorization);
    v1::AddEndpointRequest request;
    request.set_url("https://attacker.example.com/");
    v1::WebhookEndpoint out;
    return webhook_stub_->AddEndpoint(&context, request, &out);
  }
  grpc::Status Summary(const std::string& authorization, v1::SummaryResponse& out) {
    grpc::ClientContext context;
    Authorize(context, authorization);
    return subscriber_stub_->Summary(&context, {}, &out);
  }

  WebhooksConfig webhooks_config_;
  AcceptingSink sink_;
  webhooks::Registry registry_;
  webhooks::EndpointStore store_{sink_, "unused.endpoints", registry_, SystemClock::Get()};
  subscriber_base::SubscriberBase base_{{}, SystemClock::Get()};
  ControlServer server_;
  std::unique_ptr<webhooks::ControlService> webhooks_;
  std::unique_ptr<subscriber_base::SubscriberBaseService> subscribers_;
  std::unique_ptr<v1::WebhookControl::Stub> webhook_stub_;
  std::unique_ptr<v1::SubscriberBase::Stub> subscriber_stub_;
};

TEST_F(ServiceAuthTest, WebhookControlNeedsTheToken) {
  v1::ListEndpointsResponse listed;
  grpc::Status none = ListEndpoints("", listed);
  EXPECT_EQ(none.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(none.error_message(), HasSubstr("missing bearer token"));
  EXPECT_EQ(listed.endpoints_size(), 0);

  grpc::Status wrong = ListEndpoints("Bearer guessed", listed);
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(wrong.error_message(), HasSubstr("invalid bearer token"));
  EXPECT_THAT(wrong.error_message(), ::testing::Not(HasSubstr(kToken)));

  // A write without the token changes nothing.
  EXPECT_EQ(AddEndpoint("").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(registry_.List().size(), 1u);

  grpc::Status right = ListEndpoints(absl::StrCat("Bearer ", kToken), listed);
  ASSERT_TRUE(right.ok()) << right.error_message();
  ASSERT_EQ(listed.endpoints_size(), 1);
  EXPECT_EQ(listed.endpoints(0).id(), "ep_listed");
  EXPECT_EQ(listed.endpoints(0).secret(), "") << "listings never carry secrets";
}

TEST_F(ServiceAuthTest, SubscriberBaseNeedsTheToken) {
  v1::SummaryResponse summary;
  grpc::Status none = Summary("", summary);
  EXPECT_EQ(none.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  grpc::Status wrong = Summary("Bearer guessed", summary);
  EXPECT_EQ(wrong.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  grpc::Status right = Summary(absl::StrCat("Bearer ", kToken), summary);
  EXPECT_TRUE(right.ok()) << right.error_message();
}

struct CliRun {
  int exit = -1;
  std::string out, err;
};

CliRun Ctl(std::vector<std::string> args) {
  std::istringstream in;
  std::ostringstream out, err;
  CliRun r;
  r.exit = cli::Main(args, in, out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

// storewirectl endpoints and subscribers send --token (or
// $STOREWIRE_CONTROL_TOKEN) like the other verbs, and say what to do when it
// is refused (exit 5).
TEST_F(ServiceAuthTest, StorewirectlSendsTheTokenToWebhooksAndMetrics) {
  const std::string address = absl::StrCat("127.0.0.1:", server_.port());
  CliRun refused = Ctl({"endpoints", "list", "--server", address});
  EXPECT_EQ(refused.exit, 5) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("missing bearer token"));
  EXPECT_THAT(refused.err, HasSubstr("STOREWIRE_CONTROL_TOKEN"));

  CliRun listed = Ctl({"endpoints", "list", "--server", address, "--token", kToken});
  EXPECT_EQ(listed.exit, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr(R"("id":"ep_listed")"));

  CliRun summary_refused = Ctl({"subscribers", "summary", "--metrics", address, "--token", "nope"});
  EXPECT_EQ(summary_refused.exit, 5) << summary_refused.err;
  EXPECT_THAT(summary_refused.err, HasSubstr("invalid bearer token"));

  CliRun summary =
      Ctl({"subscribers", "summary", "--metrics", address, "--token", kToken, "--output", "json"});
  EXPECT_EQ(summary.exit, 0) << summary.err;
  EXPECT_THAT(summary.out, HasSubstr(R"("reportingCurrency": "USD")"));
  EXPECT_THAT(summary.out, HasSubstr(R"("activeSubscriptions": "0")"));
}

}  // namespace
}  // namespace storewire::control

// The ingress behind the real HTTP server on port 0, with a fake sink.
#include <atomic>
#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "storewire/http/server.h"
#include "storewire/ingress/ingress.h"
#include "tests/unit/http/test_client.h"
#include "tests/unit/ingress/fake_sink.h"
#include "tests/unit/ingress/test_bodies.h"

namespace storewire::ingress {
namespace {

using ::storewire::testing::BuildRequest;
using ::storewire::testing::Eventually;
using ::storewire::testing::FakeSink;
using ::storewire::testing::RawConnection;
using ::storewire::testing::RawResponse;

const testing::HeaderPairs kJson = {{"Content-Type", "application/json"}};

class IngressHttpTest : public ::testing::Test {
 protected:
  void Start(absl::Duration request_timeout = absl::Seconds(5)) {
    absl::StatusOr<Config> config = ParseConfig(testing::kTestConfigYaml, "test.yaml");
    ASSERT_TRUE(config.ok()) << config.status();
    config_ = *config;
    config_.ingress.produce_timeout = absl::Seconds(2);
    config_.ingress.request_timeout = request_timeout;
    ingress_ = std::make_unique<Ingress>(config_, sink_, Ingress::Options{.metrics = &metrics_});
    http::ServerOptions options{
        .name = "ingress-test",
        .bind_address = "127.0.0.1",
        .port = 0,
        .threads = 2,
        .max_body_bytes = config_.ingress.max_body_bytes,
        .request_timeout = config_.ingress.request_timeout,
        .idle_timeout = config_.ingress.idle_timeout,
        .handler_timeout = config_.ingress.produce_timeout + absl::Seconds(1),
        .max_connections = config_.ingress.max_connections};
    auto server = http::Server::Start(options, [this](http::Request r, http::Responder respond) {
      ingress_->Handle(std::move(r), std::move(respond));
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
  }

  void TearDown() override {
    if (server_) server_->Stop(absl::Seconds(5));
  }

  std::optional<RawResponse> PostOnce(const std::string& path, const std::string& body) {
    RawConnection c(server_->port());
    if (!c.Send(BuildRequest("POST", path, body, kJson))) return std::nullopt;
    return c.ReadResponse();
  }

  MetricsRegistry metrics_;
  Config config_;
  FakeSink sink_;
  std::unique_ptr<Ingress> ingress_;
  std::unique_ptr<http::Server> server_;
};

TEST_F(IngressHttpTest, SeveralNotificationsOnOneKeepAliveConnection) {
  Start();
  RawConnection c(server_->port());
  const std::vector<std::pair<std::string, std::string>> requests = {
      {"/v1/apple/demo", testing::AppleV2Body("1000000123")},
      {"/v1/google/demo", testing::GoogleSubscriptionBody()},
      {"/v1/huawei/demo", testing::kHuaweiOrderBody},
      {"/v1/amazon/demo", testing::kAmazonNotificationBody},
      {"/v1/apple/demo", testing::kAppleV1Body}};
  for (const auto& [path, body] : requests) {
    ASSERT_TRUE(c.Send(BuildRequest("POST", path, body, kJson)));
    std::optional<RawResponse> r = c.ReadResponse();
    ASSERT_TRUE(r.has_value()) << path;
    EXPECT_EQ(r->status, 200) << path << " " << r->body;
    EXPECT_EQ(r->Header("x-request-id").size(), 36u);
  }
  EXPECT_EQ(server_->connections(), 1);
  std::vector<kafka::OutgoingRecord> records = sink_.records();
  ASSERT_EQ(records.size(), 5u);
  EXPECT_EQ(records[0].key, "1000000123");
  EXPECT_EQ(records[1].key, "tok-abc");
  EXPECT_EQ(records[2].key, "hw-token-1");
  EXPECT_EQ(records[3].key, "amzn-receipt-1");
  EXPECT_EQ(records[4].key, "1000000777");
}

TEST_F(IngressHttpTest, ZeroByteBodyIs400) {
  Start();
  auto r = PostOnce("/v1/apple/demo", "");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(sink_.count(), 0u);
}

TEST_F(IngressHttpTest, TenMebibyteBodyIs413AndTheServerKeepsServing) {
  Start();
  RawConnection c(server_->port());
  const std::string body(10 * 1024 * 1024, 'x');
  // Write in the background: the server answers after the headers and
  // closes, so the write may well fail part-way.
  std::thread writer([&] { c.Send(BuildRequest("POST", "/v1/apple/demo", body, kJson)); });
  std::optional<RawResponse> r = c.ReadResponse();
  writer.join();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(sink_.count(), 0u);
  auto after = PostOnce("/v1/apple/demo", testing::kAppleV1Body);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->status, 200);
}

TEST_F(IngressHttpTest, InvalidUtf8Is400) {
  Start();
  auto r = PostOnce("/v1/apple/demo", "{\"signedPayload\":\"\xc3\x28\"}");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(sink_.count(), 0u);
}

TEST_F(IngressHttpTest, TruncatedJsonIs400) {
  Start();
  const std::string body = testing::AppleV2Body("1000000123");
  auto r = PostOnce("/v1/apple/demo", body.substr(0, body.size() - 3));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(sink_.count(), 0u);
}

TEST_F(IngressHttpTest, SlowClientIsCutOffAtRequestTimeout) {
  Start(/*request_timeout=*/absl::Milliseconds(500));
  RawConnection c(server_->port());
  const std::string request = BuildRequest("POST", "/v1/apple/demo", testing::kAppleV1Body, kJson);
  const absl::Time start = absl::Now();
  size_t sent = 0;
  // One byte every 100 ms.
  while (sent < request.size() && c.Send(request.substr(sent, 1))) {
    ++sent;
    if (c.WaitClosed(absl::Milliseconds(100))) break;
  }
  EXPECT_TRUE(c.closed() || c.WaitClosed(absl::Seconds(2)));
  EXPECT_LT(sent, request.size());
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
  EXPECT_EQ(sink_.count(), 0u);
}

TEST_F(IngressHttpTest, ThousandConcurrentConnectionsAreAllAnsweredOrClosed) {
  constexpr int kConnections = 1000;
  testing::RaiseOpenFilesLimit(4 * kConnections + 256);
  Start();
  sink_.Delay(absl::Milliseconds(20));
  std::vector<std::unique_ptr<RawConnection>> connections;
  connections.reserve(kConnections);
  for (int i = 0; i < kConnections; ++i) {
    connections.push_back(std::make_unique<RawConnection>(server_->port()));
  }
  int sent = 0;
  for (auto& c : connections) {
    if (c->connected() &&
        c->Send(BuildRequest("POST", "/v1/apple/demo", testing::kAppleV1Body, kJson))) {
      ++sent;
    }
  }
  int ok = 0;
  int closed = 0;
  int other = 0;
  for (auto& c : connections) {
    std::optional<RawResponse> r = c->ReadResponse(absl::Seconds(30));
    if (r.has_value() && r->status == 200) {
      ++ok;
    } else if (!r.has_value() && c->closed()) {
      ++closed;
    } else {
      ++other;
    }
  }
  EXPECT_EQ(ok + closed, kConnections) << "sent " << sent << ", other " << other;
  EXPECT_GT(ok, 0);
  connections.clear();
  sink_.Succeed();
  auto after = PostOnce("/v1/apple/demo", testing::kAppleV1Body);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->status, 200);
  EXPECT_TRUE(Eventually([&] { return server_->connections() == 0; }));
}

}  // namespace
}  // namespace storewire::ingress

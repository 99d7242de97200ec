// The ingress binary on the real broker: what it answers 200 for is on the raw
// topic byte for byte with the subscription's key; with the broker down it
// answers 503, never 200; when the broker is back it stores again.
#include <csignal>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline_fixture.h"
#include "storewire/crypto/base64.h"
#include "storewire/v1/raw.pb.h"

namespace storewire::testing {
namespace {

// An Apple V2 body whose (unsigned) payload nests a transaction with the
// given originalTransactionId: the ingress derives the key without verifying.
std::string AppleBody(const std::string& original_transaction_id, const std::string& uuid) {
  auto jws = [](const std::string& payload) {
    return absl::StrCat(crypto::Base64UrlEncode(R"({"alg":"ES256"})"), ".",
                        crypto::Base64UrlEncode(payload), ".", crypto::Base64UrlEncode("sig"));
  };
  std::string transaction = jws(absl::StrCat(R"({"originalTransactionId":")",
                                             original_transaction_id, R"(","transactionId":"1"})"));
  std::string payload =
      absl::StrCat(R"({"notificationType":"DID_RENEW","notificationUUID":")", uuid,
                   R"(","data":{"signedTransactionInfo":")", transaction, R"("}})");
  return absl::StrCat(R"({"signedPayload":")", jws(payload), R"("})");
}

class IngressOnKafkaTest : public PipelineTest {
 protected:
  // Starts storewire-ingress against `brokers`; returns false if it never
  // became ready.
  bool StartIngress(const std::string& brokers) {
    http_port_ = FreePort();
    admin_port_ = FreePort();
    std::string config = WriteConfig(
        brokers, absl::StrCat("ingress:\n  http_port: ", http_port_,
                              "\n  admin_port: ", admin_port_, "\n  control_port: ", FreePort(),
                              "\n  produce_timeout: 3s\n  bind_address: 127.0.0.1\n"));
    auto child = ChildProcess::Spawn({BinaryPath("storewire-ingress"), "--config", config}, {},
                                     dir_ + "/ingress.log");
    if (!child.ok()) return false;
    ingress_ = std::move(*child);
    return WaitUntil(
        [&] {
          return HttpGet(absl::StrCat("http://127.0.0.1:", admin_port_, "/readyz"),
                         absl::Seconds(2))
                     .status == 200;
        },
        absl::Seconds(60));
  }

  HttpResult PostApple(const std::string& body) {
    return HttpPost(absl::StrCat("http://127.0.0.1:", http_port_, "/v1/apple/demo"), body,
                    {"content-type: application/json"}, absl::Seconds(20));
  }

  int admin_port_ = 0;
};

TEST_F(IngressOnKafkaTest, StoredBodyIsOnTheRawTopicByteForByteKeyedByOriginalTransaction) {
  ASSERT_TRUE(StartIngress(brokers_)) << ingress_.Log();
  std::string body = AppleBody("1000000123", "6f1c6d5e-0000-4000-8000-000000000001");
  HttpResult r = PostApple(body);
  ASSERT_EQ(r.status, 200) << r.body << "\n" << ingress_.Log();

  std::vector<kafka::ConsumedRecord> records = Consume({Topic("raw.apple")}, 1, absl::Seconds(30));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].key, "1000000123");
  v1::RawNotification raw;
  ASSERT_TRUE(raw.ParseFromString(records[0].value));
  EXPECT_EQ(raw.body(), body);
  EXPECT_EQ(raw.store(), v1::STORE_APP_STORE);
  EXPECT_EQ(raw.app_id(), "demo");
  EXPECT_EQ(raw.partition_key(), "1000000123");
  EXPECT_EQ(raw.path(), "/v1/apple/demo");
  EXPECT_FALSE(raw.request_id().empty());
  EXPECT_GT(raw.received_at().seconds(), 1700000000);

  ingress_.Signal(SIGTERM);
  EXPECT_EQ(ingress_.Wait(absl::Seconds(30)), 0) << ingress_.Log();
}

TEST_F(IngressOnKafkaTest, RejectedAtTheDoorNeverReachesKafka) {
  ASSERT_TRUE(StartIngress(brokers_)) << ingress_.Log();
  EXPECT_EQ(PostApple("{\"nope\":1}").status, 400);
  EXPECT_EQ(PostApple("").status, 400);
  EXPECT_EQ(HttpPost(absl::StrCat("http://127.0.0.1:", http_port_, "/v1/apple/ghost"),
                     AppleBody("1", "u"), {"content-type: application/json"}, absl::Seconds(10))
                .status,
            404);
  // A good one afterwards is the only record on the topic.
  ASSERT_EQ(PostApple(AppleBody("42", "6f1c6d5e-0000-4000-8000-000000000002")).status, 200);
  std::vector<kafka::ConsumedRecord> records = Consume({Topic("raw.apple")}, 2, absl::Seconds(8));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].key, "42");
}

// Uses a broker of its own: stopping the shared one would break other tests.
TEST_F(IngressOnKafkaTest, BrokerDownMeans503NeverA200AndRecoveryAfterwards) {
  std::string kafka_dir = dir_ + "/own-kafka";
  std::string script = SourcePath("tests/kafka/broker");
  auto start = ChildProcess::Spawn({script, "start", kafka_dir}, {}, dir_ + "/broker-start.log");
  ASSERT_TRUE(start.ok());
  ASSERT_EQ(start->Wait(absl::Seconds(180)), 0) << start->Log();
  std::string own_brokers = ReadFile(kafka_dir + "/bootstrap");
  own_brokers.erase(own_brokers.find_last_not_of(" \n") + 1);
  struct StopBroker {
    std::string script, dir, log;
    ~StopBroker() {
      auto s = ChildProcess::Spawn({script, "stop", dir}, {}, log);
      if (s.ok()) s->Wait(absl::Seconds(60));
    }
  } stop_at_end{script, kafka_dir, dir_ + "/broker-stop.log"};

  ASSERT_TRUE(StartIngress(own_brokers)) << ingress_.Log();
  ASSERT_EQ(PostApple(AppleBody("7", "6f1c6d5e-0000-4000-8000-000000000003")).status, 200)
      << ingress_.Log();

  auto stop = ChildProcess::Spawn({script, "stop", kafka_dir}, {}, dir_ + "/broker-stop1.log");
  ASSERT_TRUE(stop.ok());
  ASSERT_EQ(stop->Wait(absl::Seconds(60)), 0) << stop->Log();

  for (int i = 0; i < 5; ++i) {
    HttpResult r = PostApple(AppleBody("7", absl::StrCat("down-", i)));
    EXPECT_EQ(r.status, 503) << "attempt " << i << ": " << r.body;
    EXPECT_FALSE(r.headers["retry-after"].empty()) << "503 should say when to retry";
  }

  auto restart =
      ChildProcess::Spawn({script, "restart", kafka_dir}, {}, dir_ + "/broker-restart.log");
  ASSERT_TRUE(restart.ok());
  ASSERT_EQ(restart->Wait(absl::Seconds(180)), 0) << restart->Log();
  EXPECT_TRUE(WaitUntil(
      [&] {
        return PostApple(AppleBody("7", "6f1c6d5e-0000-4000-8000-000000000004")).status == 200;
      },
      absl::Seconds(90)))
      << ingress_.Log();
}

}  // namespace
}  // namespace storewire::testing

#include "storewire/ingress/ingress.h"

#include <future>

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "storewire/v1/raw.pb.h"
#include "tests/unit/http/test_client.h"
#include "tests/unit/ingress/fake_sink.h"
#include "tests/unit/ingress/test_bodies.h"

namespace storewire::ingress {
namespace {

using ::storewire::testing::FakeSink;

class IngressTest : public ::testing::Test {
 protected:
  IngressTest() : clock_(absl::FromUnixSeconds(1763800000) + absl::Milliseconds(250)) {
    absl::StatusOr<Config> config = ParseConfig(testing::kTestConfigYaml, "test.yaml");
    EXPECT_TRUE(config.ok()) << config.status();
    config_ = *config;
    config_.ingress.produce_timeout = absl::Milliseconds(300);
    config_.ingress.max_body_bytes = 4096;
    ingress_ = std::make_unique<Ingress>(config_, sink_,
                                         Ingress::Options{.clock = &clock_, .metrics = &metrics_});
  }

  http::Response Call(http::Request request) {
    auto promise = std::make_shared<std::promise<http::Response>>();
    std::future<http::Response> future = promise->get_future();
    ingress_->Handle(std::move(request), http::Responder([promise](http::Response r) {
                       promise->set_value(std::move(r));
                     }));
    if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      ADD_FAILURE() << "no response within 10 s";
      return {.status = -1};
    }
    return future.get();
  }

  static http::Request Post(const std::string& path, const std::string& body,
                            const std::string& content_type = "application/json") {
    http::Request r{.method = "POST", .target = path, .path = path, .body = body};
    if (!content_type.empty()) r.headers.emplace_back("content-type", content_type);
    r.remote_address = "203.0.113.7";
    return r;
  }

  v1::RawNotification OnlyRecord() {
    std::vector<kafka::OutgoingRecord> records = sink_.records();
    EXPECT_EQ(records.size(), 1u);
    v1::RawNotification raw;
    if (!records.empty()) {
      EXPECT_TRUE(raw.ParseFromString(records[0].value));
    }
    return raw;
  }

  std::string OnlyKey() {
    std::vector<kafka::OutgoingRecord> records = sink_.records();
    EXPECT_EQ(records.size(), 1u);
    return records.empty() ? "" : records[0].key;
  }

  uint64_t Count(const std::string& store, const std::string& app, const std::string& status) {
    return metrics_
        .GetCounter("storewire_ingress_requests_total", "",
                    {{"store", store}, {"app", app}, {"status", status}})
        .Value();
  }

  FakeClock clock_;
  MetricsRegistry metrics_;
  Config config_;
  FakeSink sink_;
  std::unique_ptr<Ingress> ingress_;
};

// ---- accepted requests and what reaches Kafka ------------------------------

TEST_F(IngressTest, AppleV2IsStoredAndKeyedByTheNestedOriginalTransactionId) {
  http::Request request = Post("/v1/apple/demo", testing::AppleV2Body("1000000123"));
  request.headers.emplace_back("user-agent", "App Store");
  request.headers.emplace_back("x-request-id", "req-42");
  request.headers.emplace_back("authorization", "Bearer secret");
  http::Response r = Call(request);

  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"stored","request_id":"req-42"})");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"x-request-id", "req-42"}));

  std::vector<kafka::OutgoingRecord> records = sink_.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].topic, "storewire.raw.apple");
  EXPECT_EQ(records[0].key, "1000000123");
  v1::RawNotification raw = OnlyRecord();
  EXPECT_EQ(raw.store(), v1::STORE_APP_STORE);
  EXPECT_EQ(raw.app_id(), "demo");
  EXPECT_EQ(raw.body(), request.body);
  EXPECT_EQ(raw.partition_key(), "1000000123");
  EXPECT_EQ(raw.request_id(), "req-42");
  EXPECT_EQ(raw.path(), "/v1/apple/demo");
  EXPECT_EQ(raw.remote_address(), "203.0.113.7");
  EXPECT_EQ(raw.received_at().seconds(), 1763800000);
  EXPECT_EQ(raw.received_at().nanos(), 250000000);
  EXPECT_EQ(raw.headers().at("content-type"), "application/json");
  EXPECT_EQ(raw.headers().at("user-agent"), "App Store");
  EXPECT_EQ(raw.headers().at("x-request-id"), "req-42");
  EXPECT_EQ(raw.headers().count("authorization"), 0u);  // only kept for Google
  EXPECT_EQ(Count("apple", "demo", "200"), 1u);
}

TEST_F(IngressTest, AppleV2WithoutTransactionIsKeyedByNotificationUuid) {
  const std::string payload = testing::UnsignedJws(
      R"({"notificationType":"TEST","notificationUUID":"9f2c7a10-1111-4222-8333-444455556666"})");
  EXPECT_EQ(Call(Post("/v1/apple/demo", R"({"signedPayload":")" + payload + R"("})")).status, 200);
  EXPECT_EQ(OnlyKey(), "9f2c7a10-1111-4222-8333-444455556666");
}

TEST_F(IngressTest, UndecodableSignedPayloadIsStoredKeyedByTheRequestId) {
  http::Request request = Post("/v1/apple/demo", R"({"signedPayload":"not-a-jws"})");
  request.headers.emplace_back("x-request-id", "abc-123");
  EXPECT_EQ(Call(request).status, 200);
  EXPECT_EQ(OnlyKey(), "abc-123");
}

TEST_F(IngressTest, AppleV1IsKeyedByTheLatestReceiptsOriginalTransactionId) {
  EXPECT_EQ(Call(Post("/v1/apple/demo", testing::kAppleV1Body)).status, 200);
  EXPECT_EQ(OnlyKey(), "1000000777");
}

TEST_F(IngressTest, GoogleIsKeyedByThePurchaseTokenAndKeepsAuthorization) {
  http::Request request = Post("/v1/google/demo", testing::GoogleSubscriptionBody());
  request.headers.emplace_back("authorization", "Bearer eyJ.jwt");
  EXPECT_EQ(Call(request).status, 200);
  v1::RawNotification raw = OnlyRecord();
  EXPECT_EQ(raw.partition_key(), "tok-abc");
  EXPECT_EQ(raw.headers().at("authorization"), "Bearer eyJ.jwt");
  EXPECT_EQ(sink_.records()[0].topic, "storewire.raw.google");
}

TEST_F(IngressTest, GoogleOneTimeAndVoidedNotificationsAreKeyedByTheirToken) {
  EXPECT_EQ(Call(Post("/v1/google/demo",
                      testing::GoogleBody(R"({"oneTimeProductNotification":{"purchaseToken":"otp",)"
                                          R"("sku":"coins","notificationType":1}})")))
                .status,
            200);
  EXPECT_EQ(
      Call(Post("/v1/google/demo",
                testing::GoogleBody(R"({"voidedPurchaseNotification":{"purchaseToken":"void",)"
                                    R"("orderId":"GPA.1"}})")))
          .status,
      200);
  std::vector<kafka::OutgoingRecord> records = sink_.records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].key, "otp");
  EXPECT_EQ(records[1].key, "void");
}

TEST_F(IngressTest, GoogleTestNotificationFallsBackToTheMessageIdInEitherSpelling) {
  EXPECT_EQ(Call(Post("/v1/google/demo", testing::GoogleBody(R"({"testNotification":{}})"))).status,
            200);
  const std::string snake = R"({"message":{"data":"e30=","message_id":"777"},"subscription":"s"})";
  EXPECT_EQ(Call(Post("/v1/google/demo", snake)).status, 200);
  std::vector<kafka::OutgoingRecord> records = sink_.records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].key, "136969346945");
  EXPECT_EQ(records[1].key, "777");
}

TEST_F(IngressTest, HuaweiOrderAndSubscriptionAreKeyedByThePurchaseToken) {
  EXPECT_EQ(Call(Post("/v1/huawei/demo", testing::kHuaweiOrderBody)).status, 200);
  EXPECT_EQ(Call(Post("/v1/huawei/demo", testing::kHuaweiSubscriptionBody)).status, 200);
  std::vector<kafka::OutgoingRecord> records = sink_.records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].key, "hw-token-1");
  EXPECT_EQ(records[1].key, "hw-sub-token");
  EXPECT_EQ(records[0].topic, "storewire.raw.huawei");
}

TEST_F(IngressTest, AmazonSnsAsTextPlainIsKeyedByReceiptIdAndKeepsSnsHeaders) {
  http::Request request =
      Post("/v1/amazon/demo", testing::kAmazonNotificationBody, "text/plain; charset=UTF-8");
  request.headers.emplace_back("x-amz-sns-message-type", "Notification");
  request.headers.emplace_back("x-amz-sns-topic-arn", "arn:aws:sns:us-east-1:1:t");
  EXPECT_EQ(Call(request).status, 200);
  v1::RawNotification raw = OnlyRecord();
  EXPECT_EQ(raw.partition_key(), "amzn-receipt-1");
  EXPECT_EQ(raw.headers().at("x-amz-sns-message-type"), "Notification");
  EXPECT_EQ(raw.headers().at("x-amz-sns-topic-arn"), "arn:aws:sns:us-east-1:1:t");
  EXPECT_EQ(raw.headers().at("content-type"), "text/plain; charset=UTF-8");
}

TEST_F(IngressTest, AmazonSubscriptionConfirmationIsKeyedByMessageId) {
  EXPECT_EQ(Call(Post("/v1/amazon/demo", testing::kAmazonConfirmationBody, "text/plain")).status,
            200);
  EXPECT_EQ(OnlyKey(), "165545c9-2a5c-472c-8df2-7ff2be2b3b1b");
}

TEST_F(IngressTest, MissingContentTypeIsAccepted) {
  EXPECT_EQ(Call(Post("/v1/apple/demo", testing::kAppleV1Body, "")).status, 200);
}

TEST_F(IngressTest, InsaneRequestIdIsReplacedByAUuid) {
  http::Request request = Post("/v1/apple/demo", testing::kAppleV1Body);
  request.headers.emplace_back("x-request-id", "has spaces\" and quotes");
  http::Response r = Call(request);
  EXPECT_EQ(r.status, 200);
  const std::string id = OnlyRecord().request_id();
  EXPECT_EQ(id.size(), 36u);
  EXPECT_NE(id, "has spaces\" and quotes");
  EXPECT_EQ(r.headers.at(0).second, id);
}

// ---- rejections at the door ------------------------------------------------

struct Rejection {
  std::string name;
  std::string method;
  std::string path;
  std::string body;
  std::string content_type;
  int status;
};

class IngressRejectionTest : public IngressTest, public ::testing::WithParamInterface<Rejection> {};

TEST_P(IngressRejectionTest, IsAnsweredWithItsStatusAndNothingReachesTheSink) {
  const Rejection& p = GetParam();
  http::Request request = Post(p.path, p.body, p.content_type);
  request.method = p.method;
  http::Response r = Call(request);
  EXPECT_EQ(r.status, p.status) << r.body;
  EXPECT_TRUE(absl::StrContains(r.body, R"("error":")")) << r.body;
  EXPECT_EQ(sink_.count(), 0u);
}

const std::string kV1 = testing::kAppleV1Body;

INSTANTIATE_TEST_SUITE_P(
    Statuses, IngressRejectionTest,
    ::testing::Values(
        Rejection{"RootPath", "POST", "/", kV1, "application/json", 404},
        Rejection{"WrongVersion", "POST", "/v2/apple/demo", kV1, "application/json", 404},
        Rejection{"NoApp", "POST", "/v1/apple", kV1, "application/json", 404},
        Rejection{"EmptyApp", "POST", "/v1/apple/", kV1, "application/json", 404},
        Rejection{"ExtraSegment", "POST", "/v1/apple/demo/x", kV1, "application/json", 404},
        Rejection{"UnknownStore", "POST", "/v1/samsung/demo", kV1, "application/json", 404},
        Rejection{"UnknownApp", "POST", "/v1/apple/nope", kV1, "application/json", 404},
        Rejection{"AppWithoutStoreSection", "POST", "/v1/google/apple_only",
                  testing::GoogleSubscriptionBody(), "application/json", 404},
        Rejection{"Get", "GET", "/v1/apple/demo", "", "", 405},
        Rejection{"Put", "PUT", "/v1/apple/demo", kV1, "application/json", 405},
        Rejection{"BodyTooLarge", "POST", "/v1/apple/demo", std::string(4097, ' '),
                  "application/json", 413},
        Rejection{"Multipart", "POST", "/v1/apple/demo", kV1, "multipart/form-data; boundary=x",
                  415},
        Rejection{"FormEncoded", "POST", "/v1/google/demo", kV1,
                  "application/x-www-form-urlencoded", 415},
        Rejection{"TextPlainForApple", "POST", "/v1/apple/demo", kV1, "text/plain", 415},
        Rejection{"EmptyBody", "POST", "/v1/apple/demo", "", "application/json", 400},
        Rejection{"NotJson", "POST", "/v1/apple/demo", "hello", "application/json", 400},
        Rejection{"TruncatedJson", "POST", "/v1/apple/demo", kV1.substr(0, kV1.size() / 2),
                  "application/json", 400},
        Rejection{"InvalidUtf8", "POST", "/v1/apple/demo", "{\"notification_type\":\"\xff\xfe\"}",
                  "application/json", 400},
        Rejection{"JsonArray", "POST", "/v1/apple/demo", "[1,2]", "application/json", 400},
        Rejection{"TrailingGarbage", "POST", "/v1/apple/demo", kV1 + "x", "application/json", 400},
        Rejection{"AppleWithoutPayload", "POST", "/v1/apple/demo", R"({"hello":"world"})",
                  "application/json", 400},
        Rejection{"AppleEmptySignedPayload", "POST", "/v1/apple/demo", R"({"signedPayload":""})",
                  "application/json", 400},
        Rejection{"GoogleWithoutData", "POST", "/v1/google/demo",
                  R"({"message":{"messageId":"1"}})", "application/json", 400},
        Rejection{"HuaweiWrongShape", "POST", "/v1/huawei/demo", R"({"eventType":"ORDER"})",
                  "application/json", 400},
        Rejection{"AmazonWithoutMessageId", "POST", "/v1/amazon/demo", R"({"Type":"Notification"})",
                  "text/plain", 400},
        Rejection{"AppleBodyOnAmazonRoute", "POST", "/v1/amazon/demo", kV1, "application/json",
                  400}),
    [](const ::testing::TestParamInfo<Rejection>& info) { return info.param.name; });

TEST_F(IngressTest, MethodNotAllowedNamesPost) {
  http::Request request = Post("/v1/apple/demo", "");
  request.method = "GET";
  http::Response r = Call(request);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.at(1), (std::pair<std::string, std::string>{"allow", "POST"}));
}

TEST_F(IngressTest, RejectionsAreCountedWithBoundedAppLabels) {
  Call(Post("/v1/apple/nope-1", kV1));
  Call(Post("/v1/apple/nope-2", kV1));
  Call(Post("/v1/apple/demo", "{}"));
  Call(Post("/x", "{}"));
  EXPECT_EQ(Count("apple", "unknown", "404"), 2u);
  EXPECT_EQ(Count("apple", "demo", "400"), 1u);
  EXPECT_EQ(Count("unknown", "unknown", "404"), 1u);
}

// ---- the broker does not acknowledge ---------------------------------------

TEST_F(IngressTest, SinkFailureIsAnswered503WithRetryAfter) {
  sink_.Fail(absl::UnavailableError("broker down"));
  http::Response r = Call(Post("/v1/apple/demo", kV1));
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(absl::StrContains(r.body, "broker down")) << r.body;
  EXPECT_EQ(r.headers.at(1), (std::pair<std::string, std::string>{"retry-after", "5"}));
  EXPECT_EQ(sink_.count(), 1u);
  EXPECT_EQ(Count("apple", "demo", "503"), 1u);
  EXPECT_EQ(Count("apple", "demo", "200"), 0u);
}

TEST_F(IngressTest, SinkThatNeverCompletesIsAnswered503AfterProduceTimeout) {
  sink_.Never();
  const absl::Time start = absl::Now();
  http::Response r = Call(Post("/v1/apple/demo", kV1));
  EXPECT_EQ(r.status, 503);
  EXPECT_TRUE(absl::StrContains(r.body, "produce_timeout")) << r.body;
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(290));
  EXPECT_EQ(ingress_->in_flight(), 0);
}

TEST_F(IngressTest, AcknowledgementAfterTheTimeoutDoesNotTurnA503IntoA200) {
  sink_.Delay(absl::Milliseconds(600));
  http::Response r = Call(Post("/v1/apple/demo", kV1));
  EXPECT_EQ(r.status, 503);
  // The late acknowledgement arrives and is ignored (no second count).
  EXPECT_TRUE(testing::Eventually([&] { return Count("apple", "demo", "503") == 1; }));
  ASSERT_TRUE(testing::Eventually([&] { return sink_.delivered() == 1; }));
  EXPECT_EQ(Count("apple", "demo", "200"), 0u);
}

TEST_F(IngressTest, AcknowledgementWithinTheTimeoutIsAnswered200) {
  sink_.Delay(absl::Milliseconds(50));
  EXPECT_EQ(Call(Post("/v1/apple/demo", kV1)).status, 200);
  EXPECT_EQ(ingress_->in_flight(), 0);
}

TEST(ChooseRequestIdTest, KeepsSaneIdsAndReplacesOthers) {
  EXPECT_EQ(ChooseRequestId("a-b_c.d:e"), "a-b_c.d:e");
  EXPECT_EQ(ChooseRequestId(std::nullopt).size(), 36u);
  EXPECT_EQ(ChooseRequestId("").size(), 36u);
  EXPECT_EQ(ChooseRequestId(std::string(129, 'a')).size(), 36u);
  EXPECT_EQ(ChooseRequestId("new\nline").size(), 36u);
}

}  // namespace
}  // namespace storewire::ingress

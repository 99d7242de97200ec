// End to end on the real broker for Huawei and Amazon: signed notifications
// posted to storewire-ingress come out of storewire-normalizer as
// SubscriptionEvents; forged ones land on <prefix>.rejected. For Amazon a
// local HTTP server in this process plays SNS (the signing certificate, from
// a CA generated here, and the SubscribeURL) and the Receipt Verification
// Service; the config's URL patterns allow-list it.
#include <atomic>

#include "../integration/pipeline/pipeline_fixture.h"
#include "gtest/gtest.h"
#include "storewire/http/server.h"
#include "storewire/testing/rsa_test_keys.h"
#include "storewire/v1/event.pb.h"
#include "storewire/v1/raw.pb.h"

namespace storewire::testing {
namespace {

constexpr char kTopic[] = "arn:aws:sns:us-east-1:123456789012:appstore-rtn";

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

class HuaweiAmazonEndToEndTest : public PipelineTest {
 protected:
  void SetUp() override {
    PipelineTest::SetUp();
    if (IsSkipped()) return;
    cert_pem_ = TestCertificate::Issue(sns_key_).leaf_pem;
    auto fake = http::Server::Start(
        {.name = "fake-amazon", .bind_address = "127.0.0.1", .port = 0},
        [this](http::Request request, http::Responder respond) {
          if (request.path == "/SimpleNotificationService-test.pem") {
            ++cert_fetches_;
            return respond({.status = 200, .content_type = "text/plain", .body = cert_pem_});
          }
          if (request.target.rfind("/?Action=ConfirmSubscription&", 0) == 0) {
            ++confirmations_;
            return respond({.status = 200, .content_type = "text/xml", .body = "<ok/>"});
          }
          if (request.path.rfind("/rvs/version/1.0/verifyReceiptId/developer/rvs-secret/", 0) ==
              0) {
            return respond({.status = 200,
                            .body = R"({"receiptId":"rcpt-e2e","productId":"com.example.sub",)"
                                    R"("termSku":"com.example.sub.monthly","term":"1 Month",)"
                                    R"("purchaseDate":1761962900000,"renewalDate":1764554900000,)"
                                    R"("autoRenewing":true,"testTransaction":true})"});
          }
          respond({.status = 404});
        });
    ASSERT_TRUE(fake.ok()) << fake.status();
    fake_ = *std::move(fake);
    fake_base_ = absl::StrCat("http://127.0.0.1:", fake_->port());
    const std::string port_re = absl::StrCat("127\\.0\\.0\\.1:", fake_->port());

    const std::string path = dir_ + "/storewire.yaml";
    WriteFile(path,
              absl::StrCat(
                  KafkaSection(),
                  "apps:\n  - id: demo\n    huawei:\n      public_key: ", huawei_key_.SpkiBase64(),
                  "\n      application_id: \"10123456\"\n", "    amazon:\n      topic_arns: [",
                  kTopic, "]\n", "      signing_cert_url_pattern: '^http://", port_re,
                  "/.+\\.pem$'\n", "      subscribe_url_pattern: '^http://", port_re,
                  "/\\?Action=ConfirmSubscription&.+$'\n", "      shared_secret: rvs-secret\n",
                  "      rvs_base_url: ", fake_base_, "/rvs\n", ServiceSections()));
    StartIngressAndNormalizer(path);
  }

  void TearDown() override {
    if (fake_) fake_->Stop(absl::Seconds(1));
  }

  HttpResult Post(const std::string& store, const std::string& body,
                  const std::string& content_type) {
    return PostTo(absl::StrCat("/v1/", store, "/demo"), body, {"content-type: " + content_type});
  }

  std::string HuaweiBody(const std::string& status, const std::string& signature) {
    return absl::StrCat(
        R"({"version":"v2","eventType":"SUBSCRIPTION","notifyTime":1761963000000,)"
        R"("applicationId":"10123456","subNotification":{"statusUpdateNotification":)",
        Quote(status), R"(,"notificationSignature":")", signature,
        R"(","signatureAlgorithm":"SHA256WithRSA/PSS"}})");
  }

  SnsFields Sns() const {
    SnsFields f;
    f.topic_arn = kTopic;
    f.signing_cert_url = fake_base_ + "/SimpleNotificationService-test.pem";
    return f;
  }

  RsaTestKey huawei_key_ = RsaTestKey::Generate(2048);
  RsaTestKey sns_key_ = RsaTestKey::Generate(2048);
  std::string cert_pem_;
  std::atomic<int> cert_fetches_{0};
  std::atomic<int> confirmations_{0};
  std::unique_ptr<http::Server> fake_;
  std::string fake_base_;
};

TEST_F(HuaweiAmazonEndToEndTest, HuaweiSignedRenewalIsAnEventAndAForgeryIsRejected) {
  const std::string status =
      R"({"environment":"PROD","notificationType":2,"subscriptionId":"SUB-E2E",)"
      R"("orderId":"ORD-1","productId":"monthly.pro","applicationId":"10123456","autoRenewStatus":1})";
  HttpResult r = Post("huawei", HuaweiBody(status, huawei_key_.SignBase64(status, "SHA256", 32)),
                      "application/json");
  ASSERT_EQ(r.status, 200) << r.body << ingress_.Log();
  std::vector<kafka::ConsumedRecord> events = Consume({Topic("events.v1")}, 1, absl::Seconds(60));
  ASSERT_EQ(events.size(), 1u) << normalizer_.Log();
  EXPECT_EQ(events[0].key, "SUB-E2E");
  v1::SubscriptionEvent event;
  ASSERT_TRUE(event.ParseFromString(events[0].value));
  EXPECT_EQ(event.type(), v1::EVENT_TYPE_RENEWED);
  EXPECT_EQ(event.store(), v1::STORE_APP_GALLERY);
  EXPECT_EQ(event.environment(), v1::ENVIRONMENT_PRODUCTION);
  EXPECT_EQ(event.product_id(), "monthly.pro");
  EXPECT_EQ(event.store_notification().type(), "RENEWAL");

  std::string forged = status;
  forged.replace(forged.find("monthly.pro"), 11, "yearly.pro!");
  ASSERT_EQ(Post("huawei", HuaweiBody(forged, huawei_key_.SignBase64(status, "SHA256", 32)),
                 "application/json")
                .status,
            200);
  std::vector<kafka::ConsumedRecord> rejected = Consume({Topic("rejected")}, 1, absl::Seconds(60));
  ASSERT_EQ(rejected.size(), 1u) << normalizer_.Log();
  v1::RejectedNotification rejection;
  ASSERT_TRUE(rejection.ParseFromString(rejected[0].value));
  EXPECT_EQ(rejection.reason(), v1::REJECT_REASON_BAD_SIGNATURE);
  EXPECT_EQ(rejection.source_topic(), Topic("raw.huawei"));
}

TEST_F(HuaweiAmazonEndToEndTest, AmazonConfirmationNotificationAndForgeries) {
  // The subscription confirmation is stored, verified and confirmed.
  SnsFields confirm = Sns();
  confirm.type = "SubscriptionConfirmation";
  confirm.message = "You have chosen to subscribe to the topic.";
  confirm.token = "tok-e2e";
  confirm.subscribe_url =
      fake_base_ + "/?Action=ConfirmSubscription&TopicArn=" + kTopic + "&Token=tok-e2e";
  HttpResult r = Post("amazon", SignedSnsBody(confirm, sns_key_), "text/plain; charset=UTF-8");
  ASSERT_EQ(r.status, 200) << r.body << ingress_.Log();
  ASSERT_TRUE(WaitUntil([&] { return confirmations_ >= 1; }, absl::Seconds(60)))
      << normalizer_.Log();

  // A notification (version 1) becomes an event enriched by the RVS receipt.
  SnsFields n = Sns();
  n.message_id = "msg-e2e-1";
  n.signature_version = "1";
  n.message = RtnMessageJson("SUBSCRIPTION_RENEWED", "rcpt-e2e");
  ASSERT_EQ(Post("amazon", SignedSnsBody(n, sns_key_), "text/plain; charset=UTF-8").status, 200);
  std::vector<kafka::ConsumedRecord> events = Consume({Topic("events.v1")}, 1, absl::Seconds(60));
  ASSERT_EQ(events.size(), 1u) << normalizer_.Log();
  v1::SubscriptionEvent event;
  ASSERT_TRUE(event.ParseFromString(events[0].value));
  EXPECT_EQ(events[0].key, "rcpt-e2e");
  EXPECT_EQ(event.type(), v1::EVENT_TYPE_RENEWED);
  EXPECT_EQ(event.store(), v1::STORE_AMAZON_APPSTORE);
  EXPECT_EQ(event.environment(), v1::ENVIRONMENT_SANDBOX);
  EXPECT_EQ(event.product_id(), "com.example.sub.monthly");
  EXPECT_EQ(event.customer_id(), "amzn-user-1");
  EXPECT_EQ(event.expires_at().seconds(), 1764554900);
  EXPECT_EQ(event.store_notification().id(), "msg-e2e-1");
  EXPECT_EQ(cert_fetches_, 1) << "the certificate is cached";

  // Unknown topic: 401 at the door, nothing stored.
  SnsFields other = n;
  other.topic_arn = "arn:aws:sns:us-east-1:999999999999:someone-else";
  EXPECT_EQ(Post("amazon", SignedSnsBody(other, sns_key_), "text/plain").status, 401);

  // Signed by another key: stored, then rejected.
  SnsFields forged = n;
  forged.message_id = "msg-e2e-forged";
  RsaTestKey attacker = RsaTestKey::Generate(2048);
  ASSERT_EQ(Post("amazon", SignedSnsBody(forged, attacker), "text/plain").status, 200);
  std::vector<kafka::ConsumedRecord> rejected = Consume({Topic("rejected")}, 1, absl::Seconds(60));
  ASSERT_EQ(rejected.size(), 1u) << normalizer_.Log();
  v1::RejectedNotification rejection;
  ASSERT_TRUE(rejection.ParseFromString(rejected[0].value));
  EXPECT_EQ(rejection.reason(), v1::REJECT_REASON_BAD_SIGNATURE);
  EXPECT_EQ(rejection.source_topic(), Topic("raw.amazon"));
}

}  // namespace
}  // namespace storewire::testing

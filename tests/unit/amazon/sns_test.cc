// SNS parsing, string to sign, signature versions and the ingress door check.
#include "storewire/stores/amazon/sns.h"

#include <gtest/gtest.h>

#include "storewire/stores/amazon/rtn.h"
#include "storewire/stores/amazon/rvs.h"
#include "storewire/testing/rsa_test_keys.h"

namespace storewire::stores::amazon {
namespace {

using storewire::testing::RsaTestKey;
using storewire::testing::SignedSnsBody;
using storewire::testing::SnsFields;
using storewire::testing::TestCertificate;

TEST(SnsTest, StringToSignNotificationWithAndWithoutSubject) {
  SnsMessage m;
  m.type = "Notification";
  m.message = "{\"a\":1}";
  m.message_id = "id-1";
  m.timestamp = "2025-11-01T02:08:20.686Z";
  m.topic_arn = "arn:t";
  m.token = "ignored";
  m.subscribe_url = "ignored";
  EXPECT_EQ(StringToSign(m),
            "Message\n{\"a\":1}\nMessageId\nid-1\nTimestamp\n2025-11-01T02:08:20.686Z\n"
            "TopicArn\narn:t\nType\nNotification\n");
  m.subject = "";
  EXPECT_EQ(StringToSign(m),
            "Message\n{\"a\":1}\nMessageId\nid-1\nSubject\n\nTimestamp\n2025-11-01T02:08:20.686Z\n"
            "TopicArn\narn:t\nType\nNotification\n");
}

TEST(SnsTest, StringToSignConfirmation) {
  SnsMessage m;
  m.type = "SubscriptionConfirmation";
  m.message = "You have chosen";
  m.message_id = "id-2";
  m.subscribe_url = "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t";
  m.timestamp = "T";
  m.token = "tok";
  m.topic_arn = "arn:t";
  m.subject = "ignored for confirmations";
  EXPECT_EQ(StringToSign(m),
            "Message\nYou have chosen\nMessageId\nid-2\nSubscribeURL\n"
            "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=t\n"
            "Timestamp\nT\nToken\ntok\nTopicArn\narn:t\nType\nSubscriptionConfirmation\n");
}

TEST(SnsTest, VersionOneAndTwoVerifyAndCrossVersionFails) {
  RsaTestKey key = RsaTestKey::Generate(2048);
  auto cert = crypto::Certificate::FromPem(TestCertificate::Issue(key).leaf_pem);
  ASSERT_TRUE(cert.ok());
  SnsFields f;
  f.message = "{}";
  for (const char* version : {"1", "2"}) {
    f.signature_version = version;
    auto m = ParseSnsMessage(SignedSnsBody(f, key));
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_TRUE(VerifySnsSignature(*m, cert->front()).ok()) << version;
    m->signature_version = version == std::string("1") ? "2" : "1";
    EXPECT_EQ(VerifySnsSignature(*m, cert->front()).code(), absl::StatusCode::kUnauthenticated);
    m->signature_version = "3";
    EXPECT_EQ(VerifySnsSignature(*m, cert->front()).code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(SnsTest, ParseRejectsWrongShapes) {
  for (const char* body :
       {"", "[]", R"({"Type":"Notification"})",
        R"({"Type":"Other","MessageId":"m","TopicArn":"t","Timestamp":"x"})",
        R"({"Type":"SubscriptionConfirmation","MessageId":"m","TopicArn":"t","Timestamp":"x"})",
        R"({"Type":5,"MessageId":"m","TopicArn":"t","Timestamp":"x"})"}) {
    EXPECT_EQ(ParseSnsMessage(body).status().code(), absl::StatusCode::kInvalidArgument) << body;
  }
}

TEST(SnsTest, UrlAllowListDefaultPattern) {
  const std::string pattern = AmazonAppConfig{}.signing_cert_url_pattern;
  EXPECT_TRUE(
      UrlAllowed("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-a8.pem", pattern));
  EXPECT_TRUE(UrlAllowed("https://sns.cn-north-1.amazonaws.com.cn/x.pem", pattern));
  for (const char* url :
       {"http://sns.us-east-1.amazonaws.com/x.pem",
        "https://sns.us-east-1.amazonaws.com.evil.com/x.pem",
        "https://evil.com/sns.us-east-1.amazonaws.com/x.pem",
        "https://sns.us-east-1.amazonaws.com/x.pem.txt",
        "https://user@sns.us-east-1.amazonaws.com/x.pem?", "https://s3.amazonaws.com/x.pem", ""}) {
    EXPECT_FALSE(UrlAllowed(url, pattern)) << url;
  }
  EXPECT_FALSE(UrlAllowed("https://sns.us-east-1.amazonaws.com/x.pem", "([unclosed"));
}

TEST(SnsTest, DoorCheckTopicCertUrlVersion) {
  RsaTestKey key = RsaTestKey::Generate(2048);
  AmazonAppConfig app;
  app.topic_arns = {"arn:aws:sns:us-east-1:123456789012:appstore-rtn"};
  SnsFields f;
  f.message = "{}";
  EXPECT_TRUE(CheckAtDoor(app, SignedSnsBody(f, key)).ok());
  SnsFields other_topic = f;
  other_topic.topic_arn = "arn:aws:sns:us-east-1:999:other";
  EXPECT_EQ(CheckAtDoor(app, SignedSnsBody(other_topic, key)).code(),
            absl::StatusCode::kUnauthenticated);
  SnsFields evil_cert = f;
  evil_cert.signing_cert_url = "https://evil.example.com/cert.pem";
  EXPECT_EQ(CheckAtDoor(app, SignedSnsBody(evil_cert, key)).code(),
            absl::StatusCode::kUnauthenticated);
  SnsFields version = f;
  version.signature_version = "3";
  EXPECT_EQ(CheckAtDoor(app, SignedSnsBody(version, key, "c2ln")).code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(CheckAtDoor(app, "{}").code(), absl::StatusCode::kUnauthenticated);
}

TEST(RtnTest, DecodesMessageAndReceiptAndTerms) {
  auto m = DecodeRtnMessage(
      R"({"appPackageName":"com.x","notificationType":"SUBSCRIPTION_MODIFIED_IMMEDIATE",)"
      R"("appUserId":"u","receiptId":"r2","relatedReceipts":{"cancelledReceiptId":"r1"},)"
      R"("timestamp":1752584166563,"betaProductTransaction":false})");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->related_receipts.at("cancelledReceiptId"), "r1");
  EXPECT_EQ(absl::ToUnixMillis(*m->timestamp), 1752584166563);
  EXPECT_TRUE(DecodeRtnMessage(R"({"notificationType":"X","relatedReceipts":[]})").ok());
  EXPECT_FALSE(DecodeRtnMessage(R"({"receiptId":"r"})").ok());
  EXPECT_FALSE(DecodeRtnMessage(R"({"notificationType":"X","timestamp":"soon"})").ok());
  EXPECT_EQ(TermToIsoPeriod("1 Month"), "P1M");
  EXPECT_EQ(TermToIsoPeriod("3 Months"), "P3M");
  EXPECT_EQ(TermToIsoPeriod("1 Year"), "P1Y");
  EXPECT_EQ(TermToIsoPeriod("1 Week"), "P1W");
  EXPECT_EQ(TermToIsoPeriod("Monthly"), "");
}

TEST(RvsTest, UrlEncodesEverySegment) {
  AmazonAppConfig app;
  app.shared_secret = "2:abc/def=";
  app.rvs_base_url = "http://127.0.0.1:9/rvs/";
  EXPECT_EQ(ReceiptUrl(app, "user id", "r=:3:11"),
            "http://127.0.0.1:9/rvs/version/1.0/verifyReceiptId/developer/2%3Aabc%2Fdef%3D/"
            "user/user%20id/receiptId/r%3D%3A3%3A11");
}

}  // namespace
}  // namespace storewire::stores::amazon

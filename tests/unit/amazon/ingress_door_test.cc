// The ingress answers 401 to SNS messages that fail the checks needing no
// network (CONTRACT section 4), and stores the others.
#include <gtest/gtest.h>

#include <atomic>

#include "storewire/core/config.h"
#include "storewire/ingress/ingress.h"
#include "storewire/testing/rsa_test_keys.h"

namespace storewire::ingress {
namespace {

using storewire::testing::RsaTestKey;
using storewire::testing::RtnMessageJson;
using storewire::testing::SignedSnsBody;
using storewire::testing::SnsFields;

class CountingSink : public kafka::RecordSink {
 public:
  void Send(kafka::OutgoingRecord record, DeliveryCallback done) override {
    ++sent;
    done(absl::OkStatus());
  }
  std::atomic<int> sent{0};
};

class IngressDoorTest : public ::testing::Test {
 protected:
  IngressDoorTest() {
    AppConfig app;
    app.id = "demo";
    app.amazon.emplace().topic_arns = {"arn:aws:sns:us-east-1:123456789012:appstore-rtn"};
    config_.apps.push_back(app);
  }

  int Post(const std::string& body) {
    Ingress ingress(config_, sink_);
    http::Request request;
    request.method = "POST";
    request.path = request.target = "/v1/amazon/demo";
    request.headers.emplace_back("content-type", "text/plain; charset=UTF-8");
    request.body = body;
    int status = 0;
    ingress.Handle(request, http::Responder([&status](http::Response r) { status = r.status; }));
    return status;
  }

  Config config_;
  CountingSink sink_;
  RsaTestKey key_ = RsaTestKey::Generate(2048);
};

TEST_F(IngressDoorTest, ConfiguredTopicAndAllowListedCertificateAreStored) {
  SnsFields f;
  f.message = RtnMessageJson("SUBSCRIPTION_RENEWED", "rcpt-1");
  EXPECT_EQ(Post(SignedSnsBody(f, key_)), 200);
  EXPECT_EQ(sink_.sent, 1);
}

TEST_F(IngressDoorTest, UnknownTopicCertificateUrlOrVersionIs401AndNotStored) {
  SnsFields topic;
  topic.topic_arn = "arn:aws:sns:us-east-1:999999999999:someone-else";
  SnsFields url;
  url.signing_cert_url = "https://evil.example.com/SimpleNotificationService-x.pem";
  SnsFields version;
  version.signature_version = "3";
  SnsFields confirmation;
  confirmation.type = "SubscriptionConfirmation";
  confirmation.topic_arn = "arn:aws:sns:us-east-1:999999999999:someone-else";
  confirmation.token = "t";
  confirmation.subscribe_url =
      "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&T=1";
  for (const SnsFields& f : {topic, url, version, confirmation}) {
    EXPECT_EQ(Post(SignedSnsBody(f, key_, f.signature_version == "3" ? "c2ln" : "")), 401);
  }
  EXPECT_EQ(sink_.sent, 0);
}

}  // namespace
}  // namespace storewire::ingress

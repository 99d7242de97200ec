// storewirectl decode --store huawei|amazon per CONTRACT section 6: an event
// per line and exit 0, or one rejection line and exit 3.
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storewire/cli/cli.h"
#include "storewire/testing/rsa_test_keys.h"

namespace storewire::cli {
namespace {

using storewire::testing::RsaTestKey;
using storewire::testing::RtnMessageJson;
using storewire::testing::SignedSnsBody;
using storewire::testing::SnsFields;
using ::testing::HasSubstr;

struct CtlResult {
  int code;
  std::string out;
  std::string err;
};

class DecodeStoresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = ::testing::TempDir() + "/decode_stores_test.yaml";
    std::ofstream(config_) << "apps:\n  - id: demo\n    huawei:\n      public_key: "
                           << key_.SpkiBase64()
                           << "\n    amazon:\n      topic_arns: "
                              "[arn:aws:sns:us-east-1:123456789012:appstore-rtn]\n";
  }

  CtlResult Decode(const std::string& store, const std::string& body) {
    std::istringstream in(body);
    std::ostringstream out, err;
    int code =
        Main({"decode", "--store", store, "--app", "demo", "--config", config_, "-"}, in, out, err);
    return {code, out.str(), err.str()};
  }

  std::string HuaweiBody(const std::string& status, const std::string& signature) {
    std::string quoted;
    for (char c : status) {
      if (c == '"') quoted.push_back('\\');
      quoted.push_back(c);
    }
    return absl::StrCat(R"({"version":"v2","eventType":"SUBSCRIPTION","subNotification":)",
                        R"({"statusUpdateNotification":")", quoted,
                        R"(","notificationSignature":")", signature,
                        R"(","signatureAlgorithm":"SHA256WithRSA"}})");
  }

  RsaTestKey key_ = RsaTestKey::Generate(2048);
  std::string config_;
};

constexpr char kStatus[] =
    R"({"environment":"SandBox","notificationType":5,"subscriptionId":"SUB-CLI","productId":"p"})";

TEST_F(DecodeStoresTest, HuaweiSignedNotificationPrintsTheEvent) {
  CtlResult r = Decode("huawei", HuaweiBody(kStatus, key_.SignBase64(kStatus, "SHA256")));
  EXPECT_EQ(r.code, kExitOk) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"("type":"EVENT_TYPE_AUTO_RENEW_DISABLED")"));
  EXPECT_THAT(r.out, HasSubstr(R"("store":"STORE_APP_GALLERY")"));
  EXPECT_THAT(r.out, HasSubstr(R"("subscriptionKey":"SUB-CLI")"));
  EXPECT_THAT(r.out, HasSubstr(R"("environment":"ENVIRONMENT_SANDBOX")"));
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1);
}

TEST_F(DecodeStoresTest, HuaweiWrongSignatureIsBadSignatureExit3) {
  RsaTestKey other = RsaTestKey::Generate(2048);
  CtlResult r = Decode("huawei", HuaweiBody(kStatus, other.SignBase64(kStatus, "SHA256")));
  EXPECT_EQ(r.code, kExitRejected);
  EXPECT_THAT(r.out, HasSubstr(R"({"rejected":{"reason":"BAD_SIGNATURE","detail":")"));
}

TEST_F(DecodeStoresTest, AmazonCertificateOutsideAllowListIsRejectedWithoutNetwork) {
  SnsFields f;
  f.message = RtnMessageJson("SUBSCRIPTION_RENEWED", "r1");
  f.signing_cert_url = "https://certs.example.com/sns.pem";
  CtlResult r = Decode("amazon", SignedSnsBody(f, key_));
  EXPECT_EQ(r.code, kExitRejected) << r.err;
  EXPECT_THAT(r.out, HasSubstr(R"({"rejected":{"reason":"BAD_CERTIFICATE_CHAIN")"));
}

TEST_F(DecodeStoresTest, AmazonUnknownTopicIsUnauthenticated) {
  SnsFields f;
  f.message = RtnMessageJson("SUBSCRIPTION_RENEWED", "r1");
  f.topic_arn = "arn:aws:sns:us-east-1:999999999999:other";
  CtlResult r = Decode("amazon", SignedSnsBody(f, key_));
  EXPECT_EQ(r.code, kExitRejected);
  EXPECT_THAT(r.out, HasSubstr(R"({"rejected":{"reason":"UNAUTHENTICATED")"));
}

}  // namespace
}  // namespace storewire::cli

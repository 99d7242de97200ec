// `storewirectl decode --store apple` end to end through storewire::cli::Main
// (CONTRACT section 6): a config trusting the test root, a minted signed
// notification -> exit 0 and the event JSON; a forged one -> exit 3 and the
// rejected line.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "storewire/cli/cli.h"
#include "storewire/testing/apple_test_signer.h"

namespace storewire::apple_test {
namespace {

using testing::AppleTestSigner;
using testing::JwsOptions;
using testing::NotificationParams;

struct CtlResult {
  int code;
  std::string out;
  std::string err;
};

CtlResult Ctl(std::vector<std::string> args, const std::string& stdin_text) {
  std::istringstream in(stdin_text);
  std::ostringstream out, err;
  const int code = cli::Main(args, in, out, err);
  return {code, out.str(), err.str()};
}

class AppleDecodeCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { signer_ = AppleTestSigner::Create().release(); }
  static void TearDownTestSuite() { delete signer_; }

  // apps[demo].apple trusting the test signer's root (offline checks).
  static std::string WriteConfig() {
    const std::string dir = ::testing::TempDir();
    const std::string root = signer_->WriteRootPem(dir);
    const std::string path = dir + "/apple_cli_decode.yaml";
    std::ofstream(path) << "apps:\n"
                        << "  - id: demo\n"
                        << "    apple:\n"
                        << "      bundle_id: com.example\n"
                        << "      app_apple_id: 1234\n"
                        << "      environments: [Sandbox]\n"
                        << "      trust_roots: [\"" << root << "\"]\n";
    return path;
  }

  static AppleTestSigner* signer_;
};
AppleTestSigner* AppleDecodeCliTest::signer_ = nullptr;

TEST_F(AppleDecodeCliTest, GenuineNotificationPrintsTheEventAndExitsZero) {
  const std::string body = signer_->NotificationBody(NotificationParams{});
  const CtlResult r =
      Ctl({"decode", "--store", "apple", "--app", "demo", "--config", WriteConfig(), "-"}, body);
  ASSERT_EQ(r.code, cli::kExitOk) << r.err << r.out;
  EXPECT_EQ(r.err, "");
  ASSERT_FALSE(r.out.empty());
  EXPECT_EQ(r.out.back(), '\n');
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "one event, one line: " << r.out;
  for (const char* field : {
           "\"type\":\"EVENT_TYPE_SUBSCRIPTION_STARTED\"",
           "\"store\":\"STORE_APP_STORE\"",
           "\"environment\":\"ENVIRONMENT_SANDBOX\"",
           "\"appId\":\"demo\"",
           "\"subscriptionKey\":\"2000000000000000\"",
           "\"productId\":\"com.example.monthly\"",
           "\"transactionId\":\"2000000000000001\"",
           "\"originalTransactionId\":\"2000000000000000\"",
           "\"occurredAt\":\"2025-11-01T02:09:35Z\"",
           "\"purchasedAt\":\"2025-11-01T02:08:20Z\"",
           "\"price\":{\"amountMicros\":\"9990000\",\"currency\":\"USD\"}",
           "\"customerId\":\"7e3fb20b-4cdb-47cc-936d-99d65f608138\"",
           "\"storeNotification\":{\"id\":\"3f1a2b3c-4d5e-4f60-8a71-9b8c7d6e5f40\","
           "\"type\":\"SUBSCRIBED\",\"subtype\":\"INITIAL_BUY\"}",
       }) {
    EXPECT_NE(r.out.find(field), std::string::npos) << field << "\n" << r.out;
  }
  // Absent in the payload, absent in the JSON (not 1970-01-01).
  EXPECT_EQ(r.out.find("gracePeriodExpiresAt"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("revokedAt"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("1970-01-01"), std::string::npos) << r.out;
}

TEST_F(AppleDecodeCliTest, ReadsTheBodyFromAFileArgument) {
  const std::string path = ::testing::TempDir() + "/apple_cli_body.json";
  std::ofstream(path) << signer_->NotificationBody(NotificationParams{});
  const CtlResult r =
      Ctl({"decode", "--store", "apple", "--app", "demo", "--config", WriteConfig(), path}, "");
  EXPECT_EQ(r.code, cli::kExitOk) << r.err << r.out;
  EXPECT_NE(r.out.find("\"type\":\"EVENT_TYPE_SUBSCRIPTION_STARTED\""), std::string::npos);
}

TEST_F(AppleDecodeCliTest, ForgedSignatureIsRejectedWithBadSignatureAndExit3) {
  JwsOptions forged;
  forged.wrong_key = true;  // trusted x5c, signature by an unrelated key
  const std::string body = signer_->NotificationBody(NotificationParams{}, forged);
  const CtlResult r =
      Ctl({"decode", "--store", "apple", "--app", "demo", "--config", WriteConfig(), "-"}, body);
  EXPECT_EQ(r.code, cli::kExitRejected) << r.err;
  EXPECT_EQ(
      r.out.rfind("{\"rejected\":{\"reason\":\"BAD_SIGNATURE\",\"detail\":\"signedPayload: ", 0),
      0u)
      << r.out;
  EXPECT_NE(r.out.find("does not verify with the x5c leaf key"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << r.out;
}

TEST_F(AppleDecodeCliTest, UntrustedRootIsRejectedWithBadCertificateChain) {
  auto stranger = AppleTestSigner::Create();
  const CtlResult r =
      Ctl({"decode", "--store", "apple", "--app", "demo", "--config", WriteConfig(), "-"},
          stranger->NotificationBody(NotificationParams{}));
  EXPECT_EQ(r.code, cli::kExitRejected) << r.err;
  EXPECT_EQ(r.out.rfind("{\"rejected\":{\"reason\":\"BAD_CERTIFICATE_CHAIN\"", 0), 0u) << r.out;
}

}  // namespace
}  // namespace storewire::apple_test

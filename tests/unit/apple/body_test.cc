// The V2 body fast path ({"signedPayload":"..."} read without a DOM) and the
// general JSON parser give the same answers.
#include <gtest/gtest.h>

#include "storewire/stores/apple/apple_adapter.h"
#include "storewire/testing/apple_test_signer.h"
#include "test_util.h"

namespace storewire::apple_test {
namespace {

class BodyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { signer_ = testing::AppleTestSigner::Create().release(); }
  static void TearDownTestSuite() { delete signer_; }

  stores::NormalizeResult Normalize(const std::string& body) {
    Config config = MakeConfig({signer_->WriteRootPem(::testing::TempDir())});
    auto adapter = stores::apple::MakeAppleAdapter(config);
    EXPECT_TRUE(adapter.ok()) << adapter.status();
    auto r = (*adapter)->Normalize(Raw(body), config.apps[0], VectorNow());
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : stores::NormalizeResult{};
  }

  static testing::AppleTestSigner* signer_;
};
testing::AppleTestSigner* BodyTest::signer_ = nullptr;

TEST_F(BodyTest, WhitespaceAndExtraMembersAreAccepted) {
  const std::string jws = signer_->SignNotification({});
  for (const std::string& body : {
           "{\"signedPayload\":\"" + jws + "\"}",
           " \n{ \"signedPayload\" :\t\"" + jws + "\" }\r\n",
           "{\"signedPayload\":\"" + jws + "\",\"extra\":[1,2]}",
           "{\"extra\":{},\"signedPayload\":\"" + jws + "\"}",
       }) {
    auto r = Normalize(body);
    EXPECT_FALSE(r.rejected) << body.substr(0, 40) << ": " << r.rejected->detail;
    EXPECT_EQ(r.events.size(), 1u);
  }
}

TEST_F(BodyTest, EscapesTrailingBytesAndBrokenJsonAreMalformed) {
  const std::string jws = signer_->SignNotification({});
  const std::string escaped = jws.substr(0, 10) + "\\u0041" + jws.substr(10);
  for (const std::string& body : {
           "{\"signedPayload\":\"" + jws + "\"}x",
           "{\"signedPayload\":\"" + jws + "\"",
           "{\"signedPayload\":\"" + jws,
           "{\"signedPayload\":\"" + escaped + "\"}",
           "{\"signedPayload\":\"" + jws + "\n\"}",
           std::string("{\"signedPayload\":\"\"}"),
       }) {
    auto r = Normalize(body);
    ASSERT_TRUE(r.rejected.has_value()) << body.substr(0, 40);
    EXPECT_EQ(r.rejected->reason, v1::REJECT_REASON_MALFORMED) << r.rejected->detail;
  }
}

}  // namespace
}  // namespace storewire::apple_test

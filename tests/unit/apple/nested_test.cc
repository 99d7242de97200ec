// Nested signedTransactionInfo / signedRenewalInfo: a nested JWS whose alg and
// x5c equal the verified outer JWS's is covered by the outer signature (it
// signs the nested strings byte for byte); any other nested JWS is verified
// on its own, so one signed by a different, untrusted key is rejected.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <vector>

#include "storewire/crypto/base64.h"
#include "storewire/stores/apple/apple_adapter.h"
#include "storewire/testing/apple_test_signer.h"
#include "test_util.h"

namespace storewire::apple_test {
namespace {

using stores::apple::MakeAppleAdapter;
using testing::AppleTestSigner;
using testing::JwsOptions;
using testing::NotificationParams;
using testing::RenewalParams;
using testing::TransactionParams;

// The notification JSON of `p` with data.<member> replaced by `nested`.
std::string WithNested(const std::string& notification_json, const char* member,
                       const std::string& nested) {
  rapidjson::Document doc;
  doc.Parse(notification_json.c_str());
  rapidjson::Value& data = doc["data"];
  data[member].SetString(nested.c_str(), static_cast<rapidjson::SizeType>(nested.size()),
                         doc.GetAllocator());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  doc.Accept(writer);
  return buffer.GetString();
}

std::string Body(const std::string& signed_payload) {
  return "{\"signedPayload\":\"" + signed_payload + "\"}";
}

class NestedTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    signer_ = AppleTestSigner::Create().release();
    stranger_ = AppleTestSigner::Create().release();
  }
  static void TearDownTestSuite() {
    delete signer_;
    delete stranger_;
  }

  stores::NormalizeResult Normalize(const std::string& body) {
    Config config = MakeConfig({signer_->WriteRootPem(::testing::TempDir())});
    auto adapter = MakeAppleAdapter(config);
    EXPECT_TRUE(adapter.ok()) << adapter.status();
    auto r = (*adapter)->Normalize(Raw(body), config.apps[0], VectorNow());
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : stores::NormalizeResult{};
  }

  static AppleTestSigner* signer_;
  static AppleTestSigner* stranger_;
};
AppleTestSigner* NestedTest::signer_ = nullptr;
AppleTestSigner* NestedTest::stranger_ = nullptr;

TEST_F(NestedTest, TransactionSignedByUntrustedKeyIsRejectedInsideAGenuineOuter) {
  const NotificationParams p;
  const std::string forged = stranger_->Sign(AppleTestSigner::TransactionJson(TransactionParams{}));
  const std::string json =
      WithNested(signer_->NotificationJson(p), "signedTransactionInfo", forged);
  auto r = Normalize(Body(signer_->Sign(json)));
  ASSERT_TRUE(r.rejected.has_value());
  EXPECT_EQ(r.rejected->reason, v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN);
  EXPECT_NE(r.rejected->detail.find("signedTransactionInfo: intermediate"), std::string::npos)
      << r.rejected->detail;
  EXPECT_NE(r.rejected->detail.find("is not signed by any trusted root"), std::string::npos)
      << r.rejected->detail;
  EXPECT_TRUE(r.events.empty());
}

TEST_F(NestedTest, RenewalInfoSignedByUntrustedKeyIsRejectedInsideAGenuineOuter) {
  const NotificationParams p;
  const std::string forged = stranger_->Sign(AppleTestSigner::RenewalJson(RenewalParams{}));
  const std::string json = WithNested(signer_->NotificationJson(p), "signedRenewalInfo", forged);
  auto r = Normalize(Body(signer_->Sign(json)));
  ASSERT_TRUE(r.rejected.has_value());
  EXPECT_EQ(r.rejected->reason, v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN);
  EXPECT_NE(r.rejected->detail.find("signedRenewalInfo: "), std::string::npos)
      << r.rejected->detail;
}

TEST_F(NestedTest, NestedWithAnotherShapeOfTheTrustedChainIsVerifiedOnItsOwn) {
  const NotificationParams p;
  JwsOptions two_certs;
  two_certs.x5c_count = 2;  // x5c differs from the outer's: full check
  auto r = Normalize(signer_->NotificationBody(p, {}, two_certs));
  ASSERT_TRUE(r.rejected.has_value());
  EXPECT_EQ(r.rejected->reason, v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN);
  EXPECT_NE(r.rejected->detail.find("signedTransactionInfo: x5c holds 2 certificates"),
            std::string::npos)
      << r.rejected->detail;

  JwsOptions no_x5c;
  no_x5c.omit_x5c = true;
  r = Normalize(signer_->NotificationBody(p, {}, no_x5c));
  ASSERT_TRUE(r.rejected.has_value());
  EXPECT_EQ(r.rejected->reason, v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN);
}

TEST_F(NestedTest, NestedAlgOtherThanEs256OrDerSignatureIsRejected) {
  const NotificationParams p;
  for (const char* alg : {"none", "HS256", "RS256"}) {
    JwsOptions o;
    o.alg = alg;
    auto r = Normalize(signer_->NotificationBody(p, {}, o));
    ASSERT_TRUE(r.rejected.has_value()) << alg;
    EXPECT_EQ(r.rejected->reason, v1::REJECT_REASON_BAD_SIGNATURE) << alg;
    EXPECT_NE(r.rejected->detail.find(std::string("signedTransactionInfo: JWS alg '") + alg),
              std::string::npos)
        << r.rejected->detail;
  }
  JwsOptions der;
  der.der_signature = true;
  auto r = Normalize(signer_->NotificationBody(p, {}, der));
  ASSERT_TRUE(r.rejected.has_value());
  EXPECT_EQ(r.rejected->reason, v1::REJECT_REASON_BAD_SIGNATURE);
  EXPECT_NE(r.rejected->detail.find("64 bytes"), std::string::npos) << r.rejected->detail;
}

TEST_F(NestedTest, SwappingANestedStringBreaksTheOuterSignature) {
  // What makes skipping the nested signature sound: an attacker who replaces
  // a nested JWS (here with one carrying the trusted x5c but signed by an
  // unrelated key) inside a genuine notification invalidates the outer
  // signature.
  const NotificationParams p;
  const std::string genuine = signer_->SignNotification(p);
  JwsOptions wrong_key;
  wrong_key.wrong_key = true;
  TransactionParams tx;
  tx.product_id = "com.example.lifetime";
  const std::string forged = signer_->Sign(AppleTestSigner::TransactionJson(tx), wrong_key);
  const std::string json =
      WithNested(signer_->NotificationJson(p), "signedTransactionInfo", forged);
  const size_t first = genuine.find('.');
  const size_t second = genuine.find('.', first + 1);
  const std::string tampered =
      genuine.substr(0, first + 1) + crypto::Base64UrlEncode(json) + genuine.substr(second);
  auto r = Normalize(Body(tampered));
  ASSERT_TRUE(r.rejected.has_value());
  EXPECT_EQ(r.rejected->reason, v1::REJECT_REASON_BAD_SIGNATURE);
  EXPECT_NE(r.rejected->detail.find("signedPayload: JWS signature does not verify"),
            std::string::npos)
      << r.rejected->detail;
}

TEST_F(NestedTest, NestedWithTheOuterChainIsCoveredByTheOuterSignature) {
  // The nested JWS carry the outer's x5c: one chain check, one P-256 verify
  // (the outer's); their content is still checked against the app.
  const NotificationParams p;
  auto r = Normalize(signer_->NotificationBody(p));
  ASSERT_FALSE(r.rejected.has_value()) << r.rejected->detail;
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].product_id(), "com.example.monthly");
  NotificationParams other_app = p;
  other_app.transaction->bundle_id = "com.other";
  r = Normalize(signer_->NotificationBody(other_app));
  ASSERT_TRUE(r.rejected.has_value());
  EXPECT_EQ(r.rejected->reason, v1::REJECT_REASON_APP_MISMATCH);
}

}  // namespace
}  // namespace storewire::apple_test

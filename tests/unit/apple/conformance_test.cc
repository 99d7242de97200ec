// Every vector of tests/data/apple/VECTORS.txt with its expected outcome and
// our RejectReason. Where we differ from Apple's libraries it says so.
#include <gtest/gtest.h>

#include "storewire/crypto/base64.h"
#include "storewire/stores/apple/apple_adapter.h"
#include "storewire/stores/apple/ocsp.h"
#include "storewire/stores/apple/payload.h"
#include "storewire/stores/apple/trust.h"
#include "storewire/stores/apple/verifier.h"
#include "test_util.h"

namespace storewire::apple_test {
namespace {

using stores::apple::MakeAppleAdapter;

struct Outcome {
  bool accepted = false;
  v1::RejectReason reason = v1::REJECT_REASON_UNSPECIFIED;
  std::string detail;
  v1::SubscriptionEvent event;
};

Outcome RunVector(const std::string& jws, const Config& config, absl::Time now = VectorNow(),
                  const stores::apple::OcspClient* ocsp = nullptr) {
  auto adapter = MakeAppleAdapter(config, ocsp);
  EXPECT_TRUE(adapter.ok()) << adapter.status();
  auto r = (*adapter)->Normalize(Raw("{\"signedPayload\":\"" + jws + "\"}"), config.apps[0], now);
  EXPECT_TRUE(r.ok()) << r.status();
  Outcome o;
  if (!r.ok()) return o;
  if (r->rejected) {
    o.reason = r->rejected->reason;
    o.detail = r->rejected->detail;
  } else {
    o.accepted = true;
    EXPECT_EQ(r->events.size(), 1u);
    o.event = r->events[0];
  }
  return o;
}

const std::string kTestRoot = DataPath("certs/testCA.der");

Config Sandbox() { return MakeConfig({kTestRoot}, {"Sandbox"}); }
Config Production(int64_t app_apple_id = 1234) {
  return MakeConfig({kTestRoot}, {"Production"}, "com.example", app_apple_id);
}

#define EXPECT_REJECTED(outcome, r)                                                     \
  do {                                                                                  \
    Outcome o_ = (outcome);                                                             \
    EXPECT_FALSE(o_.accepted);                                                          \
    EXPECT_EQ(v1::RejectReason_Name(o_.reason), v1::RejectReason_Name(r)) << o_.detail; \
  } while (0)

TEST(AppleVectors, TestNotificationAcceptedInSandbox) {
  Outcome o = RunVector(ReadVector("mock_signed_data/testNotification.jws.txt"), Sandbox());
  ASSERT_TRUE(o.accepted) << o.detail;
  EXPECT_EQ(o.event.type(), v1::EVENT_TYPE_TEST);
  EXPECT_EQ(o.event.environment(), v1::ENVIRONMENT_SANDBOX);
  EXPECT_EQ(o.event.store_notification().type(), "TEST");
  EXPECT_EQ(o.event.subscription_key(), "apple:app:com.example");
}

TEST(AppleVectors, TestNotificationRejections) {
  const std::string jws = ReadVector("mock_signed_data/testNotification.jws.txt");
  EXPECT_REJECTED(RunVector(jws, Production()), v1::REJECT_REASON_ENVIRONMENT_MISMATCH);
  EXPECT_REJECTED(RunVector(jws, Production(1235)), v1::REJECT_REASON_APP_MISMATCH);
  EXPECT_REJECTED(RunVector(jws, MakeConfig({kTestRoot}, {"Sandbox"}, "com.examplex")),
                  v1::REJECT_REASON_APP_MISMATCH);
  // Built-in Apple Root CA - G3 (no trust_roots): the test chain must not pass.
  Outcome apple_root = RunVector(jws, MakeConfig({}, {"Sandbox"}));
  EXPECT_REJECTED(apple_root, v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN);
  EXPECT_NE(apple_root.detail.find("Apple Root CA - G3"), std::string::npos) << apple_root.detail;
}

TEST(AppleVectors, TestNotificationSandboxWithOtherAppAppleIdIsStricterThanLibraries) {
  // The libraries skip appAppleId in Sandbox; we reject a payload that carries
  // a different one (it is another app).
  EXPECT_REJECTED(RunVector(ReadVector("mock_signed_data/testNotification.jws.txt"),
                            MakeConfig({kTestRoot}, {"Sandbox"}, "com.example", 1235)),
                  v1::REJECT_REASON_APP_MISMATCH);
}

TEST(AppleVectors, WrongBundleIdRejected) {
  Outcome o = RunVector(ReadVector("mock_signed_data/wrongBundleId.jws.txt"), Sandbox());
  EXPECT_REJECTED(o, v1::REJECT_REASON_APP_MISMATCH);
  EXPECT_NE(o.detail.find("bundleId 'com.example.wrong' does not match "
                          "apps[demo].apple.bundle_id 'com.example'"),
            std::string::npos)
      << o.detail;
}

TEST(AppleVectors, MissingX5cRejected) {
  EXPECT_REJECTED(
      RunVector(ReadVector("mock_signed_data/missingX5CHeaderClaim.jws.txt"), Sandbox()),
      v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN);
}

TEST(AppleVectors, NotJwsStringsAreMalformed) {
  EXPECT_REJECTED(RunVector("a.b.c.d", Sandbox()), v1::REJECT_REASON_MALFORMED);
  EXPECT_REJECTED(RunVector("a.b.c", Sandbox()), v1::REJECT_REASON_MALFORMED);
  EXPECT_REJECTED(RunVector(ReadVector("mock_signed_data/legacyTransaction.txt"), Sandbox()),
                  v1::REJECT_REASON_MALFORMED);
}

stores::apple::SignedDataVerifier Verifier(std::vector<std::string> roots = {kTestRoot}) {
  auto certs = stores::apple::LoadTrustRoots(roots);
  EXPECT_TRUE(certs.ok());
  return stores::apple::SignedDataVerifier(*certs, false, nullptr, nullptr, "test roots");
}

TEST(AppleVectors, TransactionAndRenewalInfoVerifyAndDecode) {
  auto verifier = Verifier();
  auto tx = verifier.Verify(ReadVector("mock_signed_data/transactionInfo.jws.txt"), VectorNow());
  ASSERT_TRUE(tx.ok());
  ASSERT_FALSE(tx->rejected) << tx->rejected->detail;
  auto decoded = stores::apple::DecodeTransactionInfo(tx->payload);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->bundle_id, "com.example");
  EXPECT_EQ(decoded->environment, "Sandbox");
  auto renewal = verifier.Verify(ReadVector("mock_signed_data/renewalInfo.jws.txt"), VectorNow());
  ASSERT_TRUE(renewal.ok());
  ASSERT_FALSE(renewal->rejected) << renewal->rejected->detail;
  EXPECT_EQ(stores::apple::DecodeRenewalInfo(renewal->payload)->environment, "Sandbox");
  // The older x5c[2] in these JWS is NOT testCA.der: we anchor x5c[1] on the
  // configured root and never on x5c[2]'s bytes.
}

TEST(AppleVectors, XcodeSignedDataIsNotVerifiable) {
  auto verifier = Verifier();
  for (const char* f :
       {"xcode/xcode-signed-transaction.jws.txt", "xcode/xcode-signed-renewal-info.jws.txt",
        "xcode/xcode-signed-app-transaction.jws.txt"}) {
    auto v = verifier.Verify(ReadVector(f), VectorNow());
    ASSERT_TRUE(v.ok());
    ASSERT_TRUE(v->rejected) << f;
    EXPECT_EQ(v->rejected->reason, v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN) << f;
  }
}

TEST(AppleVectors, RealAppleChainPassesChainChecksWithBuiltInRoot) {
  // Genuine leaf + WWDR G6 under the built-in root at EFFECTIVE_DATE: the chain
  // is accepted, so the only failure left is the (fake) signature.
  auto verifier = Verifier({});
  std::string header =
      R"({"alg":"ES256","x5c":[")" +
      crypto::Base64Encode(
          ReadVector("chain_constants/real_Prod_ECC_Receipt_Signing_leaf_2025.der")) +
      R"(",")" + crypto::Base64Encode(ReadVector("chain_constants/real_AppleWWDRCA-G6.der")) +
      R"(",")" + crypto::Base64Encode(ReadVector("chain_constants/real_AppleRootCA-G3.der")) +
      R"("]})";
  std::string jws = crypto::Base64UrlEncode(header) + "." +
                    crypto::Base64UrlEncode(R"({"signedDate":1761962975000})") + "." +
                    crypto::Base64UrlEncode(std::string(64, '\x01'));
  auto v = verifier.Verify(jws, VectorNow());
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->rejected);
  EXPECT_EQ(v->rejected->reason, v1::REJECT_REASON_BAD_SIGNATURE) << v->rejected->detail;
  EXPECT_EQ(verifier.chain_verifications(), 1);
}

TEST(AppleVectors, G1SubscribedInitialBuySandbox) {
  const std::string jws = ReadVector("derived/G1_subscribed_initialBuy_sandbox.jws.txt");
  Outcome o = RunVector(jws, Sandbox());
  ASSERT_TRUE(o.accepted) << o.detail;
  EXPECT_EQ(o.event.type(), v1::EVENT_TYPE_SUBSCRIPTION_STARTED);
  EXPECT_EQ(o.event.subscription_key(), "2000000000000000");
  EXPECT_EQ(o.event.transaction_id(), "2000000000000001");
  EXPECT_EQ(o.event.price().amount_micros(), 9990000);
  EXPECT_EQ(o.event.price().currency(), "USD");
  EXPECT_EQ(o.event.customer_id(), "7e3fb20b-4cdb-47cc-936d-99d65f608138");
  EXPECT_EQ(o.event.id(),
            stores::EventId(v1::STORE_APP_STORE, "3f1a2b3c-4d5e-4f60-8a71-9b8c7d6e5f40"));
  EXPECT_TRUE(o.event.auto_renew());
  EXPECT_EQ(o.event.occurred_at().seconds(), 1761962975);
  EXPECT_REJECTED(RunVector(jws, Production()), v1::REJECT_REASON_ENVIRONMENT_MISMATCH);
}

TEST(AppleVectors, G2ProductionAcceptedOnlyWithItsAppAppleId) {
  const std::string jws = ReadVector("derived/G2_subscribed_initialBuy_production.jws.txt");
  Outcome o = RunVector(jws, Production());
  ASSERT_TRUE(o.accepted) << o.detail;
  EXPECT_EQ(o.event.environment(), v1::ENVIRONMENT_PRODUCTION);
  EXPECT_REJECTED(RunVector(jws, Production(1235)), v1::REJECT_REASON_APP_MISMATCH);
}

TEST(AppleVectors, G3NestedWrongBundleRejectedUnlikeTheLibraries) {
  Outcome o =
      RunVector(ReadVector("derived/G3_nested_transaction_wrong_bundle.jws.txt"), Sandbox());
  EXPECT_REJECTED(o, v1::REJECT_REASON_APP_MISMATCH);
  EXPECT_NE(o.detail.find("signedTransactionInfo bundleId 'com.example.other'"), std::string::npos)
      << o.detail;
}

TEST(AppleVectors, ChainShapeAndOidVectorsRejected) {
  for (const char* f :
       {"derived/G4_invalid_intermediate_oid.jws.txt", "derived/G5_invalid_leaf_oid.jws.txt",
        "derived/G6_chain_length_2.jws.txt", "derived/G6b_chain_length_4.jws.txt",
        "derived/G7b_expired_leaf_signedDate_after_expiry.jws.txt"}) {
    SCOPED_TRACE(f);
    EXPECT_REJECTED(RunVector(ReadVector(f), Sandbox()), v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN);
  }
  EXPECT_NE(RunVector(ReadVector("derived/G4_invalid_intermediate_oid.jws.txt"), Sandbox())
                .detail.find("1.2.840.113635.100.6.2.1"),
            std::string::npos);
  EXPECT_NE(RunVector(ReadVector("derived/G5_invalid_leaf_oid.jws.txt"), Sandbox())
                .detail.find("1.2.840.113635.100.6.11.1"),
            std::string::npos);
}

class UnreachableOcsp : public stores::apple::OcspClient {
 public:
  absl::StatusOr<stores::apple::OcspResult> Check(const crypto::Certificate&,
                                                  const crypto::Certificate&,
                                                  absl::Time) const override {
    return absl::UnavailableError("network down");
  }
};

TEST(AppleVectors, G7aValidatedAtSignedDateOfflineLikeTheLibraries) {
  const std::string jws = ReadVector("derived/G7a_expired_leaf_signedDate_inside_validity.jws.txt");
  // Decision: offline we validate at signedDate (like the libraries), so an
  // expired leaf that was valid when Apple signed is accepted.
  Outcome offline = RunVector(jws, Sandbox());
  EXPECT_TRUE(offline.accepted) << offline.detail;
  // Online: validity at now -> the expired leaf is rejected before any OCSP call.
  Config online = Sandbox();
  online.apps[0].apple->online_checks = true;
  UnreachableOcsp ocsp;
  EXPECT_REJECTED(RunVector(jws, online, VectorNow(), &ocsp),
                  v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN);
}

TEST(AppleVectors, OnlineChecksWithUnreachableResponderAreRetryable) {
  Config online = Sandbox();
  online.apps[0].apple->online_checks = true;
  UnreachableOcsp ocsp;
  auto adapter = MakeAppleAdapter(online, &ocsp);
  ASSERT_TRUE(adapter.ok());
  auto r = (*adapter)->Normalize(
      Raw("{\"signedPayload\":\"" + ReadVector("derived/G1_subscribed_initialBuy_sandbox.jws.txt") +
          "\"}"),
      online.apps[0], VectorNow());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kUnavailable) << r.status();
}

TEST(AppleVectors, SignatureVectorsRejected) {
  for (const char* f :
       {"derived/G8_der_encoded_signature.jws.txt", "derived/G9_signed_by_wrong_key.jws.txt",
        "derived/D1_testNotification_bad_signature.jws.txt",
        "derived/D2_testNotification_payload_tampered.jws.txt",
        "derived/D3_testNotification_alg_HS256.jws.txt",
        "derived/D4_testNotification_alg_none_empty_sig.jws.txt"}) {
    SCOPED_TRACE(f);
    EXPECT_REJECTED(RunVector(ReadVector(f), Sandbox()), v1::REJECT_REASON_BAD_SIGNATURE);
  }
}

TEST(AppleVectors, G11UnknownTypeKeepsRawNames) {
  Outcome o = RunVector(ReadVector("derived/G11_unknown_notification_type.jws.txt"), Sandbox());
  ASSERT_TRUE(o.accepted) << o.detail;
  EXPECT_EQ(o.event.type(), v1::EVENT_TYPE_UNKNOWN);
  EXPECT_EQ(o.event.store_notification().type(), "SOME_FUTURE_TYPE");
  EXPECT_EQ(o.event.store_notification().subtype(), "SOME_FUTURE_SUBTYPE");
}

TEST(AppleVectors, G12SummaryG13G14ExternalTokensG15AppData) {
  Outcome g12 =
      RunVector(ReadVector("derived/G12_renewal_extension_summary_sandbox.jws.txt"), Sandbox());
  ASSERT_TRUE(g12.accepted) << g12.detail;
  EXPECT_EQ(g12.event.type(), v1::EVENT_TYPE_RENEWAL_EXTENSION_SUMMARY);
  EXPECT_EQ(g12.event.subscription_key(),
            "apple:renewal-extension:efb27071-45a4-4aca-9854-2a1e9146f265");
  EXPECT_EQ(g12.event.attributes().at("succeededCount"), "5");

  const std::string g13 = ReadVector("derived/G13_external_purchase_token_sandbox.jws.txt");
  Outcome o13 = RunVector(g13, Sandbox());
  ASSERT_TRUE(o13.accepted) << o13.detail;
  EXPECT_EQ(o13.event.type(), v1::EVENT_TYPE_EXTERNAL_PURCHASE_TOKEN);
  EXPECT_EQ(o13.event.environment(), v1::ENVIRONMENT_SANDBOX);
  EXPECT_REJECTED(RunVector(g13, Production()), v1::REJECT_REASON_ENVIRONMENT_MISMATCH);

  const std::string g14 = ReadVector("derived/G14_external_purchase_token_production.jws.txt");
  Outcome o14 = RunVector(g14, Production());
  ASSERT_TRUE(o14.accepted) << o14.detail;
  EXPECT_EQ(o14.event.environment(), v1::ENVIRONMENT_PRODUCTION);
  EXPECT_REJECTED(RunVector(g14, Sandbox()), v1::REJECT_REASON_ENVIRONMENT_MISMATCH);

  Outcome o15 =
      RunVector(ReadVector("derived/G15_rescind_consent_appdata_sandbox.jws.txt"), Sandbox());
  ASSERT_TRUE(o15.accepted) << o15.detail;
  EXPECT_EQ(o15.event.type(), v1::EVENT_TYPE_CONSENT_RESCINDED);
}

TEST(AppleVectors, G16NoShapeIsAppMismatchG17NoSignedDateAccepted) {
  EXPECT_REJECTED(
      RunVector(ReadVector("derived/G16_no_data_summary_token_or_appdata.jws.txt"), Sandbox()),
      v1::REJECT_REASON_APP_MISMATCH);
  Outcome o = RunVector(ReadVector("derived/G17_signedDate_missing.jws.txt"), Sandbox());
  EXPECT_TRUE(o.accepted) << o.detail;
}

}  // namespace
}  // namespace storewire::apple_test

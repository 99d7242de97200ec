// Notifications minted by the test signer: every row of the mapping table and
// every rejection reason.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "storewire/stores/apple/apple_adapter.h"
#include "storewire/stores/apple/trust.h"
#include "storewire/stores/apple/verifier.h"
#include "storewire/testing/apple_test_signer.h"
#include "test_util.h"

namespace storewire::apple_test {
namespace {

using stores::apple::MakeAppleAdapter;
using testing::AppleTestSigner;
using testing::JwsOptions;
using testing::NotificationParams;

class MintedTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { signer_ = AppleTestSigner::Create().release(); }
  static void TearDownTestSuite() { delete signer_; }

  Config Cfg(std::vector<std::string> envs = {"Sandbox"}) {
    return MakeConfig({signer_->WriteRootPem(::testing::TempDir())}, std::move(envs));
  }

  stores::NormalizeResult Normalize(const std::string& body, const Config& config) {
    auto adapter = MakeAppleAdapter(config);
    EXPECT_TRUE(adapter.ok()) << adapter.status();
    auto r = (*adapter)->Normalize(Raw(body), config.apps[0], VectorNow());
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : stores::NormalizeResult{};
  }

  v1::SubscriptionEvent Accept(const NotificationParams& p) {
    auto r = Normalize(signer_->NotificationBody(p), Cfg());
    EXPECT_FALSE(r.rejected) << r.rejected->detail;
    EXPECT_EQ(r.events.size(), 1u);
    return r.events.empty() ? v1::SubscriptionEvent{} : r.events[0];
  }

  v1::RejectReason RejectReasonOf(const std::string& body, const Config& config,
                                  std::string* detail = nullptr) {
    auto r = Normalize(body, config);
    EXPECT_TRUE(r.rejected.has_value());
    if (!r.rejected) return v1::REJECT_REASON_UNSPECIFIED;
    if (detail) *detail = r.rejected->detail;
    return r.rejected->reason;
  }

  static AppleTestSigner* signer_;
};
AppleTestSigner* MintedTest::signer_ = nullptr;

NotificationParams N(std::string type, std::string subtype) {
  NotificationParams p;
  p.type = std::move(type);
  p.subtype = std::move(subtype);
  return p;
}

struct Row {
  const char* type;
  const char* subtype;
  v1::EventType expected;
};

TEST_F(MintedTest, EveryMappingTableRow) {
  const Row rows[] = {
      {"SUBSCRIBED", "INITIAL_BUY", v1::EVENT_TYPE_SUBSCRIPTION_STARTED},
      {"SUBSCRIBED", "RESUBSCRIBE", v1::EVENT_TYPE_RESUBSCRIBED},
      {"DID_RENEW", "", v1::EVENT_TYPE_RENEWED},
      {"DID_RENEW", "BILLING_RECOVERY", v1::EVENT_TYPE_BILLING_RECOVERED},
      {"DID_CHANGE_RENEWAL_STATUS", "AUTO_RENEW_DISABLED", v1::EVENT_TYPE_AUTO_RENEW_DISABLED},
      {"DID_CHANGE_RENEWAL_STATUS", "AUTO_RENEW_ENABLED", v1::EVENT_TYPE_AUTO_RENEW_ENABLED},
      {"DID_CHANGE_RENEWAL_PREF", "UPGRADE", v1::EVENT_TYPE_PRODUCT_CHANGED},
      {"DID_CHANGE_RENEWAL_PREF", "DOWNGRADE", v1::EVENT_TYPE_PRODUCT_CHANGE_SCHEDULED},
      {"DID_CHANGE_RENEWAL_PREF", "", v1::EVENT_TYPE_PRODUCT_CHANGE_CANCELED},
      {"DID_FAIL_TO_RENEW", "GRACE_PERIOD", v1::EVENT_TYPE_GRACE_PERIOD_STARTED},
      {"DID_FAIL_TO_RENEW", "", v1::EVENT_TYPE_BILLING_ISSUE},
      {"GRACE_PERIOD_EXPIRED", "", v1::EVENT_TYPE_GRACE_PERIOD_ENDED},
      {"EXPIRED", "VOLUNTARY", v1::EVENT_TYPE_EXPIRED},
      {"REFUND", "", v1::EVENT_TYPE_REFUNDED},
      {"REFUND_DECLINED", "", v1::EVENT_TYPE_REFUND_DECLINED},
      {"REFUND_REVERSED", "", v1::EVENT_TYPE_REFUND_REVERSED},
      {"REVOKE", "", v1::EVENT_TYPE_REVOKED},
      {"PRICE_INCREASE", "PENDING", v1::EVENT_TYPE_PRICE_INCREASE_PENDING},
      {"PRICE_INCREASE", "ACCEPTED", v1::EVENT_TYPE_PRICE_INCREASE_ACCEPTED},
      {"OFFER_REDEEMED", "UPGRADE", v1::EVENT_TYPE_OFFER_REDEEMED},
      {"OFFER_REDEEMED", "", v1::EVENT_TYPE_OFFER_REDEEMED},
      {"RENEWAL_EXTENDED", "", v1::EVENT_TYPE_RENEWAL_EXTENDED},
      {"ONE_TIME_CHARGE", "", v1::EVENT_TYPE_ONE_TIME_PURCHASE},
      {"CONSUMPTION_REQUEST", "", v1::EVENT_TYPE_CONSUMPTION_REQUESTED},
      {"TEST", "", v1::EVENT_TYPE_TEST},
      {"RESCIND_CONSENT", "", v1::EVENT_TYPE_CONSENT_RESCINDED},
      {"EXTERNAL_PURCHASE_TOKEN", "UNREPORTED", v1::EVENT_TYPE_EXTERNAL_PURCHASE_TOKEN},
      {"RENEWAL_EXTENSION", "SUMMARY", v1::EVENT_TYPE_RENEWAL_EXTENSION_SUMMARY},
      {"SUBSCRIBED", "SOMETHING_NEW", v1::EVENT_TYPE_UNKNOWN},
      {"METADATA_UPDATE", "", v1::EVENT_TYPE_UNKNOWN},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(row.type) + "/" + row.subtype);
    v1::SubscriptionEvent e = Accept(N(row.type, row.subtype));
    EXPECT_EQ(v1::EventType_Name(e.type()), v1::EventType_Name(row.expected));
    EXPECT_EQ(e.store_notification().type(), row.type);
    EXPECT_EQ(e.store_notification().subtype(), row.subtype);
    EXPECT_EQ(e.store(), v1::STORE_APP_STORE);
    EXPECT_EQ(e.app_id(), "demo");
    EXPECT_EQ(e.request_id(), "req-1");
    EXPECT_EQ(e.received_at().seconds(), 1761963000);
    EXPECT_EQ(e.occurred_at().seconds(), 1761962975);
    EXPECT_EQ(e.subscription_key(), "2000000000000000");
    EXPECT_EQ(e.original_transaction_id(), "2000000000000000");
    EXPECT_EQ(e.transaction_id(), "2000000000000001");
    EXPECT_EQ(e.product_id(), "com.example.monthly");
    EXPECT_EQ(e.price().amount_micros(), 9990000);
    EXPECT_EQ(e.customer_id(), "7e3fb20b-4cdb-47cc-936d-99d65f608138");
    EXPECT_EQ(e.purchased_at().seconds(), 1761962900);
    EXPECT_EQ(e.expires_at().seconds(), 1764554900);
    EXPECT_EQ(e.period_type(), v1::PERIOD_TYPE_NORMAL);
    EXPECT_EQ(e.country(), "USA");
    EXPECT_EQ(e.ownership(), "PURCHASED");
    EXPECT_EQ(e.environment(), v1::ENVIRONMENT_SANDBOX);
  }
}

TEST_F(MintedTest, FreeTrialInitialBuyIsTrialStarted) {
  for (int64_t offer_type : {1, 3}) {
    NotificationParams p = N("SUBSCRIBED", "INITIAL_BUY");
    p.transaction->offer_type = offer_type;
    p.transaction->offer_discount_type = "FREE_TRIAL";
    p.transaction->price = 0;
    v1::SubscriptionEvent e = Accept(p);
    EXPECT_EQ(e.type(), v1::EVENT_TYPE_TRIAL_STARTED);
    EXPECT_EQ(e.period_type(), v1::PERIOD_TYPE_TRIAL);
    EXPECT_EQ(e.price().amount_micros(), 0);
  }
}

TEST_F(MintedTest, PeriodTypesFromOfferType) {
  const std::pair<int64_t, v1::PeriodType> cases[] = {{1, v1::PERIOD_TYPE_INTRO},
                                                      {2, v1::PERIOD_TYPE_PROMOTIONAL},
                                                      {3, v1::PERIOD_TYPE_PROMOTIONAL}};
  for (const auto& [offer_type, period] : cases) {
    NotificationParams p = N("DID_RENEW", "");
    p.transaction->offer_type = offer_type;
    p.transaction->offer_discount_type = "PAY_AS_YOU_GO";
    p.transaction->offer_identifier = "spring";
    v1::SubscriptionEvent e = Accept(p);
    EXPECT_EQ(e.period_type(), period) << offer_type;
    EXPECT_EQ(e.offer_id(), "spring");
  }
}

TEST_F(MintedTest, ExpiredReasons) {
  const std::pair<const char*, v1::Reason> cases[] = {
      {"VOLUNTARY", v1::REASON_VOLUNTARY},
      {"BILLING_RETRY", v1::REASON_BILLING_ERROR},
      {"PRICE_INCREASE", v1::REASON_PRICE_INCREASE},
      {"PRODUCT_NOT_FOR_SALE", v1::REASON_PRODUCT_UNAVAILABLE}};
  for (const auto& [subtype, reason] : cases) {
    v1::SubscriptionEvent e = Accept(N("EXPIRED", subtype));
    EXPECT_EQ(e.type(), v1::EVENT_TYPE_EXPIRED);
    EXPECT_EQ(e.reason(), reason) << subtype;
  }
  NotificationParams p = N("EXPIRED", "");
  p.renewal->expiration_intent = 2;
  EXPECT_EQ(Accept(p).reason(), v1::REASON_BILLING_ERROR);
}

TEST_F(MintedTest, RenewalInfoFields) {
  NotificationParams p = N("DID_CHANGE_RENEWAL_PREF", "DOWNGRADE");
  p.renewal->auto_renew_product_id = "com.example.basic";
  p.renewal->auto_renew_status = 0;
  p.renewal->grace_period_expires_date_ms = 1765000000000;
  p.transaction->revocation_date_ms = 1762000000500;
  v1::SubscriptionEvent e = Accept(p);
  EXPECT_EQ(e.auto_renew_product_id(), "com.example.basic");
  ASSERT_TRUE(e.has_auto_renew());
  EXPECT_FALSE(e.auto_renew());
  EXPECT_EQ(e.grace_period_expires_at().seconds(), 1765000000);
  EXPECT_EQ(e.revoked_at().seconds(), 1762000000);
  EXPECT_EQ(e.revoked_at().nanos(), 500000000);
}

TEST_F(MintedTest, EventIdIsStableAcrossRetries) {
  v1::SubscriptionEvent a = Accept(N("DID_RENEW", ""));
  v1::SubscriptionEvent b = Accept(N("DID_RENEW", ""));
  EXPECT_EQ(a.id(), b.id());
  EXPECT_EQ(a.id(), stores::EventId(v1::STORE_APP_STORE, "3f1a2b3c-4d5e-4f60-8a71-9b8c7d6e5f40"));
  NotificationParams other = N("DID_RENEW", "");
  other.uuid = "00000000-0000-4000-8000-000000000001";
  EXPECT_NE(Accept(other).id(), a.id());
}

TEST_F(MintedTest, EventToJsonPrintsContractFields) {
  std::string json = stores::EventToJson(Accept(N("SUBSCRIBED", "INITIAL_BUY")));
  for (const char* needle :
       {"\"amountMicros\":\"9990000\"", "\"currency\":\"USD\"",
        "\"type\":\"EVENT_TYPE_SUBSCRIPTION_STARTED\"", "\"store\":\"STORE_APP_STORE\"",
        "\"environment\":\"ENVIRONMENT_SANDBOX\"", "\"subscriptionKey\":\"2000000000000000\"",
        "\"periodType\":\"PERIOD_TYPE_NORMAL\"", "\"occurredAt\":\"2025-11-01T02:09:35Z\"",
        "\"autoRenew\":true", "\"customerId\":\"7e3fb20b-4cdb-47cc-936d-99d65f608138\"",
        "\"storeNotification\":{\"id\":\"3f1a2b3c-4d5e-4f60-8a71-9b8c7d6e5f40\""}) {
    EXPECT_NE(json.find(needle), std::string::npos) << needle << "\n" << json;
  }
}

// --- rejections -------------------------------------------------------------

TEST_F(MintedTest, BadSignatureReasons) {
  const NotificationParams p = N("DID_RENEW", "");
  JwsOptions wrong_key;
  wrong_key.wrong_key = true;
  EXPECT_EQ(RejectReasonOf(signer_->NotificationBody(p, wrong_key), Cfg()),
            v1::REJECT_REASON_BAD_SIGNATURE);
  JwsOptions der;
  der.der_signature = true;
  std::string detail;
  EXPECT_EQ(RejectReasonOf(signer_->NotificationBody(p, der), Cfg(), &detail),
            v1::REJECT_REASON_BAD_SIGNATURE);
  EXPECT_NE(detail.find("64 bytes"), std::string::npos) << detail;
  for (const char* alg : {"none", "HS256", "ES384", "RS256"}) {
    JwsOptions o;
    o.alg = alg;
    EXPECT_EQ(RejectReasonOf(signer_->NotificationBody(p, o), Cfg(), &detail),
              v1::REJECT_REASON_BAD_SIGNATURE)
        << alg;
    EXPECT_NE(detail.find(alg), std::string::npos) << detail;
  }
  // Nested JWS with another chain, or not ES256, are verified on their own:
  // nested_test.cc.
}

TEST_F(MintedTest, CertificateChainReasons) {
  const NotificationParams p = N("DID_RENEW", "");
  // Another root, not configured.
  auto stranger = AppleTestSigner::Create();
  EXPECT_EQ(RejectReasonOf(stranger->NotificationBody(p), Cfg()),
            v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN);
  for (int count : {2, 4}) {
    JwsOptions o;
    o.x5c_count = count;
    EXPECT_EQ(RejectReasonOf(signer_->NotificationBody(p, o), Cfg()),
              v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN)
        << count;
  }
  JwsOptions no_x5c;
  no_x5c.omit_x5c = true;
  EXPECT_EQ(RejectReasonOf(signer_->NotificationBody(p, no_x5c), Cfg()),
            v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN);

  testing::TestChainOptions no_leaf_oid;
  no_leaf_oid.leaf_oid = false;
  auto s1 = AppleTestSigner::Create(no_leaf_oid);
  Config c1 = MakeConfig({s1->WriteRootPem(::testing::TempDir())});
  std::string detail;
  EXPECT_EQ(RejectReasonOf(s1->NotificationBody(p), c1, &detail),
            v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN);
  EXPECT_NE(detail.find("1.2.840.113635.100.6.11.1"), std::string::npos) << detail;

  testing::TestChainOptions no_intermediate_oid;
  no_intermediate_oid.intermediate_oid = false;
  auto s2 = AppleTestSigner::Create(no_intermediate_oid);
  Config c2 = MakeConfig({s2->WriteRootPem(::testing::TempDir())});
  EXPECT_EQ(RejectReasonOf(s2->NotificationBody(p), c2, &detail),
            v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN);
  EXPECT_NE(detail.find("1.2.840.113635.100.6.2.1"), std::string::npos) << detail;

  testing::TestChainOptions expired;
  expired.not_before = absl::FromUnixSeconds(1600000000);
  expired.not_after = absl::FromUnixSeconds(1700000000);  // 2023-11
  auto s3 = AppleTestSigner::Create(expired);
  Config c3 = MakeConfig({s3->WriteRootPem(::testing::TempDir())});
  EXPECT_EQ(RejectReasonOf(s3->NotificationBody(p), c3, &detail),
            v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN);
  EXPECT_NE(detail.find("not valid at 2025-11-01T02:09:35Z"), std::string::npos) << detail;
}

TEST_F(MintedTest, AppAndEnvironmentReasons) {
  NotificationParams wrong_bundle = N("DID_RENEW", "");
  wrong_bundle.bundle_id = "com.example.wrong";
  std::string detail;
  EXPECT_EQ(RejectReasonOf(signer_->NotificationBody(wrong_bundle), Cfg(), &detail),
            v1::REJECT_REASON_APP_MISMATCH);
  EXPECT_NE(detail.find("bundleId 'com.example.wrong' does not match apps[demo].apple.bundle_id "
                        "'com.example'"),
            std::string::npos)
      << detail;

  NotificationParams prod = N("DID_RENEW", "");
  prod.environment = "Production";
  prod.transaction->environment = "Production";
  prod.renewal->environment = "Production";
  prod.app_apple_id = 999;
  EXPECT_EQ(RejectReasonOf(signer_->NotificationBody(prod), Cfg({"Production"}), &detail),
            v1::REJECT_REASON_APP_MISMATCH);
  EXPECT_NE(detail.find("appAppleId 999"), std::string::npos) << detail;
  prod.app_apple_id.reset();
  EXPECT_EQ(RejectReasonOf(signer_->NotificationBody(prod), Cfg({"Production"})),
            v1::REJECT_REASON_APP_MISMATCH);
  prod.app_apple_id = 1234;
  EXPECT_EQ(RejectReasonOf(signer_->NotificationBody(prod), Cfg({"Sandbox"}), &detail),
            v1::REJECT_REASON_ENVIRONMENT_MISMATCH);
  EXPECT_NE(detail.find("apps[demo].apple.environments [Sandbox]"), std::string::npos) << detail;

  NotificationParams nested_bundle = N("DID_RENEW", "");
  nested_bundle.transaction->bundle_id = "com.other";
  EXPECT_EQ(RejectReasonOf(signer_->NotificationBody(nested_bundle), Cfg()),
            v1::REJECT_REASON_APP_MISMATCH);
  NotificationParams nested_env = N("DID_RENEW", "");
  nested_env.transaction->environment = "Production";
  EXPECT_EQ(RejectReasonOf(signer_->NotificationBody(nested_env), Cfg({"Sandbox", "Production"})),
            v1::REJECT_REASON_ENVIRONMENT_MISMATCH);
  NotificationParams renewal_env = N("DID_RENEW", "");
  renewal_env.renewal->environment = "Production";
  EXPECT_EQ(RejectReasonOf(signer_->NotificationBody(renewal_env), Cfg({"Sandbox", "Production"})),
            v1::REJECT_REASON_ENVIRONMENT_MISMATCH);
}

TEST_F(MintedTest, MalformedBodiesAndPayloads) {
  for (const char* body : {"", "not json", "[]", "{\"signedPayload\":5}",
                           "{\"signedPayload\":\"@@@.b.c\"}", "{\"other\":1}"}) {
    EXPECT_EQ(RejectReasonOf(body, Cfg()), v1::REJECT_REASON_MALFORMED) << body;
  }
  // Valid signature over something that is not a notification.
  std::string jws = signer_->Sign("[1,2]");
  EXPECT_EQ(RejectReasonOf("{\"signedPayload\":\"" + jws + "\"}", Cfg()),
            v1::REJECT_REASON_MALFORMED);
  jws = signer_->Sign(R"({"notificationType":"TEST","notificationUUID":"u","data":"x"})");
  EXPECT_EQ(RejectReasonOf("{\"signedPayload\":\"" + jws + "\"}", Cfg()),
            v1::REJECT_REASON_MALFORMED);
}

TEST_F(MintedTest, UnknownAppAndAppWithoutAppleSection) {
  Config config = Cfg();
  auto adapter = MakeAppleAdapter(config);
  ASSERT_TRUE(adapter.ok());
  AppConfig no_apple;
  no_apple.id = "demo";
  auto r = (*adapter)->Normalize(Raw("{}"), no_apple, VectorNow());
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->rejected);
  EXPECT_EQ(r->rejected->reason, v1::REJECT_REASON_UNKNOWN_APP);
  AppConfig other = config.apps[0];
  other.id = "other";
  r = (*adapter)->Normalize(Raw("{}"), other, VectorNow());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rejected->reason, v1::REJECT_REASON_UNKNOWN_APP);
}

TEST_F(MintedTest, MissingTrustRootFileFailsCreationNamingTheFile) {
  Config config = MakeConfig({"/nonexistent/root.pem"});
  auto adapter = MakeAppleAdapter(config);
  ASSERT_FALSE(adapter.ok());
  EXPECT_EQ(adapter.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(adapter.status().message().find("/nonexistent/root.pem"), absl::string_view::npos);
  EXPECT_NE(adapter.status().message().find("apps[demo].apple.trust_roots"),
            absl::string_view::npos);
}

// --- V1 ---------------------------------------------------------------------

std::string V1Body(const std::string& type, const std::string& password,
                   const std::string& env = "Sandbox") {
  return R"({"notification_type":")" + type + R"(","password":")" + password +
         R"(","environment":")" + env +
         R"(","bid":"com.example","bvrs":"1","auto_renew_status":"true",)"
         R"("auto_renew_product_id":"com.example.monthly","unified_receipt":{"latest_receipt_info":[)"
         R"({"product_id":"com.example.monthly","transaction_id":"1001","original_transaction_id":"1000",)"
         R"("purchase_date_ms":"1698000000000","expires_date_ms":"1700600000000","is_trial_period":"false"},)"
         R"({"product_id":"com.example.monthly","transaction_id":"1002","original_transaction_id":"1000",)"
         R"("purchase_date_ms":"1700600000000","expires_date_ms":"1703200000000","is_trial_period":"false"}]}})";
}

TEST_F(MintedTest, V1MapsLatestReceiptWithStableId) {
  const std::pair<const char*, v1::EventType> cases[] = {
      {"INITIAL_BUY", v1::EVENT_TYPE_SUBSCRIPTION_STARTED},
      {"DID_RENEW", v1::EVENT_TYPE_RENEWED},
      {"DID_RECOVER", v1::EVENT_TYPE_BILLING_RECOVERED},
      {"CANCEL", v1::EVENT_TYPE_REFUNDED},
      {"DID_CHANGE_RENEWAL_STATUS", v1::EVENT_TYPE_AUTO_RENEW_ENABLED},
      {"INTERACTIVE_RENEWAL", v1::EVENT_TYPE_RESUBSCRIBED},
      {"SOMETHING", v1::EVENT_TYPE_UNKNOWN}};
  for (const auto& [type, expected] : cases) {
    auto r = Normalize(V1Body(type, "s3cret"), Cfg());
    ASSERT_FALSE(r.rejected) << r.rejected->detail;
    ASSERT_EQ(r.events.size(), 1u);
    const auto& e = r.events[0];
    EXPECT_EQ(e.type(), expected) << type;
    EXPECT_EQ(e.transaction_id(), "1002");
    EXPECT_EQ(e.subscription_key(), "1000");
    EXPECT_EQ(e.expires_at().seconds(), 1703200000);
    EXPECT_EQ(e.environment(), v1::ENVIRONMENT_SANDBOX);
    EXPECT_EQ(e.store_notification().type(), type);
    auto again = Normalize(V1Body(type, "s3cret"), Cfg());
    EXPECT_EQ(again.events[0].id(), e.id());
  }
}

TEST_F(MintedTest, V1Rejections) {
  EXPECT_EQ(RejectReasonOf(V1Body("DID_RENEW", "wrong"), Cfg()), v1::REJECT_REASON_UNAUTHENTICATED);
  EXPECT_EQ(RejectReasonOf(V1Body("DID_RENEW", "s3cret", "PROD"), Cfg({"Sandbox"})),
            v1::REJECT_REASON_ENVIRONMENT_MISMATCH);
  auto prod = Normalize(V1Body("DID_RENEW", "s3cret", "PROD"), Cfg({"Production"}));
  ASSERT_FALSE(prod.rejected);
  EXPECT_EQ(prod.events[0].environment(), v1::ENVIRONMENT_PRODUCTION);
  Config no_secret = Cfg();
  no_secret.apps[0].apple->shared_secret.clear();
  EXPECT_EQ(RejectReasonOf(V1Body("DID_RENEW", ""), no_secret), v1::REJECT_REASON_UNAUTHENTICATED);
}

// --- chain cache --------------------------------------------------------------

TEST_F(MintedTest, WarmNotificationsSkipChainVerification) {
  Config config = Cfg();
  auto roots = stores::apple::LoadTrustRoots(config.apps[0].apple->trust_roots);
  ASSERT_TRUE(roots.ok());
  auto cache = std::make_shared<stores::apple::ChainCache>(8);
  stores::apple::SignedDataVerifier verifier(*roots, false, nullptr, cache, "test");
  const std::string jws = signer_->SignNotification(N("DID_RENEW", ""));
  for (int i = 0; i < 5; ++i) {
    auto v = verifier.Verify(jws, VectorNow());
    ASSERT_TRUE(v.ok());
    EXPECT_FALSE(v->rejected);
  }
  EXPECT_EQ(verifier.chain_verifications(), 1);
  EXPECT_EQ(cache->size(), 1u);
  // A tampered signature on a cached chain is still rejected.
  std::string bad = jws;
  bad[bad.size() - 3] = bad[bad.size() - 3] == 'A' ? 'B' : 'A';
  auto v = verifier.Verify(bad, VectorNow());
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->rejected);
  EXPECT_EQ(v->rejected->reason, v1::REJECT_REASON_BAD_SIGNATURE);
  // Past the chain's notAfter the entry is dropped and the chain re-checked.
  auto late = verifier.Verify(jws, absl::FromUnixSeconds(2100000000));
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(cache->size(), 0u);
  EXPECT_EQ(verifier.chain_verifications(), 2);
}

TEST(ChainCache, BoundedEvictsEarliestExpiry) {
  stores::apple::ChainCache cache(2);
  EVP_PKEY* p256 = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  auto key = crypto::Es256Verifier::Create(crypto::PublicKey::FromEvp(p256));
  EVP_PKEY_free(p256);
  ASSERT_TRUE(key.ok());
  const absl::Time now = VectorNow();
  cache.Insert("a", {*key, now - absl::Hours(1), now + absl::Hours(1)}, now);
  cache.Insert("b", {*key, now - absl::Hours(1), now + absl::Hours(3)}, now);
  cache.Insert("c", {*key, now - absl::Hours(1), now + absl::Hours(2)}, now);
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_FALSE(cache.Lookup("a", now).has_value());
  EXPECT_TRUE(cache.Lookup("b", now).has_value());
  EXPECT_FALSE(cache.Lookup("c", now + absl::Hours(2) + absl::Seconds(1)).has_value());
  cache.Insert("expired", {*key, now - absl::Hours(2), now - absl::Hours(1)}, now);
  EXPECT_FALSE(cache.Lookup("expired", now).has_value());
}

}  // namespace
}  // namespace storewire::apple_test

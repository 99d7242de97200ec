// The Huawei adapter from literal notifications signed at test time.
#include "storewire/stores/huawei/huawei_adapter.h"

#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"
#include "storewire/stores/huawei/payload.h"
#include "storewire/stores/huawei/signature.h"
#include "storewire/testing/rsa_test_keys.h"

namespace storewire::stores::huawei {
namespace {

using storewire::testing::RsaTestKey;

const RsaTestKey& Key() {
  static const RsaTestKey* key = new RsaTestKey(RsaTestKey::Generate(2048));
  return *key;
}

std::string Quote(absl::string_view s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return buf.GetString();
}

std::string ReceiptInfo(const std::string& extra = "") {
  std::string base = absl::StrCat(
      R"({"applicationId":"10123456","orderId":"ORD-2","productId":"monthly.pro",)"
      R"("purchaseToken":"tok-1","subscriptionId":"SUB-1","currency":"EUR","price":499,)"
      R"("country":"FR","purchaseTime":1761962900000,"expirationDate":1764554900000,)"
      R"("autoRenewing":true,"purchaseState":0,"kind":2)",
      extra, "}");
  if (extra.find("purchaseState") != std::string::npos) {  // no duplicate member
    base.erase(base.find(R"(,"purchaseState":0)"), 18);
  }
  return base;
}

std::string StatusUpdate(int type, const std::string& extra = "",
                         const std::string& receipt_extra = "") {
  return absl::StrCat(R"({"environment":"PROD","notificationType":)", type,
                      R"(,"subscriptionId":"SUB-1","orderId":"ORD-2","productId":"monthly.pro",)"
                      R"("applicationId":"10123456","autoRenewStatus":1,"latestReceiptInfo":)",
                      Quote(ReceiptInfo(receipt_extra)), extra, "}");
}

std::string V2Body(const std::string& status, const std::string& signature,
                   const std::string& algorithm) {
  return absl::StrCat(
      R"({"version":"v2","eventType":"SUBSCRIPTION","notifyTime":1761963000000,)"
      R"("applicationId":"10123456","subNotification":{"statusUpdateNotification":)",
      Quote(status), R"(,"notificationSignature":)", Quote(signature), R"(,"signatureAlgorithm":)",
      Quote(algorithm), "}}");
}

std::string SignedV2(const std::string& status, bool pss = false) {
  return V2Body(status, Key().SignBase64(status, "SHA256", pss ? 32 : -1),
                pss ? "SHA256WithRSA/PSS" : "SHA256WithRSA");
}

class HuaweiAdapterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AppConfig app;
    app.id = "demo";
    app.huawei.emplace().public_key = Key().SpkiBase64();
    app.huawei->application_id = "10123456";
    config_.apps.push_back(app);
    adapter_ = MakeHuaweiAdapter(config_);
  }

  NormalizeResult Run(const std::string& body) {
    v1::RawNotification raw;
    raw.set_store(v1::STORE_APP_GALLERY);
    raw.set_app_id("demo");
    raw.set_body(body);
    raw.set_request_id("req-1");
    raw.mutable_received_at()->set_seconds(1761963001);
    absl::StatusOr<NormalizeResult> r =
        adapter_->Normalize(raw, config_.apps[0], absl::FromUnixSeconds(1761963001));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : NormalizeResult{};
  }

  v1::SubscriptionEvent Accepted(const std::string& body) {
    NormalizeResult r = Run(body);
    EXPECT_FALSE(r.rejected.has_value()) << r.rejected->detail;
    EXPECT_EQ(r.events.size(), 1u);
    return r.events.empty() ? v1::SubscriptionEvent{} : r.events[0];
  }

  Config config_;
  std::unique_ptr<StoreAdapter> adapter_;
};

TEST_F(HuaweiAdapterTest, InitialBuyPkcs1MapsEveryField) {
  v1::SubscriptionEvent e = Accepted(SignedV2(StatusUpdate(0)));
  EXPECT_EQ(e.type(), v1::EVENT_TYPE_SUBSCRIPTION_STARTED);
  EXPECT_EQ(e.store(), v1::STORE_APP_GALLERY);
  EXPECT_EQ(e.environment(), v1::ENVIRONMENT_PRODUCTION);
  EXPECT_EQ(e.app_id(), "demo");
  EXPECT_EQ(e.subscription_key(), "SUB-1");
  EXPECT_EQ(e.product_id(), "monthly.pro");
  EXPECT_EQ(e.transaction_id(), "ORD-2");
  EXPECT_EQ(e.price().amount_micros(), 4'990'000);
  EXPECT_EQ(e.price().currency(), "EUR");
  EXPECT_EQ(e.country(), "FR");
  EXPECT_EQ(e.purchased_at().seconds(), 1761962900);
  EXPECT_EQ(e.expires_at().seconds(), 1764554900);
  EXPECT_EQ(e.occurred_at().seconds(), 1761963000);
  EXPECT_EQ(e.received_at().seconds(), 1761963001);
  EXPECT_TRUE(e.auto_renew());
  EXPECT_EQ(e.period_type(), v1::PERIOD_TYPE_NORMAL);
  EXPECT_EQ(e.store_notification().type(), "INITIAL_BUY");
  EXPECT_EQ(e.request_id(), "req-1");
  EXPECT_FALSE(e.id().empty());
}

TEST_F(HuaweiAdapterTest, PssSignatureVerifiesWithAnySaltLength) {
  const std::string status = StatusUpdate(2);
  for (int salt : {32, 0, 20, 64}) {
    std::string body =
        V2Body(status, Key().SignBase64(status, "SHA256", salt), "SHA256WithRSA/PSS");
    EXPECT_EQ(Accepted(body).type(), v1::EVENT_TYPE_RENEWED) << "salt " << salt;
  }
}

TEST_F(HuaweiAdapterTest, EveryTypeMaps) {
  struct Case {
    int type;
    v1::EventType want;
    const char* name;
  };
  const Case cases[] = {
      {0, v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "INITIAL_BUY"},
      {1, v1::EVENT_TYPE_REVOKED, "CANCEL"},
      {2, v1::EVENT_TYPE_RENEWED, "RENEWAL"},
      {3, v1::EVENT_TYPE_RESUBSCRIBED, "INTERACTIVE_RENEWAL"},
      {4, v1::EVENT_TYPE_PRODUCT_CHANGE_SCHEDULED, "NEW_RENEWAL_PREF"},
      {5, v1::EVENT_TYPE_AUTO_RENEW_DISABLED, "RENEWAL_STOPPED"},
      {6, v1::EVENT_TYPE_AUTO_RENEW_ENABLED, "RENEWAL_RESTORED"},
      {7, v1::EVENT_TYPE_RENEWED, "RENEWAL_RECURRING"},
      {8, v1::EVENT_TYPE_GRACE_PERIOD_STARTED, "IN_GRACE_PERIOD"},
      {9, v1::EVENT_TYPE_ON_HOLD, "ON_HOLD"},
      {10, v1::EVENT_TYPE_PAUSED, "PAUSED"},
      {11, v1::EVENT_TYPE_PAUSE_SCHEDULED, "PAUSE_PLAN_CHANGED"},
      {12, v1::EVENT_TYPE_PRICE_INCREASE_ACCEPTED, "PRICE_CHANGE_CONFIRMED"},
      {13, v1::EVENT_TYPE_DEFERRED, "DEFERRED"},
      {42, v1::EVENT_TYPE_UNKNOWN, "42"},
  };
  for (const Case& c : cases) {
    v1::SubscriptionEvent e = Accepted(SignedV2(StatusUpdate(c.type), c.type % 2 == 1));
    EXPECT_EQ(e.type(), c.want) << c.name;
    EXPECT_EQ(e.store_notification().type(), c.name);
  }
}

TEST_F(HuaweiAdapterTest, CancelWithRefundIsRefundedOtherwiseRevoked) {
  v1::SubscriptionEvent refunded = Accepted(
      SignedV2(StatusUpdate(1, R"(,"refundPayOrderId":"RF-9","cancellationDate":1762000000000)")));
  EXPECT_EQ(refunded.type(), v1::EVENT_TYPE_REFUNDED);
  EXPECT_EQ(refunded.reason(), v1::REASON_REFUND);
  EXPECT_EQ(refunded.revoked_at().seconds(), 1762000000);
  EXPECT_EQ(refunded.attributes().at("huawei.refundPayOrderId"), "RF-9");

  v1::SubscriptionEvent by_state = Accepted(SignedV2(StatusUpdate(1, "", R"(,"purchaseState":2)")));
  EXPECT_EQ(by_state.type(), v1::EVENT_TYPE_REFUNDED);

  v1::SubscriptionEvent revoked =
      Accepted(SignedV2(StatusUpdate(1, R"(,"cancellationDate":1762000000000)")));
  EXPECT_EQ(revoked.type(), v1::EVENT_TYPE_REVOKED);
  EXPECT_EQ(revoked.revoked_at().seconds(), 1762000000);
}

TEST_F(HuaweiAdapterTest, RenewalStoppedAndTrialAndIntroFields) {
  v1::SubscriptionEvent stopped = Accepted(SignedV2(StatusUpdate(5, R"(,"expirationIntent":1)")));
  EXPECT_FALSE(stopped.auto_renew());
  EXPECT_EQ(stopped.reason(), v1::REASON_VOLUNTARY);
  EXPECT_EQ(Accepted(SignedV2(StatusUpdate(0, "", R"(,"trialFlag":1)"))).period_type(),
            v1::PERIOD_TYPE_TRIAL);
  EXPECT_EQ(Accepted(SignedV2(StatusUpdate(0, "", R"(,"introductoryFlag":1)"))).period_type(),
            v1::PERIOD_TYPE_INTRO);
}

TEST_F(HuaweiAdapterTest, ImplausiblePriceIsDroppedNotOverflowed) {
  std::string status = StatusUpdate(2);
  status.replace(status.find(R"(\"price\":499)"), 13, R"(\"price\":900000000000000000)");
  v1::SubscriptionEvent e = Accepted(SignedV2(status));
  EXPECT_FALSE(e.has_price());
}

TEST_F(HuaweiAdapterTest, SameBytesSameIdDifferentBytesDifferentId) {
  const std::string status = StatusUpdate(2);
  const std::string a = Accepted(SignedV2(status)).id();
  EXPECT_EQ(a, Accepted(SignedV2(status, true)).id());  // a retry, even re-signed
  EXPECT_NE(a, Accepted(SignedV2(StatusUpdate(7))).id());
}

TEST_F(HuaweiAdapterTest, SandboxEnvironment) {
  std::string status = StatusUpdate(0);
  status.replace(status.find("PROD"), 4, "SandBox");
  EXPECT_EQ(Accepted(SignedV2(status)).environment(), v1::ENVIRONMENT_SANDBOX);
}

TEST_F(HuaweiAdapterTest, V1BodyWithHuaweiSpelling) {
  const std::string status = StatusUpdate(2);
  std::string body =
      absl::StrCat(R"({"statusUpdateNotification":)", Quote(status), R"(,"notifycationSignature":)",
                   Quote(Key().SignBase64(status, "SHA256")), "}");
  EXPECT_EQ(Accepted(body).type(), v1::EVENT_TYPE_RENEWED);
}

TEST_F(HuaweiAdapterTest, OrderPaidAndRefunded) {
  auto order = [](int type) {
    return absl::StrCat(R"({"version":"v2","eventType":"ORDER","notifyTime":1761963000000,)"
                        R"("applicationId":"10123456","orderNotification":{"version":"v2",)"
                        R"("notificationType":)",
                        type, R"(,"purchaseToken":"otok-1","productId":"coins.100"}})");
  };
  v1::SubscriptionEvent paid = Accepted(order(1));
  EXPECT_EQ(paid.type(), v1::EVENT_TYPE_ONE_TIME_PURCHASE);
  EXPECT_EQ(paid.product_id(), "coins.100");
  EXPECT_EQ(paid.subscription_key(), "otok-1");
  EXPECT_EQ(paid.store_notification().type(), "ORDER_PAID");
  EXPECT_EQ(paid.attributes().at("huawei.signed"), "false");
  v1::SubscriptionEvent refunded = Accepted(order(2));
  EXPECT_EQ(refunded.type(), v1::EVENT_TYPE_REFUNDED);
  EXPECT_EQ(refunded.reason(), v1::REASON_REFUND);
  EXPECT_NE(paid.id(), refunded.id());
}

TEST_F(HuaweiAdapterTest, TamperedStatusIsBadSignature) {
  const std::string status = StatusUpdate(0);
  std::string tampered = status;
  tampered.replace(tampered.find("monthly.pro"), 11, "yearly.pro!");
  NormalizeResult r = Run(V2Body(tampered, Key().SignBase64(status, "SHA256"), "SHA256WithRSA"));
  ASSERT_TRUE(r.rejected.has_value());
  EXPECT_EQ(r.rejected->reason, v1::REJECT_REASON_BAD_SIGNATURE);
  EXPECT_NE(r.rejected->detail.find("apps[demo].huawei.public_key"), std::string::npos);
}

TEST_F(HuaweiAdapterTest, OtherKeyWrongAlgorithmAndGarbageAreBadSignature) {
  const std::string status = StatusUpdate(0);
  RsaTestKey other = RsaTestKey::Generate(2048);
  const std::string bodies[] = {
      V2Body(status, other.SignBase64(status, "SHA256"), "SHA256WithRSA"),
      V2Body(status, Key().SignBase64(status, "SHA256"), "SHA256WithRSA/PSS"),  // PKCS1 as PSS
      V2Body(status, Key().SignBase64(status, "SHA256", 32), "SHA256WithRSA"),  // PSS as PKCS1
      V2Body(status, Key().SignBase64(status, "SHA1"), "SHA256WithRSA"),
      V2Body(status, Key().SignBase64(status, "SHA256"), "MD5WithRSA"),
      V2Body(status, "", "SHA256WithRSA"),
      V2Body(status, "!!!not base64!!!", "SHA256WithRSA"),
  };
  for (const std::string& body : bodies) {
    NormalizeResult r = Run(body);
    ASSERT_TRUE(r.rejected.has_value()) << body;
    EXPECT_EQ(r.rejected->reason, v1::REJECT_REASON_BAD_SIGNATURE) << r.rejected->detail;
  }
}

TEST_F(HuaweiAdapterTest, ApplicationMismatch) {
  std::string status = StatusUpdate(0);
  status.replace(status.find("\"applicationId\":\"10123456\""), 26, R"("applicationId":"999")");
  NormalizeResult r = Run(SignedV2(status));
  ASSERT_TRUE(r.rejected.has_value());
  EXPECT_EQ(r.rejected->reason, v1::REJECT_REASON_APP_MISMATCH);
  EXPECT_NE(r.rejected->detail.find("apps[demo].huawei.application_id"), std::string::npos);
}

TEST_F(HuaweiAdapterTest, MalformedBodies) {
  for (const std::string& body :
       {std::string("not json"), std::string("[]"), std::string(R"({"version":"v2"})"),
        std::string(R"({"subNotification":"x"})"),
        std::string(R"({"orderNotification":{"purchaseToken":"t"}})"),
        SignedV2(R"({"environment":"PROD"})"), SignedV2("[1]")}) {
    NormalizeResult r = Run(body);
    ASSERT_TRUE(r.rejected.has_value()) << body;
    EXPECT_EQ(r.rejected->reason, v1::REJECT_REASON_MALFORMED) << body;
  }
}

TEST_F(HuaweiAdapterTest, UnusableKeyIsUnauthenticatedAndMissingSectionUnknownApp) {
  Config config;
  AppConfig app;
  app.id = "demo";
  app.huawei.emplace().public_key = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A...";
  config.apps.push_back(app);
  std::unique_ptr<StoreAdapter> adapter = MakeHuaweiAdapter(config);
  v1::RawNotification raw;
  raw.set_body(SignedV2(StatusUpdate(0)));
  absl::StatusOr<NormalizeResult> r = adapter->Normalize(raw, config.apps[0], absl::Now());
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->rejected.has_value());
  EXPECT_EQ(r->rejected->reason, v1::REJECT_REASON_UNAUTHENTICATED);
  AppConfig bare;
  bare.id = "bare";
  r = adapter->Normalize(raw, bare, absl::Now());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rejected->reason, v1::REJECT_REASON_UNKNOWN_APP);
}

TEST(HuaweiSignatureTest, KeyFormatsAndSmallKeys) {
  EXPECT_TRUE(ParseIapPublicKey(Key().SpkiBase64()).ok());
  EXPECT_TRUE(ParseIapPublicKey(Key().PublicPem()).ok());
  EXPECT_EQ(ParseIapPublicKey("").status().code(), absl::StatusCode::kInvalidArgument);
  RsaTestKey small = RsaTestKey::Generate(1024);
  EXPECT_EQ(ParseIapPublicKey(small.SpkiBase64()).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<crypto::PublicKey> key = ParseIapPublicKey(Key().SpkiBase64());
  EXPECT_EQ(VerifyNotificationSignature(*key, "x", Key().SignBase64("y", "SHA256"), "").code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_TRUE(VerifyNotificationSignature(*key, "x", Key().SignBase64("x", "SHA256"), "").ok());
}

}  // namespace
}  // namespace storewire::stores::huawei

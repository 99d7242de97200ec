// The Amazon adapter with a test CA/certificate served by a fake HTTP client
// and a fake Receipt Verification Service.
#include "storewire/stores/amazon/amazon_adapter.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "fake_http_client.h"
#include "storewire/stores/amazon/rvs.h"
#include "storewire/testing/rsa_test_keys.h"

namespace storewire::stores::amazon {
namespace {

using storewire::testing::FakeHttpClient;
using storewire::testing::RsaTestKey;
using storewire::testing::RtnMessageJson;
using storewire::testing::SignedSnsBody;
using storewire::testing::SnsFields;
using storewire::testing::TestCertificate;

constexpr char kCertUrl[] =
    "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem";
constexpr char kRvs[] = "https://rvs.test";

const RsaTestKey& Key() {
  static const RsaTestKey* key = new RsaTestKey(RsaTestKey::Generate(2048));
  return *key;
}

std::string ReceiptJson(const std::string& extra = "") {
  return absl::StrCat(
      R"({"receiptId":"rcpt-1","productId":"com.example.sub","termSku":"com.example.sub.monthly",)"
      R"("productType":"SUBSCRIPTION","term":"1 Month","purchaseDate":1761962900000,)"
      R"("renewalDate":1764554900000,"autoRenewing":true,"testTransaction":false)",
      extra, "}");
}

class AmazonAdapterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    client_.Respond(kCertUrl, 200, TestCertificate::Issue(Key()).leaf_pem);
    AppConfig app;
    app.id = "demo";
    AmazonAppConfig& a = app.amazon.emplace();
    a.topic_arns = {"arn:aws:sns:us-east-1:123456789012:appstore-rtn"};
    a.shared_secret = "secret";
    a.rvs_base_url = kRvs;
    a.package_name = "com.example.app";
    config_.apps.push_back(app);
    adapter_ = MakeAmazonAdapter(config_, client_);
    SetReceipt("rcpt-1", 200, ReceiptJson());
  }

  void SetReceipt(const std::string& receipt_id, int status, const std::string& body) {
    client_.Respond(ReceiptUrl(*config_.apps[0].amazon, "amzn-user-1", receipt_id), status, body);
  }

  absl::StatusOr<NormalizeResult> Run(const std::string& body) {
    v1::RawNotification raw;
    raw.set_store(v1::STORE_AMAZON_APPSTORE);
    raw.set_app_id("demo");
    raw.set_body(body);
    raw.set_request_id("req-9");
    raw.mutable_received_at()->set_seconds(1761963001);
    return adapter_->Normalize(raw, config_.apps[0], absl::FromUnixSeconds(1761963001));
  }

  NormalizeResult Ok(const std::string& body) {
    absl::StatusOr<NormalizeResult> r = Run(body);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : NormalizeResult{};
  }

  v1::SubscriptionEvent Accepted(const std::string& body) {
    NormalizeResult r = Ok(body);
    EXPECT_FALSE(r.rejected) << r.rejected->detail;
    EXPECT_EQ(r.events.size(), 1u);
    return r.events.empty() ? v1::SubscriptionEvent{} : r.events[0];
  }

  Rejection Rejected(const std::string& body) {
    NormalizeResult r = Ok(body);
    EXPECT_TRUE(r.rejected.has_value());
    EXPECT_TRUE(r.events.empty());
    return r.rejected.value_or(Rejection{});
  }

  static std::string Notification(const std::string& type, const std::string& version = "2") {
    SnsFields f;
    f.message = RtnMessageJson(type, "rcpt-1");
    f.signature_version = version;
    return SignedSnsBody(f, Key());
  }

  FakeHttpClient client_;
  Config config_;
  std::unique_ptr<StoreAdapter> adapter_;
};

TEST_F(AmazonAdapterTest, PurchasedV1AndV2MapEveryField) {
  for (const char* version : {"1", "2"}) {
    v1::SubscriptionEvent e = Accepted(Notification("SUBSCRIPTION_PURCHASED", version));
    EXPECT_EQ(e.type(), v1::EVENT_TYPE_SUBSCRIPTION_STARTED);
    EXPECT_EQ(e.store(), v1::STORE_AMAZON_APPSTORE);
    EXPECT_EQ(e.environment(), v1::ENVIRONMENT_PRODUCTION);
    EXPECT_EQ(e.app_id(), "demo");
    EXPECT_EQ(e.subscription_key(), "rcpt-1");
    EXPECT_EQ(e.transaction_id(), "rcpt-1");
    EXPECT_EQ(e.customer_id(), "amzn-user-1");
    EXPECT_EQ(e.product_id(), "com.example.sub.monthly");
    EXPECT_EQ(e.billing_period(), "P1M");
    EXPECT_EQ(e.purchased_at().seconds(), 1761962900);
    EXPECT_EQ(e.expires_at().seconds(), 1764554900);
    EXPECT_EQ(e.occurred_at().seconds(), 1761962900);
    EXPECT_EQ(e.received_at().seconds(), 1761963001);
    EXPECT_TRUE(e.auto_renew());
    EXPECT_EQ(e.store_notification().id(), "b1c4d9bb-0fd9-54b2-8f74-8e59c91e396a");
    EXPECT_EQ(e.store_notification().type(), "SUBSCRIPTION_PURCHASED");
    EXPECT_EQ(e.id(), EventId(v1::STORE_AMAZON_APPSTORE, "b1c4d9bb-0fd9-54b2-8f74-8e59c91e396a"));
    EXPECT_EQ(e.request_id(), "req-9");
  }
}

TEST_F(AmazonAdapterTest, EveryTypeMaps) {
  const std::pair<const char*, v1::EventType> cases[] = {
      {"SUBSCRIPTION_PURCHASED", v1::EVENT_TYPE_SUBSCRIPTION_STARTED},
      {"SUBSCRIPTION_RENEWED", v1::EVENT_TYPE_RENEWED},
      {"SUBSCRIPTION_CONVERTED_FREE_TRIAL_TO_PAID", v1::EVENT_TYPE_RENEWED},
      {"SUBSCRIPTION_CANCELLED", v1::EVENT_TYPE_REVOKED},
      {"SUBSCRIPTION_EXPIRED", v1::EVENT_TYPE_EXPIRED},
      {"SUBSCRIPTION_IN_GRACE_PERIOD", v1::EVENT_TYPE_GRACE_PERIOD_STARTED},
      {"SUBSCRIPTION_OUT_OF_GRACE_PERIOD", v1::EVENT_TYPE_GRACE_PERIOD_ENDED},
      {"SUBSCRIPTION_AUTO_RENEWAL_ON", v1::EVENT_TYPE_AUTO_RENEW_ENABLED},
      {"SUBSCRIPTION_AUTO_RENEWAL_OFF", v1::EVENT_TYPE_AUTO_RENEW_DISABLED},
      {"SUBSCRIPTION_SCHEDULED_TO_END", v1::EVENT_TYPE_AUTO_RENEW_DISABLED},
      {"SUBSCRIPTION_MODIFIED_IMMEDIATE", v1::EVENT_TYPE_PRODUCT_CHANGED},
      {"SUBSCRIPTION_MODIFIED_DEFERRED", v1::EVENT_TYPE_PRODUCT_CHANGE_SCHEDULED},
      {"CONSUMABLE_PURCHASED", v1::EVENT_TYPE_ONE_TIME_PURCHASE},
      {"ENTITLEMENT_PURCHASED", v1::EVENT_TYPE_ONE_TIME_PURCHASE},
      {"CONSUMABLE_CANCELLED", v1::EVENT_TYPE_ONE_TIME_PURCHASE_CANCELED},
      {"ENTITLEMENT_CANCELLED", v1::EVENT_TYPE_ONE_TIME_PURCHASE_CANCELED},
      {"SOMETHING_NEW", v1::EVENT_TYPE_UNKNOWN},
  };
  for (const auto& [type, want] : cases) {
    v1::SubscriptionEvent e = Accepted(Notification(type));
    EXPECT_EQ(e.type(), want) << type;
    EXPECT_EQ(e.store_notification().type(), type);
  }
  EXPECT_FALSE(Accepted(Notification("SUBSCRIPTION_AUTO_RENEWAL_OFF")).auto_renew());
}

TEST_F(AmazonAdapterTest, ReceiptDrivesCancelTrialDeferredAndSandbox) {
  SetReceipt("rcpt-1", 200, ReceiptJson(R"(,"cancelDate":1763000000000,"cancelReason":1)"));
  v1::SubscriptionEvent cancelled = Accepted(Notification("SUBSCRIPTION_CANCELLED"));
  EXPECT_EQ(cancelled.revoked_at().seconds(), 1763000000);
  EXPECT_EQ(cancelled.expires_at().seconds(), 1763000000);
  EXPECT_EQ(cancelled.attributes().at("amazon.cancelReason"), "1");

  SetReceipt("rcpt-1", 200, ReceiptJson(R"(,"freeTrialEndDate":1762567700000)"));
  EXPECT_EQ(Accepted(Notification("SUBSCRIPTION_PURCHASED")).period_type(), v1::PERIOD_TYPE_TRIAL);

  SetReceipt("rcpt-1", 200, ReceiptJson(R"(,"deferredSku":"com.example.sub.yearly")"));
  EXPECT_EQ(Accepted(Notification("SUBSCRIPTION_MODIFIED_DEFERRED")).auto_renew_product_id(),
            "com.example.sub.yearly");

  SetReceipt("rcpt-1", 200, R"({"receiptId":"rcpt-1","testTransaction":true})");
  EXPECT_EQ(Accepted(Notification("SUBSCRIPTION_RENEWED")).environment(), v1::ENVIRONMENT_SANDBOX);
}

TEST_F(AmazonAdapterTest, ModifiedImmediateCarriesTheCancelledReceipt) {
  SnsFields f;
  f.message =
      R"({"appPackageName":"com.example.app","notificationType":"SUBSCRIPTION_MODIFIED_IMMEDIATE",)"
      R"("appUserId":"amzn-user-1","receiptId":"rcpt-1","relatedReceipts":)"
      R"({"cancelledReceiptId":"rcpt-0"},"timestamp":1761962900000})";
  v1::SubscriptionEvent e = Accepted(SignedSnsBody(f, Key()));
  EXPECT_EQ(e.superseded_key(), "rcpt-0");
  EXPECT_EQ(e.attributes().at("amazon.cancelledReceiptId"), "rcpt-0");
}

TEST_F(AmazonAdapterTest, CertificateIsFetchedOnceAndCached) {
  Accepted(Notification("SUBSCRIPTION_RENEWED"));
  Accepted(Notification("SUBSCRIPTION_RENEWED", "1"));
  EXPECT_EQ(client_.CountRequests(kCertUrl), 1);
}

TEST_F(AmazonAdapterTest, TamperedMessageIsBadSignature) {
  std::string body = Notification("SUBSCRIPTION_RENEWED");
  body.replace(body.find("SUBSCRIPTION_RENEWED"), 20, "SUBSCRIPTION_EXPIRED");
  EXPECT_EQ(Rejected(body).reason, v1::REJECT_REASON_BAD_SIGNATURE);
}

TEST_F(AmazonAdapterTest, OtherKeyGarbageAndUnknownVersionAreBadSignature) {
  SnsFields f;
  f.message = RtnMessageJson("SUBSCRIPTION_RENEWED", "rcpt-1");
  RsaTestKey other = RsaTestKey::Generate(2048);
  EXPECT_EQ(Rejected(SignedSnsBody(f, other)).reason, v1::REJECT_REASON_BAD_SIGNATURE);
  EXPECT_EQ(Rejected(SignedSnsBody(f, Key(), "%%%")).reason, v1::REJECT_REASON_BAD_SIGNATURE);
  f.signature_version = "3";
  EXPECT_EQ(Rejected(SignedSnsBody(f, Key(), "c2ln")).reason, v1::REJECT_REASON_BAD_SIGNATURE);
}

TEST_F(AmazonAdapterTest, CertificateUrlOutsideAllowListIsNeverFetched) {
  const std::string evil = "https://evil.example.com/SimpleNotificationService-test.pem";
  client_.Respond(evil, 200, TestCertificate::Issue(Key()).leaf_pem);
  SnsFields f;
  f.message = RtnMessageJson("SUBSCRIPTION_RENEWED", "rcpt-1");
  f.signing_cert_url = evil;
  Rejection r = Rejected(SignedSnsBody(f, Key()));
  EXPECT_EQ(r.reason, v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN);
  EXPECT_NE(r.detail.find("signing_cert_url_pattern"), std::string::npos);
  EXPECT_EQ(client_.CountRequests(evil), 0);
}

TEST_F(AmazonAdapterTest, CertificateProblems) {
  client_.Respond(kCertUrl, 404, "");
  EXPECT_EQ(Rejected(Notification("SUBSCRIPTION_RENEWED")).reason,
            v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN);
  client_.Respond(kCertUrl, 200, "not a certificate");
  EXPECT_EQ(Rejected(Notification("SUBSCRIPTION_RENEWED")).reason,
            v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN);
  client_.Respond(kCertUrl, 200,
                  TestCertificate::Issue(Key(), absl::FromUnixSeconds(1577836800),
                                         absl::FromUnixSeconds(1609459200))
                      .leaf_pem);  // expired in 2021
  EXPECT_EQ(Rejected(Notification("SUBSCRIPTION_RENEWED")).reason,
            v1::REJECT_REASON_BAD_CERTIFICATE_CHAIN);
}

TEST_F(AmazonAdapterTest, UnreachableCertificateIsRetryable) {
  client_.Respond(kCertUrl, 503, "");
  EXPECT_EQ(Run(Notification("SUBSCRIPTION_RENEWED")).status().code(),
            absl::StatusCode::kUnavailable);
  client_.FailTransport(absl::UnavailableError("connection refused"));
  EXPECT_EQ(Run(Notification("SUBSCRIPTION_RENEWED")).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(AmazonAdapterTest, UnknownTopicIsUnauthenticated) {
  SnsFields f;
  f.message = RtnMessageJson("SUBSCRIPTION_RENEWED", "rcpt-1");
  f.topic_arn = "arn:aws:sns:us-east-1:999999999999:someone-else";
  Rejection r = Rejected(SignedSnsBody(f, Key()));
  EXPECT_EQ(r.reason, v1::REJECT_REASON_UNAUTHENTICATED);
  EXPECT_NE(r.detail.find("apps[demo].amazon.topic_arns"), std::string::npos);
}

SnsFields Confirmation() {
  SnsFields f;
  f.type = "SubscriptionConfirmation";
  f.message = "You have chosen to subscribe to the topic.";
  f.token = "2336412f37fb687f5d51e6e2425";
  f.subscribe_url =
      "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:"
      "us-east-1:123456789012:appstore-rtn&Token=2336412f37fb687f5d51e6e2425";
  return f;
}

TEST_F(AmazonAdapterTest, SubscriptionConfirmationIsConfirmedForAConfiguredTopic) {
  SnsFields f = Confirmation();
  client_.Respond(f.subscribe_url, 200, "<ConfirmSubscriptionResponse/>");
  NormalizeResult r = Ok(SignedSnsBody(f, Key()));
  EXPECT_FALSE(r.rejected.has_value());
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(client_.CountRequests(f.subscribe_url), 1);
}

TEST_F(AmazonAdapterTest, SubscriptionConfirmationForAnotherTopicIsRefusedUnfetched) {
  SnsFields f = Confirmation();
  f.topic_arn = "arn:aws:sns:us-east-1:999999999999:someone-else";
  EXPECT_EQ(Rejected(SignedSnsBody(f, Key())).reason, v1::REJECT_REASON_UNAUTHENTICATED);
  EXPECT_EQ(client_.CountRequests(f.subscribe_url), 0);
  EXPECT_EQ(client_.CountRequests(kCertUrl), 0);
}

TEST_F(AmazonAdapterTest, SubscriptionConfirmationChecks) {
  SnsFields f = Confirmation();
  f.subscribe_url = "https://evil.example.com/?Action=ConfirmSubscription&Token=x";
  EXPECT_EQ(Rejected(SignedSnsBody(f, Key())).reason, v1::REJECT_REASON_UNAUTHENTICATED);
  EXPECT_EQ(client_.CountRequests(f.subscribe_url), 0);

  f = Confirmation();
  std::string forged = SignedSnsBody(f, Key());
  forged.replace(forged.find("Token=2336412f"), 14, "Token=00000000");
  EXPECT_EQ(Rejected(forged).reason, v1::REJECT_REASON_BAD_SIGNATURE);

  client_.Respond(f.subscribe_url, 403, "expired");
  EXPECT_EQ(Rejected(SignedSnsBody(f, Key())).reason, v1::REJECT_REASON_STORE_API_UNAVAILABLE);
  client_.Respond(f.subscribe_url, 500, "");
  EXPECT_EQ(Run(SignedSnsBody(f, Key())).status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(AmazonAdapterTest, ReceiptServiceFailures) {
  SetReceipt("rcpt-1", 503, "");
  EXPECT_EQ(Run(Notification("SUBSCRIPTION_RENEWED")).status().code(),
            absl::StatusCode::kUnavailable);
  SetReceipt("rcpt-1", 400, "");
  Rejection r = Rejected(Notification("SUBSCRIPTION_RENEWED"));
  EXPECT_EQ(r.reason, v1::REJECT_REASON_STORE_API_UNAVAILABLE);
  SetReceipt("rcpt-1", 496, "");
  r = Rejected(Notification("SUBSCRIPTION_RENEWED"));
  EXPECT_NE(r.detail.find("shared_secret"), std::string::npos);
}

TEST_F(AmazonAdapterTest, WithoutSharedSecretNoReceiptLookup) {
  config_.apps[0].amazon->shared_secret.clear();
  v1::SubscriptionEvent e = Accepted(Notification("SUBSCRIPTION_RENEWED"));
  EXPECT_EQ(e.type(), v1::EVENT_TYPE_RENEWED);
  EXPECT_EQ(e.product_id(), "");
  for (const std::string& url : client_.requested()) EXPECT_EQ(url.find(kRvs), std::string::npos);
}

TEST_F(AmazonAdapterTest, PackageMismatchAndMalformed) {
  SnsFields f;
  f.message = RtnMessageJson("SUBSCRIPTION_RENEWED", "rcpt-1", "amzn-user-1", "com.other");
  EXPECT_EQ(Rejected(SignedSnsBody(f, Key())).reason, v1::REJECT_REASON_APP_MISMATCH);
  f.message = "not json";
  EXPECT_EQ(Rejected(SignedSnsBody(f, Key())).reason, v1::REJECT_REASON_MALFORMED);
  EXPECT_EQ(Rejected("{}").reason, v1::REJECT_REASON_MALFORMED);
}

TEST_F(AmazonAdapterTest, UnsubscribeConfirmationGivesNoEvent) {
  SnsFields f = Confirmation();
  f.type = "UnsubscribeConfirmation";
  NormalizeResult r = Ok(SignedSnsBody(f, Key()));
  EXPECT_FALSE(r.rejected.has_value());
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(client_.CountRequests(f.subscribe_url), 0);
}

// Counts lookups and how many run at once; each waits (bounded) for a
// second caller so that parallel lookups are observable without timing.
class CountingVerifier : public ReceiptVerifier {
 public:
  absl::StatusOr<Receipt> Verify(const AmazonAppConfig&, absl::string_view user_id,
                                 absl::string_view receipt_id) const override {
    absl::MutexLock lock(&mu_);
    ++calls_;
    ++in_flight_;
    peak_ = std::max(peak_, in_flight_);
    if (wait_for_company_) {
      mu_.AwaitWithTimeout(absl::Condition(
                               +[](int* peak) { return *peak >= 2; }, &peak_),
                           absl::Seconds(5));
    }
    --in_flight_;
    if (receipt_id == "rcpt-down") return absl::UnavailableError("RVS 503");
    Receipt r;
    r.receipt_id = std::string(receipt_id);
    r.term_sku = absl::StrCat("sku-of-", user_id);
    return r;
  }
  int calls() const {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  int peak() const {
    absl::MutexLock lock(&mu_);
    return peak_;
  }
  void StopWaiting() {
    absl::MutexLock lock(&mu_);
    wait_for_company_ = false;
  }

 private:
  mutable absl::Mutex mu_;
  mutable int calls_ = 0, in_flight_ = 0, peak_ = 0;
  bool wait_for_company_ = true;
};

TEST_F(AmazonAdapterTest, PrefetchLooksTheBatchsReceiptsUpInParallelOnce) {
  CountingVerifier rvs;
  std::unique_ptr<StoreAdapter> adapter = MakeAmazonAdapter(config_, client_, &rvs);
  std::vector<v1::RawNotification> raws;
  for (const char* receipt : {"rcpt-a", "rcpt-b", "rcpt-c", "rcpt-a", "rcpt-down"}) {
    SnsFields f;
    f.message = RtnMessageJson("SUBSCRIPTION_RENEWED", receipt);
    v1::RawNotification& raw = raws.emplace_back();
    raw.set_store(v1::STORE_AMAZON_APPSTORE);
    raw.set_app_id("demo");
    raw.set_body(SignedSnsBody(f, Key()));
  }
  // A forged one (bad signature) triggers no lookup.
  SnsFields forged;
  forged.message = RtnMessageJson("SUBSCRIPTION_RENEWED", "rcpt-forged");
  std::string body = SignedSnsBody(forged, Key());
  body.replace(body.find("rcpt-forged"), 11, "rcpt-forgeD");
  raws.emplace_back().set_body(body);

  std::vector<PrefetchItem> items;
  for (const v1::RawNotification& raw : raws) items.push_back({&raw, &config_.apps[0]});
  adapter->Prefetch(items);
  EXPECT_EQ(rvs.calls(), 4) << "a, b, c and down, once each; not the forged one";
  EXPECT_GE(rvs.peak(), 2) << "lookups run at once";
  rvs.StopWaiting();

  const absl::Time now = absl::FromUnixSeconds(1761963001);
  absl::StatusOr<NormalizeResult> a = adapter->Normalize(raws[0], config_.apps[0], now);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_EQ(a->events.size(), 1u);
  EXPECT_EQ(a->events[0].product_id(), "sku-of-amzn-user-1");
  ASSERT_TRUE(adapter->Normalize(raws[1], config_.apps[0], now).ok());
  ASSERT_TRUE(adapter->Normalize(raws[3], config_.apps[0], now).ok());
  EXPECT_EQ(rvs.calls(), 4) << "answered from the prefetch";
  // An unavailable answer is asked again, and still retryable.
  EXPECT_EQ(adapter->Normalize(raws[4], config_.apps[0], now).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(rvs.calls(), 5);
  EXPECT_EQ(adapter->Normalize(raws[5], config_.apps[0], now)->rejected->reason,
            v1::REJECT_REASON_BAD_SIGNATURE);
}

}  // namespace
}  // namespace storewire::stores::amazon

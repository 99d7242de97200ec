// Service-account tokens and the HTTP Play API against the fake OAuth endpoint.
#include "storewire/stores/google/play_api.h"

#include <future>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "storewire/crypto/base64.h"
#include "storewire/crypto/jws.h"
#include "storewire/crypto/signature.h"
#include "storewire/testing/google_fakes.h"

namespace storewire::stores::google {
namespace {

using ::storewire::testing::FakeGoogle;
using ::storewire::testing::TestRsaKey;

const TestRsaKey& Key() {
  static const TestRsaKey key = TestRsaKey::Generate();
  return key;
}

TEST(ServiceAccountTest, AssertionIsAnRs256JwtWithTheGoogleClaims) {
  std::string key_json =
      testing::ServiceAccountKeyJson(Key(), "sa@p.iam.gserviceaccount.com", "k1");
  auto jwt = SignServiceAccountAssertion(key_json, "https://oauth2.example/token",
                                         absl::FromUnixSeconds(1700000000));
  ASSERT_TRUE(jwt.ok()) << jwt.status();
  auto jws = crypto::ParseCompactJws(*jwt);
  ASSERT_TRUE(jws.ok());
  EXPECT_EQ(jws->alg, "RS256");
  EXPECT_EQ(jws->kid, "k1");
  EXPECT_NE(jws->payload.find("\"iss\":\"sa@p.iam.gserviceaccount.com\""), std::string::npos);
  EXPECT_NE(jws->payload.find("\"scope\":\"https://www.googleapis.com/auth/androidpublisher\""),
            std::string::npos);
  EXPECT_NE(jws->payload.find("\"aud\":\"https://oauth2.example/token\""), std::string::npos);
  EXPECT_NE(jws->payload.find("\"iat\":1700000000"), std::string::npos);
  EXPECT_NE(jws->payload.find("\"exp\":1700003600"), std::string::npos);
}

TEST(ServiceAccountTest, UnusableKeyFileIsFailedPrecondition) {
  auto client = http::MakeCurlClient({});
  EXPECT_EQ(
      MakeServiceAccountTokenSource("{}", "http://x", *client, SystemClock::Get()).status().code(),
      absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(MakeServiceAccountTokenSource(
                R"({"client_email":"a","private_key":"-----BEGIN PRIVATE KEY-----\nAAAA\n"})",
                "http://x", *client, SystemClock::Get())
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(ServiceAccountTest, TokenIsCachedUntilShortlyBeforeItExpires) {
  FakeGoogle google;
  auto client = http::MakeCurlClient({});
  FakeClock clock(absl::FromUnixSeconds(1700000000));
  auto tokens = MakeServiceAccountTokenSource(testing::ServiceAccountKeyJson(Key(), "sa@p", "k1"),
                                              google.token_url(), *client, clock);
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  auto first = (*tokens)->Token();
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, "ya29.fake-1");
  clock.Advance(absl::Minutes(50));
  EXPECT_EQ(*(*tokens)->Token(), "ya29.fake-1");
  EXPECT_EQ(google.token_requests(), 1);
  clock.Advance(absl::Minutes(6));  // within 5 minutes of expiry
  EXPECT_EQ(*(*tokens)->Token(), "ya29.fake-2");
  (*tokens)->Invalidate();
  EXPECT_EQ(*(*tokens)->Token(), "ya29.fake-3");
  // The fake endpoint saw valid assertions signed with the service account key.
  std::vector<std::string> assertions = google.assertions();
  ASSERT_EQ(assertions.size(), 3u);
  auto jws = crypto::ParseCompactJws(assertions[0]);
  ASSERT_TRUE(jws.ok());
  EXPECT_EQ(jws->alg, "RS256");
}

TEST(HttpPlayApiTest, SendsTheBearerTokenAndRefreshesAfter401) {
  FakeGoogle google;
  google.set_require_auth(true);
  google.SetSubscription("tok-1", testing::SubscriptionJson({}));
  auto client = http::MakeCurlClient({});
  auto tokens = MakeServiceAccountTokenSource(testing::ServiceAccountKeyJson(Key(), "sa@p", "k1"),
                                              google.token_url(), *client, SystemClock::Get());
  ASSERT_TRUE(tokens.ok());
  auto api = MakeHttpPlayApi(google.base_url(), *client, tokens->get());
  auto get = [&](const std::string& token) {
    std::promise<absl::StatusOr<std::string>> p;
    api->GetSubscription("com.x", token, [&](absl::StatusOr<std::string> r) { p.set_value(r); });
    return p.get_future().get();
  };
  auto r = get("tok-1");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NE(r->find("SUBSCRIPTION_STATE_ACTIVE"), std::string::npos);
  EXPECT_EQ(get("nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(google.token_requests(), 1);
}

TEST(ClassifyTest, MapsHttpStatusesToRetryOrNot) {
  EXPECT_TRUE(ClassifyPlayStatus(200, "").ok());
  EXPECT_EQ(ClassifyPlayStatus(429, "").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ClassifyPlayStatus(500, "").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ClassifyPlayStatus(503, "").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ClassifyPlayStatus(401, "").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ClassifyPlayStatus(404, "").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ClassifyPlayStatus(410, "").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ClassifyPlayStatus(403, "").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ClassifyPlayStatus(400, "").code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace storewire::stores::google

// Pub/Sub push OIDC verification against a JWKS server with test RSA keys.
#include "storewire/stores/google/oidc.h"

#include "gtest/gtest.h"
#include "storewire/testing/google_fakes.h"

namespace storewire::stores::google {
namespace {

using ::storewire::testing::FakeGoogle;
using ::storewire::testing::MintJwt;
using ::storewire::testing::PushClaims;
using ::storewire::testing::TestRsaKey;

constexpr char kAudience[] = "https://hooks.example.com/v1/google/demo";
constexpr char kEmail[] = "rtdn-push@example.iam.gserviceaccount.com";

const TestRsaKey& GoogleKey() {
  static const TestRsaKey key = TestRsaKey::Generate();
  return key;
}
const TestRsaKey& OtherKey() {
  static const TestRsaKey key = TestRsaKey::Generate();
  return key;
}

class OidcTest : public ::testing::Test {
 protected:
  OidcTest()
      : client_(http::MakeCurlClient({})),
        clock_(absl::FromUnixSeconds(1700000000)),
        auth_(*client_, clock_, {.min_refresh_interval = absl::Seconds(10)}) {
    google_.AddJwksKey("kid-1", GoogleKey());
    app_.push_audience = kAudience;
    app_.push_service_account = kEmail;
    app_.jwks_url = google_.jwks_url();
  }

  absl::Status Check(const std::string& jwt, std::string* detail = nullptr) {
    return auth_.Authenticate(app_, "Bearer " + jwt, detail);
  }
  std::string Good() {
    return MintJwt(GoogleKey(), "kid-1", PushClaims(kAudience, kEmail, clock_.Now()));
  }
  static std::string Reason(const absl::Status& s) { return std::string(s.message()); }

  FakeGoogle google_;
  std::unique_ptr<http::Client> client_;
  FakeClock clock_;
  GooglePushAuthenticator auth_;
  GoogleAppConfig app_;
};

TEST_F(OidcTest, AcceptsAGoodToken) {
  EXPECT_TRUE(Check(Good()).ok());
  EXPECT_TRUE(Check(Good()).ok());
  EXPECT_EQ(google_.jwks_requests(), 1);  // cached
}

TEST_F(OidcTest, AcceptsTheBareIssuerForm) {
  EXPECT_TRUE(
      Check(MintJwt(GoogleKey(), "kid-1",
                    PushClaims(kAudience, kEmail, clock_.Now(), true, "accounts.google.com")))
          .ok());
}

TEST_F(OidcTest, RejectsWrongAudience) {
  absl::Status s =
      Check(MintJwt(GoogleKey(), "kid-1", PushClaims("https://evil", kEmail, clock_.Now())));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Reason(s), "WRONG_AUDIENCE");
}

TEST_F(OidcTest, RejectsExpiredAndFutureTokensBeyondTheSkew) {
  std::string old =
      MintJwt(GoogleKey(), "kid-1", PushClaims(kAudience, kEmail, clock_.Now() - absl::Hours(2)));
  EXPECT_EQ(Reason(Check(old)), "EXPIRED");
  std::string almost = MintJwt(GoogleKey(), "kid-1",
                               PushClaims(kAudience, kEmail, clock_.Now() - absl::Seconds(3630)));
  EXPECT_TRUE(Check(almost).ok());  // 30 s past exp is within the skew
  std::string future = MintJwt(GoogleKey(), "kid-1",
                               PushClaims(kAudience, kEmail, clock_.Now() + absl::Minutes(10)));
  EXPECT_EQ(Reason(Check(future)), "ISSUED_IN_FUTURE");
}

TEST_F(OidcTest, RejectsAWrongSigner) {
  absl::Status s = Check(MintJwt(OtherKey(), "kid-1", PushClaims(kAudience, kEmail, clock_.Now())));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Reason(s), "BAD_SIGNATURE");
}

TEST_F(OidcTest, UnknownKidRefreshesOnceThenRejects) {
  ASSERT_TRUE(Check(Good()).ok());
  std::string unknown = MintJwt(OtherKey(), "kid-2", PushClaims(kAudience, kEmail, clock_.Now()));
  clock_.Advance(absl::Seconds(11));
  EXPECT_EQ(Reason(Check(unknown)), "UNKNOWN_KEY");
  EXPECT_EQ(google_.jwks_requests(), 2);
  EXPECT_EQ(Reason(Check(unknown)), "UNKNOWN_KEY");
  EXPECT_EQ(google_.jwks_requests(), 2);  // rate-limited
  // Google rotates: the new key appears, the next refresh finds it.
  google_.AddJwksKey("kid-2", OtherKey());
  clock_.Advance(absl::Seconds(11));
  EXPECT_TRUE(Check(unknown).ok());
  EXPECT_EQ(google_.jwks_requests(), 3);
}

TEST_F(OidcTest, RejectsAlgNoneAndOtherAlgorithms) {
  std::string claims = PushClaims(kAudience, kEmail, clock_.Now());
  EXPECT_EQ(Reason(Check(MintJwt(GoogleKey(), "kid-1", claims, "none"))), "UNSUPPORTED_ALGORITHM");
  std::string none = MintJwt(GoogleKey(), "kid-1", claims, "none") + "AAAA";
  EXPECT_EQ(Reason(Check(none)), "UNSUPPORTED_ALGORITHM");
  EXPECT_EQ(Reason(Check(MintJwt(GoogleKey(), "kid-1", claims, "HS256"))), "UNSUPPORTED_ALGORITHM");
}

TEST_F(OidcTest, RejectsWrongIssuerEmailAndUnverifiedEmail) {
  EXPECT_EQ(
      Reason(Check(MintJwt(GoogleKey(), "kid-1",
                           PushClaims(kAudience, kEmail, clock_.Now(), true, "https://evil")))),
      "WRONG_ISSUER");
  EXPECT_EQ(Reason(Check(
                MintJwt(GoogleKey(), "kid-1", PushClaims(kAudience, "x@evil.com", clock_.Now())))),
            "WRONG_EMAIL");
  EXPECT_EQ(Reason(Check(
                MintJwt(GoogleKey(), "kid-1", PushClaims(kAudience, kEmail, clock_.Now(), false)))),
            "EMAIL_NOT_VERIFIED");
}

TEST_F(OidcTest, MissingOrMalformedHeader) {
  EXPECT_EQ(Reason(auth_.Authenticate(app_, std::nullopt)), "MISSING_TOKEN");
  EXPECT_EQ(Reason(auth_.Authenticate(app_, "Basic abc")), "MISSING_TOKEN");
  EXPECT_EQ(Reason(Check("a.b")), "MALFORMED_TOKEN");
}

TEST_F(OidcTest, VerificationCanBeTurnedOffPerApp) {
  app_.verify_push_token = false;
  EXPECT_TRUE(auth_.Authenticate(app_, std::nullopt).ok());
}

TEST_F(OidcTest, JwksUnreachableIsUnavailableNotUnauthenticated) {
  app_.jwks_url = "http://127.0.0.1:1/certs";
  absl::Status s = Check(Good());
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
}

TEST_F(OidcTest, StaleKeysAreUsedWhileRefreshFailsUpToTheBound) {
  ASSERT_TRUE(Check(Good()).ok());
  app_.jwks_url = google_.jwks_url();
  clock_.Advance(absl::Hours(2));  // older than max_age: refresh, which works here
  EXPECT_TRUE(Check(Good()).ok());
  EXPECT_EQ(google_.jwks_requests(), 2);
}

}  // namespace
}  // namespace storewire::stores::google

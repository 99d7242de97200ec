#include "storewire/webhooks/signature.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "storewire/crypto/base64.h"

namespace storewire::webhooks {
namespace {

// The published Standard Webhooks / Svix test vector.
constexpr char kSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr char kId[] = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr int64_t kTimestamp = 1614265330;
constexpr char kBody[] = R"({"test": 2432232314})";
constexpr char kExpected[] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

std::string Header(const http::HeaderList& headers, const std::string& name) {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return "";
}

TEST(SignatureTest, MatchesThePublishedTestVector) {
  absl::StatusOr<std::string> s = Sign(kSecret, kId, kTimestamp, kBody);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(*s, kExpected);
  EXPECT_TRUE(VerifySignature(kSecret, kId, kTimestamp, kBody, kExpected));
}

TEST(SignatureTest, RejectsATamperedBodyIdOrTimestamp) {
  EXPECT_FALSE(VerifySignature(kSecret, kId, kTimestamp, R"({"test": 2432232315})", kExpected));
  EXPECT_FALSE(VerifySignature(kSecret, "msg_other", kTimestamp, kBody, kExpected));
  EXPECT_FALSE(VerifySignature(kSecret, kId, kTimestamp + 1, kBody, kExpected));
  EXPECT_FALSE(VerifySignature(GenerateSecret(), kId, kTimestamp, kBody, kExpected));
}

TEST(SignatureTest, GeneratedSecretsAreWhsecWith32RandomBytes) {
  const std::string a = GenerateSecret();
  const std::string b = GenerateSecret();
  EXPECT_TRUE(absl::StartsWith(a, "whsec_"));
  EXPECT_NE(a, b);
  absl::StatusOr<std::string> key = SecretKey(a);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->size(), 32u);
}

TEST(SignatureTest, MalformedSecretsAreInvalidArgument) {
  EXPECT_EQ(SecretKey("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").status().code(),
            absl::StatusCode::kInvalidArgument);  // no prefix
  EXPECT_EQ(SecretKey("whsec_not base64!").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SecretKey("whsec_" + crypto::Base64Encode("short")).status().code(),
            absl::StatusCode::kInvalidArgument);  // 5 bytes
  EXPECT_EQ(Sign("nope", kId, kTimestamp, kBody).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SignatureTest, HeadersCarryIdTimestampAndOneSignaturePerSecret) {
  const std::string old_secret = kSecret;
  const std::string new_secret = GenerateSecret();
  absl::StatusOr<http::HeaderList> h =
      SignedHeaders({new_secret, old_secret}, kId, absl::FromUnixSeconds(kTimestamp), kBody);
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(Header(*h, "webhook-id"), kId);
  EXPECT_EQ(Header(*h, "webhook-timestamp"), "1614265330");
  EXPECT_EQ(Header(*h, "content-type"), "application/json");
  EXPECT_TRUE(absl::StrContains(Header(*h, "user-agent"), "storewire"));
  const std::string sig = Header(*h, "webhook-signature");
  EXPECT_TRUE(absl::StrContains(sig, std::string(" ") + kExpected)) << sig;
  // Either secret verifies the same header during a rotation.
  EXPECT_TRUE(VerifySignature(old_secret, kId, kTimestamp, kBody, sig));
  EXPECT_TRUE(VerifySignature(new_secret, kId, kTimestamp, kBody, sig));
}

TEST(SignatureTest, NoSecretIsAnError) {
  EXPECT_EQ(SignedHeaders({}, kId, absl::Now(), kBody).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace storewire::webhooks

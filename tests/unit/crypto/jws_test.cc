#include "storewire/crypto/jws.h"

#include <gtest/gtest.h>

#include "storewire/crypto/base64.h"

namespace storewire::crypto {
namespace {

std::string Make(absl::string_view header, absl::string_view payload, absl::string_view sig) {
  return Base64UrlEncode(header) + "." + Base64UrlEncode(payload) + "." + Base64UrlEncode(sig);
}

TEST(CompactJws, ParsesHeaderPayloadAndSignature) {
  std::string text = Make(R"({"alg":"ES256","kid":"k1","typ":"JWT","x5c":["AAA","BBB"]})",
                          R"({"a":1})", std::string(64, 'x'));
  auto jws = ParseCompactJws(text);
  ASSERT_TRUE(jws.ok()) << jws.status();
  EXPECT_EQ(jws->alg, "ES256");
  EXPECT_EQ(jws->kid, "k1");
  EXPECT_EQ(jws->typ, "JWT");
  ASSERT_TRUE(jws->x5c.has_value());
  EXPECT_EQ(*jws->x5c, (std::vector<std::string>{"AAA", "BBB"}));
  EXPECT_EQ(jws->payload, R"({"a":1})");
  EXPECT_EQ(jws->signature.size(), 64u);
  EXPECT_EQ(jws->signing_input, text.substr(0, text.rfind('.')));
}

TEST(CompactJws, AbsentX5cIsNullopt) {
  auto jws = ParseCompactJws(Make(R"({"alg":"ES256","x5cwrong":[]})", "{}", "s"));
  ASSERT_TRUE(jws.ok());
  EXPECT_FALSE(jws->x5c.has_value());
}

TEST(CompactJws, RejectsWrongPartCount) {
  EXPECT_EQ(ParseCompactJws("a.b.c.d").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCompactJws("a.b").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseCompactJws("").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CompactJws, RejectsNonJsonOrNonObjectHeader) {
  EXPECT_FALSE(ParseCompactJws("a.b.c").ok());  // "a" is not valid base64url length
  EXPECT_FALSE(ParseCompactJws(Make("not json", "{}", "s")).ok());
  EXPECT_FALSE(ParseCompactJws(Make("[1]", "{}", "s")).ok());
  EXPECT_FALSE(ParseCompactJws(Make(R"({"alg":5})", "{}", "s")).ok());
  EXPECT_FALSE(ParseCompactJws(Make(R"({"alg":"ES256","x5c":"AAA"})", "{}", "s")).ok());
  EXPECT_FALSE(ParseCompactJws(Make(R"({"alg":"ES256","x5c":[1]})", "{}", "s")).ok());
}

TEST(CompactJws, RejectsPaddedOrStandardBase64Parts) {
  std::string good = Make(R"({"alg":"ES256"})", "{}", "\xfb\xff");
  ASSERT_TRUE(ParseCompactJws(good).ok());
  EXPECT_FALSE(ParseCompactJws(good + "=").ok());
  std::string std_alphabet = good.substr(0, good.rfind('.') + 1) + "+/8";
  EXPECT_FALSE(ParseCompactJws(std_alphabet).ok());
}

TEST(CompactJws, KnownHeaderIsReusedOnlyWhenByteForByteEqual) {
  const std::string header = R"({"alg":"ES256","x5c":["AAA","BBB"]})";
  auto outer = ParseCompactJws(Make(header, R"({"outer":1})", std::string(64, 'o')));
  ASSERT_TRUE(outer.ok());
  const std::string same = Make(header, R"({"nested":2})", std::string(64, 'n'));
  auto nested = ParseCompactJwsWithKnownHeader(same, *outer);
  ASSERT_TRUE(nested.ok()) << nested.status();
  EXPECT_EQ(nested->alg, "ES256");
  EXPECT_EQ(*nested->x5c, (std::vector<std::string>{"AAA", "BBB"}));
  EXPECT_EQ(nested->header_json, header);
  EXPECT_EQ(nested->payload, R"({"nested":2})");
  EXPECT_EQ(nested->signature, std::string(64, 'n'));
  EXPECT_EQ(nested->signing_input, same.substr(0, same.rfind('.')));

  // Another header is decoded and parsed like ParseCompactJws.
  auto other =
      ParseCompactJwsWithKnownHeader(Make(R"({"alg":"HS256","x5c":["CCC"]})", "{}", "s"), *outer);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->alg, "HS256");
  EXPECT_EQ(*other->x5c, (std::vector<std::string>{"CCC"}));
  // Strictness of the other parts is unchanged.
  EXPECT_FALSE(ParseCompactJwsWithKnownHeader(same + ".x", *outer).ok());
  const std::string bad_payload =
      same.substr(0, same.find('.') + 1) + "e30=" + same.substr(same.rfind('.'));
  EXPECT_EQ(ParseCompactJwsWithKnownHeader(bad_payload, *outer).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace storewire::crypto

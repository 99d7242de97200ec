#include "storewire/crypto/base64.h"

#include <gtest/gtest.h>

namespace storewire::crypto {
namespace {

TEST(Base64, RoundTripsEveryRemainderLength) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    EXPECT_EQ(*Base64Decode(Base64Encode(s)), s);
    EXPECT_EQ(*Base64UrlDecode(Base64UrlEncode(s)), s);
  }
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64Encode("\xfb\xff"), "+/8=");
}

TEST(Base64, StandardRequiresCanonicalPadding) {
  EXPECT_EQ(Base64Decode("Zm9vYg").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Base64Decode("Zm9vYg=").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Base64Decode("Zm9v====").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Base64Decode("Zm=vYg==").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Base64, RejectsForeignAlphabetAndWhitespace) {
  EXPECT_FALSE(Base64Decode("-_8=").ok());
  EXPECT_FALSE(Base64UrlDecode("+/8").ok());
  EXPECT_FALSE(Base64UrlDecode("Zm9v\nYg").ok());
  EXPECT_FALSE(Base64Decode("Zm9v Yg==").ok());
  EXPECT_FALSE(Base64UrlDecode("Zm9vYg==").ok());  // base64url forbids padding
}

TEST(Base64, RejectsNonZeroTrailingBitsAndImpossibleLengths) {
  EXPECT_TRUE(Base64UrlDecode("Zg").ok());
  EXPECT_FALSE(Base64UrlDecode("Zh").ok());  // same byte, non-canonical
  EXPECT_FALSE(Base64Decode("Zh==").ok());
  EXPECT_FALSE(Base64UrlDecode("Z").ok());
  EXPECT_FALSE(Base64UrlDecode("Zm9vY").ok());
}

// Lengths 0..300 cover the two-groups-per-step loop, the single-group tail and
// every padding remainder; every byte value appears.
TEST(Base64, RoundTripsLongInputsOfEveryLength) {
  std::string bytes;
  for (int n = 0; n <= 300; ++n) {
    SCOPED_TRACE(n);
    EXPECT_EQ(*Base64UrlDecode(Base64UrlEncode(bytes)), bytes);
    EXPECT_EQ(*Base64Decode(Base64Encode(bytes)), bytes);
    bytes.push_back(static_cast<char>((n * 167 + 13) & 0xff));
  }
}

TEST(Base64, ReportsTheOffsetOfAnInvalidCharacterAnywhere) {
  const std::string good = Base64UrlEncode(std::string(60, '\x5a'));  // 80 characters
  for (size_t at : {0u, 3u, 4u, 7u, 8u, 41u, 75u, 79u}) {
    std::string bad = good;
    bad[at] = '.';
    auto decoded = Base64UrlDecode(bad);
    ASSERT_FALSE(decoded.ok()) << at;
    EXPECT_EQ(decoded.status().message(),
              "base64url: invalid character at offset " + std::to_string(at));
  }
}

}  // namespace
}  // namespace storewire::crypto

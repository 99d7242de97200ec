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

}  // namespace
}  // namespace storewire::crypto

#include "storewire/core/uuid.h"

#include "gtest/gtest.h"

namespace storewire {
namespace {

TEST(UuidTest, NameBasedIsDeterministicVersion5) {
  std::string a = NameBasedUuid("apple:9ad56bd2-0bc6-42e0-af24-fd996d87a1e6");
  EXPECT_EQ(a, NameBasedUuid("apple:9ad56bd2-0bc6-42e0-af24-fd996d87a1e6"));
  EXPECT_NE(a, NameBasedUuid("google:9ad56bd2-0bc6-42e0-af24-fd996d87a1e6"));
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[8], '-');
  EXPECT_EQ(a[14], '5');
  EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b');
}

TEST(UuidTest, NameBasedIdIsStableAcrossReleasesAndMatchesRfc4122) {
  // Event ids are persisted by consumers for dedupe: this value must never
  // change. Cross-checked with Python: uuid.uuid5(UUID('3b6f1c52-8e0d-5a41-
  // 9b57-2e63d40a7c19'), 'apple:x').
  EXPECT_EQ(NameBasedUuid("apple:x"), "cf209002-e7b9-5244-b66f-07b177164756");
}

TEST(UuidTest, RandomIsVersion4AndUnique) {
  std::string a = RandomUuid();
  std::string b = RandomUuid();
  EXPECT_NE(a, b);
  EXPECT_EQ(a[14], '4');
}

}  // namespace
}  // namespace storewire

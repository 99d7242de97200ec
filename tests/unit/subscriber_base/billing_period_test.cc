#include "storewire/subscriber_base/billing_period.h"

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace storewire::subscriber_base {
namespace {

struct Case {
  const char* period;
  int64_t price_micros;
  int64_t monthly_micros;
};

class MonthlyFactorTest : public ::testing::TestWithParam<Case> {};

TEST_P(MonthlyFactorTest, NormalizesThePriceToAMonth) {
  absl::StatusOr<MonthlyFactor> f = MonthlyFactorFor(GetParam().period);
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->Apply(GetParam().price_micros), GetParam().monthly_micros);
}

INSTANTIATE_TEST_SUITE_P(EveryBillingPeriod, MonthlyFactorTest,
                         ::testing::Values(Case{"P1D", 1'000'000, 30'000'000},    // day x30
                                           Case{"P1W", 2'990'000, 11'960'000},    // week x4
                                           Case{"P1M", 9'990'000, 9'990'000},     // month x1
                                           Case{"P2M", 18'000'000, 9'000'000},    // 2 months /2
                                           Case{"P3M", 29'990'000, 9'996'666},    // quarter /3
                                           Case{"P6M", 54'000'000, 9'000'000},    // 6 months /6
                                           Case{"P1Y", 119'880'000, 9'990'000},   // year /12
                                           Case{"P2W", 5'000'000, 10'000'000},    // 2 weeks x4/2
                                           Case{"P3D", 3'000'000, 30'000'000}));  // 3 days x30/3

TEST(MonthlyFactorTest, LargePricesDoNotOverflow) {
  // 2^58 * 30 overflows 64 bits in the intermediate product.
  EXPECT_EQ(MonthlyFactorFor("P3D")->Apply(int64_t{3} << 58), int64_t{30} << 58);
  EXPECT_EQ(MonthlyFactorFor("P1Y")->Apply(int64_t{12} << 55), int64_t{1} << 55);
}

TEST(MonthlyFactorTest, RejectsWhatIsNotASimpleIsoPeriod) {
  for (const char* bad : {"", "P", "1M", "PM", "P0M", "P1H", "P-1M", "PT1H", "P1.5M", "P1M2"}) {
    EXPECT_EQ(MonthlyFactorFor(bad).status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace storewire::subscriber_base

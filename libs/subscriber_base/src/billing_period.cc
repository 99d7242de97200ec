#include "storewire/subscriber_base/billing_period.h"

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace storewire::subscriber_base {

int64_t MonthlyFactor::Apply(int64_t amount_micros) const {
  // 128 bits keep large prices times 30 exact.
  return static_cast<int64_t>(absl::int128(amount_micros) * numerator / denominator);
}

absl::StatusOr<MonthlyFactor> MonthlyFactorFor(absl::string_view iso_period) {
  auto invalid = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "billing period '", iso_period, "' is not P<n>D, P<n>W, P<n>M or P<n>Y (e.g. P1M, P1Y)"));
  };
  if (iso_period.size() < 3 || iso_period.front() != 'P') return invalid();
  const char unit = iso_period.back();
  int64_t n = 0;
  if (!absl::SimpleAtoi(iso_period.substr(1, iso_period.size() - 2), &n) || n < 1 || n > 10000) {
    return invalid();
  }
  switch (unit) {
    case 'D':
      return MonthlyFactor{30, n};
    case 'W':
      return MonthlyFactor{4, n};
    case 'M':
      return MonthlyFactor{1, n};
    case 'Y':
      return MonthlyFactor{1, 12 * n};
    default:
      return invalid();
  }
}

}  // namespace storewire::subscriber_base

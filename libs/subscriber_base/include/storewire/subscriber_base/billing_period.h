// Billing periods (ISO 8601 durations such as P1W, P1M, P1Y) and the factor
// that turns one period's price into a monthly amount for MRR, with the usual
// multipliers: day x30, week x4, month x1, 2 months /2, quarter /3,
// 6 months /6, year /12 (in general: nD x30/n, nW x4/n, nM /n, nY /12n).
//
//   absl::StatusOr<MonthlyFactor> f = MonthlyFactorFor("P3M");   // 1/3
//   int64_t mrr_micros = f->Apply(29'990'000);                     // 9'996'666
//
// Errors: kInvalidArgument for anything that is not P<n>D|W|M|Y with n >= 1.
// Thread safety: pure functions.
#ifndef STOREWIRE_SUBSCRIBER_BASE_BILLING_PERIOD_H_
#define STOREWIRE_SUBSCRIBER_BASE_BILLING_PERIOD_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace storewire::subscriber_base {

struct MonthlyFactor {
  int64_t numerator = 1;
  int64_t denominator = 1;
  // amount * numerator / denominator, rounded toward zero.
  int64_t Apply(int64_t amount_micros) const;
  bool operator==(const MonthlyFactor&) const = default;
};

absl::StatusOr<MonthlyFactor> MonthlyFactorFor(absl::string_view iso_period);

}  // namespace storewire::subscriber_base

#endif  // STOREWIRE_SUBSCRIBER_BASE_BILLING_PERIOD_H_

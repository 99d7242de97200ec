#include "storewire/normalizer/deferral.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "storewire/core/log.h"
#include "storewire/core/metrics.h"
#include "storewire/core/stores.h"

namespace storewire::normalizer {
namespace {

constexpr char kAttempt[] = "storewire_attempt";
constexpr char kNotBefore[] = "storewire_not_before";
constexpr char kDeferredFrom[] = "storewire_deferred_from";
constexpr char kReason[] = "storewire_defer_reason";

const std::string* HeaderValue(const kafka::ConsumedRecord& record, const char* name) {
  for (const kafka::Header& h : record.headers) {
    if (h.key == name) return &h.value;
  }
  return nullptr;
}

}  // namespace

std::optional<absl::Time> NotBefore(const kafka::ConsumedRecord& record) {
  const std::string* value = HeaderValue(record, kNotBefore);
  int64_t millis = 0;
  if (value == nullptr || !absl::SimpleAtoi(*value, &millis)) return std::nullopt;
  return absl::FromUnixMillis(millis);
}

absl::Status TransformOrDefer(const Normalizer& normalizer, const DeferralPolicy& policy,
                              const kafka::ConsumedRecord& in,
                              std::vector<kafka::OutgoingRecord>& out, absl::Time now) {
  const size_t first_output = out.size();
  absl::Status status = normalizer.Transform(in, out);
  if (status.ok() || !kafka::IsRetryable(status)) return status;
  out.resize(first_output);

  v1::RawNotification raw;
  v1::Store store = v1::STORE_UNSPECIFIED;
  if (raw.ParseFromString(in.value)) store = raw.store();
  int64_t attempt = 0;
  if (const std::string* a = HeaderValue(in, kAttempt)) (void)absl::SimpleAtoi(*a, &attempt);
  ++attempt;
  const absl::Duration delay =
      policy.delays.empty()
          ? absl::Seconds(30)
          : policy.delays[std::min<size_t>(static_cast<size_t>(attempt), policy.delays.size()) - 1];
  const std::string* from = HeaderValue(in, kDeferredFrom);
  std::string origin =
      from != nullptr ? *from : absl::StrCat(in.topic, "/", in.partition, "@", in.offset);
  kafka::OutgoingRecord deferred{normalizer.topics().Retry(store),
                                 in.key,
                                 in.value,
                                 {{kAttempt, absl::StrCat(attempt)},
                                  {kNotBefore, absl::StrCat(absl::ToUnixMillis(now + delay))},
                                  {kDeferredFrom, origin},
                                  {kReason, std::string(status.message().substr(0, 500))}}};
  MetricsRegistry::Default()
      .GetCounter("storewire_normalizer_deferred_total",
                  "Records deferred to a retry topic because a store API was unavailable",
                  {{"store", std::string(StoreRouteName(store))}})
      .Increment();
  log::Warn("store API unavailable: record deferred to the retry topic",
            {{"request_id", raw.request_id()},
             {"topic", deferred.topic},
             {"attempt", absl::StrCat(attempt)},
             {"delay", absl::FormatDuration(delay)},
             {"origin", origin},
             {"error", status.ToString()}});
  out.push_back(std::move(deferred));
  return absl::OkStatus();
}

void WaitUntilDue(const std::vector<kafka::ConsumedRecord>& batch, absl::Duration max_wait,
                  const std::atomic<bool>& stop) {
  absl::Time due = absl::InfinitePast();
  for (const kafka::ConsumedRecord& record : batch) {
    if (std::optional<absl::Time> t = NotBefore(record)) due = std::max(due, *t);
  }
  const absl::Time until = std::min(due, absl::Now() + max_wait);
  while (!stop.load() && absl::Now() < until) {
    absl::SleepFor(std::min(until - absl::Now(), absl::Milliseconds(100)));
  }
}

}  // namespace storewire::normalizer

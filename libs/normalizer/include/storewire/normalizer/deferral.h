// Deferral: a record whose store API stays unavailable does not block its
// partition. Instead of failing the batch (which would retry the same records
// forever while everything behind them waits), the normalizer writes the raw
// record, in the same transaction, to `<prefix>.retry.<store>` with a
// not-before time and an attempt count; a second transactional loop consumes
// the retry topics, waits until a batch is due, and normalizes it again.
// Nothing is dropped (attempts are unbounded, the delay is capped) and
// nothing is mis-mapped (only a real API answer produces an event).
//
//   DeferralPolicy policy;                                  // 10s, 30s, 1m, 2m, 5m, 10m...
//   absl::Status s = TransformOrDefer(normalizer, policy, record, out, clock.Now());
//   WaitUntilDue(batch, absl::Minutes(1), stop);           // retry loop's before_batch
//
// Headers on a deferred record: storewire_attempt (1, 2, ...),
// storewire_not_before (Unix ms), storewire_deferred_from (topic/partition@offset
// of the first deferral), storewire_defer_reason.
//
// Ordering: a deferred notification is normalized after later ones of the same
// subscription; Google events carry the state read from the API at that
// time, so consumers order by occurredAt, not by arrival.
//
// Thread safety: pure functions over their arguments (WaitUntilDue sleeps).
#ifndef STOREWIRE_NORMALIZER_DEFERRAL_H_
#define STOREWIRE_NORMALIZER_DEFERRAL_H_

#include <atomic>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "storewire/kafka/kafka.h"
#include "storewire/normalizer/normalizer.h"

namespace storewire::normalizer {

struct DeferralPolicy {
  // Delay before attempt n+1 is delays[min(n, size) - 1].
  std::vector<absl::Duration> delays = {absl::Seconds(10), absl::Seconds(30), absl::Minutes(1),
                                        absl::Minutes(2),  absl::Minutes(5),  absl::Minutes(10)};
};

// Transform, except that a retryable failure (store API unavailable) becomes
// one output record on the store's retry topic. Other statuses pass through.
absl::Status TransformOrDefer(const Normalizer& normalizer, const DeferralPolicy& policy,
                              const kafka::ConsumedRecord& in,
                              std::vector<kafka::OutgoingRecord>& out, absl::Time now);

// The not-before time of a deferred record, if it has one.
std::optional<absl::Time> NotBefore(const kafka::ConsumedRecord& record);

// Sleeps until every record of the batch is due, at most `max_wait` (records
// not due by then are normalized anyway or deferred again: either is correct),
// returning early when `stop` is set.
void WaitUntilDue(const std::vector<kafka::ConsumedRecord>& batch, absl::Duration max_wait,
                  const std::atomic<bool>& stop);

}  // namespace storewire::normalizer

#endif  // STOREWIRE_NORMALIZER_DEFERRAL_H_

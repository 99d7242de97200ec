// The normalizer's logic, free of Kafka plumbing: one raw record in, the
// records to produce out (events, or one rejection). The transactional loop
// in libs/kafka calls Transform for every record of a batch and commits the
// outputs together with the input offsets.
//
//   Normalizer n(config, std::move(adapters), SystemClock::Get());
//   std::vector<kafka::OutgoingRecord> out;
//   absl::Status s = n.Transform(record, out);   // non-OK: retryable, retry the batch
//
// What goes where:
//   accepted  -> <prefix>.events.v1, key = subscription_key, CloudEvents headers
//   rejected  -> <prefix>.rejected, RejectedNotification with reason and detail
//                (undecodable records, unknown apps, stores without an adapter,
//                and every permanent verification failure: nothing is dropped)
//
// Thread safety: Transform is const and safe to call concurrently.
#ifndef STOREWIRE_NORMALIZER_NORMALIZER_H_
#define STOREWIRE_NORMALIZER_NORMALIZER_H_

#include <map>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storewire/core/clock.h"
#include "storewire/core/config.h"
#include "storewire/core/stores.h"
#include "storewire/kafka/kafka.h"
#include "storewire/normalizer/stats.h"
#include "storewire/stores/adapter.h"
#include "storewire/v1/event.pb.h"
#include "storewire/v1/raw.pb.h"

namespace storewire::normalizer {

using AdapterSet = std::map<v1::Store, std::unique_ptr<stores::StoreAdapter>>;

// The adapters built into this binary, configured for `config`'s apps.
// Fails when an app's store section cannot be loaded (the message names it).
absl::StatusOr<AdapterSet> BuildAdapters(const Config& config);

// Verifies and normalizes one raw notification with the adapter of its store;
// the result is what `storewirectl decode` prints and what the normalizer
// produces. Unknown apps and stores without an adapter are rejections.
absl::StatusOr<stores::NormalizeResult> NormalizeOne(const AdapterSet& adapters,
                                                     const Config& config,
                                                     const v1::RawNotification& raw,
                                                     absl::Time now);

// CloudEvents Kafka binding (binary mode) headers for an event.
std::vector<kafka::Header> CloudEventHeaders(const v1::SubscriptionEvent& event);

class Normalizer {
 public:
  // `stats` (not owned, may be null) receives per-app counts for the control API.
  Normalizer(const Config& config, AdapterSet adapters, const Clock& clock,
             NormalizerStats* stats = nullptr);

  absl::Status Transform(const kafka::ConsumedRecord& in,
                         std::vector<kafka::OutgoingRecord>& out) const;
  // Before a batch's transforms: hands the batch to each store adapter's
  // Prefetch so that its store API calls run at once (src/prefetch.cc).
  // Transform gives the same results without it.
  void Prefetch(const std::vector<kafka::ConsumedRecord>& batch) const;

  // The raw topics this normalizer consumes (one per store).
  std::vector<std::string> InputTopics() const;
  const Topics& topics() const { return topics_; }

 private:
  void Reject(const kafka::ConsumedRecord& in, const v1::RawNotification& raw,
              const stores::Rejection& rejection, std::vector<kafka::OutgoingRecord>& out) const;

  const Config& config_;
  AdapterSet adapters_;
  const Clock& clock_;
  NormalizerStats* stats_;
  Topics topics_;
};

}  // namespace storewire::normalizer

#endif  // STOREWIRE_NORMALIZER_NORMALIZER_H_

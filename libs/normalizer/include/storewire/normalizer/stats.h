// What the normalizer has produced per (app, store) since it started: events
// by type, rejections by reason, last record processed; plus whether an
// operator paused it. Fed by Normalizer::Transform, read by the
// NormalizerControl.Status gRPC call.
//
//   NormalizerStats stats;
//   Normalizer n(config, std::move(adapters), clock, &stats);
//   v1::NormalizerStatusResponse status;
//   stats.Fill(status);
//
// Counts are transform attempts: a batch aborted and retried counts twice
// (Kafka's committed output does not). Thread safety: every method may be
// called concurrently.
#ifndef STOREWIRE_NORMALIZER_STATS_H_
#define STOREWIRE_NORMALIZER_STATS_H_

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "absl/time/time.h"
#include "storewire/v1/control.pb.h"
#include "storewire/v1/event.pb.h"

namespace storewire::normalizer {

class NormalizerStats {
 public:
  // `type` is an EventType name without prefix ("RENEWED").
  void CountEvent(v1::Store store, const std::string& app_id, const std::string& type,
                  absl::Time at);
  // `reason` is a RejectReason name without prefix ("BAD_SIGNATURE").
  void CountRejection(v1::Store store, const std::string& app_id, const std::string& reason,
                      absl::Time at);

  void set_paused(bool paused) { paused_ = paused; }
  bool paused() const { return paused_; }

  // Sets `paused` and the per-app entries (sorted by app id, then store).
  void Fill(v1::NormalizerStatusResponse& out) const;

 private:
  v1::NormalizerAppStatus& Entry(v1::Store store, const std::string& app_id, absl::Time at);

  mutable std::mutex mu_;
  std::map<std::pair<std::string, int>, v1::NormalizerAppStatus> apps_;
  std::atomic<bool> paused_{false};
};

}  // namespace storewire::normalizer

#endif  // STOREWIRE_NORMALIZER_STATS_H_

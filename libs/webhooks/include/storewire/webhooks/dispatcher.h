// The consumer loop of storewire-webhooks: reads `<prefix>.events.v1` and the
// retry topics (read_committed, one consumer group), turns each event into
// one delivery per matching endpoint (and, in the raw forwarding loop, each
// raw notification into one delivery to its app and store's forward), holds retry records until
// they are due, and commits a record's offset only once every delivery it started is done or handed
// on (OffsetTracker), so a crash re-delivers rather than loses.
//
//   Dispatcher dispatcher(options, *consumer, deliverer, registry, timer, clock);
//   absl::Status s = dispatcher.Run(stop);   // until stop; drains, commits
//
// Deliveries are at least once: after a crash or a rebalance, records not
// yet committed are delivered again with the same webhook-id.
// Thread safety: Run on one thread; stats() from any thread.
#ifndef STOREWIRE_WEBHOOKS_DISPATCHER_H_
#define STOREWIRE_WEBHOOKS_DISPATCHER_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "storewire/core/clock.h"
#include "storewire/kafka/kafka.h"
#include "storewire/webhooks/deliverer.h"
#include "storewire/webhooks/offset_tracker.h"
#include "storewire/webhooks/registry.h"

namespace storewire::webhooks {

class Dispatcher {
 public:
  struct Options {
    std::string events_topic;
    std::vector<std::string> retry_topics;
    // Raw topics (<prefix>.raw.<store>) whose notifications go to the raw
    // forward of their app and store, if one is configured (forward.h).
    std::vector<std::string> raw_topics;
    // Records being delivered at once; beyond it the loop waits for
    // completions.
    int max_records_in_flight = 20000;
    absl::Duration commit_interval = absl::Seconds(1);
    // On stop, how long to wait for deliveries in flight before committing.
    absl::Duration drain_timeout = absl::Seconds(20);
  };
  struct Stats {
    int64_t records = 0;
    int64_t deliveries_started = 0;
    int64_t records_finished = 0;
  };

  Dispatcher(Options options, kafka::Consumer& consumer, Deliverer& deliverer,
             const Registry& registry, const Clock& clock);
  ~Dispatcher();

  absl::Status Run(const std::atomic<bool>& stop);
  Stats stats() const;

 private:
  struct Pending {
    std::string topic;
    int32_t partition = 0;
    int64_t offset = 0;
    int remaining = 0;
  };

  // Non-OK only when a not-due retry cannot be paused (Run ends with it).
  absl::Status HandleRecord(const kafka::ConsumedRecord& record);
  void HandleEvent(uint64_t id, const kafka::ConsumedRecord& record);
  // Handles a record of a retry topic; one that is not due pauses its
  // partition at it instead (nothing started).
  absl::Status HandleRetry(const kafka::ConsumedRecord& record);
  void HandleRaw(uint64_t id, const kafka::ConsumedRecord& record);
  void Complete(uint64_t id);
  // Applies completions; returns how many records were marked done.
  int DrainCompletions();
  void FinishNow(uint64_t id);
  // Starts tracking a record whose deliveries are about to begin.
  uint64_t Track(const kafka::ConsumedRecord& record);
  // Resumes the paused partitions whose head record is due.
  absl::Status ResumeDue();
  int Active() const;

  Options options_;
  kafka::Consumer& consumer_;
  Deliverer& deliverer_;
  const Registry& registry_;
  const Clock& clock_;

  OffsetTracker tracker_;
  std::map<uint64_t, Pending> pending_;  // consumer thread only
  uint64_t next_id_ = 1;
  // Retry partitions paused at a record that is not due yet: its due time
  // and the poll batch that paused it (consumer thread only).
  struct Paused {
    absl::Time due;
    uint64_t batch = 0;
  };
  std::map<std::pair<std::string, int32_t>, Paused> paused_;
  uint64_t batch_ = 0;  // polls so far

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<uint64_t> completed_;  // guarded by mu_

  std::atomic<int64_t> records_{0};
  std::atomic<int64_t> deliveries_{0};
  std::atomic<int64_t> finished_{0};
};

}  // namespace storewire::webhooks

#endif  // STOREWIRE_WEBHOOKS_DISPATCHER_H_

// Helpers for Kafka tests (unit tests on the embedded cluster, integration
// tests on the real broker): unique names, producing a batch and reading a
// topic until a count or a deadline. No sleeps: everything polls with a
// deadline.
#ifndef STOREWIRE_TESTS_KAFKA_TEST_UTIL_H_
#define STOREWIRE_TESTS_KAFKA_TEST_UTIL_H_

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storewire/kafka/kafka.h"

namespace storewire::kafka::testing {

// "<prefix>-<pid>-<n>-<time>": unique across tests and runs.
inline std::string UniqueName(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return absl::StrCat(prefix, "-", getpid(), "-", counter.fetch_add(1), "-",
                      absl::ToUnixMicros(absl::Now()) % 1000000000);
}

// Collects delivery results and waits for a count.
class DeliveryLog {
 public:
  RecordSink::DeliveryCallback Callback() {
    return [this](absl::Status status) {
      std::lock_guard<std::mutex> lock(mu_);
      statuses_.push_back(std::move(status));
      cv_.notify_all();
    };
  }
  // True when `count` results arrived before `timeout`.
  bool WaitFor(size_t count, absl::Duration timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, absl::ToChronoMilliseconds(timeout),
                        [&] { return statuses_.size() >= count; });
  }
  std::vector<absl::Status> statuses() {
    std::lock_guard<std::mutex> lock(mu_);
    return statuses_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<absl::Status> statuses_;
};

// Produces `records` and waits for every acknowledgement.
inline absl::Status ProduceAll(const std::string& brokers,
                               const std::vector<OutgoingRecord>& records) {
  auto producer = Producer::Create({.brokers = brokers}, absl::Seconds(30));
  if (!producer.ok()) return producer.status();
  DeliveryLog log;
  for (const OutgoingRecord& record : records) (*producer)->Send(record, log.Callback());
  if (!log.WaitFor(records.size(), absl::Seconds(60))) {
    return absl::DeadlineExceededError("deliveries did not complete");
  }
  for (const absl::Status& status : log.statuses()) {
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

// Reads `topic` from the beginning with a fresh group until `expected`
// records arrived (then keeps polling for `linger` to catch extras) or
// `timeout` passed.
inline std::vector<ConsumedRecord> ReadTopic(const std::string& brokers, const std::string& topic,
                                             size_t expected, absl::Duration timeout,
                                             bool read_committed = true,
                                             absl::Duration linger = absl::Seconds(1)) {
  std::vector<ConsumedRecord> out;
  auto consumer = Consumer::Create({.client = {.brokers = brokers},
                                    .group_id = UniqueName("reader"),
                                    .topics = {topic},
                                    .read_committed = read_committed});
  if (!consumer.ok()) return out;
  const absl::Time deadline = absl::Now() + timeout;
  absl::Time stop_at = deadline;
  while (absl::Now() < stop_at) {
    auto batch = (*consumer)->Poll(500, absl::Milliseconds(100));
    if (!batch.ok()) break;
    for (ConsumedRecord& record : *batch) out.push_back(std::move(record));
    if (out.size() >= expected && stop_at == deadline) stop_at = absl::Now() + linger;
  }
  (*consumer)->Close();
  return out;
}

}  // namespace storewire::kafka::testing

#endif  // STOREWIRE_TESTS_KAFKA_TEST_UTIL_H_

#include "storewire/subscriber_base/state_topic.h"

#include <set>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "storewire/core/log.h"
#include "storewire/core/uuid.h"

namespace storewire::subscriber_base {
namespace {

constexpr char kMarkerPrefix[] = "~marker/";
constexpr int kMarkersPerPartition = 16;

absl::Status WriteMarkers(const kafka::ClientOptions& client, const std::string& topic,
                          int partitions, const std::string& run_id) {
  // Declared before the producer, so that they outlive its callbacks.
  absl::Mutex mu;
  absl::Status first_error;
  int pending = partitions * kMarkersPerPartition;
  absl::StatusOr<std::unique_ptr<kafka::Producer>> producer =
      kafka::Producer::Create(client, absl::Seconds(30));
  if (!producer.ok()) return producer.status();
  for (int i = 0; i < partitions * kMarkersPerPartition; ++i) {
    (*producer)->Send({.topic = topic, .key = absl::StrCat(kMarkerPrefix, i), .value = run_id},
                      [&](absl::Status s) {
                        absl::MutexLock lock(&mu);
                        if (!s.ok() && first_error.ok()) first_error = s;
                        --pending;
                      });
  }
  absl::Status flushed = (*producer)->Flush(absl::Seconds(60));
  absl::MutexLock lock(&mu);
  mu.AwaitWithTimeout(absl::Condition(
                          +[](int* p) { return *p == 0; }, &pending),
                      absl::Seconds(5));
  if (!first_error.ok()) return first_error;
  if (pending != 0 && flushed.ok()) {
    return absl::DeadlineExceededError("rebuild markers not acknowledged in time");
  }
  return flushed;
}

}  // namespace

std::string StateTopic(const std::string& topic_prefix) {
  return topic_prefix + ".subscriptions.state";
}

kafka::TopicSpec StateTopicSpec(const Config& config) {
  kafka::TopicSpec spec{StateTopic(config.kafka.topic_prefix),
                        config.kafka.partitions,
                        config.kafka.replication_factor,
                        {{"cleanup.policy", "compact"}}};
  if (config.kafka.replication_factor > 1) {
    spec.configs["min.insync.replicas"] = std::to_string(config.kafka.replication_factor - 1);
  }
  return spec;
}

kafka::TransactionalProcessor::Transform MakeStateTransform(SubscriberBase& base,
                                                            std::string state_topic) {
  return [&base, topic = std::move(state_topic)](const kafka::ConsumedRecord& in,
                                                 std::vector<kafka::OutgoingRecord>& out) {
    v1::SubscriptionEvent event;
    if (!event.ParseFromArray(in.value.data(), static_cast<int>(in.value.size()))) {
      log::Warn("skipping a record that is not a SubscriptionEvent",
                {{"topic", in.topic},
                 {"partition", std::to_string(in.partition)},
                 {"offset", std::to_string(in.offset)}});
      return absl::OkStatus();
    }
    std::optional<StateRecord> record = base.Apply(event);
    if (record.has_value()) {
      out.push_back(
          {.topic = topic, .key = std::move(record->key), .value = std::move(record->value)});
    }
    return absl::OkStatus();
  };
}

absl::Status RebuildFromStateTopic(const kafka::ClientOptions& client, const std::string& topic,
                                   int partitions, SubscriberBase& base,
                                   const std::atomic<bool>& stop, absl::Duration timeout,
                                   RebuildStats* stats) {
  const absl::Time start = absl::Now();
  const std::string run_id = RandomUuid();
  if (absl::Status s = WriteMarkers(client, topic, partitions, run_id); !s.ok()) {
    return absl::Status(s.code(),
                        absl::StrCat("writing rebuild markers to ", topic, ": ", s.message()));
  }
  absl::StatusOr<std::unique_ptr<kafka::Consumer>> consumer =
      kafka::Consumer::Create({.client = client,
                               .group_id = absl::StrCat("storewire-metrics-rebuild-", run_id),
                               .topics = {topic},
                               .read_committed = true,
                               .auto_offset_reset = "earliest"});
  if (!consumer.ok()) return consumer.status();
  RebuildStats local;
  std::set<int32_t> done;
  absl::Status result;
  while (static_cast<int>(done.size()) < partitions) {
    if (stop.load()) {
      result = absl::CancelledError("stopped during the state rebuild");
      break;
    }
    if (absl::Now() - start > timeout) {
      result = absl::DeadlineExceededError(absl::StrCat(
          "state rebuild from ", topic, " did not reach the end of ", partitions - done.size(),
          " partition(s) within ", absl::FormatDuration(timeout),
          ". Hint: check that kafka.partitions matches the topic's partition count"));
      break;
    }
    absl::StatusOr<std::vector<kafka::ConsumedRecord>> batch =
        (*consumer)->Poll(10000, absl::Milliseconds(200));
    if (!batch.ok()) {
      if (kafka::IsRetryable(batch.status())) continue;
      result = batch.status();
      break;
    }
    for (const kafka::ConsumedRecord& r : *batch) {
      ++local.records;
      if (absl::StartsWith(r.key, kMarkerPrefix)) {
        if (r.value == run_id) done.insert(r.partition);
        continue;
      }
      if (base.Restore(r.key, r.value).ok()) {
        ++local.restored;
      } else {
        ++local.skipped;
      }
    }
  }
  (*consumer)->Close();
  local.took = absl::Now() - start;
  if (stats != nullptr) *stats = local;
  if (result.ok()) {
    log::Info("subscriber base rebuilt", {{"topic", topic},
                                          {"records", std::to_string(local.records)},
                                          {"subscriptions", std::to_string(base.size())},
                                          {"skipped", std::to_string(local.skipped)},
                                          {"took", absl::FormatDuration(local.took)}});
  }
  return result;
}

}  // namespace storewire::subscriber_base

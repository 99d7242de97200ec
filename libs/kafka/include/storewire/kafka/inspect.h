// Reading Kafka for operators, outside any consumer group: the lag of a group
// (committed offsets against watermarks) and a bounded read of a topic range
// (replay, the rejected topic). Nothing here joins or disturbs a group.
//
//   auto lag = GroupOffsets(options, "storewire-normalizer", {"storewire.raw.apple"},
//                           absl::Seconds(5));
//   TopicRange range{.topic = "storewire.rejected"};
//   absl::Status s = ReadRange(options, range, absl::Seconds(10),
//                              [](const ConsumedRecord& r) { ...; return true; });
//
// Errors: kNotFound for a topic that does not exist, kUnavailable /
// kDeadlineExceeded when the cluster does not answer in time (retry).
// Thread safety: free functions; each call uses its own client.
#ifndef STOREWIRE_KAFKA_INSPECT_H_
#define STOREWIRE_KAFKA_INSPECT_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storewire/kafka/kafka.h"

namespace storewire::kafka {

struct PartitionOffsets {
  std::string topic;
  int32_t partition = 0;
  int64_t low_watermark = 0;
  int64_t high_watermark = 0;
  // The group's committed offset (next to read); -1 when it has none.
  int64_t committed = -1;

  // Records the group has not consumed yet.
  int64_t Lag() const {
    const int64_t from = committed >= 0 ? committed : low_watermark;
    return high_watermark > from ? high_watermark - from : 0;
  }
};

// Committed offsets of `group_id` and watermarks of every partition of `topics`.
absl::StatusOr<std::vector<PartitionOffsets>> GroupOffsets(const ClientOptions& options,
                                                           const std::string& group_id,
                                                           const std::vector<std::string>& topics,
                                                           absl::Duration timeout);

// Which records of one topic to read: [from, to) per partition.
struct TopicRange {
  std::string topic;
  // Start: from_offsets[p] if the map is not empty (then only its partitions
  // are read), else the first record at or after from_time, else the beginning.
  std::map<int32_t, int64_t> from_offsets;
  std::optional<absl::Time> from_time;
  // End (exclusive): to_offsets[p], else the first record at or after
  // to_time, else the high watermark when the read started.
  std::map<int32_t, int64_t> to_offsets;
  std::optional<absl::Time> to_time;
};

// Called for each record (committed records only, read_committed); return
// false to stop early.
using RecordVisitor = std::function<bool(const ConsumedRecord&)>;

// Reads `range` with a group-less consumer (assign, no commits), partition by
// partition in offset order. kDeadlineExceeded when the range was not read
// completely within `timeout` (the records visited so far were visited).
absl::Status ReadRange(const ClientOptions& options, const TopicRange& range,
                       absl::Duration timeout, const RecordVisitor& visit);

}  // namespace storewire::kafka

#endif  // STOREWIRE_KAFKA_INSPECT_H_

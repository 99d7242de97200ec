// GroupOffsets and ReadRange: group-less clients (no subscribe, no commits)
// that look at a topic without joining or disturbing any consumer group.
#include "storewire/kafka/inspect.h"

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client.h"
#include "errors.h"
#include "storewire/core/uuid.h"

namespace storewire::kafka {
namespace {

using internal::FromError;

absl::StatusOr<internal::HandlePtr> NewInspector(const ClientOptions& options,
                                                 const std::string& group_id) {
  auto conf = internal::NewConf(options, {{"group.id", group_id},
                                          {"enable.auto.commit", "false"},
                                          {"enable.auto.offset.store", "false"},
                                          {"enable.partition.eof", "true"},
                                          {"isolation.level", "read_committed"},
                                          {"auto.offset.reset", "earliest"}});
  if (!conf.ok()) return conf.status();
  auto handle = internal::NewHandle(RD_KAFKA_CONSUMER, *std::move(conf));
  if (!handle.ok()) return handle.status();
  rd_kafka_poll_set_consumer(handle->get());
  return handle;
}

// Partition ids of `topic`, kNotFound when it does not exist.
absl::StatusOr<std::vector<int32_t>> Partitions(rd_kafka_t* rk, const std::string& topic,
                                                const std::string& brokers,
                                                absl::Duration timeout) {
  std::unique_ptr<rd_kafka_topic_t, decltype(&rd_kafka_topic_destroy)> handle(
      rd_kafka_topic_new(rk, topic.c_str(), nullptr), &rd_kafka_topic_destroy);
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, 0, handle.get(), &metadata, internal::ToMillis(timeout));
  if (err) return FromError(err, absl::StrCat("kafka metadata for ", topic), brokers);
  std::vector<int32_t> partitions;
  absl::Status status;
  if (metadata->topic_cnt != 1 || metadata->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR ||
      metadata->topics[0].partition_cnt == 0) {
    status = absl::NotFoundError(absl::StrCat("topic ", topic, " does not exist (yet)"));
  } else {
    for (int i = 0; i < metadata->topics[0].partition_cnt; ++i) {
      partitions.push_back(metadata->topics[0].partitions[i].id);
    }
  }
  rd_kafka_metadata_destroy(metadata);
  if (!status.ok()) return status;
  std::sort(partitions.begin(), partitions.end());
  return partitions;
}

// First offset at or after `t` per partition (-1 = none: the end).
absl::Status OffsetsForTime(rd_kafka_t* rk, const std::string& topic,
                            const std::vector<int32_t>& partitions, absl::Time t,
                            const std::string& brokers, absl::Duration timeout,
                            std::map<int32_t, int64_t>& out) {
  internal::PartitionListPtr list(rd_kafka_topic_partition_list_new(partitions.size()));
  for (int32_t p : partitions) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = absl::ToUnixMillis(t);
  }
  if (rd_kafka_resp_err_t err =
          rd_kafka_offsets_for_times(rk, list.get(), internal::ToMillis(timeout));
      err) {
    return FromError(err, absl::StrCat("kafka offsets for time on ", topic), brokers);
  }
  for (int i = 0; i < list->cnt; ++i) out[list->elems[i].partition] = list->elems[i].offset;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<PartitionOffsets>> GroupOffsets(const ClientOptions& options,
                                                           const std::string& group_id,
                                                           const std::vector<std::string>& topics,
                                                           absl::Duration timeout) {
  // A consumer handle with the group's id that never subscribes: it only
  // asks the group coordinator for committed offsets (OffsetFetch).
  auto handle = NewInspector(options, group_id);
  if (!handle.ok()) return handle.status();
  rd_kafka_t* rk = handle->get();
  const absl::Time deadline = absl::Now() + timeout;
  std::vector<PartitionOffsets> out;
  internal::PartitionListPtr list(rd_kafka_topic_partition_list_new(8));
  for (const std::string& topic : topics) {
    absl::StatusOr<std::vector<int32_t>> partitions =
        Partitions(rk, topic, options.brokers, deadline - absl::Now());
    if (absl::IsNotFound(partitions.status())) continue;
    if (!partitions.ok()) return partitions.status();
    for (int32_t p : *partitions) {
      PartitionOffsets o{.topic = topic, .partition = p};
      if (rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
              rk, topic.c_str(), p, &o.low_watermark, &o.high_watermark,
              internal::ToMillis(deadline - absl::Now()));
          err) {
        return FromError(err, absl::StrCat("kafka watermarks of ", topic, "/", p), options.brokers);
      }
      out.push_back(o);
      rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p);
    }
  }
  if (out.empty()) return out;
  if (rd_kafka_resp_err_t err =
          rd_kafka_committed(rk, list.get(), internal::ToMillis(deadline - absl::Now()));
      err) {
    return FromError(err, absl::StrCat("kafka committed offsets of group ", group_id),
                     options.brokers);
  }
  for (int i = 0; i < list->cnt; ++i) {
    for (PartitionOffsets& o : out) {
      if (o.topic == list->elems[i].topic && o.partition == list->elems[i].partition) {
        o.committed = list->elems[i].offset >= 0 ? list->elems[i].offset : -1;
      }
    }
  }
  return out;
}

absl::Status ReadRange(const ClientOptions& options, const TopicRange& range,
                       absl::Duration timeout, const RecordVisitor& visit) {
  auto handle = NewInspector(options, absl::StrCat("storewire-inspect-", RandomUuid()));
  if (!handle.ok()) return handle.status();
  rd_kafka_t* rk = handle->get();
  const absl::Time deadline = absl::Now() + timeout;
  auto left = [&deadline] { return deadline - absl::Now(); };

  absl::StatusOr<std::vector<int32_t>> all = Partitions(rk, range.topic, options.brokers, left());
  if (!all.ok()) return all.status();
  std::vector<int32_t> partitions;
  for (int32_t p : *all) {
    if (range.from_offsets.empty() || range.from_offsets.count(p) > 0) partitions.push_back(p);
  }
  std::map<int32_t, int64_t> start_at_time, end_at_time;
  if (range.from_time && range.from_offsets.empty()) {
    if (absl::Status s = OffsetsForTime(rk, range.topic, partitions, *range.from_time,
                                        options.brokers, left(), start_at_time);
        !s.ok()) {
      return s;
    }
  }
  if (range.to_time) {
    if (absl::Status s = OffsetsForTime(rk, range.topic, partitions, *range.to_time,
                                        options.brokers, left(), end_at_time);
        !s.ok()) {
      return s;
    }
  }

  // [start, end) per partition; empty ranges are skipped.
  std::map<int32_t, int64_t> end;
  internal::PartitionListPtr assignment(rd_kafka_topic_partition_list_new(partitions.size()));
  for (int32_t p : partitions) {
    int64_t low = 0, high = 0;
    if (rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
            rk, range.topic.c_str(), p, &low, &high, internal::ToMillis(left()));
        err) {
      return FromError(err, absl::StrCat("kafka watermarks of ", range.topic, "/", p),
                       options.brokers);
    }
    int64_t from = low;
    if (auto it = range.from_offsets.find(p); it != range.from_offsets.end()) from = it->second;
    if (auto it = start_at_time.find(p); it != start_at_time.end()) {
      from = it->second >= 0 ? it->second : high;
    }
    int64_t to = high;
    if (auto it = range.to_offsets.find(p); it != range.to_offsets.end()) to = it->second;
    if (auto it = end_at_time.find(p); it != end_at_time.end() && it->second >= 0) {
      to = std::min(to, it->second);
    }
    from = std::max(from, low);
    to = std::min(to, high);
    if (from >= to) continue;
    end[p] = to;
    rd_kafka_topic_partition_list_add(assignment.get(), range.topic.c_str(), p)->offset = from;
  }
  if (end.empty()) return absl::OkStatus();
  if (rd_kafka_resp_err_t err = rd_kafka_assign(rk, assignment.get()); err) {
    return FromError(err, absl::StrCat("kafka assign ", range.topic), options.brokers);
  }

  // A partition is done at its end offset or at its end of log (with
  // read_committed, transaction markers and aborted records take offsets
  // that are never delivered).
  std::set<int32_t> open;
  for (const auto& [p, to] : end) open.insert(p);
  absl::Status result;
  bool stopped = false;
  while (!open.empty() && !stopped) {
    if (left() <= absl::ZeroDuration()) {
      result = absl::DeadlineExceededError(
          absl::StrCat("reading ", range.topic, " did not finish within ",
                       absl::FormatDuration(timeout), "; ", open.size(), " partitions left"));
      break;
    }
    internal::MessagePtr message(
        rd_kafka_consumer_poll(rk, std::min(internal::ToMillis(left()), 200)));
    if (message == nullptr) continue;
    const int32_t p = message->partition;
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      open.erase(p);
      continue;
    }
    if (message->err) {
      if (message->err == RD_KAFKA_RESP_ERR__TRANSPORT ||
          message->err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        continue;  // librdkafka reconnects; the deadline bounds the wait.
      }
      result = FromError(message->err, absl::StrCat("kafka read of ", range.topic), options.brokers,
                         rd_kafka_message_errstr(message.get()));
      break;
    }
    auto it = end.find(p);
    if (it == end.end() || open.count(p) == 0 || message->offset >= it->second) {
      open.erase(p);
      continue;
    }
    if (!visit(internal::ToRecord(message.get()))) stopped = true;
    if (message->offset + 1 >= it->second) open.erase(p);
  }
  rd_kafka_assign(rk, nullptr);
  rd_kafka_consumer_close(rk);
  return result;
}

}  // namespace storewire::kafka

#include "storewire/control/normalizer_control.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "storewire/core/log.h"
#include "storewire/core/stores.h"
#include "storewire/v1/raw.pb.h"

namespace storewire::control {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int kDefaultListLimit = 100;

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixNanos(TimeUtil::TimestampToNanoseconds(t));
}

bool Matches(const v1::RejectedFilter& filter, const v1::RejectedNotification& rejected) {
  if (!filter.app_id().empty() && filter.app_id() != rejected.raw().app_id()) return false;
  if (filter.store() != v1::STORE_UNSPECIFIED && filter.store() != rejected.raw().store()) {
    return false;
  }
  return filter.reason() == v1::REJECT_REASON_UNSPECIFIED || filter.reason() == rejected.reason();
}

// "<partition>:<offset>" of the rejected topic.
absl::StatusOr<std::pair<int32_t, int64_t>> ParseEntryId(const std::string& id) {
  std::vector<std::string> parts = absl::StrSplit(id, ':');
  int32_t partition = 0;
  int64_t offset = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &partition) ||
      !absl::SimpleAtoi(parts[1], &offset) || partition < 0 || offset < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", id, "' is not a rejected entry id (PARTITION:OFFSET, e.g. 0:17)"));
  }
  return std::make_pair(partition, offset);
}

std::string EntryId(const kafka::ConsumedRecord& record) {
  return absl::StrCat(record.partition, ":", record.offset);
}

// The raw record to publish again for a rejected entry.
kafka::OutgoingRecord RawRecordOf(const Topics& topics, const v1::RejectedNotification& rejected,
                                  const std::string& entry_id) {
  const v1::RawNotification& raw = rejected.raw();
  kafka::OutgoingRecord out;
  out.topic = rejected.source_topic().empty() ? topics.Raw(raw.store()) : rejected.source_topic();
  out.key = raw.partition_key();
  out.value = raw.SerializeAsString();
  if (!raw.request_id().empty()) out.headers.push_back({"request_id", raw.request_id()});
  out.headers.push_back(
      {"storewire_resubmitted_from", absl::StrCat(topics.Rejected(), "/", entry_id)});
  return out;
}

}  // namespace

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

NormalizerControlService::NormalizerControlService(const Config& config, const Authenticator& auth,
                                                   RecordStore& store, Hooks hooks)
    : config_(config), auth_(auth), store_(store), hooks_(std::move(hooks)) {}

grpc::Status NormalizerControlService::Status(grpc::ServerContext* context,
                                              const v1::NormalizerStatusRequest* /*request*/,
                                              v1::NormalizerStatusResponse* response) {
  if (grpc::Status s = auth_.Check(*context); !s.ok()) return s;
  if (hooks_.fill_stats) hooks_.fill_stats(*response);
  std::vector<std::string> raw_topics;
  const Topics topics(config_.kafka.topic_prefix);
  for (v1::Store store : kAllStores) raw_topics.push_back(topics.Raw(store));
  absl::StatusOr<std::vector<kafka::PartitionOffsets>> offsets =
      store_.GroupOffsets(config_.normalizer.group_id, raw_topics);
  if (!offsets.ok()) {
    // The counters are still worth showing; say why the lag is missing.
    response->set_lag_error(std::string(offsets.status().message()));
    return grpc::Status::OK;
  }
  int64_t total = 0;
  for (const kafka::PartitionOffsets& o : *offsets) {
    v1::PartitionLag* lag = response->add_partitions();
    lag->set_topic(o.topic);
    lag->set_partition(o.partition);
    lag->set_committed_offset(o.committed);
    lag->set_high_watermark(o.high_watermark);
    lag->set_lag(o.Lag());
    total += o.Lag();
  }
  response->set_total_lag(total);
  return grpc::Status::OK;
}

grpc::Status NormalizerControlService::Pause(grpc::ServerContext* context,
                                             const v1::PauseRequest* /*request*/,
                                             v1::PauseResponse* response) {
  if (grpc::Status s = auth_.Check(*context); !s.ok()) return s;
  if (hooks_.set_paused) hooks_.set_paused(true);
  log::Info("paused by an operator", {});
  response->set_paused(true);
  return grpc::Status::OK;
}

grpc::Status NormalizerControlService::Resume(grpc::ServerContext* context,
                                              const v1::ResumeRequest* /*request*/,
                                              v1::ResumeResponse* response) {
  if (grpc::Status s = auth_.Check(*context); !s.ok()) return s;
  if (hooks_.set_paused) hooks_.set_paused(false);
  log::Info("resumed by an operator", {});
  response->set_paused(false);
  return grpc::Status::OK;
}

grpc::Status NormalizerControlService::Replay(grpc::ServerContext* context,
                                              const v1::ReplayRequest* request,
                                              v1::ReplayResponse* response) {
  if (grpc::Status s = auth_.Check(*context); !s.ok()) return s;
  if (request->store() == v1::STORE_UNSPECIFIED) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "replay needs a store (apple, google, huawei or amazon)");
  }
  const Topics topics(config_.kafka.topic_prefix);
  kafka::TopicRange range;
  range.topic = topics.Raw(request->store());
  for (const v1::PartitionOffset& p : request->from_offsets()) {
    range.from_offsets[p.partition()] = p.offset();
  }
  for (const v1::PartitionOffset& p : request->to_offsets()) {
    range.to_offsets[p.partition()] = p.offset();
  }
  if (request->has_from_time()) range.from_time = FromProto(request->from_time());
  if (request->has_to_time()) range.to_time = FromProto(request->to_time());
  if (range.from_time && range.to_time && *range.to_time <= *range.from_time) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "replay: --to must be after --from");
  }

  std::vector<kafka::OutgoingRecord> out;
  int64_t read = 0;
  absl::Status s = store_.Read(range, [&](const kafka::ConsumedRecord& record) {
    ++read;
    if (!request->app_id().empty()) {
      v1::RawNotification raw;
      if (!raw.ParseFromString(record.value) || raw.app_id() != request->app_id()) return true;
    }
    kafka::OutgoingRecord again{record.topic, record.key, record.value, {}};
    for (const kafka::Header& h : record.headers) {
      if (h.key != "storewire_replay_of") again.headers.push_back(h);
    }
    again.headers.push_back(
        {"storewire_replay_of",
         absl::StrCat(record.topic, "/", record.partition, "@", record.offset)});
    out.push_back(std::move(again));
    return true;
  });
  if (!s.ok()) return ToGrpc(s);
  const int64_t replayed = static_cast<int64_t>(out.size());
  if (absl::Status p = store_.Publish(std::move(out)); !p.ok()) return ToGrpc(p);
  log::Info("replay", {
                          {"topic", range.topic},
                          {"read", std::to_string(read)},
                          {"replayed", std::to_string(replayed)},
                      });
  response->set_topic(range.topic);
  response->set_records_read(read);
  response->set_records_replayed(replayed);
  return grpc::Status::OK;
}

grpc::Status NormalizerControlService::RejectedList(grpc::ServerContext* context,
                                                    const v1::RejectedListRequest* request,
                                                    v1::RejectedListResponse* response) {
  if (grpc::Status s = auth_.Check(*context); !s.ok()) return s;
  const size_t limit = request->limit() > 0 ? request->limit() : kDefaultListLimit;
  const Topics topics(config_.kafka.topic_prefix);
  std::vector<v1::RejectedEntry> matching;
  absl::Status s = store_.Read({.topic = topics.Rejected()}, [&](const kafka::ConsumedRecord& r) {
    v1::RejectedEntry entry;
    if (!entry.mutable_rejected()->ParseFromString(r.value)) return true;
    if (!Matches(request->filter(), entry.rejected())) return true;
    entry.set_id(EntryId(r));
    matching.push_back(std::move(entry));
    return true;
  });
  if (absl::IsNotFound(s)) return grpc::Status::OK;  // nothing rejected yet
  if (!s.ok()) return ToGrpc(s);
  // Newest first.
  std::stable_sort(matching.begin(), matching.end(),
                   [](const v1::RejectedEntry& a, const v1::RejectedEntry& b) {
                     return TimeUtil::TimestampToNanoseconds(a.rejected().rejected_at()) >
                            TimeUtil::TimestampToNanoseconds(b.rejected().rejected_at());
                   });
  response->set_total_matching(static_cast<int64_t>(matching.size()));
  for (size_t i = 0; i < matching.size() && i < limit; ++i) {
    *response->add_entries() = std::move(matching[i]);
  }
  return grpc::Status::OK;
}

grpc::Status NormalizerControlService::RejectedResubmit(grpc::ServerContext* context,
                                                        const v1::RejectedResubmitRequest* request,
                                                        v1::RejectedResubmitResponse* response) {
  if (grpc::Status s = auth_.Check(*context); !s.ok()) return s;
  if (request->all() == (request->ids_size() > 0)) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "resubmit takes either entry ids or --all (with optional filters)");
  }
  const Topics topics(config_.kafka.topic_prefix);
  kafka::TopicRange range{.topic = topics.Rejected()};
  std::set<std::string> wanted;
  for (const std::string& id : request->ids()) {
    absl::StatusOr<std::pair<int32_t, int64_t>> parsed = ParseEntryId(id);
    if (!parsed.ok()) return ToGrpc(parsed.status());
    auto [partition, offset] = *parsed;
    wanted.insert(EntryId({.partition = partition, .offset = offset}));
    auto from = range.from_offsets.find(partition);
    range.from_offsets[partition] =
        from == range.from_offsets.end() ? offset : std::min(from->second, offset);
    range.to_offsets[partition] = std::max(range.to_offsets[partition], offset + 1);
  }
  std::vector<kafka::OutgoingRecord> out;
  std::set<std::string> found;
  absl::Status s = store_.Read(range, [&](const kafka::ConsumedRecord& r) {
    const std::string id = EntryId(r);
    if (!request->all() && wanted.count(id) == 0) return true;
    v1::RejectedNotification rejected;
    if (!rejected.ParseFromString(r.value)) return true;
    if (request->all() && !Matches(request->filter(), rejected)) return true;
    found.insert(id);
    out.push_back(RawRecordOf(topics, rejected, id));
    return true;
  });
  if (!s.ok() && !(absl::IsNotFound(s) && request->all())) return ToGrpc(s);
  for (const std::string& id : wanted) {
    if (found.count(id) == 0) response->add_not_found(id);
  }
  const int64_t count = static_cast<int64_t>(out.size());
  if (absl::Status p = store_.Publish(std::move(out)); !p.ok()) return ToGrpc(p);
  log::Info("resubmitted rejected records", {{"count", std::to_string(count)}});
  response->set_resubmitted(count);
  return grpc::Status::OK;
}

}  // namespace storewire::control

// Consumer: a group member with manual offset storage. Offsets of records
// marked done are committed by Commit() and, so that a rebalance does not
// replay finished work, when partitions are revoked.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "client.h"
#include "errors.h"
#include "group.h"
#include "storewire/core/log.h"
#include "storewire/kafka/kafka.h"

namespace storewire::kafka {
namespace {

using internal::FromError;

class ConsumerImpl final : public Consumer {
 public:
  explicit ConsumerImpl(std::string brokers) : brokers_(std::move(brokers)) {}

  absl::Status Start(const Options& options) {
    if (options.group_id.empty())
      return absl::InvalidArgumentError("kafka consumer without group id");
    auto conf = internal::NewConf(
        options.client,
        {{"group.id", options.group_id},
         {"enable.auto.commit", "false"},
         {"enable.auto.offset.store", "false"},
         {"enable.partition.eof", "false"},
         {"isolation.level", options.read_committed ? "read_committed" : "read_uncommitted"},
         {"auto.offset.reset", options.auto_offset_reset}});
    if (!conf.ok()) return conf.status();
    rd_kafka_conf_set_rebalance_cb(conf->get(), &ConsumerImpl::OnRebalance);
    auto handle = internal::NewHandle(RD_KAFKA_CONSUMER, *std::move(conf));
    if (!handle.ok()) return handle.status();
    rk_ = *std::move(handle);
    rd_kafka_poll_set_consumer(rk_.get());
    return internal::Subscribe(rk_.get(), options.topics, brokers_);
  }

  ~ConsumerImpl() override { Close(); }

  absl::StatusOr<std::vector<ConsumedRecord>> Poll(int max_records,
                                                   absl::Duration timeout) override {
    if (closed_) return absl::FailedPreconditionError("kafka consumer is closed");
    std::vector<ConsumedRecord> out;
    const absl::Time now = absl::Now();
    if (absl::Status s =
            internal::PollRecords(rk_.get(), max_records, now + timeout, now, brokers_, out);
        !s.ok()) {
      return s;
    }
    return out;
  }

  absl::Status MarkDone(const ConsumedRecord& record) override {
    internal::PartitionListPtr list(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(list.get(), record.topic.c_str(), record.partition)->offset =
        record.offset + 1;
    const rd_kafka_resp_err_t err = rd_kafka_offsets_store(rk_.get(), list.get());
    if (err == RD_KAFKA_RESP_ERR__STATE) {
      return absl::FailedPreconditionError(absl::StrCat(
          "partition ", record.topic, "/", record.partition,
          " is no longer assigned to this consumer (rebalance); its new owner receives the record "
          "again"));
    }
    return FromError(err, "kafka offsets store", brokers_);
  }

  absl::Status PauseAt(const std::string& topic, int32_t partition, int64_t offset) override {
    if (!IsAssigned(topic, partition)) return NotAssigned("pause", topic, partition);
    internal::PartitionListPtr list(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_t* tp =
        rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition);
    if (rd_kafka_resp_err_t err = rd_kafka_pause_partitions(rk_.get(), list.get()); err) {
      return FromError(err, "kafka pause", brokers_);
    }
    if (tp->err) return NotAssigned("pause", topic, partition);
    tp->offset = offset;
    // Synchronous: once it returns, records fetched before the seek are gone.
    internal::ErrorPtr error(rd_kafka_seek_partitions(rk_.get(), list.get(), kSeekTimeoutMs));
    if (error) {
      return absl::UnavailableError(absl::StrCat("kafka seek of ", topic, "/", partition, " to ",
                                                 offset, ": ", rd_kafka_error_string(error.get())));
    }
    if (tp->err) {
      return absl::UnavailableError(absl::StrCat("kafka seek of ", topic, "/", partition, " to ",
                                                 offset, ": ", rd_kafka_err2str(tp->err)));
    }
    return absl::OkStatus();
  }

  absl::Status Resume(const std::string& topic, int32_t partition) override {
    if (!IsAssigned(topic, partition)) return NotAssigned("resume", topic, partition);
    internal::PartitionListPtr list(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_t* tp =
        rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition);
    if (rd_kafka_resp_err_t err = rd_kafka_resume_partitions(rk_.get(), list.get()); err) {
      return FromError(err, "kafka resume", brokers_);
    }
    if (tp->err) return NotAssigned("resume", topic, partition);
    return absl::OkStatus();
  }

  absl::Status Commit() override {
    const rd_kafka_resp_err_t err = rd_kafka_commit(rk_.get(), nullptr, 0);
    if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) return absl::OkStatus();
    return FromError(err, "kafka offset commit", brokers_);
  }

  void Close() override {
    if (closed_ || !rk_) return;
    closed_ = true;
    if (rd_kafka_resp_err_t err = rd_kafka_consumer_close(rk_.get()); err) {
      log::Warn("kafka consumer close", {{"error", rd_kafka_err2str(err)}});
    }
  }

 private:
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS && !rd_kafka_assignment_lost(rk)) {
      // Commit what was marked done before the partitions move.
      const rd_kafka_resp_err_t commit = rd_kafka_commit(rk, nullptr, 0);
      if (commit != RD_KAFKA_RESP_ERR_NO_ERROR && commit != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        log::Warn("kafka commit on revoke failed", {{"error", rd_kafka_err2str(commit)}});
      }
    }
    internal::ApplyRebalance(rk, err, partitions);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      // librdkafka keeps a partition paused across revoke and re-assign; here a
      // newly assigned partition starts fresh from its committed offset.
      rd_kafka_resume_partitions(rk, partitions);
    }
  }

  bool IsAssigned(const std::string& topic, int32_t partition) const {
    rd_kafka_topic_partition_list_t* raw = nullptr;
    if (rd_kafka_assignment(rk_.get(), &raw) != RD_KAFKA_RESP_ERR_NO_ERROR) return false;
    internal::PartitionListPtr assignment(raw);
    return rd_kafka_topic_partition_list_find(assignment.get(), topic.c_str(), partition) !=
           nullptr;
  }

  static absl::Status NotAssigned(const char* what, const std::string& topic, int32_t partition) {
    return absl::FailedPreconditionError(
        absl::StrCat("kafka ", what, ": partition ", topic, "/", partition,
                     " is not assigned to this consumer (rebalance)"));
  }

  static constexpr int kSeekTimeoutMs = 10000;

  const std::string brokers_;
  internal::HandlePtr rk_;
  bool closed_ = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Consumer>> Consumer::Create(const Options& options) {
  auto consumer = std::make_unique<ConsumerImpl>(options.client.brokers);
  if (absl::Status s = consumer->Start(options); !s.ok()) return s;
  return consumer;
}

}  // namespace storewire::kafka

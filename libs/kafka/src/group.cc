#include "group.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "client.h"
#include "errors.h"
#include "storewire/core/log.h"

namespace storewire::kafka::internal {

absl::Status PollRecords(rd_kafka_t* consumer, int max_records, absl::Time first_deadline,
                         absl::Time fill_deadline, const std::string& brokers,
                         std::vector<ConsumedRecord>& out) {
  const size_t start = out.size();
  while (out.size() - start < static_cast<size_t>(max_records)) {
    const absl::Time deadline = out.size() == start ? first_deadline : fill_deadline;
    MessagePtr message(rd_kafka_consumer_poll(consumer, ToMillis(deadline - absl::Now())));
    if (message == nullptr) {
      if (absl::Now() >= deadline) break;
      continue;
    }
    const rd_kafka_resp_err_t err = message->err;
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      out.push_back(ToRecord(message.get()));
      continue;
    }
    if (err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
    std::string detail = rd_kafka_message_errstr(message.get());
    rd_kafka_resp_err_t code = err;
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
      char reason[512];
      code = rd_kafka_fatal_error(consumer, reason, sizeof(reason));
      detail = absl::StrCat("fatal: ", reason);
    }
    absl::Status status = FromError(code, "kafka consumer", brokers, detail);
    // Only a fatal error ends consumption: librdkafka recovers from the others
    // by itself (a topic still being created, a broker restarting, ...).
    if (err != RD_KAFKA_RESP_ERR__FATAL) {
      log::Warn("kafka consumer error (librdkafka keeps trying)", {{"error", status.ToString()}});
      continue;
    }
    status = absl::FailedPreconditionError(status.message());
    if (out.size() == start) return status;
    log::Error("kafka consumer error", {{"error", status.ToString()}});
    break;
  }
  return absl::OkStatus();
}

void ApplyRebalance(rd_kafka_t* consumer, rd_kafka_resp_err_t err,
                    rd_kafka_topic_partition_list_t* partitions) {
  const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(consumer), "COOPERATIVE") == 0;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    if (cooperative) {
      ErrorPtr error(rd_kafka_incremental_assign(consumer, partitions));
      if (error)
        log::Error("kafka incremental assign failed",
                   {{"error", rd_kafka_error_string(error.get())}});
    } else if (rd_kafka_resp_err_t e = rd_kafka_assign(consumer, partitions); e) {
      log::Error("kafka assign failed", {{"error", rd_kafka_err2str(e)}});
    }
    return;
  }
  if (cooperative) {
    ErrorPtr error(rd_kafka_incremental_unassign(consumer, partitions));
    if (error)
      log::Error("kafka incremental unassign failed",
                 {{"error", rd_kafka_error_string(error.get())}});
  } else {
    rd_kafka_assign(consumer, nullptr);
  }
}

absl::Status Subscribe(rd_kafka_t* consumer, const std::vector<std::string>& topics,
                       const std::string& brokers) {
  if (topics.empty()) return absl::InvalidArgumentError("kafka consumer without topics");
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
  for (const std::string& topic : topics) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  return FromError(rd_kafka_subscribe(consumer, list.get()), "kafka subscribe", brokers);
}

}  // namespace storewire::kafka::internal

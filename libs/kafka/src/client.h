// librdkafka handles as RAII types and the configuration every client of
// storewire shares (bootstrap servers, client id, JSON logging, user
// properties applied last). Internal to libs/kafka.
#ifndef STOREWIRE_KAFKA_SRC_CLIENT_H_
#define STOREWIRE_KAFKA_SRC_CLIENT_H_

#include <librdkafka/rdkafka.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storewire/kafka/kafka.h"

namespace storewire::kafka::internal {

struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};
struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
struct ErrorDeleter {
  void operator()(rd_kafka_error_t* error) const { rd_kafka_error_destroy(error); }
};
struct MessageDeleter {
  void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
};
struct QueueDeleter {
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
};
struct EventDeleter {
  void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
};

using HandlePtr = std::unique_ptr<rd_kafka_t, HandleDeleter>;
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;
using ErrorPtr = std::unique_ptr<rd_kafka_error_t, ErrorDeleter>;
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, QueueDeleter>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, EventDeleter>;

// A configuration with bootstrap.servers, client.id, the JSON log callback,
// then `settings`, then options.properties (the user has the last word).
// kInvalidArgument names the property that librdkafka refused.
absl::StatusOr<ConfPtr> NewConf(const ClientOptions& options,
                                const std::map<std::string, std::string>& settings);

// rd_kafka_new; takes `conf` (on failure too).
absl::StatusOr<HandlePtr> NewHandle(rd_kafka_type_t type, ConfPtr conf);

// The rd_kafka_produceva() arguments for `record` (copied by librdkafka), with
// `opaque` as the per-message opaque when not null. The result points into
// `record`, which must outlive the produceva call.
std::vector<rd_kafka_vu_t> ProduceArgs(const OutgoingRecord& record, void* opaque);

// Milliseconds for librdkafka timeouts, clamped to [0, INT_MAX].
int ToMillis(absl::Duration d);

// Copies the headers of a consumed message.
std::vector<Header> ReadHeaders(const rd_kafka_message_t* message);

// Copies a consumed message.
ConsumedRecord ToRecord(const rd_kafka_message_t* message);

}  // namespace storewire::kafka::internal

#endif  // STOREWIRE_KAFKA_SRC_CLIENT_H_

// The Kafka the control services need, behind one small interface so that
// they are unit-tested with a fake: read a topic range, a group's offsets,
// publish records and wait for their acknowledgement.
//
//   auto store = MakeKafkaRecordStore(client_options, producer);
//   absl::Status s = store->Read({.topic = "storewire.rejected"}, visit);
//
// Errors are libs/kafka's (kUnavailable: Kafka unreachable, retry).
// Thread safety: every method may be called concurrently.
#ifndef STOREWIRE_CONTROL_RECORD_STORE_H_
#define STOREWIRE_CONTROL_RECORD_STORE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storewire/kafka/inspect.h"
#include "storewire/kafka/kafka.h"

namespace storewire::control {

class RecordStore {
 public:
  virtual ~RecordStore() = default;
  virtual absl::Status Read(const kafka::TopicRange& range, const kafka::RecordVisitor& visit) = 0;
  virtual absl::StatusOr<std::vector<kafka::PartitionOffsets>> GroupOffsets(
      const std::string& group_id, const std::vector<std::string>& topics) = 0;
  // OK once every record is acknowledged; else the first failure.
  virtual absl::Status Publish(std::vector<kafka::OutgoingRecord> records) = 0;
};

// Kafka behind RecordStore: reads with kafka::ReadRange / GroupOffsets (no
// group joined), publishes through `sink` (an idempotent producer). `sink`
// must outlive the store.
std::unique_ptr<RecordStore> MakeKafkaRecordStore(kafka::ClientOptions options,
                                                  kafka::RecordSink& sink,
                                                  absl::Duration timeout = absl::Seconds(30));

}  // namespace storewire::control

#endif  // STOREWIRE_CONTROL_RECORD_STORE_H_

// The subscriber base on Kafka: the compacted state topic
// `<prefix>.subscriptions.state`, the transform that applies events and
// writes states (run inside kafka::TransactionalProcessor, so that states
// and consumed offsets commit together), and the rebuild on start.
//
//   SubscriberBase base(...);
//   auto processor = kafka::TransactionalProcessor::Create(options, ...);  // fences a zombie
//   RebuildFromStateTopic(client, StateTopic(prefix), partitions, base, stop);
//   (*processor)->Run(stop);      // with MakeStateTransform(base, StateTopic(prefix))
//
// Why restart loses nothing and double counts nothing: a state record and
// the offset of the event that produced it commit in one transaction; a
// rebuild reads only committed records (read_committed) to the end, so the
// rebuilt states include exactly the events up to the committed offsets (or,
// after an aborted transaction, possibly more: those are then redelivered
// and recognised by their ids in the state's history).
//
// The end of the topic: before reading, RebuildFromStateTopic writes marker
// records (keys "~marker/<n>", 16 per partition, value = a run id) and reads
// until every partition has shown this run's marker. Call it after
// TransactionalProcessor::Create (init_transactions aborts a zombie's open
// transaction, which would otherwise hold read_committed readers back) and
// before Run. One metrics instance owns the whole base.
// Errors: kUnavailable / kDeadlineExceeded when Kafka does not answer in
// time, kCancelled when stop was requested.
#ifndef STOREWIRE_SUBSCRIBER_BASE_STATE_TOPIC_H_
#define STOREWIRE_SUBSCRIBER_BASE_STATE_TOPIC_H_

#include <atomic>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "storewire/core/config.h"
#include "storewire/kafka/kafka.h"
#include "storewire/subscriber_base/subscriber_base.h"

namespace storewire::subscriber_base {

std::string StateTopic(const std::string& topic_prefix);
// Compacted, kafka.partitions partitions.
kafka::TopicSpec StateTopicSpec(const Config& config);

// Parses each event, applies it and appends the state record to write. An
// event that cannot be parsed is logged and skipped (it can never become
// valid: retrying would block the partition).
kafka::TransactionalProcessor::Transform MakeStateTransform(SubscriberBase& base,
                                                            std::string state_topic);

struct RebuildStats {
  int64_t records = 0;
  int64_t restored = 0;
  int64_t skipped = 0;
  absl::Duration took;
};

absl::Status RebuildFromStateTopic(const kafka::ClientOptions& client, const std::string& topic,
                                   int partitions, SubscriberBase& base,
                                   const std::atomic<bool>& stop,
                                   absl::Duration timeout = absl::Minutes(10),
                                   RebuildStats* stats = nullptr);

}  // namespace storewire::subscriber_base

#endif  // STOREWIRE_SUBSCRIBER_BASE_STATE_TOPIC_H_

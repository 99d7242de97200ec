// An in-process Kafka cluster (librdkafka's mock cluster) that speaks the real
// Kafka protocol over TCP on loopback: the embedded broker of the local run
// command and of unit tests.
//
// It supports producing (idempotent too), consumer groups with committed
// offsets and the transactional API calls, but it is not Kafka: it keeps
// everything in memory, does not filter aborted transactions for
// read_committed readers, does not implement CreateTopics (use CreateTopic
// here; EnsureTopics against it fails with kUnimplemented or times out) and
// creates unknown topics on first use. Exactly-once is proven on a real broker
// (tests/kafka/broker), never here. See libs/kafka/README.md.
//
//   auto cluster = EmbeddedCluster::Create(1);
//   (*cluster)->CreateTopic("storewire.raw.apple", 3);
//   auto producer = Producer::Create({.brokers = (*cluster)->bootstrap_servers()}, ...);
//
// Thread safety: all methods may be called from any thread. The cluster and
// its data disappear with the object; clients still connected then see
// transport errors.
#ifndef STOREWIRE_KAFKA_EMBEDDED_H_
#define STOREWIRE_KAFKA_EMBEDDED_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace storewire::kafka {

class EmbeddedCluster {
 public:
  // Starts `brokers` brokers on ephemeral loopback ports.
  static absl::StatusOr<std::unique_ptr<EmbeddedCluster>> Create(int brokers);
  ~EmbeddedCluster();
  EmbeddedCluster(const EmbeddedCluster&) = delete;
  EmbeddedCluster& operator=(const EmbeddedCluster&) = delete;

  // "127.0.0.1:P1,127.0.0.1:P2,...".
  std::string bootstrap_servers() const;

  // Creates a topic with `partitions` partitions (replication factor 1).
  // kAlreadyExists when it exists.
  absl::Status CreateTopic(absl::string_view name, int partitions);

  // Takes broker `broker_id` (1..brokers) down or up again, for tests of
  // unavailability: connections are closed and new ones refused.
  absl::Status SetBrokerDown(int broker_id, bool down);

 private:
  struct State;
  explicit EmbeddedCluster(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace storewire::kafka

#endif  // STOREWIRE_KAFKA_EMBEDDED_H_

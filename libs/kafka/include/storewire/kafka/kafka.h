// Kafka for storewire: the only code that includes librdkafka headers.
//
// Three things, each behind a small interface so that logic above it is
// tested with fakes:
//   - Producer: idempotent, acks=all, one delivery result per record.
//   - Consumer: group member with manual offset storage.
//   - TransactionalProcessor: consume -> transform -> produce, with the
//     consumed offsets committed in the same transaction (exactly once for
//     read_committed readers downstream).
// plus EnsureTopics() for topic creation.
//
// Errors are absl::Status with a precise code and a message that says what to
// check ("broker localhost:9092 unreachable: check kafka.brokers ..."):
//   kUnavailable / kDeadlineExceeded / kResourceExhausted  -> retry (IsRetryable)
//   kInvalidArgument / kFailedPrecondition / kPermissionDenied / kAborted(fenced) -> do not
//
//   auto producer = Producer::Create({.brokers = "localhost:9092"}, absl::Seconds(5));
//   (*producer)->Send({.topic = "t", .key = "k", .value = "v"},
//                     [](absl::Status s) { /* broker acked (or why not) */ });
#ifndef STOREWIRE_KAFKA_KAFKA_H_
#define STOREWIRE_KAFKA_KAFKA_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace storewire::kafka {

struct Header {
  std::string key;
  std::string value;
  bool operator==(const Header&) const = default;
};

struct OutgoingRecord {
  std::string topic;
  std::string key;
  std::string value;
  std::vector<Header> headers;
};

struct ConsumedRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  std::vector<Header> headers;
  int64_t timestamp_ms = 0;
};

struct ClientOptions {
  // "host:port,host:port".
  std::string brokers;
  std::string client_id = "storewire";
  // Extra librdkafka properties (security.protocol, sasl.*, ...), applied last.
  std::map<std::string, std::string> properties;
};

// True for codes worth retrying: kUnavailable, kDeadlineExceeded, kResourceExhausted.
bool IsRetryable(const absl::Status& status);

// Where records go. The Producer implements it; tests use fakes.
class RecordSink {
 public:
  // Called exactly once per record, from a librdkafka delivery thread: OK only
  // once the record is acknowledged by all in-sync replicas.
  using DeliveryCallback = std::function<void(absl::Status)>;
  virtual ~RecordSink() = default;
  virtual void Send(OutgoingRecord record, DeliveryCallback done) = 0;
};

// Idempotent producer (enable.idempotence=true, acks=all). A record not
// acknowledged within `delivery_timeout` completes with kDeadlineExceeded or
// kUnavailable. Thread-safe; polls delivery reports on its own thread.
class Producer : public RecordSink {
 public:
  static absl::StatusOr<std::unique_ptr<Producer>> Create(const ClientOptions& options,
                                                          absl::Duration delivery_timeout);
  ~Producer() override = default;
  // Waits for outstanding deliveries.
  virtual absl::Status Flush(absl::Duration timeout) = 0;
  // Fetches cluster metadata: OK when a broker answered within `timeout`.
  virtual absl::Status CheckReachable(absl::Duration timeout) = 0;
  // Records handed to Send whose delivery has not completed yet.
  virtual int64_t InFlight() const = 0;
};

// A consumer group member with manual offset storage (enable.auto.offset.store
// = false): offsets are committed only for records the caller marked done.
// Not thread-safe: use from one thread.
class Consumer {
 public:
  struct Options {
    ClientOptions client;
    std::string group_id;
    std::vector<std::string> topics;
    bool read_committed = true;
    // "earliest" or "latest" for partitions without a committed offset.
    std::string auto_offset_reset = "earliest";
  };
  static absl::StatusOr<std::unique_ptr<Consumer>> Create(const Options& options);
  virtual ~Consumer() = default;
  // Up to `max_records`, waiting at most `timeout` for the first one.
  virtual absl::StatusOr<std::vector<ConsumedRecord>> Poll(int max_records,
                                                           absl::Duration timeout) = 0;
  // Marks the record done: its offset + 1 is committed with the next Commit.
  virtual absl::Status MarkDone(const ConsumedRecord& record) = 0;
  virtual absl::Status Commit() = 0;
  // Stops fetching the partition and rewinds it to `offset`: after Resume,
  // Poll returns that record and the ones after it again. Records of the
  // partition beyond `offset` that an earlier Poll already returned are the
  // caller's to drop. A rebalance that assigns the partition anew resumes
  // it (from the committed offset). kFailedPrecondition when the partition
  // is not assigned to this consumer.
  virtual absl::Status PauseAt(const std::string& topic, int32_t partition, int64_t offset) = 0;
  // Fetches the partition again. Not assigned (any more): kFailedPrecondition.
  virtual absl::Status Resume(const std::string& topic, int32_t partition) = 0;
  virtual void Close() = 0;
};

// Consume-transform-produce in Kafka transactions.
//
// Each batch: begin_transaction, Transform every record, produce all outputs,
// send_offsets_to_transaction (with the consumer group metadata), commit.
// Abortable errors abort the transaction and rewind the consumer to the last
// committed offsets, then retry; fencing (another instance took the same
// transactional.id) and other fatal errors end Run with a non-OK status.
class TransactionalProcessor {
 public:
  // Appends the outputs for one input record to `out`. A retryable status
  // aborts the batch and retries it after a backoff (the transform must be
  // deterministic). A permanent problem with the input is not an error: the
  // transform routes it as an output (e.g. to a rejected topic). Any other
  // non-OK status is treated as fatal.
  using Transform =
      std::function<absl::Status(const ConsumedRecord& in, std::vector<OutgoingRecord>& out)>;

  struct Options {
    ClientOptions client;
    std::string group_id;
    std::vector<std::string> input_topics;
    // Stable per instance so that a restarted instance fences its zombie.
    std::string transactional_id;
    // Static group membership (KIP-345): a restarted instance with the same id
    // takes its partitions back at once instead of waiting for the dead
    // member's session to expire. Empty = dynamic membership.
    std::string group_instance_id;
    int max_batch_records = 500;
    absl::Duration max_batch_wait = absl::Milliseconds(100);
    absl::Duration transaction_timeout = absl::Seconds(30);
    // Bound for init/send_offsets/commit/abort calls that librdkafka reports
    // as retriable before Run gives up with kUnavailable.
    absl::Duration operation_timeout = absl::Seconds(30);
    // Backoff after an aborted batch: doubles from `initial` up to `max`.
    absl::Duration initial_retry_backoff = absl::Milliseconds(100);
    absl::Duration max_retry_backoff = absl::Seconds(5);
    // Called with each polled batch before its transaction begins (and again
    // when an aborted batch is polled anew): e.g. to start a batch's store API
    // calls at once, or to wait until delayed records are due. Must return
    // promptly once `stop` is set. Optional.
    std::function<void(const std::vector<ConsumedRecord>& batch, const std::atomic<bool>& stop)>
        before_batch;
  };

  struct Stats {
    int64_t batches_committed = 0;
    int64_t batches_aborted = 0;
    int64_t records_in = 0;
    int64_t records_out = 0;
  };

  // Creates the clients and calls init_transactions, which fences an older
  // instance with the same transactional.id and aborts its open transaction.
  // kUnavailable / kDeadlineExceeded when the cluster cannot be reached.
  static absl::StatusOr<std::unique_ptr<TransactionalProcessor>> Create(const Options& options,
                                                                        Transform transform);
  virtual ~TransactionalProcessor() = default;
  // Subscribes and runs until `stop` becomes true (returns OK after committing
  // or aborting the open batch) or a fatal error: kAborted when fenced by a
  // newer instance with the same transactional.id, the Transform's own status
  // when it fails non-retryably, kFailedPrecondition for a fatal client
  // state. On return the instance has left the group; call Run once.
  virtual absl::Status Run(const std::atomic<bool>& stop) = 0;
  // Thread-safe.
  virtual Stats stats() const = 0;
  // Pauses / resumes fetching (the open batch still completes). Thread-safe;
  // applied by Run between batches.
  virtual void SetPaused(bool paused) = 0;
};

struct TopicSpec {
  std::string name;
  int partitions = 1;
  int replication_factor = 1;
  // Topic configs, e.g. {"cleanup.policy", "compact"}.
  std::map<std::string, std::string> configs;
};

// Creates the topics that do not exist; existing topics are left as they are.
// Asks the cluster's metadata first, so that when every topic exists no
// CreateTopics request is sent (brokers without it, like the embedded one, work).
absl::Status EnsureTopics(const ClientOptions& options, const std::vector<TopicSpec>& topics,
                          absl::Duration timeout);

}  // namespace storewire::kafka

#endif  // STOREWIRE_KAFKA_KAFKA_H_

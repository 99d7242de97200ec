// TransactionalProcessor: consume -> transform -> produce with the consumed
// offsets committed in the same Kafka transaction (KIP-447: the offsets are
// sent with the consumer's group metadata, so a member that lost its
// partitions in a rebalance cannot commit for them).
//
// One batch = one transaction, opened only after the batch is polled, so a
// rebalance (whose callback runs inside the consumer poll) never happens with
// a transaction open: records of revoked partitions are dropped from the batch
// being collected and their new owner starts from the committed offsets.
#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
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

using internal::ErrorPtr;
using internal::FromError;
using internal::FromErrorObject;
using internal::PartitionListPtr;
using internal::ToMillis;

using PartitionKey = std::pair<std::string, int32_t>;

// A status that must end Run even if its code looks retryable.
absl::Status ToFatal(absl::Status status) {
  if (!IsRetryable(status)) return status;
  return absl::FailedPreconditionError(status.message());
}

class TransactionalProcessorImpl final : public TransactionalProcessor {
 public:
  TransactionalProcessorImpl(Options options, Transform transform)
      : options_(std::move(options)), transform_(std::move(transform)) {}

  absl::Status Start() {
    const ClientOptions& client = options_.client;
    const std::string txn_ms = std::to_string(ToMillis(options_.transaction_timeout));
    auto producer_conf = internal::NewConf(client, {{"transactional.id", options_.transactional_id},
                                                    {"transaction.timeout.ms", txn_ms},
                                                    {"message.timeout.ms", txn_ms},
                                                    {"enable.idempotence", "true"},
                                                    {"acks", "all"},
                                                    {"linger.ms", "5"}});
    if (!producer_conf.ok()) return producer_conf.status();
    rd_kafka_conf_set_opaque(producer_conf->get(), this);
    rd_kafka_conf_set_dr_msg_cb(producer_conf->get(), &TransactionalProcessorImpl::OnDelivery);
    auto producer = internal::NewHandle(RD_KAFKA_PRODUCER, *std::move(producer_conf));
    if (!producer.ok()) return producer.status();
    producer_ = *std::move(producer);

    std::map<std::string, std::string> consumer_props = {
        {"group.id", options_.group_id},       {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"}, {"enable.partition.eof", "false"},
        {"isolation.level", "read_committed"}, {"auto.offset.reset", "earliest"}};
    if (!options_.group_instance_id.empty()) {
      consumer_props["group.instance.id"] = options_.group_instance_id;
    }
    auto consumer_conf = internal::NewConf(client, consumer_props);
    if (!consumer_conf.ok()) return consumer_conf.status();
    rd_kafka_conf_set_opaque(consumer_conf->get(), this);
    rd_kafka_conf_set_rebalance_cb(consumer_conf->get(), &TransactionalProcessorImpl::OnRebalance);
    auto consumer = internal::NewHandle(RD_KAFKA_CONSUMER, *std::move(consumer_conf));
    if (!consumer.ok()) return consumer.status();
    consumer_ = *std::move(consumer);
    rd_kafka_poll_set_consumer(consumer_.get());

    ErrorPtr error = RetryWhileRetriable(
        [this](int ms) { return rd_kafka_init_transactions(producer_.get(), ms); });
    return FromErrorObject(error.get(), "kafka init_transactions", brokers());
  }

  ~TransactionalProcessorImpl() override { Close(); }

  absl::Status Run(const std::atomic<bool>& stop) override {
    if (ran_)
      return absl::FailedPreconditionError("TransactionalProcessor::Run may be called once");
    ran_ = true;
    if (absl::Status s = internal::Subscribe(consumer_.get(), options_.input_topics, brokers());
        !s.ok()) {
      return s;
    }
    absl::Duration backoff = options_.initial_retry_backoff;
    while (!stop.load()) {
      ApplyPause();
      batch_.clear();
      const absl::Time deadline = absl::Now() + options_.max_batch_wait;
      absl::Status polled = internal::PollRecords(consumer_.get(), options_.max_batch_records,
                                                  deadline, deadline, brokers(), batch_);
      rd_kafka_poll(producer_.get(), 0);
      if (!polled.ok()) {
        Close();
        return ToFatal(polled);
      }
      if (batch_.empty()) continue;
      if (options_.before_batch) options_.before_batch(batch_, stop);

      const BatchResult result = ProcessBatch();
      switch (result.kind) {
        case BatchResult::kCommitted:
          backoff = options_.initial_retry_backoff;
          break;
        case BatchResult::kRetry:
          log::Warn("transaction aborted; retrying the batch",
                    {{"transactional_id", options_.transactional_id},
                     {"cause", result.status.ToString()},
                     {"backoff", absl::FormatDuration(backoff)}});
          SleepUnlessStopped(backoff, stop);
          backoff = std::min(backoff * 2, options_.max_retry_backoff);
          break;
        case BatchResult::kFatal:
          log::Error("transactional processor stops",
                     {{"transactional_id", options_.transactional_id},
                      {"error", result.status.ToString()}});
          Close();
          return result.status;
      }
    }
    Close();
    return absl::OkStatus();
  }

  Stats stats() const override {
    return {.batches_committed = batches_committed_.load(),
            .batches_aborted = batches_aborted_.load(),
            .records_in = records_in_.load(),
            .records_out = records_out_.load()};
  }

  void SetPaused(bool paused) override { want_paused_.store(paused); }

 private:
  struct BatchResult {
    enum Kind { kCommitted, kRetry, kFatal } kind;
    absl::Status status;
  };

  const std::string& brokers() const { return options_.client.brokers; }

  BatchResult ProcessBatch() {
    outputs_ = 0;
    delivery_error_ = absl::OkStatus();
    ErrorPtr error(rd_kafka_begin_transaction(producer_.get()));
    if (error) {
      return {BatchResult::kFatal,
              ToFatal(FromErrorObject(error.get(), "kafka begin_transaction", brokers()))};
    }
    // Each record's outputs are produced right away: a failure later in the
    // batch aborts a transaction that already holds records, which
    // read_committed readers never see.
    std::vector<OutgoingRecord> outputs;
    for (const ConsumedRecord& record : batch_) {
      outputs.clear();
      absl::Status status = transform_(record, outputs);
      if (!status.ok()) {
        if (IsRetryable(status)) return AbortAndRewind(std::move(status));
        BatchResult aborted = AbortAndRewind(status);
        if (aborted.kind == BatchResult::kFatal) return aborted;
        return {BatchResult::kFatal, std::move(status)};
      }
      for (const OutgoingRecord& output : outputs) {
        status = Produce(output);
        if (status.ok()) {
          ++outputs_;
          continue;
        }
        BatchResult aborted = AbortAndRewind(status);
        if (aborted.kind == BatchResult::kFatal || IsRetryable(status)) return aborted;
        return {BatchResult::kFatal, std::move(status)};
      }
    }

    PartitionListPtr offsets(rd_kafka_topic_partition_list_new(4));
    for (const ConsumedRecord& record : batch_) {
      rd_kafka_topic_partition_t* entry =
          rd_kafka_topic_partition_list_find(offsets.get(), record.topic.c_str(), record.partition);
      if (entry == nullptr) {
        entry = rd_kafka_topic_partition_list_add(offsets.get(), record.topic.c_str(),
                                                  record.partition);
      }
      entry->offset = std::max(entry->offset, record.offset + 1);
    }
    rd_kafka_consumer_group_metadata_t* group = rd_kafka_consumer_group_metadata(consumer_.get());
    error = RetryWhileRetriable([&](int ms) {
      return rd_kafka_send_offsets_to_transaction(producer_.get(), offsets.get(), group, ms);
    });
    rd_kafka_consumer_group_metadata_destroy(group);
    if (error) return OnTransactionError(error.get(), "kafka send_offsets_to_transaction");

    error = RetryWhileRetriable(
        [this](int ms) { return rd_kafka_commit_transaction(producer_.get(), ms); });
    if (error) return OnTransactionError(error.get(), "kafka commit_transaction");

    batches_committed_.fetch_add(1);
    records_in_.fetch_add(static_cast<int64_t>(batch_.size()));
    records_out_.fetch_add(outputs_);
    return {BatchResult::kCommitted, absl::OkStatus()};
  }

  absl::Status Produce(const OutgoingRecord& record) {
    std::vector<rd_kafka_vu_t> vus = internal::ProduceArgs(record, nullptr);
    const absl::Time deadline = absl::Now() + options_.operation_timeout;
    for (;;) {
      ErrorPtr error(rd_kafka_produceva(producer_.get(), vus.data(), vus.size()));
      if (!error) return absl::OkStatus();
      const rd_kafka_resp_err_t err = rd_kafka_error_code(error.get());
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && absl::Now() < deadline) {
        rd_kafka_poll(producer_.get(), 10);  // Let deliveries drain the queue.
        continue;
      }
      if (err == RD_KAFKA_RESP_ERR__FATAL) return FatalProducerError();
      return FromErrorObject(error.get(), absl::StrCat("produce to ", record.topic), brokers());
    }
  }

  absl::Status FatalProducerError() {
    char reason[512];
    const rd_kafka_resp_err_t err = rd_kafka_fatal_error(producer_.get(), reason, sizeof(reason));
    return ToFatal(
        FromError(err, "kafka transactional producer is fenced or failed", brokers(), reason));
  }

  BatchResult OnTransactionError(rd_kafka_error_t* error, absl::string_view what) {
    absl::Status status = FromErrorObject(error, what, brokers());
    if (rd_kafka_error_is_fatal(error)) return {BatchResult::kFatal, ToFatal(std::move(status))};
    if (rd_kafka_error_txn_requires_abort(error)) {
      if (!delivery_error_.ok() && !IsRetryable(delivery_error_)) {
        // A record the broker refuses (e.g. too large): retrying cannot help.
        BatchResult aborted = AbortAndRewind(delivery_error_);
        if (aborted.kind == BatchResult::kFatal) return aborted;
        return {BatchResult::kFatal, delivery_error_};
      }
      return AbortAndRewind(
          absl::UnavailableError(absl::StrCat("transaction aborted: ", status.message())));
    }
    // Still retriable after operation_timeout, or an unexpected state.
    BatchResult aborted = AbortAndRewind(status);
    if (aborted.kind == BatchResult::kFatal) return aborted;
    return {BatchResult::kFatal, std::move(status)};
  }

  // Aborts the open transaction and seeks the consumer back to the committed
  // offsets of the batch's partitions. kRetry with `cause` on success.
  BatchResult AbortAndRewind(absl::Status cause) {
    // Let in-flight produce and AddPartitionsToTxn requests finish first:
    // librdkafka 2.0 can fail an abort that races them with INVALID_TXN_STATE
    // (confluentinc/librdkafka#4849). The delivered records stay invisible to
    // read_committed readers once the abort marker is written.
    rd_kafka_flush(producer_.get(), internal::ToMillis(options_.operation_timeout));
    ErrorPtr error = RetryWhileRetriable(
        [this](int ms) { return rd_kafka_abort_transaction(producer_.get(), ms); });
    if (error) {
      return {BatchResult::kFatal,
              FromErrorObject(error.get(), "kafka abort_transaction", brokers())};
    }
    batches_aborted_.fetch_add(1);
    if (absl::Status s = Rewind(); !s.ok()) return {BatchResult::kFatal, std::move(s)};
    return {BatchResult::kRetry, std::move(cause)};
  }

  absl::Status Rewind() {
    std::map<PartitionKey, int64_t> first;
    for (const ConsumedRecord& record : batch_) {
      auto [it, inserted] = first.try_emplace({record.topic, record.partition}, record.offset);
      if (!inserted) it->second = std::min(it->second, record.offset);
    }
    PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(first.size())));
    for (const auto& [key, offset] : first) {
      rd_kafka_topic_partition_list_add(list.get(), key.first.c_str(), key.second);
    }
    const int ms = ToMillis(options_.operation_timeout);
    const rd_kafka_resp_err_t err = rd_kafka_committed(consumer_.get(), list.get(), ms);
    for (int i = 0; i < list->cnt; ++i) {
      rd_kafka_topic_partition_t& entry = list->elems[i];
      // Without a committed offset (or without an answer) the batch's first
      // offset is where the consumer stood when the batch began.
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR || entry.err != RD_KAFKA_RESP_ERR_NO_ERROR ||
          entry.offset < 0) {
        entry.offset = first[{entry.topic, entry.partition}];
      }
      entry.err = RD_KAFKA_RESP_ERR_NO_ERROR;
    }
    ErrorPtr error(rd_kafka_seek_partitions(consumer_.get(), list.get(), ms));
    if (error) return ToFatal(FromErrorObject(error.get(), "kafka seek after abort", brokers()));
    for (int i = 0; i < list->cnt; ++i) {
      if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return ToFatal(FromError(list->elems[i].err,
                                 absl::StrCat("kafka seek ", list->elems[i].topic, "/",
                                              list->elems[i].partition, " after abort"),
                                 brokers()));
      }
    }
    return absl::OkStatus();
  }

  // Calls `call(timeout_ms)` again while librdkafka says the error is
  // retriable, until operation_timeout has passed.
  ErrorPtr RetryWhileRetriable(const std::function<rd_kafka_error_t*(int)>& call) {
    const absl::Time deadline = absl::Now() + options_.operation_timeout;
    for (;;) {
      ErrorPtr error(call(std::max(1, ToMillis(deadline - absl::Now()))));
      if (!error || !rd_kafka_error_is_retriable(error.get()) || absl::Now() >= deadline) {
        return error;
      }
      log::Warn("kafka transactional call failed; retrying",
                {{"error", rd_kafka_error_string(error.get())}});
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  void ApplyPause() {
    const bool want = want_paused_.load();
    if (want == paused_) return;
    rd_kafka_topic_partition_list_t* raw = nullptr;
    if (rd_kafka_assignment(consumer_.get(), &raw) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
    PartitionListPtr assignment(raw);
    if (want) {
      rd_kafka_pause_partitions(consumer_.get(), assignment.get());
    } else {
      rd_kafka_resume_partitions(consumer_.get(), assignment.get());
    }
    paused_ = want;
  }

  static void SleepUnlessStopped(absl::Duration duration, const std::atomic<bool>& stop) {
    const absl::Time until = absl::Now() + duration;
    while (!stop.load() && absl::Now() < until) {
      absl::SleepFor(std::min(absl::Milliseconds(20), until - absl::Now()));
    }
  }

  void Close() {
    if (closed_ || !consumer_) return;
    closed_ = true;
    if (rd_kafka_resp_err_t err = rd_kafka_consumer_close(consumer_.get()); err) {
      log::Warn("kafka consumer close", {{"error", rd_kafka_err2str(err)}});
    }
  }

  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    auto* self = static_cast<TransactionalProcessorImpl*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      // No transaction is open while polling: drop what was collected from
      // the revoked partitions; their next owner starts at the committed offsets.
      std::erase_if(self->batch_, [partitions](const ConsumedRecord& r) {
        return rd_kafka_topic_partition_list_find(partitions, r.topic.c_str(), r.partition) !=
               nullptr;
      });
    }
    internal::ApplyRebalance(rk, err, partitions);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS && self->paused_) {
      rd_kafka_pause_partitions(rk, partitions);
    }
  }

  static void OnDelivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque) {
    auto* self = static_cast<TransactionalProcessorImpl*>(opaque);
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR && self->delivery_error_.ok()) {
      self->delivery_error_ =
          FromError(message->err, absl::StrCat("delivery to ", rd_kafka_topic_name(message->rkt)),
                    self->brokers());
    }
  }

  const Options options_;
  const Transform transform_;
  internal::HandlePtr producer_;
  internal::HandlePtr consumer_;
  // The batch being collected or processed, and how many records its
  // transaction produced (Run's thread).
  std::vector<ConsumedRecord> batch_;
  int64_t outputs_ = 0;
  // First failed delivery in the open transaction (set by the delivery
  // callback, which librdkafka serves on Run's thread).
  absl::Status delivery_error_;
  bool paused_ = false;
  bool ran_ = false;
  bool closed_ = false;
  std::atomic<bool> want_paused_{false};
  std::atomic<int64_t> batches_committed_{0};
  std::atomic<int64_t> batches_aborted_{0};
  std::atomic<int64_t> records_in_{0};
  std::atomic<int64_t> records_out_{0};
};

}  // namespace

absl::StatusOr<std::unique_ptr<TransactionalProcessor>> TransactionalProcessor::Create(
    const Options& options, Transform transform) {
  if (options.transactional_id.empty() || options.group_id.empty() ||
      options.input_topics.empty() || options.max_batch_records <= 0 || !transform) {
    return absl::InvalidArgumentError(
        "TransactionalProcessor needs a transactional_id, a group_id, input topics, "
        "max_batch_records > 0 and a transform");
  }
  auto processor = std::make_unique<TransactionalProcessorImpl>(options, std::move(transform));
  if (absl::Status s = processor->Start(); !s.ok()) return s;
  return processor;
}

}  // namespace storewire::kafka

// libs/kafka against a real single-node Kafka (tests/kafka/broker, started by
// tests/run). The broker address comes from STOREWIRE_TEST_KAFKA_BROKERS.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "kafka_test_util.h"
#include "storewire/kafka/kafka.h"

namespace storewire::kafka {
namespace {

using testing::DeliveryLog;
using testing::ProduceAll;
using testing::ReadTopic;
using testing::UniqueName;

// Polls `done` until it holds or `timeout` passes.
bool WaitUntil(const std::function<bool()>& done, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  while (!done()) {
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(20));
  }
  return true;
}

// A processor running on its own thread.
class RunningProcessor {
 public:
  explicit RunningProcessor(std::unique_ptr<TransactionalProcessor> processor)
      : processor_(std::move(processor)) {
    thread_ = std::thread([this] {
      status_ = processor_->Run(stop_);
      finished_ = true;
    });
  }
  ~RunningProcessor() { Stop().IgnoreError(); }
  absl::Status Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return status_;
  }
  bool finished() const { return finished_.load(); }
  TransactionalProcessor& get() { return *processor_; }

 private:
  std::unique_ptr<TransactionalProcessor> processor_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> finished_{false};
  absl::Status status_;
  std::thread thread_;
};

class KafkaIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* brokers = std::getenv("STOREWIRE_TEST_KAFKA_BROKERS");
    if (brokers == nullptr || *brokers == '\0') {
      GTEST_SKIP() << "set STOREWIRE_TEST_KAFKA_BROKERS (tests/run does)";
    }
    brokers_ = brokers;
  }

  std::string NewTopic(const std::string& prefix, int partitions) {
    const std::string name = UniqueName(prefix);
    absl::Status status = EnsureTopics(
        {.brokers = brokers_}, {{.name = name, .partitions = partitions}}, absl::Seconds(30));
    EXPECT_TRUE(status.ok()) << status;
    return name;
  }

  std::vector<OutgoingRecord> Inputs(const std::string& topic, int from, int to) {
    std::vector<OutgoingRecord> records;
    for (int i = from; i < to; ++i) {
      records.push_back(
          {.topic = topic, .key = "k" + std::to_string(i % 11), .value = std::to_string(i)});
    }
    return records;
  }

  TransactionalProcessor::Options ProcessorOptions(const std::string& input,
                                                   const std::string& group,
                                                   const std::string& txn_id) {
    return {.client = {.brokers = brokers_},
            .group_id = group,
            .input_topics = {input},
            .transactional_id = txn_id,
            .max_batch_records = 50,
            .max_batch_wait = absl::Milliseconds(100),
            .transaction_timeout = absl::Seconds(30),
            .initial_retry_backoff = absl::Milliseconds(50)};
  }

  // Output = "out-" + input value on `output`, same key.
  static TransactionalProcessor::Transform Echo(const std::string& output) {
    return [output](const ConsumedRecord& in, std::vector<OutgoingRecord>& out) {
      out.push_back({.topic = output, .key = in.key, .value = "out-" + in.value});
      return absl::OkStatus();
    };
  }

  // Asserts that `output` holds exactly one "out-i" for i in [0, n) under read_committed.
  void ExpectExactlyOnce(const std::string& output, int n) {
    auto records = ReadTopic(brokers_, output, n, absl::Seconds(60), true, absl::Seconds(2));
    std::map<std::string, int> counts;
    for (const auto& r : records) ++counts[r.value];
    EXPECT_EQ(records.size(), static_cast<size_t>(n));
    EXPECT_EQ(counts.size(), static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      EXPECT_EQ(counts["out-" + std::to_string(i)], 1) << "out-" << i;
    }
  }

  std::string brokers_;
};

TEST_F(KafkaIntegrationTest, ProducerAckAndHeadersRoundTrip) {
  const std::string topic = NewTopic("roundtrip", 1);
  auto producer = Producer::Create({.brokers = brokers_}, absl::Seconds(10));
  ASSERT_TRUE(producer.ok()) << producer.status();
  ASSERT_TRUE((*producer)->CheckReachable(absl::Seconds(10)).ok());
  DeliveryLog log;
  (*producer)->Send({.topic = topic,
                     .key = "app-1",
                     .value = std::string("bin\0ary", 7),
                     .headers = {{"ce_id", "e-1"}, {"ce_type", "RENEWED"}, {"empty", ""}}},
                    log.Callback());
  ASSERT_TRUE(log.WaitFor(1, absl::Seconds(30)));
  EXPECT_TRUE(log.statuses()[0].ok()) << log.statuses()[0];
  EXPECT_EQ((*producer)->InFlight(), 0);
  EXPECT_TRUE((*producer)->Flush(absl::Seconds(5)).ok());

  auto records = ReadTopic(brokers_, topic, 1, absl::Seconds(30));
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].topic, topic);
  EXPECT_EQ(records[0].key, "app-1");
  EXPECT_EQ(records[0].value, std::string("bin\0ary", 7));
  EXPECT_EQ(records[0].headers,
            (std::vector<Header>{{"ce_id", "e-1"}, {"ce_type", "RENEWED"}, {"empty", ""}}));
  EXPECT_GT(records[0].timestamp_ms, 0);
}

// librdkafka waits for a missing topic to appear (auto creation is off on the
// test broker) until the delivery timeout: the record fails retryably.
TEST_F(KafkaIntegrationTest, ProducerToMissingTopicTimesOutRetryably) {
  auto producer = Producer::Create({.brokers = brokers_}, absl::Seconds(5));
  ASSERT_TRUE(producer.ok());
  DeliveryLog log;
  (*producer)->Send({.topic = UniqueName("missing"), .value = "v"}, log.Callback());
  ASSERT_TRUE(log.WaitFor(1, absl::Seconds(30)));
  EXPECT_EQ(log.statuses()[0].code(), absl::StatusCode::kDeadlineExceeded) << log.statuses()[0];
}

TEST_F(KafkaIntegrationTest, EnsureTopicsIsIdempotent) {
  const std::string name = UniqueName("ensure");
  const std::vector<TopicSpec> specs = {
      {.name = name, .partitions = 3},
      {.name = name + "-compact", .configs = {{"cleanup.policy", "compact"}}}};
  EXPECT_TRUE(EnsureTopics({.brokers = brokers_}, specs, absl::Seconds(30)).ok());
  EXPECT_TRUE(EnsureTopics({.brokers = brokers_}, specs, absl::Seconds(30)).ok());
  EXPECT_TRUE(ProduceAll(brokers_, {{.topic = name, .value = "v"}}).ok());

  absl::Status bad =
      EnsureTopics({.brokers = brokers_}, {{.name = UniqueName("bad"), .replication_factor = 3}},
                   absl::Seconds(30));
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument) << bad;
}

TEST_F(KafkaIntegrationTest, ConsumerCommitsMarkedRecordsAndTheGroupResumesThere) {
  const std::string topic = NewTopic("commit", 1);
  const std::string group = UniqueName("group");
  ASSERT_TRUE(ProduceAll(brokers_, Inputs(topic, 0, 10)).ok());
  {
    auto consumer =
        Consumer::Create({.client = {.brokers = brokers_}, .group_id = group, .topics = {topic}});
    ASSERT_TRUE(consumer.ok()) << consumer.status();
    std::vector<ConsumedRecord> seen;
    ASSERT_TRUE(WaitUntil(
        [&] {
          auto batch = (*consumer)->Poll(3, absl::Milliseconds(100));
          EXPECT_TRUE(batch.ok());
          if (batch.ok()) {
            EXPECT_LE(batch->size(), 3u);
            seen.insert(seen.end(), batch->begin(), batch->end());
          }
          return seen.size() >= 10;
        },
        absl::Seconds(30)));
    for (int i = 0; i < 6; ++i) ASSERT_TRUE((*consumer)->MarkDone(seen[i]).ok());
    ASSERT_TRUE((*consumer)->Commit().ok());
    (*consumer)->Close();
  }
  auto consumer =
      Consumer::Create({.client = {.brokers = brokers_}, .group_id = group, .topics = {topic}});
  ASSERT_TRUE(consumer.ok());
  std::vector<ConsumedRecord> rest;
  WaitUntil(
      [&] {
        auto batch = (*consumer)->Poll(100, absl::Milliseconds(100));
        if (batch.ok()) rest.insert(rest.end(), batch->begin(), batch->end());
        return rest.size() >= 4;
      },
      absl::Seconds(30));
  ASSERT_EQ(rest.size(), 4u);
  EXPECT_EQ(rest[0].value, "6");
}

// What the webhook retry loop relies on: a partition paused at an offset
// returns nothing until resumed, then that record and the ones after it;
// other partitions keep flowing meanwhile.
TEST_F(KafkaIntegrationTest, PauseAtRewindsAndHoldsOnePartitionUntilResumed) {
  const std::string held = NewTopic("pause", 1);
  const std::string flowing = NewTopic("flow", 1);
  ASSERT_TRUE(ProduceAll(brokers_, Inputs(held, 0, 10)).ok());
  auto consumer = Consumer::Create({.client = {.brokers = brokers_},
                                    .group_id = UniqueName("group"),
                                    .topics = {held, flowing}});
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  auto poll_all = [&](size_t at_least, absl::Duration within) {
    std::vector<ConsumedRecord> seen;
    WaitUntil(
        [&] {
          auto batch = (*consumer)->Poll(100, absl::Milliseconds(100));
          if (batch.ok()) seen.insert(seen.end(), batch->begin(), batch->end());
          return seen.size() >= at_least;
        },
        within);
    return seen;
  };
  std::vector<ConsumedRecord> first = poll_all(10, absl::Seconds(30));
  ASSERT_EQ(first.size(), 10u);

  ASSERT_TRUE((*consumer)->PauseAt(held, 0, 4).ok());
  ASSERT_TRUE(ProduceAll(brokers_, Inputs(held, 10, 11)).ok());
  ASSERT_TRUE(ProduceAll(brokers_, Inputs(flowing, 0, 1)).ok());
  std::vector<ConsumedRecord> paused = poll_all(2, absl::Seconds(3));
  ASSERT_EQ(paused.size(), 1u) << "only the other topic flows while paused";
  EXPECT_EQ(paused[0].topic, flowing);

  ASSERT_TRUE((*consumer)->Resume(held, 0).ok());
  std::vector<ConsumedRecord> again = poll_all(7, absl::Seconds(30));
  ASSERT_EQ(again.size(), 7u);
  EXPECT_EQ(again.front().topic, held);
  EXPECT_EQ(again.front().offset, 4);
  EXPECT_EQ(again.front().value, "4");
  EXPECT_EQ(again.back().value, "10");

  // A partition this consumer does not have is refused, not silently ignored.
  EXPECT_EQ((*consumer)->PauseAt(held, 7, 0).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*consumer)->Resume(held, 7).code(), absl::StatusCode::kFailedPrecondition);
  (*consumer)->Close();
}

TEST_F(KafkaIntegrationTest, ProcessorProducesExactlyOneOutputPerInput) {
  constexpr int kRecords = 300;
  const std::string in = NewTopic("in", 3);
  const std::string out = NewTopic("out", 3);
  ASSERT_TRUE(ProduceAll(brokers_, Inputs(in, 0, kRecords)).ok());
  auto processor = TransactionalProcessor::Create(
      ProcessorOptions(in, UniqueName("group"), UniqueName("txn")), Echo(out));
  ASSERT_TRUE(processor.ok()) << processor.status();
  RunningProcessor running(*std::move(processor));
  ASSERT_TRUE(
      WaitUntil([&] { return running.get().stats().records_in >= kRecords; }, absl::Seconds(90)));
  EXPECT_TRUE(running.Stop().ok());
  const auto stats = running.get().stats();
  EXPECT_EQ(stats.records_in, kRecords);
  EXPECT_EQ(stats.records_out, kRecords);
  EXPECT_EQ(stats.batches_aborted, 0);
  EXPECT_GE(stats.batches_committed, kRecords / 50);
  ExpectExactlyOnce(out, kRecords);
}

TEST_F(KafkaIntegrationTest, RetryableTransformFailureMidBatchAbortsRewindsAndStaysExactlyOnce) {
  constexpr int kRecords = 200;
  const std::string in = NewTopic("in", 1);
  const std::string out = NewTopic("out", 1);
  ASSERT_TRUE(ProduceAll(brokers_, Inputs(in, 0, kRecords)).ok());
  std::mutex mu;
  std::map<std::string, int> attempts;
  auto transform = [&](const ConsumedRecord& record, std::vector<OutgoingRecord>& outputs) {
    int attempt;
    {
      std::lock_guard<std::mutex> lock(mu);
      attempt = ++attempts[record.value];
    }
    // Record 120 sits in the middle of a batch (offsets 100..149 on one
    // partition with batches of 50, or wherever it lands): the outputs of
    // the records before it are already produced in the open transaction.
    if (record.value == "120" && attempt == 1) {
      return absl::UnavailableError("store API unavailable (injected)");
    }
    outputs.push_back({.topic = out, .key = record.key, .value = "out-" + record.value});
    return absl::OkStatus();
  };
  auto processor = TransactionalProcessor::Create(
      ProcessorOptions(in, UniqueName("group"), UniqueName("txn")), transform);
  ASSERT_TRUE(processor.ok()) << processor.status();
  RunningProcessor running(*std::move(processor));
  ASSERT_TRUE(
      WaitUntil([&] { return running.get().stats().records_in >= kRecords; }, absl::Seconds(90)));
  EXPECT_TRUE(running.Stop().ok());
  const auto stats = running.get().stats();
  EXPECT_EQ(stats.batches_aborted, 1);
  EXPECT_EQ(stats.records_in, kRecords);
  EXPECT_EQ(stats.records_out, kRecords);
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(attempts["120"], 2);
    EXPECT_EQ(attempts["0"], 1);
  }
  ExpectExactlyOnce(out, kRecords);
}

TEST_F(KafkaIntegrationTest, ProcessorStoppedMidStreamResumesFromCommittedOffsets) {
  constexpr int kRecords = 400;
  const std::string in = NewTopic("in", 2);
  const std::string out = NewTopic("out", 2);
  const std::string group = UniqueName("group");
  const std::string txn_id = UniqueName("txn");
  ASSERT_TRUE(ProduceAll(brokers_, Inputs(in, 0, kRecords)).ok());

  int64_t first_in = 0;
  {
    auto processor = TransactionalProcessor::Create(ProcessorOptions(in, group, txn_id), Echo(out));
    ASSERT_TRUE(processor.ok()) << processor.status();
    RunningProcessor running(*std::move(processor));
    ASSERT_TRUE(
        WaitUntil([&] { return running.get().stats().records_in >= 100; }, absl::Seconds(90)));
    EXPECT_TRUE(running.Stop().ok());
    first_in = running.get().stats().records_in;
  }
  ASSERT_LT(first_in, kRecords) << "the first run should stop mid-stream";

  auto processor = TransactionalProcessor::Create(ProcessorOptions(in, group, txn_id), Echo(out));
  ASSERT_TRUE(processor.ok()) << processor.status();
  RunningProcessor running(*std::move(processor));
  ASSERT_TRUE(WaitUntil([&] { return running.get().stats().records_in >= kRecords - first_in; },
                        absl::Seconds(90)));
  EXPECT_TRUE(running.Stop().ok());
  EXPECT_EQ(first_in + running.get().stats().records_in, kRecords);
  ExpectExactlyOnce(out, kRecords);
}

TEST_F(KafkaIntegrationTest, SecondInstanceWithTheSameTransactionalIdFencesTheFirst) {
  const std::string in = NewTopic("in", 1);
  const std::string out = NewTopic("out", 1);
  const std::string txn_id = UniqueName("txn");
  ASSERT_TRUE(ProduceAll(brokers_, Inputs(in, 0, 10)).ok());
  auto first =
      TransactionalProcessor::Create(ProcessorOptions(in, UniqueName("group"), txn_id), Echo(out));
  ASSERT_TRUE(first.ok()) << first.status();
  RunningProcessor running(*std::move(first));
  ASSERT_TRUE(WaitUntil([&] { return running.get().stats().records_in >= 10; }, absl::Seconds(60)));

  // init_transactions of the newer instance bumps the producer epoch.
  auto second = TransactionalProcessor::Create(
      ProcessorOptions(in, UniqueName("other-group"), txn_id), Echo(out));
  ASSERT_TRUE(second.ok()) << second.status();

  ASSERT_TRUE(ProduceAll(brokers_, Inputs(in, 10, 20)).ok());
  ASSERT_TRUE(WaitUntil([&] { return running.finished(); }, absl::Seconds(60)));
  absl::Status status = running.Stop();
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted) << status;
  EXPECT_FALSE(IsRetryable(status));
  EXPECT_EQ(running.get().stats().records_in, 10);
  // Only the committed first batch is visible.
  ExpectExactlyOnce(out, 10);
}

}  // namespace
}  // namespace storewire::kafka

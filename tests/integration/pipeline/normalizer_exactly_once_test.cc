// The normalizer binary killed with SIGKILL in the middle of a stream of
// 10,000 raw records leaves, after a restart, every record exactly once
// downstream for read_committed readers: no loss, no duplicate.
#include <atomic>
#include <csignal>
#include <set>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pipeline_fixture.h"
#include "storewire/v1/event.pb.h"
#include "storewire/v1/raw.pb.h"

namespace storewire::testing {
namespace {

constexpr int kRecords = 10000;

class NormalizerExactlyOnceTest : public PipelineTest {
 protected:
  ChildProcess StartNormalizer(const std::string& config, const std::string& log) {
    auto child = ChildProcess::Spawn(
        {BinaryPath("storewire-normalizer"), "--config", config, "--instance-id", "eos"}, {},
        dir_ + "/" + log);
    EXPECT_TRUE(child.ok()) << child.status();
    return std::move(*child);
  }

  // The raw request id an output record came from (event or rejection).
  static std::string SourceRequestId(const kafka::ConsumedRecord& r, const std::string& rejected) {
    if (r.topic == rejected) {
      v1::RejectedNotification n;
      return n.ParseFromString(r.value) ? n.raw().request_id() : "<bad rejected record>";
    }
    v1::SubscriptionEvent e;
    return e.ParseFromString(r.value) ? e.request_id() : "<bad event record>";
  }
};

TEST_F(NormalizerExactlyOnceTest, SigkillMidStreamThenRestartYieldsEveryRecordExactlyOnce) {
  std::string config = WriteConfig(
      brokers_,
      NormalizerSection(absl::StrCat("  admin_port: ", FreePort(), "\n  control_port: ", FreePort(),
                                     "\n  max_batch_records: 200\n  max_batch_wait: 50ms\n")));
  std::string raw_topic = Topic("raw.google");
  std::vector<kafka::TopicSpec> topics;
  for (const char* t :
       {"raw.apple", "raw.google", "raw.huawei", "raw.amazon", "events.v1", "rejected"}) {
    topics.push_back({Topic(t), 3, 1, {}});
  }
  ASSERT_TRUE(kafka::EnsureTopics(Client(), topics, absl::Seconds(30)).ok());

  auto producer = kafka::Producer::Create(Client(), absl::Seconds(30));
  ASSERT_TRUE(producer.ok()) << producer.status();
  std::atomic<int> acked{0};
  std::atomic<int> failed{0};
  std::atomic<int> sent{0};
  std::atomic<bool> killed{false};
  // A steady stream (~2,000 records/s). The first 3,000 go out before the
  // kill, the rest only after it, so the kill always lands mid-stream.
  std::thread feeder_thread([&] {
    for (int i = 0; i < kRecords; ++i) {
      if (i == 3000) WaitUntil([&] { return killed.load(); }, absl::Minutes(5));
      v1::RawNotification raw;
      raw.set_store(v1::STORE_PLAY_STORE);
      raw.set_app_id("demo");
      raw.set_request_id(absl::StrCat("r-", i));
      raw.set_partition_key(absl::StrCat("token-", i % 97));
      raw.set_body(absl::StrCat(R"({"message":{"data":"e30=","messageId":")", i, R"("}})"));
      (*producer)->Send({raw_topic, raw.partition_key(), raw.SerializeAsString(), {}},
                        [&](absl::Status s) { (s.ok() ? acked : failed).fetch_add(1); });
      sent.fetch_add(1);
      if (i % 100 == 99) absl::SleepFor(absl::Milliseconds(50));
    }
  });

  // Whatever happens below, let the feeder finish before the test returns.
  struct JoinOnExit {
    std::thread& t;
    std::atomic<bool>& killed;
    ~JoinOnExit() {
      killed = true;
      if (t.joinable()) t.join();
    }
  } feeder{feeder_thread, killed};

  ChildProcess normalizer = StartNormalizer(config, "normalizer-1.log");

  kafka::Consumer::Options options;
  options.client = Client();
  options.group_id = UniqueName("eos-reader");
  options.topics = {Topic("events.v1"), Topic("rejected")};
  options.read_committed = true;
  auto reader = kafka::Consumer::Create(options);
  ASSERT_TRUE(reader.ok()) << reader.status();
  std::vector<kafka::ConsumedRecord> outputs;
  auto drain = [&] {
    auto batch = (*reader)->Poll(2000, absl::Milliseconds(100));
    if (batch.ok()) outputs.insert(outputs.end(), batch->begin(), batch->end());
  };

  ASSERT_TRUE(WaitUntil(
      [&] {
        drain();
        return outputs.size() >= 1500;
      },
      absl::Seconds(120)))
      << "normalizer made no progress: " << normalizer.Log();
  normalizer.Signal(SIGKILL);
  EXPECT_EQ(normalizer.Wait(absl::Seconds(10)), 128 + SIGKILL);
  const size_t seen_at_kill = outputs.size();
  const int sent_at_kill = sent.load();
  killed = true;
  EXPECT_LT(sent_at_kill, kRecords) << "the kill must land before the stream ends";

  ChildProcess restarted = StartNormalizer(config, "normalizer-2.log");
  feeder_thread.join();
  ASSERT_TRUE((*producer)->Flush(absl::Seconds(60)).ok());
  ASSERT_EQ(acked.load(), kRecords);
  ASSERT_EQ(failed.load(), 0);

  bool complete = WaitUntil(
      [&] {
        drain();
        return outputs.size() >= static_cast<size_t>(kRecords);
      },
      absl::Seconds(180));
  // Keep reading a little longer: a duplicate would show up now.
  WaitUntil(
      [&] {
        drain();
        return false;
      },
      absl::Seconds(3));
  (*reader)->Close();
  ASSERT_TRUE(complete) << "only " << outputs.size() << " of " << kRecords
                        << " outputs; restarted normalizer log:\n"
                        << restarted.Log();

  std::multiset<std::string> ids;
  for (const kafka::ConsumedRecord& r : outputs) ids.insert(SourceRequestId(r, Topic("rejected")));
  std::set<std::string> unique(ids.begin(), ids.end());
  EXPECT_EQ(outputs.size(), static_cast<size_t>(kRecords)) << "duplicates downstream";
  EXPECT_EQ(unique.size(), static_cast<size_t>(kRecords)) << "lost records";
  for (int i = 0; i < kRecords; i += 997) {
    EXPECT_EQ(ids.count(absl::StrCat("r-", i)), 1u) << "r-" << i;
  }
  EXPECT_GT(seen_at_kill, 0u);
  restarted.Signal(SIGTERM);
  EXPECT_EQ(restarted.Wait(absl::Seconds(60)), 0) << restarted.Log();
}

}  // namespace
}  // namespace storewire::testing

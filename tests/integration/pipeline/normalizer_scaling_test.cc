// The normalizer scales by partitions: two storewire-normalizer processes
// (different --instance-id, one consumer group) share a 6-partition raw topic;
// one is killed with SIGKILL in the middle of a stream of 12,000 records and
// never comes back. The survivor takes over its partitions, the dead one's
// open transaction is aborted, and read_committed readers see every record
// exactly once downstream: no loss, no duplicate.
#include <atomic>
#include <csignal>
#include <iostream>
#include <set>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "pipeline_fixture.h"
#include "storewire/v1/event.pb.h"
#include "storewire/v1/raw.pb.h"

namespace storewire::testing {
namespace {

constexpr int kRecords = 12000;
constexpr int kHoldUntilKill = 9000;
// Records each replica must have handled before the kill: the group split the work.
constexpr int kShareBeforeKill = 1000;
constexpr int kPartitions = 6;

struct Replica {
  std::string instance_id;
  int admin_port = 0;
  ChildProcess process;
};

class NormalizerScalingTest : public PipelineTest {
 protected:
  // One config file per replica: the same group and topics, its own ports.
  std::string WriteReplicaConfig(const std::string& name, int admin_port) {
    std::string path = absl::StrCat(dir_, "/", name, ".yaml");
    WriteFile(path, absl::StrCat("kafka:\n  brokers: ", brokers_, "\n  topic_prefix: ", prefix_,
                                 "\n  partitions: ", kPartitions,
                                 // A dead member's partitions move after its session
                                 // expires (static membership): keep that short here.
                                 "\n  properties:\n    session.timeout.ms: \"10000\"\n",
                                 "apps:\n  - id: demo\n    google:\n",
                                 "      package_name: com.example.app\n",
                                 "      verify_push_token: false\n",
                                 NormalizerSection(absl::StrCat(
                                     "  admin_port: ", admin_port, "\n  control_port: ", FreePort(),
                                     "\n  max_batch_records: 200\n  max_batch_wait: 50ms\n"))));
    return path;
  }

  Replica Start(const std::string& instance_id) {
    Replica r{instance_id, FreePort(), {}};
    std::string config = WriteReplicaConfig(instance_id, r.admin_port);
    auto child = ChildProcess::Spawn(
        {BinaryPath("storewire-normalizer"), "--config", config, "--instance-id", instance_id}, {},
        absl::StrCat(dir_, "/normalizer-", instance_id, ".log"));
    EXPECT_TRUE(child.ok()) << child.status();
    if (child.ok()) r.process = std::move(*child);
    return r;
  }

  // Records this replica has turned into events or rejections so far, from
  // its admin /metrics (storewire_normalizer_*_total counters).
  static double Processed(const Replica& r) {
    HttpResult res =
        HttpGet(absl::StrCat("http://127.0.0.1:", r.admin_port, "/metrics"), absl::Seconds(2));
    double total = 0;
    if (res.status != 200) return total;
    for (absl::string_view line : absl::StrSplit(res.body, '\n')) {
      if (!absl::StartsWith(line, "storewire_normalizer_events_total") &&
          !absl::StartsWith(line, "storewire_normalizer_rejections_total")) {
        continue;
      }
      double v = 0;
      if (absl::SimpleAtod(line.substr(line.rfind(' ') + 1), &v)) total += v;
    }
    return total;
  }

  static std::string SourceRequestId(const kafka::ConsumedRecord& r, const std::string& rejected) {
    if (r.topic == rejected) {
      v1::RejectedNotification n;
      return n.ParseFromString(r.value) ? n.raw().request_id() : "<bad rejected record>";
    }
    v1::SubscriptionEvent e;
    return e.ParseFromString(r.value) ? e.request_id() : "<bad event record>";
  }
};

TEST_F(NormalizerScalingTest,
       TwoReplicasShareTheRawTopicAndASigkilledOneLosesAndDuplicatesNothing) {
  const std::string raw_topic = Topic("raw.google");
  std::vector<kafka::TopicSpec> topics;
  for (const char* t :
       {"raw.apple", "raw.google", "raw.huawei", "raw.amazon", "events.v1", "rejected"}) {
    topics.push_back({Topic(t), kPartitions, 1, {}});
  }
  ASSERT_TRUE(kafka::EnsureTopics(Client(), topics, absl::Seconds(30)).ok());

  auto producer = kafka::Producer::Create(Client(), absl::Seconds(30));
  ASSERT_TRUE(producer.ok()) << producer.status();
  std::atomic<int> acked{0};
  std::atomic<int> failed{0};
  std::atomic<bool> killed{false};
  Replica a = Start("scale-a");
  Replica b = Start("scale-b");
  ASSERT_TRUE(WaitUntil(
      [&] {
        return HttpGet(absl::StrCat("http://127.0.0.1:", a.admin_port, "/metrics"),
                       absl::Seconds(1))
                       .status == 200 &&
               HttpGet(absl::StrCat("http://127.0.0.1:", b.admin_port, "/metrics"),
                       absl::Seconds(1))
                       .status == 200;
      },
      absl::Seconds(60)))
      << a.process.Log() << b.process.Log();

  // ~1,000 records/s over 97 keys, so every partition gets records while both
  // replicas join the group. Past kHoldUntilKill the stream waits for the
  // kill: it always lands mid-stream.
  std::thread feeder_thread([&] {
    for (int i = 0; i < kRecords; ++i) {
      if (i == kHoldUntilKill) WaitUntil([&] { return killed.load(); }, absl::Minutes(5));
      v1::RawNotification raw;
      raw.set_store(v1::STORE_PLAY_STORE);
      raw.set_app_id("demo");
      raw.set_request_id(absl::StrCat("r-", i));
      raw.set_partition_key(absl::StrCat("token-", i % 97));
      raw.set_body(absl::StrCat(R"({"message":{"data":"e30=","messageId":")", i, R"("}})"));
      (*producer)->Send({raw_topic, raw.partition_key(), raw.SerializeAsString(), {}},
                        [&](absl::Status s) { (s.ok() ? acked : failed).fetch_add(1); });
      if (i % 50 == 49) absl::SleepFor(absl::Milliseconds(50));
    }
  });
  struct JoinOnExit {
    std::thread& t;
    std::atomic<bool>& killed;
    ~JoinOnExit() {
      killed = true;
      if (t.joinable()) t.join();
    }
  } feeder{feeder_thread, killed};

  kafka::Consumer::Options options;
  options.client = Client();
  options.group_id = UniqueName("scale-reader");
  options.topics = {Topic("events.v1"), Topic("rejected")};
  options.read_committed = true;
  auto reader = kafka::Consumer::Create(options);
  ASSERT_TRUE(reader.ok()) << reader.status();
  std::vector<kafka::ConsumedRecord> outputs;
  auto drain = [&] {
    auto batch = (*reader)->Poll(2000, absl::Milliseconds(100));
    if (batch.ok()) outputs.insert(outputs.end(), batch->begin(), batch->end());
  };

  // Both replicas do part of the work: the group split the partitions.
  double a_before = 0;
  double b_before = 0;
  ASSERT_TRUE(WaitUntil(
      [&] {
        drain();
        a_before = Processed(a);
        b_before = Processed(b);
        return a_before >= kShareBeforeKill && b_before >= kShareBeforeKill;
      },
      absl::Seconds(120)))
      << "replicas did not share the work: a=" << a_before << " b=" << b_before
      << " outputs=" << outputs.size() << "\nlog a:\n"
      << a.process.Log() << "\nlog b:\n"
      << b.process.Log();
  EXPECT_LT(a_before + b_before, kRecords);
  const int sent_at_kill = acked.load() + failed.load();

  const absl::Time kill_time = absl::Now();
  b.process.Signal(SIGKILL);
  EXPECT_EQ(b.process.Wait(absl::Seconds(10)), 128 + SIGKILL);
  killed = true;

  feeder_thread.join();
  ASSERT_TRUE((*producer)->Flush(absl::Seconds(60)).ok());
  ASSERT_EQ(acked.load(), kRecords);
  ASSERT_EQ(failed.load(), 0);

  // The survivor alone finishes the stream: b's partitions move to it once
  // b's session expires, and b's open transaction is aborted by the broker.
  bool complete = WaitUntil(
      [&] {
        drain();
        return outputs.size() >= static_cast<size_t>(kRecords);
      },
      absl::Seconds(240));
  const absl::Duration recovery = absl::Now() - kill_time;
  WaitUntil(
      [&] {
        drain();
        return false;
      },
      absl::Seconds(3));
  (*reader)->Close();
  ASSERT_TRUE(complete) << "only " << outputs.size() << " of " << kRecords
                        << " outputs; survivor log:\n"
                        << a.process.Log();

  std::cerr << "before the kill: replica a " << a_before << " records, replica b " << b_before
            << "; all " << kRecords << " outputs " << absl::FormatDuration(recovery)
            << " after the kill\n";
  std::multiset<std::string> ids;
  for (const kafka::ConsumedRecord& r : outputs) ids.insert(SourceRequestId(r, Topic("rejected")));
  std::set<std::string> unique(ids.begin(), ids.end());
  EXPECT_EQ(outputs.size(), static_cast<size_t>(kRecords)) << "duplicates downstream";
  EXPECT_EQ(unique.size(), static_cast<size_t>(kRecords)) << "lost records";
  for (int i = 0; i < kRecords; i += 997) {
    EXPECT_EQ(ids.count(absl::StrCat("r-", i)), 1u) << "r-" << i;
  }
  // The survivor did the rest, including the partitions b held.
  EXPECT_GE(Processed(a), a_before + (kRecords - kHoldUntilKill));
  EXPECT_LT(sent_at_kill, kRecords) << "the kill must land before the stream ends";

  a.process.Signal(SIGTERM);
  EXPECT_EQ(a.process.Wait(absl::Seconds(60)), 0) << a.process.Log();
}

}  // namespace
}  // namespace storewire::testing

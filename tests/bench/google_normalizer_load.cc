// Load generator: one storewire-normalizer process on a real broker, Google
// notifications whose Play Developer API (a local fake) answers after a fixed
// latency. Pre-loads N raw records on <prefix>.raw.google, starts the
// normalizer, and reports how fast the events arrive on <prefix>.events.v1.
//
//   google_normalizer_load --brokers 127.0.0.1:9092 [--count 20000] [--latency_ms 50]
//
// Prints: records, API latency, seconds from the first to the last event and
// from the normalizer's start to the last event, events/s, API calls, max API
// calls in flight. See tests/bench/README.md.
#include <cstdlib>
#include <iostream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "storewire/kafka/kafka.h"
#include "storewire/testing/google_fakes.h"
#include "storewire/testing/process.h"
#include "storewire/v1/raw.pb.h"

namespace {

std::string Arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == "--" + name) return argv[i + 1];
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace storewire;
  const char* env = std::getenv("STOREWIRE_TEST_KAFKA_BROKERS");
  const std::string brokers = Arg(argc, argv, "brokers", env != nullptr ? env : "");
  int count = 20000;
  int latency_ms = 50;
  (void)absl::SimpleAtoi(Arg(argc, argv, "count", "20000"), &count);
  (void)absl::SimpleAtoi(Arg(argc, argv, "latency_ms", "50"), &latency_ms);
  if (brokers.empty()) {
    std::cerr
        << "usage: google_normalizer_load --brokers HOST:PORT [--count N] [--latency_ms MS]\n";
    return 2;
  }
  const std::string prefix = testing::UniqueName("gload");
  const std::string dir = testing::MakeTempDir("gload");
  testing::FakeGoogle google;
  google.set_latency(absl::Milliseconds(latency_ms));

  // Pre-load the raw topic.
  kafka::ClientOptions client{.brokers = brokers, .client_id = "gload"};
  std::vector<kafka::TopicSpec> topics;
  for (const char* suffix : {".raw.google", ".events.v1", ".rejected", ".retry.google"}) {
    topics.push_back({prefix + suffix, 3, 1, {}});
  }
  if (absl::Status s = kafka::EnsureTopics(client, topics, absl::Seconds(30)); !s.ok()) {
    std::cerr << "topics: " << s << "\n";
    return 1;
  }
  auto producer = kafka::Producer::Create(client, absl::Seconds(30));
  if (!producer.ok()) {
    std::cerr << producer.status() << "\n";
    return 1;
  }
  for (int i = 0; i < count; ++i) {
    std::string token = absl::StrCat("tok-", i);
    google.SetSubscription(token, testing::SubscriptionJson({}));
    v1::RawNotification raw;
    raw.set_store(v1::STORE_PLAY_STORE);
    raw.set_app_id("demo");
    raw.set_request_id(absl::StrCat("r-", i));
    raw.set_partition_key(token);
    raw.set_body(testing::PushBody(
        absl::StrCat("m-", i), testing::SubscriptionNotificationJson("com.example.app", 2, token)));
    (*producer)->Send({prefix + ".raw.google", token, raw.SerializeAsString(), {}},
                      [](absl::Status) {});
  }
  if (absl::Status s = (*producer)->Flush(absl::Seconds(120)); !s.ok()) {
    std::cerr << "flush: " << s << "\n";
    return 1;
  }

  const std::string config = dir + "/storewire.yaml";
  testing::WriteFile(
      config,
      absl::StrCat("kafka:\n  brokers: ", brokers, "\n  topic_prefix: ", prefix,
                   "\n  partitions: 3\napps:\n  - id: demo\n    google:\n"
                   "      package_name: com.example.app\n      verify_push_token: false\n"
                   "      play_api_base_url: ",
                   google.base_url(), "\nnormalizer:\n  group_id: ", prefix,
                   "\n  transactional_id_prefix: ", prefix, "\n  admin_port: ", testing::FreePort(),
                   "\n  control_port: ", testing::FreePort(), "\nlog_level: warn\n"));
  kafka::Consumer::Options reader;
  reader.client = client;
  reader.group_id = prefix + "-reader";
  reader.topics = {prefix + ".events.v1"};
  auto consumer = kafka::Consumer::Create(reader);
  if (!consumer.ok()) {
    std::cerr << consumer.status() << "\n";
    return 1;
  }
  const absl::Time start = absl::Now();
  auto normalizer = testing::ChildProcess::Spawn(
      {testing::BinaryPath("storewire-normalizer"), "--config", config, "--instance-id", prefix},
      {}, dir + "/normalizer.log");
  if (!normalizer.ok()) {
    std::cerr << normalizer.status() << "\n";
    return 1;
  }
  int events = 0;
  absl::Time first = absl::InfinitePast();
  absl::Time last = start;
  const absl::Time deadline = absl::Now() + absl::Seconds(60) + absl::Milliseconds(count * 20);
  while (events < count && absl::Now() < deadline) {
    auto batch = (*consumer)->Poll(5000, absl::Milliseconds(200));
    if (!batch.ok() || batch->empty()) continue;
    if (events == 0) first = absl::Now();
    events += static_cast<int>(batch->size());
    last = absl::Now();
  }
  const double window = absl::ToDoubleSeconds(last - first);
  std::cout << "records " << count << ", API latency " << latency_ms << " ms, events " << events
            << "\nfirst->last event " << window << " s, start->last event "
            << absl::ToDoubleSeconds(last - start) << " s\nthroughput "
            << (window > 0 ? events / window : 0) << " events/s (first->last), "
            << events / absl::ToDoubleSeconds(last - start) << " events/s (incl. start)"
            << "\nAPI calls " << google.api_calls() << ", max in flight " << google.max_in_flight()
            << "\n";
  return events == count ? 0 : 1;
}

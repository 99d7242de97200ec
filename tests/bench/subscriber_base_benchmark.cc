// The subscriber base (issue 6): events applied per second on one core
// (parse + state machine + aggregates + the state record for the state topic,
// as MakeStateTransform does inside the transactional loop), restore of
// state records (the rebuild without Kafka), and, when
// STOREWIRE_TEST_KAFKA_BROKERS is set, the rebuild of 1,000,000 subscriptions
// from a real state topic. Numbers and command: tests/bench/README.md.
#include <atomic>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "google/protobuf/util/time_util.h"
#include "storewire/core/clock.h"
#include "storewire/core/uuid.h"
#include "storewire/subscriber_base/state_topic.h"
#include "storewire/subscriber_base/subscriber_base.h"

namespace storewire::subscriber_base {
namespace {

using google::protobuf::util::TimeUtil;

constexpr v1::EventType kCycle[] = {v1::EVENT_TYPE_SUBSCRIPTION_STARTED,
                                    v1::EVENT_TYPE_RENEWED,
                                    v1::EVENT_TYPE_AUTO_RENEW_DISABLED,
                                    v1::EVENT_TYPE_BILLING_ISSUE,
                                    v1::EVENT_TYPE_BILLING_RECOVERED,
                                    v1::EVENT_TYPE_RENEWED,
                                    v1::EVENT_TYPE_REFUNDED,
                                    v1::EVENT_TYPE_RESUBSCRIBED,
                                    v1::EVENT_TYPE_EXPIRED};

std::string EventBytes(int64_t n, int subscriptions, absl::Time base) {
  const int64_t sub = n % subscriptions;
  v1::SubscriptionEvent e;
  e.set_id(absl::StrCat("evt-", n));
  e.set_type(kCycle[(n / subscriptions) % std::size(kCycle)]);
  e.set_store(sub % 2 ? v1::STORE_APP_STORE : v1::STORE_PLAY_STORE);
  e.set_environment(v1::ENVIRONMENT_PRODUCTION);
  e.set_app_id("demo");
  e.set_subscription_key(absl::StrCat("2000000", sub));
  e.set_product_id(absl::StrCat("pro.", sub % 7));
  e.set_billing_period(sub % 3 ? "P1M" : "P1Y");
  e.mutable_price()->set_amount_micros(9'990'000);
  e.mutable_price()->set_currency(sub % 4 ? "USD" : "EUR");
  e.set_customer_id(absl::StrCat("cust-", sub));
  e.set_period_type(v1::PERIOD_TYPE_NORMAL);
  *e.mutable_occurred_at() =
      TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(base) + n / subscriptions);
  *e.mutable_received_at() = e.occurred_at();
  *e.mutable_purchased_at() = e.occurred_at();
  return e.SerializeAsString();
}

SubscriberBaseOptions Options() {
  SubscriberBaseOptions o;
  o.aggregates.fx = {{"EUR", 1.1}};
  o.aggregates.windows = {absl::Hours(1), absl::Hours(24), absl::Hours(24 * 7),
                          absl::Hours(24 * 30)};
  return o;
}

// Events through the transform (parse, apply, state record), 100k subscriptions.
void BM_ApplyEvents(benchmark::State& state) {
  const int subscriptions = 100'000;
  const int64_t prepared = 900'000;
  const absl::Time base = absl::Now() - absl::Hours(2);
  std::vector<kafka::ConsumedRecord> records(prepared);
  for (int64_t i = 0; i < prepared; ++i) records[i].value = EventBytes(i, subscriptions, base);
  SubscriberBase sb(Options(), SystemClock::Get());
  auto transform = MakeStateTransform(sb, "bench.subscriptions.state");
  std::vector<kafka::OutgoingRecord> out;
  int64_t i = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    out.clear();
    (void)transform(records[i % prepared], out);
    if (!out.empty()) bytes += static_cast<int64_t>(out[0].value.size());
    ++i;
  }
  state.SetItemsProcessed(i);
  state.counters["state_bytes_per_event"] = static_cast<double>(bytes) / static_cast<double>(i);
  state.counters["subscriptions"] = static_cast<double>(sb.size());
}
BENCHMARK(BM_ApplyEvents)->MinTime(3.0);

std::vector<std::pair<std::string, std::string>> StateRecords(int count) {
  SubscriberBase sb(Options(), SystemClock::Get());
  std::vector<std::pair<std::string, std::string>> records;
  records.reserve(count);
  const absl::Time base = absl::Now() - absl::Hours(2);
  // Two events per subscription (started, renewed): the second's state is kept.
  for (int64_t n = 0; n < 2LL * count; ++n) {
    v1::SubscriptionEvent e;
    std::string bytes = EventBytes(n, count, base);
    e.ParseFromString(bytes);
    std::optional<StateRecord> r = sb.Apply(e);
    if (n >= count && r) records.emplace_back(std::move(r->key), std::move(r->value));
  }
  return records;
}

// Restore of 1,000,000 state records (decode + aggregates), no Kafka.
void BM_Restore1M(benchmark::State& state) {
  const int count = 1'000'000;
  static const auto* records =
      new std::vector<std::pair<std::string, std::string>>(StateRecords(count));
  for (auto _ : state) {
    SubscriberBase sb(Options(), SystemClock::Get());
    for (const auto& [k, v] : *records) (void)sb.Restore(k, v);
    benchmark::DoNotOptimize(sb.size());
    state.PauseTiming();
    state.counters["subscriptions"] = static_cast<double>(sb.size());
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * count);
}
BENCHMARK(BM_Restore1M)->Unit(benchmark::kMillisecond)->Iterations(1);

// The rebuild from a real state topic holding 1,000,000 subscriptions.
void BM_RebuildFromTopic1M(benchmark::State& state) {
  const char* brokers = std::getenv("STOREWIRE_TEST_KAFKA_BROKERS");
  if (brokers == nullptr || *brokers == '\0') {
    state.SkipWithError("set STOREWIRE_TEST_KAFKA_BROKERS");
    return;
  }
  const int count = 1'000'000;
  kafka::ClientOptions client{.brokers = brokers, .client_id = "bench"};
  client.properties = {{"linger.ms", "50"}, {"batch.size", "1000000"}};
  const std::string topic = absl::StrCat("bench-", RandomUuid(), ".subscriptions.state");
  if (!kafka::EnsureTopics(client, {{topic, 6, 1, {{"cleanup.policy", "compact"}}}},
                           absl::Seconds(30))
           .ok()) {
    state.SkipWithError("cannot create the topic");
    return;
  }
  {
    auto producer = kafka::Producer::Create(client, absl::Minutes(2));
    std::atomic<int64_t> failed{0};
    for (auto& [k, v] : StateRecords(count)) {
      (*producer)->Send({topic, std::move(k), std::move(v), {}}, [&](absl::Status s) {
        if (!s.ok()) failed.fetch_add(1);
      });
    }
    if (!(*producer)->Flush(absl::Minutes(5)).ok() || failed.load() > 0) {
      state.SkipWithError("producing the state records failed");
      return;
    }
  }
  std::atomic<bool> stop{false};
  for (auto _ : state) {
    SubscriberBase sb(Options(), SystemClock::Get());
    RebuildStats stats;
    absl::Status s = RebuildFromStateTopic(client, topic, 6, sb, stop, absl::Minutes(10), &stats);
    if (!s.ok()) state.SkipWithError(std::string(s.message()).c_str());
    state.counters["subscriptions"] = static_cast<double>(sb.size());
    state.counters["records"] = static_cast<double>(stats.records);
  }
  state.SetItemsProcessed(state.iterations() * count);
}
BENCHMARK(BM_RebuildFromTopic1M)->Unit(benchmark::kMillisecond)->Iterations(1)->UseRealTime();

}  // namespace
}  // namespace storewire::subscriber_base

BENCHMARK_MAIN();

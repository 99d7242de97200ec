// storewire-metrics on the real broker: the subscriber base survives a
// SIGKILL mid-stream and a restart (rebuilt from the state topic) with
// nothing lost and nothing counted twice, redelivered and out-of-order
// events included. The oracle is a SubscriberBase in the test fed the same
// events in the same per-subscription order.
#include <csignal>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "pipeline_fixture.h"
#include "storewire/core/clock.h"
#include "storewire/subscriber_base/state_topic.h"
#include "storewire/subscriber_base/subscriber_base.h"
#include "storewire/v1/subscribers.pb.h"

namespace storewire::testing {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int kSubscriptions = 300;

v1::SubscriptionEvent Event(const std::string& id, v1::EventType type, int subscription,
                            absl::Time at) {
  v1::SubscriptionEvent e;
  e.set_id(id);
  e.set_type(type);
  e.set_store(subscription % 2 == 0 ? v1::STORE_APP_STORE : v1::STORE_PLAY_STORE);
  e.set_environment(v1::ENVIRONMENT_PRODUCTION);
  e.set_app_id("demo");
  e.set_subscription_key(absl::StrCat("sub-", subscription));
  e.set_product_id(subscription % 3 == 0 ? "pro.yearly" : "pro.monthly");
  e.set_billing_period(subscription % 3 == 0 ? "P1Y" : "P1M");
  e.mutable_price()->set_amount_micros(subscription % 3 == 0 ? 59'990'000 : 6'990'000);
  e.mutable_price()->set_currency(subscription % 4 == 0 ? "EUR" : "USD");
  e.set_customer_id(absl::StrCat("cust-", subscription % 50));
  e.set_period_type(type == v1::EVENT_TYPE_TRIAL_STARTED ? v1::PERIOD_TYPE_TRIAL
                                                         : v1::PERIOD_TYPE_NORMAL);
  *e.mutable_occurred_at() = TimeUtil::SecondsToTimestamp(absl::ToUnixSeconds(at));
  *e.mutable_received_at() = *e.mutable_occurred_at();
  *e.mutable_purchased_at() = *e.mutable_occurred_at();
  return e;
}

class MetricsRestartTest : public PipelineTest {
 protected:
  void SetUp() override {
    PipelineTest::SetUp();
    if (IsSkipped()) return;
    admin_port_ = FreePort();
    config_ = WriteConfig(
        brokers_,
        absl::StrCat("metrics:\n  admin_port: ", admin_port_, "\n  control_port: ", FreePort(),
                     "\n  group_id: ", prefix_, "-metrics\n  transactional_id_prefix: ", prefix_,
                     "-metrics\n  max_batch_records: 50\n  max_batch_wait: 20ms\n",
                     "  fx: {EUR: 1.1}\n  windows: [24h]\n"));
    std::vector<kafka::TopicSpec> topics = {
        {Topic("events.v1"), 3, 1, {}},
        {Topic("subscriptions.state"), 3, 1, {{"cleanup.policy", "compact"}}}};
    ASSERT_TRUE(kafka::EnsureTopics(Client(), topics, absl::Seconds(30)).ok());
    auto producer = kafka::Producer::Create(Client(), absl::Seconds(30));
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = std::move(*producer);
  }

  void Send(const v1::SubscriptionEvent& e) {
    oracle_.Apply(e);
    producer_->Send({Topic("events.v1"), e.subscription_key(), e.SerializeAsString(), {}},
                    [](absl::Status s) { EXPECT_TRUE(s.ok()) << s; });
  }

  ChildProcess Start(const std::string& log) {
    auto child = ChildProcess::Spawn(
        {BinaryPath("storewire-metrics"), "--config", config_, "--instance-id", "m1"}, {},
        dir_ + "/" + log);
    EXPECT_TRUE(child.ok()) << child.status();
    return std::move(*child);
  }

  std::optional<v1::DashboardData> Dashboard() {
    HttpResult r =
        HttpGet(absl::StrCat("http://127.0.0.1:", admin_port_, "/api/dashboard"), absl::Seconds(2));
    if (r.status != 200) return std::nullopt;
    v1::DashboardData d;
    if (!google::protobuf::util::JsonStringToMessage(r.body, &d).ok()) return std::nullopt;
    return d;
  }

  // What must match after any restart (process counters such as
  // events_applied restart at zero and are left out).
  static std::string Comparable(const v1::SummaryResponse& s) {
    return absl::StrCat("tracked=", s.subscriptions_tracked(), " ", s.totals().ShortDebugString());
  }

  FakeClock clock_{absl::Now()};
  subscriber_base::SubscriberBase oracle_{[] {
                                            subscriber_base::SubscriberBaseOptions o;
                                            o.aggregates.fx = {{"EUR", 1.1}};
                                            o.aggregates.windows = {absl::Hours(24)};
                                            return o;
                                          }(),
                                          clock_};
  std::unique_ptr<kafka::Producer> producer_;
  std::string config_;
  int admin_port_ = 0;
};

TEST_F(MetricsRestartTest, SigkillAndRestartLoseNothingAndDoubleCountNothing) {
  const absl::Time t0 = absl::Now() - absl::Hours(3);
  // Phase A: every subscription starts (a third as trials).
  for (int i = 0; i < kSubscriptions; ++i) {
    Send(Event(absl::StrCat("a-", i),
               i % 3 == 1 ? v1::EVENT_TYPE_TRIAL_STARTED : v1::EVENT_TYPE_SUBSCRIPTION_STARTED, i,
               t0));
  }
  ASSERT_TRUE(producer_->Flush(absl::Seconds(30)).ok());
  ChildProcess first = Start("metrics-1.log");
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto d = Dashboard();
        return d && d->summary().subscriptions_tracked() == kSubscriptions;
      },
      absl::Seconds(120)))
      << first.Log();

  // Phase B: renewals (trial conversions), expirations, refunds, billing
  // issues; killed as soon as it makes progress on them.
  for (int i = 0; i < kSubscriptions; ++i) {
    const absl::Time t = t0 + absl::Minutes(10);
    switch (i % 5) {
      case 0:
        Send(Event(absl::StrCat("b-", i), v1::EVENT_TYPE_EXPIRED, i, t));
        break;
      case 1:
        Send(Event(absl::StrCat("b-", i), v1::EVENT_TYPE_RENEWED, i, t));
        break;
      case 2:
        Send(Event(absl::StrCat("b-", i), v1::EVENT_TYPE_REFUNDED, i, t));
        break;
      case 3:
        Send(Event(absl::StrCat("b-", i), v1::EVENT_TYPE_BILLING_ISSUE, i, t));
        break;
      default:
        Send(Event(absl::StrCat("b-", i), v1::EVENT_TYPE_AUTO_RENEW_DISABLED, i, t));
    }
  }
  ASSERT_TRUE(producer_->Flush(absl::Seconds(30)).ok());
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto d = Dashboard();
        return d && d->summary().events_applied() > kSubscriptions;
      },
      absl::Seconds(60)))
      << first.Log();
  first.Signal(SIGKILL);
  EXPECT_EQ(first.Wait(absl::Seconds(10)), 128 + SIGKILL);

  ChildProcess second = Start("metrics-2.log");
  // Phase C: everything again (a replay: all duplicates), an event older
  // than the state it would overwrite, and new trials.
  for (int i = 0; i < kSubscriptions; ++i) {
    Send(Event(absl::StrCat("a-", i),
               i % 3 == 1 ? v1::EVENT_TYPE_TRIAL_STARTED : v1::EVENT_TYPE_SUBSCRIPTION_STARTED, i,
               t0));
  }
  for (int i = 0; i < 40; ++i) {
    Send(Event(absl::StrCat("late-", i), v1::EVENT_TYPE_RESUBSCRIBED, i, t0 + absl::Minutes(5)));
  }
  for (int i = kSubscriptions; i < kSubscriptions + 100; ++i) {
    Send(Event(absl::StrCat("c-", i), v1::EVENT_TYPE_TRIAL_STARTED, i, t0 + absl::Minutes(20)));
  }
  ASSERT_TRUE(producer_->Flush(absl::Seconds(30)).ok());

  clock_.Set(absl::Now());
  const v1::SummaryResponse expected = oracle_.Summary({});
  ASSERT_EQ(expected.subscriptions_tracked(), kSubscriptions + 100);
  std::string last;
  const bool converged = WaitUntil(
      [&] {
        auto d = Dashboard();
        if (!d) return false;
        last = Comparable(d->summary());
        return last == Comparable(expected);
      },
      absl::Seconds(120));
  ASSERT_TRUE(converged) << "expected " << Comparable(expected) << "\n     got " << last
                         << "\nlog:\n"
                         << second.Log();
  // The figures the issue names, spelled out.
  const v1::BaseFigures& f = expected.totals();
  EXPECT_EQ(f.windows(0).churned(), 60);            // i % 5 == 0
  EXPECT_EQ(f.windows(0).refunds(), 60);            // i % 5 == 2
  EXPECT_EQ(f.billing_issues(), 60);                // i % 5 == 3
  EXPECT_EQ(f.active_trials(), 100 + 20);           // new trials + trials with only a cancellation
  EXPECT_EQ(f.windows(0).trial_conversions(), 20);  // i % 3 == 1 and i % 5 == 1

  second.Signal(SIGTERM);
  EXPECT_EQ(second.Wait(absl::Seconds(20)), 0) << second.Log();
}

}  // namespace
}  // namespace storewire::testing

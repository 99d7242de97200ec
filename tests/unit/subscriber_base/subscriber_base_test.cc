#include "storewire/subscriber_base/subscriber_base.h"

#include "event_builder.h"
#include "gtest/gtest.h"
#include "storewire/core/clock.h"

namespace storewire::subscriber_base {
namespace {

using testing::EventBuilder;
using testing::T0;

SubscriberBaseOptions Options() {
  SubscriberBaseOptions o;
  o.state_machine.refund_abuse_window = absl::Hours(48);
  o.aggregates.reporting_currency = "USD";
  o.aggregates.fx = {{"EUR", 1.10}};
  o.aggregates.windows = {absl::Hours(1), absl::Hours(24)};
  o.refund_abuse_count = 2;
  return o;
}

class SubscriberBaseTest : public ::testing::Test {
 protected:
  FakeClock clock_{T0() + absl::Hours(1)};
  SubscriberBase base_{Options(), clock_};

  const v1::WindowCounts& Window(const v1::SummaryResponse& s, const std::string& label) {
    for (const v1::WindowCounts& w : s.totals().windows()) {
      if (w.window() == label) return w;
    }
    static v1::WindowCounts none;
    ADD_FAILURE() << "no window " << label;
    return none;
  }
};

TEST_F(SubscriberBaseTest, CountsActiveTrialsBillingIssuesAndMrrWithFx) {
  base_.Apply(EventBuilder("a1", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s1")
                  .Period("P1M")
                  .Price(10'000'000, "USD"));
  base_.Apply(EventBuilder("a2", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s2")
                  .Period("P1Y")
                  .Price(120'000'000, "EUR"));
  base_.Apply(
      EventBuilder("a3", v1::EVENT_TYPE_TRIAL_STARTED, "s3").PeriodType(v1::PERIOD_TYPE_TRIAL));
  base_.Apply(EventBuilder("a4", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s4")
                  .Period("P1W")
                  .Price(1'000'000, "JPY"));
  base_.Apply(EventBuilder("a5", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s5")
                  .Period("P1M")
                  .Price(5'000'000, "USD"));
  base_.Apply(EventBuilder("b5", v1::EVENT_TYPE_GRACE_PERIOD_STARTED, "s5")
                  .Price(5'000'000, "USD")
                  .At(T0() + absl::Minutes(5)));
  base_.Apply(EventBuilder("a6", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s6"));
  base_.Apply(EventBuilder("b6", v1::EVENT_TYPE_BILLING_ISSUE, "s6").At(T0() + absl::Minutes(5)));
  // Cancelled but not expired: still in MRR.
  base_.Apply(EventBuilder("c1", v1::EVENT_TYPE_AUTO_RENEW_DISABLED, "s1")
                  .Price(10'000'000, "USD")
                  .At(T0() + absl::Minutes(6)));

  v1::SummaryResponse s = base_.Summary({});
  EXPECT_EQ(s.subscriptions_tracked(), 6);
  EXPECT_EQ(s.totals().active_subscriptions(), 4);  // s1, s2, s4, s5 (grace counts)
  EXPECT_EQ(s.totals().active_trials(), 1);
  EXPECT_EQ(s.totals().billing_issues(), 2);  // s5 grace, s6 billing retry
  ASSERT_EQ(s.totals().mrr_size(), 3);
  EXPECT_EQ(s.totals().mrr(0).currency(), "EUR");
  EXPECT_EQ(s.totals().mrr(0).amount_micros(), 10'000'000);
  EXPECT_EQ(s.totals().mrr(1).currency(), "JPY");
  EXPECT_EQ(s.totals().mrr(1).amount_micros(), 4'000'000);
  EXPECT_EQ(s.totals().mrr(2).currency(), "USD");
  EXPECT_EQ(s.totals().mrr(2).amount_micros(), 15'000'000);
  EXPECT_EQ(s.totals().mrr_reporting_micros(), 15'000'000 + 11'000'000);
  ASSERT_EQ(s.totals().mrr_unconverted_currencies_size(), 1);
  EXPECT_EQ(s.totals().mrr_unconverted_currencies(0), "JPY");
  EXPECT_EQ(s.reporting_currency(), "USD");
}

TEST_F(SubscriberBaseTest, WindowsCountByStoreTime) {
  base_.Apply(
      EventBuilder("old", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s1").At(T0() - absl::Hours(2)));
  base_.Apply(
      EventBuilder("new", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s2").At(T0() + absl::Minutes(30)));
  base_.Apply(EventBuilder("t", v1::EVENT_TYPE_TRIAL_STARTED, "s3").At(T0() + absl::Minutes(30)));
  base_.Apply(EventBuilder("conv", v1::EVENT_TYPE_RENEWED, "s3").At(T0() + absl::Minutes(40)));
  base_.Apply(EventBuilder("x", v1::EVENT_TYPE_EXPIRED, "s1").At(T0() + absl::Minutes(45)));
  base_.Apply(EventBuilder("r", v1::EVENT_TYPE_REFUNDED, "s2")
                  .Price(2'000'000, "EUR")
                  .At(T0() + absl::Minutes(50)));

  v1::SummaryResponse s = base_.Summary({});
  const v1::WindowCounts& hour = Window(s, "1h");
  EXPECT_EQ(hour.window_seconds(), 3600);
  EXPECT_EQ(hour.new_paid(), 1);
  EXPECT_EQ(hour.new_trials(), 1);
  EXPECT_EQ(hour.trial_conversions(), 1);
  EXPECT_EQ(hour.churned(), 1);
  EXPECT_EQ(hour.refunds(), 1);
  ASSERT_EQ(hour.refund_amount_size(), 1);
  EXPECT_EQ(hour.refund_amount(0).amount_micros(), 2'000'000);
  EXPECT_EQ(hour.refund_amount_reporting_micros(), 2'200'000);
  EXPECT_EQ(Window(s, "24h").new_paid(), 2);

  // Time moves on: the hour window empties, the day window keeps them.
  clock_.Advance(absl::Hours(2));
  s = base_.Summary({});
  EXPECT_EQ(Window(s, "1h").new_paid(), 0);
  EXPECT_EQ(Window(s, "1h").refunds(), 0);
  EXPECT_EQ(Window(s, "24h").new_paid(), 2);
  EXPECT_EQ(Window(s, "24h").refunds(), 1);
}

TEST_F(SubscriberBaseTest, DuplicatesReturnTheUnchangedStateAndCountOnce) {
  v1::SubscriptionEvent e = EventBuilder("e1", v1::EVENT_TYPE_SUBSCRIPTION_STARTED);
  std::optional<StateRecord> first = base_.Apply(e);
  std::optional<StateRecord> second = base_.Apply(e);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(first->key, "apple/sub-1");
  EXPECT_EQ(second->key, first->key);
  EXPECT_EQ(second->value, first->value);
  v1::SummaryResponse s = base_.Summary({});
  EXPECT_EQ(s.totals().active_subscriptions(), 1);
  EXPECT_EQ(Window(s, "1h").new_paid(), 1);
  EXPECT_EQ(s.events_applied(), 1);
  EXPECT_EQ(s.events_duplicate(), 1);
}

TEST_F(SubscriberBaseTest, IgnoredEventsWriteNoState) {
  EXPECT_FALSE(base_.Apply(EventBuilder("t", v1::EVENT_TYPE_TEST)).has_value());
  EXPECT_FALSE(base_.Apply(EventBuilder("o", v1::EVENT_TYPE_ONE_TIME_PURCHASE)).has_value());
  EXPECT_EQ(base_.size(), 0);
}

TEST_F(SubscriberBaseTest, RestoringTheWrittenRecordsGivesTheSameFigures) {
  std::map<std::string, std::string> topic;  // a compacted topic
  auto apply = [&](const v1::SubscriptionEvent& e) {
    if (auto r = base_.Apply(e)) topic[r->key] = r->value;
  };
  apply(
      EventBuilder("a", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s1").Customer("c1").Purchased(T0()));
  apply(EventBuilder("b", v1::EVENT_TYPE_REFUNDED, "s1").At(T0() + absl::Minutes(10)));
  apply(EventBuilder("c", v1::EVENT_TYPE_TRIAL_STARTED, "s2").PeriodType(v1::PERIOD_TYPE_TRIAL));
  apply(EventBuilder("d", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s3").Price(3'000'000, "EUR"));
  apply(EventBuilder("e", v1::EVENT_TYPE_BILLING_ISSUE, "s3").At(T0() + absl::Minutes(20)));

  SubscriberBase rebuilt(Options(), clock_);
  for (const auto& [k, v] : topic) ASSERT_TRUE(rebuilt.Restore(k, v).ok());
  v1::SummaryResponse a = base_.Summary({});
  v1::SummaryResponse b = rebuilt.Summary({});
  EXPECT_EQ(b.subscriptions_tracked(), 3);
  EXPECT_EQ(b.totals().SerializeAsString(), a.totals().SerializeAsString());

  // Replaying the same events after the rebuild changes nothing.
  rebuilt.Apply(EventBuilder("b", v1::EVENT_TYPE_REFUNDED, "s1").At(T0() + absl::Minutes(10)));
  rebuilt.Apply(
      EventBuilder("d", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s3").Price(3'000'000, "EUR"));
  EXPECT_EQ(rebuilt.Summary({}).totals().SerializeAsString(), a.totals().SerializeAsString());
  EXPECT_EQ(rebuilt.Summary({}).events_duplicate(), 2);
}

TEST_F(SubscriberBaseTest, ANewerRecordForTheSameKeyReplacesTheOlderOne) {
  std::vector<StateRecord> log;  // not compacted yet: every version
  log.push_back(*base_.Apply(EventBuilder("a", v1::EVENT_TYPE_SUBSCRIPTION_STARTED)));
  log.push_back(
      *base_.Apply(EventBuilder("b", v1::EVENT_TYPE_EXPIRED).At(T0() + absl::Minutes(1))));
  SubscriberBase rebuilt(Options(), clock_);
  for (const StateRecord& r : log) ASSERT_TRUE(rebuilt.Restore(r.key, r.value).ok());
  v1::SummaryResponse s = rebuilt.Summary({});
  EXPECT_EQ(s.totals().active_subscriptions(), 0);
  EXPECT_EQ(Window(s, "1h").new_paid(), 1);
  EXPECT_EQ(Window(s, "1h").churned(), 1);
  EXPECT_EQ(s.subscriptions_tracked(), 1);
}

TEST_F(SubscriberBaseTest, RestoreRejectsWhatIsNotAState) {
  absl::Status s = base_.Restore("apple/x", "\xff\xff not a proto");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(base_.Restore("apple/x", "").code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(SubscriberBaseTest, FiltersAndPerProductBreakdown) {
  base_.Apply(EventBuilder("a", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s1").Product("p1"));
  base_.Apply(EventBuilder("b", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s2").Product("p2"));
  base_.Apply(EventBuilder("c", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s3").Product("p2"));
  base_.Apply(EventBuilder("d", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "g1")
                  .Product("p2")
                  .Store(v1::STORE_PLAY_STORE)
                  .App("other"));

  v1::SummaryRequest only_google;
  only_google.set_store(v1::STORE_PLAY_STORE);
  EXPECT_EQ(base_.Summary(only_google).totals().active_subscriptions(), 1);
  v1::SummaryRequest only_demo;
  only_demo.set_app_id("demo");
  EXPECT_EQ(base_.Summary(only_demo).totals().active_subscriptions(), 3);

  v1::ProductBreakdownRequest req;
  req.set_app_id("demo");
  v1::ProductBreakdownResponse p = base_.ProductBreakdown(req);
  ASSERT_EQ(p.products_size(), 2);
  EXPECT_EQ(p.products(0).product_id(), "p1");
  EXPECT_EQ(p.products(0).figures().active_subscriptions(), 1);
  EXPECT_EQ(p.products(1).product_id(), "p2");
  EXPECT_EQ(p.products(1).figures().active_subscriptions(), 2);
  EXPECT_EQ(p.products(1).figures().mrr_reporting_micros(), 2 * 9'990'000);
}

TEST_F(SubscriberBaseTest, GetFindsOneSubscriptionWithItsHistory) {
  base_.Apply(EventBuilder("a", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "k"));
  base_.Apply(EventBuilder("b", v1::EVENT_TYPE_RENEWED, "k").At(T0() + absl::Minutes(1)));
  v1::GetSubscriptionRequest req;
  req.set_subscription_key("k");
  v1::GetSubscriptionResponse r = base_.Get(req);
  ASSERT_EQ(r.subscriptions_size(), 1);
  ASSERT_EQ(r.subscriptions(0).history_size(), 2);
  EXPECT_EQ(r.subscriptions(0).history(1).type(), v1::EVENT_TYPE_RENEWED);
  req.set_store(v1::STORE_PLAY_STORE);
  EXPECT_EQ(base_.Get(req).subscriptions_size(), 0);
}

TEST_F(SubscriberBaseTest, RefundAbuseListsCustomersWithEnoughQuickRefunds) {
  // c1: two quick refunds on two subscriptions; c2: one quick, one late.
  base_.Apply(
      EventBuilder("p1", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s1").Customer("c1").Purchased(T0()));
  base_.Apply(
      EventBuilder("r1", v1::EVENT_TYPE_REFUNDED, "s1").Customer("c1").At(T0() + absl::Hours(1)));
  base_.Apply(
      EventBuilder("p2", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s2").Customer("c1").Purchased(T0()));
  base_.Apply(EventBuilder("r2", v1::EVENT_TYPE_REFUNDED, "s2").At(T0() + absl::Hours(2)));
  base_.Apply(
      EventBuilder("p3", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s3").Customer("c2").Purchased(T0()));
  base_.Apply(EventBuilder("r3", v1::EVENT_TYPE_REFUNDED, "s3").At(T0() + absl::Hours(1)));
  base_.Apply(
      EventBuilder("p4", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s4").Customer("c2").Purchased(T0()));
  base_.Apply(EventBuilder("r4", v1::EVENT_TYPE_REFUNDED, "s4").At(T0() + absl::Hours(72)));

  v1::RefundAbuseResponse r = base_.RefundAbuse({});
  EXPECT_EQ(r.min_refunds(), 2);
  EXPECT_EQ(r.window().seconds(), 48 * 3600);
  ASSERT_EQ(r.customers_size(), 1);
  EXPECT_EQ(r.customers(0).app_id(), "demo");
  EXPECT_EQ(r.customers(0).customer_id(), "c1");
  EXPECT_EQ(r.customers(0).quick_refunds(), 2);
  ASSERT_EQ(r.customers(0).subscription_keys_size(), 2);
  EXPECT_EQ(r.customers(0).subscription_keys(0), "apple/s1");
  v1::RefundAbuseRequest other;
  other.set_app_id("other-app");
  EXPECT_EQ(base_.RefundAbuse(other).customers_size(), 0);
}

TEST_F(SubscriberBaseTest, PrometheusGaugesAndCountersCarryBoundedLabels) {
  MetricsRegistry registry;
  SubscriberBaseOptions o = Options();
  o.registry = &registry;
  o.max_product_labels = 1;
  SubscriberBase base(o, clock_);
  base.Apply(EventBuilder("a", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s1").Product("p1"));
  base.Apply(EventBuilder("b", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s2").Product("p2"));
  base.Apply(EventBuilder("b", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s2").Product("p2"));
  base.PublishGauges(registry);
  const std::string text = registry.Render();
  EXPECT_NE(text.find("storewire_subscribers_active{app=\"demo\",store=\"apple\",environment="
                      "\"production\",product=\"p1\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("product=\"other\"} 1"), std::string::npos) << text;
  EXPECT_EQ(text.find("product=\"p2\""), std::string::npos) << text;
  EXPECT_NE(text.find("storewire_subscribers_events_total{app=\"demo\",store=\"apple\","
                      "environment=\"production\",type=\"SUBSCRIPTION_STARTED\",outcome="
                      "\"duplicate\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("change=\"new_paid\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("storewire_subscribers_mrr{"), std::string::npos) << text;

  // A dimension that empties goes to 0 instead of keeping its last value.
  base.Apply(
      EventBuilder("x", v1::EVENT_TYPE_EXPIRED, "s1").Product("p1").At(T0() + absl::Minutes(1)));
  base.PublishGauges(registry);
  EXPECT_NE(registry.Render().find("product=\"p1\"} 0"), std::string::npos);
}

}  // namespace
}  // namespace storewire::subscriber_base

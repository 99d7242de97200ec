#include "storewire/subscriber_base/state_machine.h"

#include <tuple>

#include "event_builder.h"
#include "gtest/gtest.h"

namespace storewire::subscriber_base {
namespace {

using testing::EventBuilder;
using testing::T0;
using testing::Ts;

StateMachineOptions Options() {
  StateMachineOptions o;
  o.product_periods = {{"pro.yearly", "P1Y"}};
  o.refund_abuse_window = absl::Hours(48);
  o.history_size = 4;
  return o;
}

v1::SubscriptionState Active() {
  v1::SubscriptionState s;
  ApplyEvent(Options(), EventBuilder("e0", v1::EVENT_TYPE_SUBSCRIPTION_STARTED), s);
  return s;
}

v1::SubscriptionState WithStatus(v1::SubscriptionStatus status) {
  v1::SubscriptionState s = Active();
  s.set_status(status);
  return s;
}

// (event type, status before, status after, counted bits)
using Transition =
    std::tuple<v1::EventType, v1::SubscriptionStatus, v1::SubscriptionStatus, uint32_t>;

class TransitionTest : public ::testing::TestWithParam<Transition> {};

TEST_P(TransitionTest, MovesTheStatusAndCounts) {
  const auto& [type, before, after, counted] = GetParam();
  v1::SubscriptionState s = WithStatus(before);
  ApplyOutcome o = ApplyEvent(Options(), EventBuilder("e1", type).At(T0() + absl::Minutes(1)), s);
  ASSERT_EQ(o.kind, ApplyOutcome::kApplied);
  EXPECT_EQ(o.previous_status, before);
  EXPECT_EQ(StatusName(s.status()), StatusName(after));
  EXPECT_EQ(o.counted, counted);
  EXPECT_EQ(s.last_event_id(), "e1");
  EXPECT_EQ(s.history(s.history_size() - 1).status_after(), after);
}

constexpr auto A = v1::SUBSCRIPTION_STATUS_ACTIVE;
constexpr auto T = v1::SUBSCRIPTION_STATUS_TRIAL;
constexpr auto G = v1::SUBSCRIPTION_STATUS_GRACE_PERIOD;
constexpr auto B = v1::SUBSCRIPTION_STATUS_BILLING_RETRY;
constexpr auto H = v1::SUBSCRIPTION_STATUS_ON_HOLD;
constexpr auto P = v1::SUBSCRIPTION_STATUS_PAUSED;
constexpr auto X = v1::SUBSCRIPTION_STATUS_EXPIRED;
constexpr auto R = v1::SUBSCRIPTION_STATUS_REFUNDED;
constexpr auto V = v1::SUBSCRIPTION_STATUS_REVOKED;
constexpr uint32_t kPaid = v1::WINDOWED_METRIC_NEW_PAID;
constexpr uint32_t kTrial = v1::WINDOWED_METRIC_NEW_TRIAL;
constexpr uint32_t kConv = v1::WINDOWED_METRIC_TRIAL_CONVERSION;
constexpr uint32_t kChurn = v1::WINDOWED_METRIC_CHURN;
constexpr uint32_t kRefund = v1::WINDOWED_METRIC_REFUND;

INSTANTIATE_TEST_SUITE_P(
    EveryEventType, TransitionTest,
    ::testing::Values(Transition{v1::EVENT_TYPE_TRIAL_STARTED, X, T, kTrial},
                      Transition{v1::EVENT_TYPE_SUBSCRIPTION_STARTED, X, A, kPaid},
                      Transition{v1::EVENT_TYPE_RESUBSCRIBED, X, A, kPaid},
                      Transition{v1::EVENT_TYPE_RESUBSCRIBED, R, A, kPaid},
                      Transition{v1::EVENT_TYPE_RENEWED, A, A, 0},
                      Transition{v1::EVENT_TYPE_RENEWED, T, A, kConv},
                      Transition{v1::EVENT_TYPE_RENEWED, B, A, 0},
                      Transition{v1::EVENT_TYPE_BILLING_RECOVERED, B, A, 0},
                      Transition{v1::EVENT_TYPE_BILLING_RECOVERED, G, A, 0},
                      Transition{v1::EVENT_TYPE_AUTO_RENEW_DISABLED, A, A, 0},
                      Transition{v1::EVENT_TYPE_AUTO_RENEW_ENABLED, A, A, 0},
                      Transition{v1::EVENT_TYPE_PRODUCT_CHANGED, A, A, 0},
                      Transition{v1::EVENT_TYPE_PRODUCT_CHANGE_SCHEDULED, A, A, 0},
                      Transition{v1::EVENT_TYPE_PRODUCT_CHANGE_CANCELED, A, A, 0},
                      Transition{v1::EVENT_TYPE_BILLING_ISSUE, A, B, 0},
                      Transition{v1::EVENT_TYPE_BILLING_ISSUE, G, G, 0},
                      Transition{v1::EVENT_TYPE_GRACE_PERIOD_STARTED, A, G, 0},
                      Transition{v1::EVENT_TYPE_GRACE_PERIOD_ENDED, G, B, 0},
                      Transition{v1::EVENT_TYPE_ON_HOLD, B, H, 0},
                      Transition{v1::EVENT_TYPE_PAUSED, A, P, 0},
                      Transition{v1::EVENT_TYPE_PAUSE_SCHEDULED, A, A, 0},
                      Transition{v1::EVENT_TYPE_RESUMED, P, A, 0},
                      Transition{v1::EVENT_TYPE_RESUMED, H, A, 0},
                      Transition{v1::EVENT_TYPE_DEFERRED, A, A, 0},
                      Transition{v1::EVENT_TYPE_EXPIRED, A, X, kChurn},
                      Transition{v1::EVENT_TYPE_EXPIRED, B, X, kChurn},
                      Transition{v1::EVENT_TYPE_EXPIRED, X, X, 0},
                      Transition{v1::EVENT_TYPE_REFUNDED, A, R, kRefund},
                      Transition{v1::EVENT_TYPE_REFUND_DECLINED, A, A, 0},
                      Transition{v1::EVENT_TYPE_REFUND_REVERSED, R, A, 0},
                      Transition{v1::EVENT_TYPE_REVOKED, A, V, 0},
                      Transition{v1::EVENT_TYPE_PRICE_INCREASE_PENDING, A, A, 0},
                      Transition{v1::EVENT_TYPE_PRICE_INCREASE_ACCEPTED, A, A, 0},
                      Transition{v1::EVENT_TYPE_OFFER_REDEEMED, A, A, 0},
                      Transition{v1::EVENT_TYPE_OFFER_REDEEMED, X, A, kPaid},
                      Transition{v1::EVENT_TYPE_RENEWAL_EXTENDED, A, A, 0},
                      Transition{v1::EVENT_TYPE_CONSUMPTION_REQUESTED, A, A, 0}));

TEST(StateMachineTest, EventsThatConcernNoSubscriptionAreIgnored) {
  for (v1::EventType type :
       {v1::EVENT_TYPE_TEST, v1::EVENT_TYPE_ONE_TIME_PURCHASE,
        v1::EVENT_TYPE_ONE_TIME_PURCHASE_CANCELED, v1::EVENT_TYPE_EXTERNAL_PURCHASE_TOKEN,
        v1::EVENT_TYPE_CONSENT_RESCINDED, v1::EVENT_TYPE_PENDING_PURCHASE_CANCELED,
        v1::EVENT_TYPE_RENEWAL_EXTENSION_SUMMARY, v1::EVENT_TYPE_UNKNOWN,
        v1::EVENT_TYPE_UNSPECIFIED}) {
    v1::SubscriptionState s = Active();
    const std::string before = s.SerializeAsString();
    EXPECT_EQ(ApplyEvent(Options(), EventBuilder("x", type).At(T0() + absl::Hours(1)), s).kind,
              ApplyOutcome::kIgnored)
        << v1::EventType_Name(type);
    EXPECT_EQ(s.SerializeAsString(), before);
    EXPECT_FALSE(ConcernsSubscription(type));
  }
}

TEST(StateMachineTest, FirstEventFillsTheState) {
  v1::SubscriptionState s;
  ApplyOutcome o = ApplyEvent(Options(),
                              EventBuilder("e1", v1::EVENT_TYPE_SUBSCRIPTION_STARTED)
                                  .Customer("cust-7")
                                  .AutoRenew(true)
                                  .Purchased(T0()),
                              s);
  ASSERT_EQ(o.kind, ApplyOutcome::kApplied);
  EXPECT_EQ(o.previous_status, v1::SUBSCRIPTION_STATUS_UNSPECIFIED);
  EXPECT_EQ(s.store(), v1::STORE_APP_STORE);
  EXPECT_EQ(s.app_id(), "demo");
  EXPECT_EQ(s.environment(), v1::ENVIRONMENT_PRODUCTION);
  EXPECT_EQ(s.subscription_key(), "sub-1");
  EXPECT_EQ(s.product_id(), "pro.monthly");
  EXPECT_EQ(s.status(), v1::SUBSCRIPTION_STATUS_ACTIVE);
  EXPECT_TRUE(s.auto_renew());
  EXPECT_EQ(s.price().amount_micros(), 9'990'000);
  EXPECT_EQ(s.price().currency(), "USD");
  EXPECT_EQ(s.billing_period(), "P1M");
  EXPECT_EQ(s.customer_id(), "cust-7");
  EXPECT_EQ(s.first_seen(), Ts(T0()));
  EXPECT_EQ(s.last_event_at(), Ts(T0()));
  ASSERT_EQ(s.history_size(), 1);
  EXPECT_EQ(s.history(0).event_id(), "e1");
  EXPECT_EQ(s.history(0).counted(), kPaid);
}

TEST(StateMachineTest, TheSameEventIdTwiceChangesNothing) {
  v1::SubscriptionState s = Active();
  v1::SubscriptionEvent expired =
      EventBuilder("e1", v1::EVENT_TYPE_EXPIRED).At(T0() + absl::Hours(1));
  ASSERT_EQ(ApplyEvent(Options(), expired, s).kind, ApplyOutcome::kApplied);
  const std::string after_first = s.SerializeAsString();
  ApplyOutcome again = ApplyEvent(Options(), expired, s);
  EXPECT_EQ(again.kind, ApplyOutcome::kDuplicate);
  EXPECT_EQ(again.counted, 0u);
  EXPECT_EQ(s.SerializeAsString(), after_first);
}

TEST(StateMachineTest, AnOlderEventDoesNotOverwriteNewerState) {
  v1::SubscriptionState s = Active();
  ASSERT_EQ(ApplyEvent(Options(),
                       EventBuilder("late", v1::EVENT_TYPE_EXPIRED).At(T0() + absl::Hours(2)), s)
                .kind,
            ApplyOutcome::kApplied);
  // A renewal that happened before the expiry arrives after it.
  ApplyOutcome o = ApplyEvent(
      Options(),
      EventBuilder("early", v1::EVENT_TYPE_RENEWED).At(T0() + absl::Hours(1)).Price(1, "EUR"), s);
  EXPECT_EQ(o.kind, ApplyOutcome::kStale);
  EXPECT_EQ(s.status(), v1::SUBSCRIPTION_STATUS_EXPIRED);
  EXPECT_EQ(s.price().currency(), "USD");
  EXPECT_EQ(s.last_event_id(), "late");
  EXPECT_EQ(s.last_event_at(), Ts(T0() + absl::Hours(2)));
  // Recorded (so a redelivery is a duplicate), marked stale, counted nowhere.
  const v1::HistoryEntry& h = s.history(s.history_size() - 1);
  EXPECT_EQ(h.event_id(), "early");
  EXPECT_TRUE(h.stale());
  EXPECT_EQ(h.counted(), 0u);
  EXPECT_EQ(ApplyEvent(Options(),
                       EventBuilder("early", v1::EVENT_TYPE_RENEWED).At(T0() + absl::Hours(1)), s)
                .kind,
            ApplyOutcome::kDuplicate);
}

TEST(StateMachineTest, EqualStoreTimesApplyInArrivalOrder) {
  v1::SubscriptionState s = Active();
  ApplyEvent(Options(), EventBuilder("a", v1::EVENT_TYPE_BILLING_ISSUE).At(T0() + absl::Hours(1)),
             s);
  ApplyOutcome o = ApplyEvent(
      Options(), EventBuilder("b", v1::EVENT_TYPE_BILLING_RECOVERED).At(T0() + absl::Hours(1)), s);
  EXPECT_EQ(o.kind, ApplyOutcome::kApplied);
  EXPECT_EQ(s.status(), v1::SUBSCRIPTION_STATUS_ACTIVE);
}

TEST(StateMachineTest, HistoryIsBoundedAndKeepsTheNewest) {
  v1::SubscriptionState s = Active();
  for (int i = 1; i <= 10; ++i) {
    ApplyEvent(
        Options(),
        EventBuilder("r" + std::to_string(i), v1::EVENT_TYPE_RENEWED).At(T0() + absl::Hours(i)), s);
  }
  ASSERT_EQ(s.history_size(), 4);
  EXPECT_EQ(s.history(0).event_id(), "r7");
  EXPECT_EQ(s.history(3).event_id(), "r10");
}

TEST(StateMachineTest, CatalogGivesTheBillingPeriodWhenTheStoreDoesNot) {
  v1::SubscriptionState s;
  ApplyEvent(
      Options(),
      EventBuilder("e1", v1::EVENT_TYPE_SUBSCRIPTION_STARTED).Product("pro.yearly").Period(""), s);
  EXPECT_EQ(s.billing_period(), "P1Y");
  // A plan change to a product outside the catalog forgets the old period.
  ApplyEvent(Options(),
             EventBuilder("e2", v1::EVENT_TYPE_PRODUCT_CHANGED)
                 .Product("mystery")
                 .Period("")
                 .At(T0() + absl::Hours(1)),
             s);
  EXPECT_EQ(s.product_id(), "mystery");
  EXPECT_EQ(s.billing_period(), "");
  // The store's own period wins over the catalog.
  ApplyEvent(Options(),
             EventBuilder("e3", v1::EVENT_TYPE_PRODUCT_CHANGED)
                 .Product("pro.yearly")
                 .Period("P6M")
                 .At(T0() + absl::Hours(2)),
             s);
  EXPECT_EQ(s.billing_period(), "P6M");
}

TEST(StateMachineTest, TrialThenRenewalIsAConversionNotANewPaid) {
  v1::SubscriptionState s;
  ApplyOutcome start = ApplyEvent(
      Options(),
      EventBuilder("t", v1::EVENT_TYPE_SUBSCRIPTION_STARTED).PeriodType(v1::PERIOD_TYPE_TRIAL), s);
  EXPECT_EQ(s.status(), v1::SUBSCRIPTION_STATUS_TRIAL);
  EXPECT_EQ(start.counted, kTrial);
  ApplyOutcome renew = ApplyEvent(Options(),
                                  EventBuilder("r", v1::EVENT_TYPE_RENEWED)
                                      .PeriodType(v1::PERIOD_TYPE_NORMAL)
                                      .At(T0() + absl::Hours(7 * 24)),
                                  s);
  EXPECT_EQ(s.status(), v1::SUBSCRIPTION_STATUS_ACTIVE);
  EXPECT_EQ(renew.counted, kConv);
}

TEST(StateMachineTest, AutoRenewFollowsTheEventTypeWhenTheFieldIsAbsent) {
  v1::SubscriptionState s = Active();
  s.set_auto_renew(true);
  ApplyEvent(Options(),
             EventBuilder("off", v1::EVENT_TYPE_AUTO_RENEW_DISABLED).At(T0() + absl::Hours(1)), s);
  EXPECT_FALSE(s.auto_renew());
  EXPECT_EQ(s.status(), v1::SUBSCRIPTION_STATUS_ACTIVE);  // cancelled, not expired
  ApplyEvent(Options(),
             EventBuilder("on", v1::EVENT_TYPE_AUTO_RENEW_ENABLED).At(T0() + absl::Hours(2)), s);
  EXPECT_TRUE(s.auto_renew());
}

TEST(StateMachineTest, RefundSoonAfterPurchaseIsAQuickRefundWithItsAmount) {
  v1::SubscriptionState s;
  ApplyEvent(Options(), EventBuilder("p", v1::EVENT_TYPE_SUBSCRIPTION_STARTED).Purchased(T0()), s);
  ApplyOutcome o = ApplyEvent(
      Options(),
      EventBuilder("r", v1::EVENT_TYPE_REFUNDED).Price(4'990'000, "EUR").At(T0() + absl::Hours(47)),
      s);
  EXPECT_EQ(o.counted, kRefund);
  EXPECT_EQ(s.quick_refunds(), 1);
  EXPECT_EQ(s.history(s.history_size() - 1).refund().amount_micros(), 4'990'000);
  EXPECT_EQ(s.history(s.history_size() - 1).refund().currency(), "EUR");

  v1::SubscriptionState late;
  ApplyEvent(Options(), EventBuilder("p2", v1::EVENT_TYPE_SUBSCRIPTION_STARTED).Purchased(T0()),
             late);
  ApplyEvent(Options(), EventBuilder("r2", v1::EVENT_TYPE_REFUNDED).At(T0() + absl::Hours(49)),
             late);
  EXPECT_EQ(late.quick_refunds(), 0);
  EXPECT_EQ(late.status(), v1::SUBSCRIPTION_STATUS_REFUNDED);
}

TEST(StateMachineTest, StateKeyNamesStoreAndSubscription) {
  EXPECT_EQ(StateKey(v1::STORE_PLAY_STORE, "tok"), "google/tok");
  EXPECT_EQ(StateKey(v1::STORE_APP_STORE, "2000"), "apple/2000");
}

}  // namespace
}  // namespace storewire::subscriber_base

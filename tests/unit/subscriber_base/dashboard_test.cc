#include "storewire/subscriber_base/dashboard.h"

#include "event_builder.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "storewire/core/clock.h"

namespace storewire::subscriber_base {
namespace {

using testing::EventBuilder;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::T0;

http::Request Get(std::string path) {
  http::Request r;
  r.method = "GET";
  r.target = path;
  r.path = std::move(path);
  return r;
}

class DashboardTest : public ::testing::Test {
 protected:
  FakeClock clock_{T0() + absl::Minutes(10)};
  SubscriberBase base_{SubscriberBaseOptions{}, clock_};
  http::ReadinessCheck ready_ = [] { return absl::OkStatus(); };
};

TEST_F(DashboardTest, PageIsSelfContainedAndPollsTheJsonEndpoint) {
  http::Response r = HandleMetricsAdminRequest(Get("/"), base_, ready_);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/html; charset=utf-8");
  EXPECT_THAT(r.body, HasSubstr("/api/dashboard"));
  EXPECT_THAT(r.body, HasSubstr("id=\"active-subscriptions\""));
  EXPECT_THAT(r.body, HasSubstr("id=\"mrr\""));
  // Nothing loaded from elsewhere at run time.
  EXPECT_THAT(r.body, Not(HasSubstr("src=\"http")));
  EXPECT_THAT(r.body, Not(HasSubstr("href=\"http")));
  EXPECT_THAT(r.body, Not(HasSubstr("@import")));
}

TEST_F(DashboardTest, JsonEndpointServesTheDashboardData) {
  base_.Apply(EventBuilder("a", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s1"));
  base_.Apply(
      EventBuilder("b", v1::EVENT_TYPE_TRIAL_STARTED, "s2").PeriodType(v1::PERIOD_TYPE_TRIAL));
  http::Response r = HandleMetricsAdminRequest(Get("/api/dashboard"), base_, ready_);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  v1::DashboardData d;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.body, &d).ok()) << r.body;
  EXPECT_EQ(d.summary().totals().active_subscriptions(), 1);
  EXPECT_EQ(d.summary().totals().active_trials(), 1);
  EXPECT_EQ(d.summary().totals().mrr_reporting_micros(), 9'990'000);
  ASSERT_EQ(d.last_received_size(), 1);
  EXPECT_EQ(d.last_received(0).store(), v1::STORE_APP_STORE);
  EXPECT_EQ(d.last_received(0).app_id(), "demo");
  ASSERT_EQ(d.events_per_minute_size(), 2);
  EXPECT_EQ(d.events_per_minute(0).count(), 1);
  // Zeros are printed, so the page never sees a missing number.
  EXPECT_THAT(r.body, HasSubstr("\"billingIssues\":\"0\""));
}

TEST_F(DashboardTest, AdminEndpointsStillAnswerAndMetricsIncludeGauges) {
  base_.Apply(EventBuilder("a", v1::EVENT_TYPE_SUBSCRIPTION_STARTED, "s1"));
  EXPECT_EQ(HandleMetricsAdminRequest(Get("/healthz"), base_, ready_).status, 200);
  http::ReadinessCheck not_ready = [] { return absl::UnavailableError("state not rebuilt yet"); };
  http::Response readyz = HandleMetricsAdminRequest(Get("/readyz"), base_, not_ready);
  EXPECT_EQ(readyz.status, 503);
  EXPECT_THAT(readyz.body, HasSubstr("state not rebuilt yet"));
  http::Response metrics = HandleMetricsAdminRequest(Get("/metrics"), base_, ready_);
  EXPECT_EQ(metrics.status, 200);
  EXPECT_THAT(metrics.body, HasSubstr("storewire_subscribers_active{app=\"demo\""));
  EXPECT_EQ(HandleMetricsAdminRequest(Get("/nope"), base_, ready_).status, 404);
  http::Request post = Get("/api/dashboard");
  post.method = "POST";
  EXPECT_EQ(HandleMetricsAdminRequest(post, base_, ready_).status, 405);
}

}  // namespace
}  // namespace storewire::subscriber_base

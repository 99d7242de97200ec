// The dashboard in a real browser: storewire-metrics on the real broker fed
// events, the page opened in headless Chromium (tests/dashboard, Playwright),
// its numbers checked against the gRPC SubscriberBase summary, a screenshot
// saved to <build>/dashboard.png. Skipped without a broker, Chromium or
// tests/dashboard/node_modules (tests/run installs them).
#include <csignal>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "pipeline_fixture.h"
#include "storewire/v1/subscribers.grpc.pb.h"

namespace storewire::testing {
namespace {

using google::protobuf::util::TimeUtil;

TEST_F(PipelineTest, DashboardShowsTheNumbersOfTheGrpcSummary) {
  const std::string node_modules = SourcePath("tests/dashboard/node_modules/playwright-core");
  if (!std::filesystem::exists("/usr/bin/chromium") || !std::filesystem::exists(node_modules)) {
    GTEST_SKIP() << "needs /usr/bin/chromium and tests/dashboard/node_modules (tests/run)";
  }
  const int admin = FreePort();
  const int control = FreePort();
  const std::string config =
      WriteConfig(brokers_, absl::StrCat("metrics:\n  admin_port: ", admin,
                                         "\n  control_port: ", control, "\n  group_id: ", prefix_,
                                         "-metrics\n  transactional_id_prefix: ", prefix_,
                                         "-metrics\n  fx: {EUR: 1.1}\n"));
  ASSERT_TRUE(
      kafka::EnsureTopics(Client(), {{Topic("events.v1"), 3, 1, {}}}, absl::Seconds(30)).ok());
  auto producer = kafka::Producer::Create(Client(), absl::Seconds(30));
  ASSERT_TRUE(producer.ok());
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  const v1::EventType kTypes[] = {v1::EVENT_TYPE_SUBSCRIPTION_STARTED, v1::EVENT_TYPE_TRIAL_STARTED,
                                  v1::EVENT_TYPE_SUBSCRIPTION_STARTED,
                                  v1::EVENT_TYPE_SUBSCRIPTION_STARTED};
  int sent = 0;
  for (int i = 0; i < 40; ++i) {
    for (int step = 0; step < (i % 5 == 0 ? 2 : 1); ++step) {
      v1::SubscriptionEvent e;
      e.set_id(absl::StrCat("dash-", i, "-", step));
      e.set_type(step == 0 ? kTypes[i % 4]
                           : (i % 10 == 0 ? v1::EVENT_TYPE_EXPIRED : v1::EVENT_TYPE_REFUNDED));
      e.set_store(i % 2 ? v1::STORE_APP_STORE : v1::STORE_PLAY_STORE);
      e.set_environment(v1::ENVIRONMENT_PRODUCTION);
      e.set_app_id("demo");
      e.set_subscription_key(absl::StrCat("dash-sub-", i));
      e.set_product_id(i % 3 ? "pro.monthly" : "pro.yearly");
      e.set_billing_period(i % 3 ? "P1M" : "P1Y");
      e.mutable_price()->set_amount_micros(i % 3 ? 7'990'000 : 59'990'000);
      e.mutable_price()->set_currency(i % 4 == 3 ? "EUR" : "USD");
      e.set_period_type(kTypes[i % 4] == v1::EVENT_TYPE_TRIAL_STARTED ? v1::PERIOD_TYPE_TRIAL
                                                                      : v1::PERIOD_TYPE_NORMAL);
      *e.mutable_occurred_at() = TimeUtil::SecondsToTimestamp(now - 600 + step * 60);
      *e.mutable_received_at() = e.occurred_at();
      (*producer)->Send({Topic("events.v1"), e.subscription_key(), e.SerializeAsString(), {}},
                        [](absl::Status s) { EXPECT_TRUE(s.ok()) << s; });
      ++sent;
    }
  }
  ASSERT_TRUE((*producer)->Flush(absl::Seconds(30)).ok());

  auto metrics = ChildProcess::Spawn(
      {BinaryPath("storewire-metrics"), "--config", config, "--instance-id", "dash"}, {},
      dir_ + "/metrics.log");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  auto stub = v1::SubscriberBase::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", control), grpc::InsecureChannelCredentials()));
  v1::SummaryResponse summary;
  ASSERT_TRUE(WaitUntil(
      [&] {
        grpc::ClientContext context;
        context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));
        return stub->Summary(&context, {}, &summary).ok() &&
               summary.events_applied() == static_cast<int64_t>(sent);
      },
      absl::Seconds(120)))
      << metrics->Log();
  ASSERT_EQ(summary.subscriptions_tracked(), 40);
  ASSERT_GT(summary.totals().mrr_reporting_micros(), 0);

  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(summary, &json, options).ok());
  const std::string expected = dir_ + "/summary.json";
  WriteFile(expected, json);
  const std::string screenshot = std::string(STOREWIRE_BINARY_DIR) + "/dashboard.png";
  auto browser =
      ChildProcess::Spawn({"/usr/bin/node", SourcePath("tests/dashboard/dashboard_test.mjs"),
                           absl::StrCat("http://127.0.0.1:", admin, "/"), expected, screenshot},
                          {}, dir_ + "/browser.log");
  ASSERT_TRUE(browser.ok()) << browser.status();
  EXPECT_EQ(browser->Wait(absl::Seconds(90)), 0) << browser->Log();
  EXPECT_TRUE(std::filesystem::exists(screenshot));

  metrics->Signal(SIGTERM);
  EXPECT_EQ(metrics->Wait(absl::Seconds(20)), 0) << metrics->Log();
}

}  // namespace
}  // namespace storewire::testing

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storewire/core/config.h"
#include "storewire/subscriber_base/subscriber_base.h"

namespace storewire {
namespace {

using ::testing::HasSubstr;

TEST(MetricsConfigTest, DefaultsMatchTheContractPorts) {
  absl::StatusOr<Config> c = ParseConfig("kafka: {brokers: x}\n", "t.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->metrics.ports.admin_port, 9104);
  EXPECT_EQ(c->metrics.ports.control_port, 7004);
  EXPECT_EQ(c->metrics.reporting_currency, "USD");
  EXPECT_EQ(c->metrics.refund_abuse_window, absl::Hours(48));
}

TEST(MetricsConfigTest, ParsesTheMetricsBlock) {
  absl::StatusOr<Config> c = ParseConfig(R"(
metrics:
  admin_port: 19104
  control_port: 17004
  reporting_currency: EUR
  fx: {USD: 0.92, GBP: 1.17}
  products:
    - {id: pro.monthly, billing_period: P1M}
    - {id: pro.yearly, billing_period: P1Y}
  windows: [1h, 1d, 7d]
  refund_abuse: {window: 24h, count: 3}
  history_size: 8
)",
                                         "t.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  const MetricsConfig& m = c->metrics;
  EXPECT_EQ(m.ports.admin_port, 19104);
  EXPECT_EQ(m.ports.control_port, 17004);
  EXPECT_EQ(m.reporting_currency, "EUR");
  EXPECT_DOUBLE_EQ(m.fx.at("USD"), 0.92);
  EXPECT_DOUBLE_EQ(m.fx.at("GBP"), 1.17);
  ASSERT_EQ(m.products.size(), 2u);
  EXPECT_EQ(m.products[1].billing_period, "P1Y");
  ASSERT_EQ(m.windows.size(), 3u);
  EXPECT_EQ(m.windows[1], absl::Hours(24));
  EXPECT_EQ(m.refund_abuse_window, absl::Hours(24));
  EXPECT_EQ(m.refund_abuse_count, 3);
  EXPECT_EQ(m.history_size, 8);

  subscriber_base::SubscriberBaseOptions o = subscriber_base::SubscriberBaseOptionsFrom(m);
  EXPECT_EQ(o.state_machine.product_periods.at("pro.yearly"), "P1Y");
  EXPECT_EQ(o.refund_abuse_count, 3);
  EXPECT_EQ(o.aggregates.reporting_currency, "EUR");
}

TEST(MetricsConfigTest, BadValuesNameTheKey) {
  auto code_and_message = [](const char* yaml) { return ParseConfig(yaml, "t.yaml").status(); };
  absl::Status s = code_and_message("metrics: {fx: {EUR: -1}}");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("metrics.fx.EUR"));
  s = code_and_message("metrics: {windows: [soon]}");
  EXPECT_THAT(s.message(), HasSubstr("metrics.windows[0]"));
  s = code_and_message("metrics: {refund_abuse: {count: 0}}");
  EXPECT_THAT(s.message(), HasSubstr("metrics.refund_abuse.count"));
  s = code_and_message("metrics: {products: [{billing_period: P1M}]}");
  EXPECT_THAT(s.message(), HasSubstr("metrics.products[0].id"));
}

}  // namespace
}  // namespace storewire

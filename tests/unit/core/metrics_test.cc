#include "storewire/core/metrics.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace storewire {
namespace {

using ::testing::HasSubstr;

TEST(MetricsTest, RendersCountersGaugesAndHistogramsInTextFormat) {
  MetricsRegistry registry;
  registry.GetCounter("requests_total", "Requests", {{"route", "apple"}, {"status", "200"}})
      .Increment(3);
  registry.GetGauge("in_flight", "In flight").Set(2);
  Histogram& h = registry.GetHistogram("latency_seconds", "Latency", {}, {0.01, 0.1});
  h.Observe(0.005);
  h.Observe(0.05);
  h.Observe(5);
  std::string text = registry.Render();
  EXPECT_THAT(text, HasSubstr("# TYPE requests_total counter\n"));
  EXPECT_THAT(text, HasSubstr("requests_total{route=\"apple\",status=\"200\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("in_flight 2\n"));
  EXPECT_THAT(text, HasSubstr("latency_seconds_bucket{le=\"0.01\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("latency_seconds_bucket{le=\"0.1\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("latency_seconds_bucket{le=\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("latency_seconds_count 3\n"));
}

TEST(MetricsTest, SameNameAndLabelsIsSameMetric) {
  MetricsRegistry registry;
  Counter& a = registry.GetCounter("c", "help", {{"k", "v"}});
  Counter& b = registry.GetCounter("c", "help", {{"k", "v"}});
  EXPECT_EQ(&a, &b);
  a.Increment();
  EXPECT_EQ(b.Value(), 1u);
}

TEST(MetricsTest, EscapesLabelValues) {
  MetricsRegistry registry;
  registry.GetCounter("c", "help", {{"k", "a\"b\\c"}}).Increment();
  EXPECT_THAT(registry.Render(), HasSubstr("c{k=\"a\\\"b\\\\c\"} 1"));
}

}  // namespace
}  // namespace storewire

// The webhooks: block of the config file (libs/core), as storewire-webhooks reads it.
#include "storewire/core/config.h"

#include "gtest/gtest.h"

namespace storewire {
namespace {

TEST(WebhooksConfigTest, DefaultsMatchTheDocumentedOnes) {
  absl::StatusOr<Config> c = ParseConfig("kafka:\n  brokers: x:1\n", "t.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  const WebhooksConfig& w = c->webhooks;
  EXPECT_EQ(w.ports.admin_port, 9103);
  EXPECT_EQ(w.ports.control_port, 7003);
  EXPECT_EQ(w.connect_timeout, absl::Seconds(5));
  EXPECT_EQ(w.total_timeout, absl::Seconds(15));
  EXPECT_EQ(w.retry_schedule.size(), 7u);
  EXPECT_FALSE(w.allow_private_targets);
  EXPECT_EQ(w.disable_after, absl::Hours(120));
  EXPECT_DOUBLE_EQ(w.retry_jitter, 0.2);
}

TEST(WebhooksConfigTest, ReadsEveryKey) {
  absl::StatusOr<Config> c = ParseConfig(
      "webhooks:\n  retry_schedule: [1s, 250ms]\n  allow_private_targets: true\n"
      "  admin_port: 1\n  control_port: 2\n  group_id: g\n  connect_timeout: 2s\n"
      "  total_timeout: 4s\n  max_in_flight_per_endpoint: 3\n  max_queued_per_endpoint: 9\n"
      "  disable_after: 1d\n  retry_jitter: 0\n  min_retry_after: 2s\n  max_retry_after: 5m\n"
      "  circuit_failure_threshold: 4\n  circuit_open_duration: 10s\n"
      "  secret_rotation_overlap: 1h\n  max_response_bytes: 100\n",
      "t.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  const WebhooksConfig& w = c->webhooks;
  EXPECT_EQ(w.retry_schedule,
            (std::vector<absl::Duration>{absl::Seconds(1), absl::Milliseconds(250)}));
  EXPECT_TRUE(w.allow_private_targets);
  EXPECT_EQ(w.ports.admin_port, 1);
  EXPECT_EQ(w.ports.control_port, 2);
  EXPECT_EQ(w.group_id, "g");
  EXPECT_EQ(w.connect_timeout, absl::Seconds(2));
  EXPECT_EQ(w.total_timeout, absl::Seconds(4));
  EXPECT_EQ(w.max_in_flight_per_endpoint, 3);
  EXPECT_EQ(w.max_queued_per_endpoint, 9);
  EXPECT_EQ(w.disable_after, absl::Hours(24));
  EXPECT_DOUBLE_EQ(w.retry_jitter, 0);
  EXPECT_EQ(w.min_retry_after, absl::Seconds(2));
  EXPECT_EQ(w.max_retry_after, absl::Minutes(5));
  EXPECT_EQ(w.circuit_failure_threshold, 4);
  EXPECT_EQ(w.circuit_open_duration, absl::Seconds(10));
  EXPECT_EQ(w.secret_rotation_overlap, absl::Hours(1));
  EXPECT_EQ(w.max_response_bytes, 100);
}

TEST(WebhooksConfigTest, BadValuesNameTheKey) {
  absl::StatusOr<Config> c = ParseConfig("webhooks:\n  retry_jitter: 1.5\n", "t.yaml");
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(c.status().message().find("webhooks.retry_jitter"), std::string::npos);
  c = ParseConfig("webhooks:\n  max_in_flight_per_endpoint: 0\n", "t.yaml");
  EXPECT_NE(c.status().message().find("webhooks.max_in_flight_per_endpoint"), std::string::npos);
  c = ParseConfig("webhooks:\n  total_timeout: soon\n", "t.yaml");
  EXPECT_NE(c.status().message().find("webhooks.total_timeout"), std::string::npos);
}

}  // namespace
}  // namespace storewire

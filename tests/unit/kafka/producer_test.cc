// Producer behaviour without a reachable broker (no cluster needed).
#include <gtest/gtest.h>

#include <string>

#include "kafka_test_util.h"
#include "storewire/kafka/kafka.h"

namespace storewire::kafka {
namespace {

using testing::DeliveryLog;

// Port 1 on loopback: connections are refused.
constexpr char kUnreachable[] = "127.0.0.1:1";

TEST(Producer, UnreachableBrokerCompletesEveryCallbackRetryablyWithinTheTimeout) {
  const absl::Duration delivery_timeout = absl::Seconds(2);
  auto producer = Producer::Create({.brokers = kUnreachable}, delivery_timeout);
  ASSERT_TRUE(producer.ok()) << producer.status();
  DeliveryLog log;
  const absl::Time start = absl::Now();
  for (int i = 0; i < 20; ++i) {
    (*producer)->Send({.topic = "t", .key = "k", .value = std::to_string(i)}, log.Callback());
  }
  EXPECT_EQ((*producer)->InFlight(), 20);
  ASSERT_TRUE(log.WaitFor(20, delivery_timeout + absl::Seconds(5)));
  EXPECT_LT(absl::Now() - start, delivery_timeout + absl::Seconds(5));
  for (const absl::Status& status : log.statuses()) {
    EXPECT_TRUE(status.code() == absl::StatusCode::kDeadlineExceeded ||
                status.code() == absl::StatusCode::kUnavailable)
        << status;
    EXPECT_TRUE(IsRetryable(status));
    EXPECT_NE(status.message().find("Hint: check kafka.brokers (127.0.0.1:1)"), std::string::npos)
        << status;
  }
  EXPECT_EQ((*producer)->InFlight(), 0);
  EXPECT_EQ(log.statuses().size(), 20u);
}

TEST(Producer, CheckReachableFailsRetryablyForUnreachableBroker) {
  auto producer = Producer::Create({.brokers = kUnreachable}, absl::Seconds(2));
  ASSERT_TRUE(producer.ok()) << producer.status();
  absl::Status status = (*producer)->CheckReachable(absl::Milliseconds(500));
  EXPECT_TRUE(status.code() == absl::StatusCode::kDeadlineExceeded ||
              status.code() == absl::StatusCode::kUnavailable)
      << status;
}

TEST(Producer, QueueFullCompletesImmediatelyWithResourceExhausted) {
  auto producer = Producer::Create(
      {.brokers = kUnreachable, .properties = {{"queue.buffering.max.messages", "1"}}},
      absl::Seconds(2));
  ASSERT_TRUE(producer.ok()) << producer.status();
  DeliveryLog first;
  (*producer)->Send({.topic = "t", .value = "fills the queue"}, first.Callback());
  DeliveryLog second;
  (*producer)->Send({.topic = "t", .value = "does not fit"}, second.Callback());
  // The callback ran inside Send: no waiting.
  ASSERT_EQ(second.statuses().size(), 1u);
  EXPECT_EQ(second.statuses()[0].code(), absl::StatusCode::kResourceExhausted)
      << second.statuses()[0];
  ASSERT_TRUE(first.WaitFor(1, absl::Seconds(10)));
}

TEST(Producer, OversizedRecordIsInvalidArgument) {
  auto producer = Producer::Create(
      {.brokers = kUnreachable, .properties = {{"message.max.bytes", "1000"}}}, absl::Seconds(2));
  ASSERT_TRUE(producer.ok()) << producer.status();
  DeliveryLog log;
  (*producer)->Send({.topic = "t", .value = std::string(5000, 'x')}, log.Callback());
  ASSERT_TRUE(log.WaitFor(1, absl::Seconds(5)));
  EXPECT_EQ(log.statuses()[0].code(), absl::StatusCode::kInvalidArgument) << log.statuses()[0];
}

TEST(Producer, RejectsBadConfigurationWithTheProperty) {
  auto producer = Producer::Create(
      {.brokers = kUnreachable, .properties = {{"no.such.property", "1"}}}, absl::Seconds(2));
  ASSERT_FALSE(producer.ok());
  EXPECT_EQ(producer.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(producer.status().message().find("no.such.property"), std::string::npos);

  auto no_brokers = Producer::Create({.brokers = ""}, absl::Seconds(2));
  EXPECT_EQ(no_brokers.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace storewire::kafka

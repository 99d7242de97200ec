#include "errors.h"

#include <gtest/gtest.h>

#include "storewire/kafka/kafka.h"

namespace storewire::kafka {
namespace {

using internal::FromError;

TEST(ErrorMapping, TransportAndTimeoutsAreRetryableAndNameTheBrokers) {
  absl::Status transport = FromError(RD_KAFKA_RESP_ERR__TRANSPORT, "produce", "h:9092");
  EXPECT_EQ(transport.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(IsRetryable(transport));
  EXPECT_NE(transport.message().find("Hint: check kafka.brokers (h:9092)"), std::string::npos)
      << transport;

  absl::Status down = FromError(RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, "produce", "h:9092");
  EXPECT_EQ(down.code(), absl::StatusCode::kUnavailable);

  absl::Status timeout = FromError(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, "delivery", "h:9092");
  EXPECT_EQ(timeout.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(IsRetryable(timeout));
}

TEST(ErrorMapping, QueueFullIsResourceExhausted) {
  absl::Status status = FromError(RD_KAFKA_RESP_ERR__QUEUE_FULL, "produce", "h:9092");
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(IsRetryable(status));
}

TEST(ErrorMapping, TooLargeIsInvalidArgumentWithHint) {
  absl::Status status = FromError(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, "produce", "h:9092");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(IsRetryable(status));
  EXPECT_NE(status.message().find("message.max.bytes"), std::string::npos) << status;
}

TEST(ErrorMapping, AuthFailuresArePermissionDenied) {
  for (rd_kafka_resp_err_t err :
       {RD_KAFKA_RESP_ERR__AUTHENTICATION, RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED,
        RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED}) {
    absl::Status status = FromError(err, "produce", "h:9092");
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << status;
    EXPECT_NE(status.message().find("Hint: check the security.protocol"), std::string::npos);
  }
}

TEST(ErrorMapping, FencingIsAbortedAndNotRetryable) {
  absl::Status status = FromError(RD_KAFKA_RESP_ERR__FENCED, "commit", "h:9092");
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_FALSE(IsRetryable(status));
  EXPECT_NE(status.message().find("transactional.id"), std::string::npos);
}

TEST(ErrorMapping, UnknownTopicIsNotFoundAndAlreadyExistsIsAlreadyExists) {
  EXPECT_EQ(FromError(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, "x", "b").code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(FromError(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS, "x", "b").code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_TRUE(FromError(RD_KAFKA_RESP_ERR_NO_ERROR, "x", "b").ok());
}

}  // namespace
}  // namespace storewire::kafka

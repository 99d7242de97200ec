#include "storewire/webhooks/retry_policy.h"

#include "gtest/gtest.h"

namespace storewire::webhooks {
namespace {

absl::StatusOr<http::ClientResponse> Response(int status, http::HeaderList headers = {}) {
  http::ClientResponse r;
  r.status = status;
  r.headers = std::move(headers);
  return r;
}

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

TEST(ClassifyTest, OnlyTwoHundredsAreDelivered) {
  EXPECT_EQ(Classify(Response(200), kNow).kind, Outcome::Kind::kDelivered);
  EXPECT_EQ(Classify(Response(204), kNow).kind, Outcome::Kind::kDelivered);
  EXPECT_EQ(Classify(Response(301), kNow).kind, Outcome::Kind::kRetry);  // no redirects
  Outcome o = Classify(Response(500), kNow);
  EXPECT_EQ(o.kind, Outcome::Kind::kRetry);
  EXPECT_EQ(o.status, 500);
  EXPECT_EQ(o.label, "5xx");
  EXPECT_EQ(o.error, "HTTP 500");
  EXPECT_EQ(Classify(Response(400), kNow).label, "4xx");
}

TEST(ClassifyTest, GoneDisables) {
  Outcome o = Classify(Response(410), kNow);
  EXPECT_EQ(o.kind, Outcome::Kind::kGone);
  EXPECT_EQ(o.label, "410");
}

TEST(ClassifyTest, TransportErrorsAreRetriedWithTheirLabel) {
  EXPECT_EQ(Classify(absl::DeadlineExceededError("t"), kNow).label, "timeout");
  EXPECT_EQ(Classify(absl::UnavailableError("refused"), kNow).label, "connect");
  Outcome o = Classify(absl::PermissionDeniedError("loopback"), kNow);
  EXPECT_EQ(o.kind, Outcome::Kind::kRetry);
  EXPECT_EQ(o.label, "refused");
}

TEST(ClassifyTest, RetryAfterIsReadOn429And503Only) {
  EXPECT_EQ(Classify(Response(429, {{"retry-after", "120"}}), kNow).retry_after,
            absl::Seconds(120));
  EXPECT_EQ(Classify(Response(503, {{"retry-after", "7"}}), kNow).retry_after, absl::Seconds(7));
  EXPECT_FALSE(Classify(Response(500, {{"retry-after", "7"}}), kNow).retry_after.has_value());
}

TEST(RetryAfterTest, SecondsOrHttpDate) {
  EXPECT_EQ(ParseRetryAfter("30", kNow), absl::Seconds(30));
  const absl::Time t = absl::FromUnixSeconds(1445412480);  // Wed, 21 Oct 2015 07:28:00 GMT
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", t - absl::Seconds(90)),
            absl::Seconds(90));
  EXPECT_FALSE(ParseRetryAfter("soon", kNow).has_value());
  EXPECT_FALSE(ParseRetryAfter("-5", kNow).has_value());
}

TEST(RetryPolicyTest, FollowsTheScheduleWithJitterThenGivesUp) {
  WebhooksConfig c;  // 5s, 5m, 30m, 2h, 5h, 10h, 10h; +/-20%
  RetryPolicy p("sw", c);
  EXPECT_EQ(p.max_attempts(), 8);
  EXPECT_EQ(p.DelayAfter(1, std::nullopt, 0.5), absl::Seconds(5));
  EXPECT_EQ(p.DelayAfter(1, std::nullopt, 0.0), absl::Seconds(4));
  EXPECT_EQ(p.DelayAfter(2, std::nullopt, 0.5), absl::Minutes(5));
  EXPECT_EQ(p.DelayAfter(7, std::nullopt, 0.5), absl::Hours(10));
  EXPECT_FALSE(p.DelayAfter(8, std::nullopt, 0.5).has_value());
  EXPECT_EQ(p.TopicFor(1), "sw.webhooks.retry.5s");
  EXPECT_EQ(p.TopicFor(2), "sw.webhooks.retry.5m");
  EXPECT_EQ(p.TopicFor(6), "sw.webhooks.retry.10h");
  EXPECT_EQ(p.TopicFor(7), "sw.webhooks.retry.10h");
}

TEST(RetryPolicyTest, RetryAfterIsClampedToItsBounds) {
  WebhooksConfig c;
  c.min_retry_after = absl::Seconds(1);
  c.max_retry_after = absl::Hours(1);
  RetryPolicy p("sw", c);
  EXPECT_EQ(p.DelayAfter(1, absl::Seconds(90), 0.5), absl::Seconds(90));
  EXPECT_EQ(p.DelayAfter(1, absl::Hours(48), 0.5), absl::Hours(1));
  EXPECT_EQ(p.DelayAfter(1, absl::ZeroDuration(), 0.5), absl::Seconds(1));
  EXPECT_FALSE(p.DelayAfter(8, absl::Seconds(5), 0.5).has_value());  // still gives up
}

// A long Retry-After goes to the topic of the shortest step that covers it,
// so it never holds up the short retries waiting in its own step's topic.
TEST(RetryPolicyTest, LongDelaysGoToATopicThatCoversThem) {
  WebhooksConfig c;  // 5s, 5m, 30m, 2h, 5h, 10h, 10h; +/-20%
  RetryPolicy p("sw", c);
  EXPECT_EQ(p.TopicFor(1, absl::Seconds(6)), "sw.webhooks.retry.5s");  // within the jitter
  EXPECT_EQ(p.TopicFor(1, absl::Seconds(90)), "sw.webhooks.retry.5m");
  EXPECT_EQ(p.TopicFor(1, absl::Hours(1)), "sw.webhooks.retry.2h");
  EXPECT_EQ(p.TopicFor(2, absl::Minutes(31)), "sw.webhooks.retry.2h");
  EXPECT_EQ(p.TopicFor(3, absl::Seconds(20)), "sw.webhooks.retry.30m") << "never a shorter step";
  EXPECT_EQ(p.TopicFor(1, absl::Hours(30)), "sw.webhooks.retry.10h") << "the longest at most";
}

TEST(WebhookTopicsTest, OneTopicPerDistinctStepAndCompactedRegistryAndDlq) {
  WebhookTopics t("sw", WebhooksConfig().retry_schedule);
  EXPECT_EQ(t.endpoints, "sw.webhooks.endpoints");
  EXPECT_EQ(t.dlq, "sw.webhooks.dlq");
  EXPECT_EQ(t.retry, (std::vector<std::string>{"sw.webhooks.retry.5s", "sw.webhooks.retry.5m",
                                               "sw.webhooks.retry.30m", "sw.webhooks.retry.2h",
                                               "sw.webhooks.retry.5h", "sw.webhooks.retry.10h"}));
  std::vector<kafka::TopicSpec> specs = t.Specs(6, 1);
  ASSERT_EQ(specs.size(), 8u);
  EXPECT_EQ(specs[0].configs.at("cleanup.policy"), "compact");
  EXPECT_EQ(specs[0].partitions, 1);
  EXPECT_EQ(specs[1].configs.at("cleanup.policy"), "compact");
  EXPECT_EQ(specs[2].partitions, 6);
  EXPECT_EQ(StepName(absl::Milliseconds(250)), "250ms");
}

}  // namespace
}  // namespace storewire::webhooks

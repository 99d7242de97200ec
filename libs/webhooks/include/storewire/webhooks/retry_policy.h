// When a failed delivery is tried again, and what an HTTP result means.
//
//   RetryPolicy policy(config.webhooks);
//   Outcome o = Classify(response, now);            // delivered / retry / gone
//   std::optional<absl::Duration> d = policy.DelayAfter(attempts, o.retry_after, rand01);
//   if (!d) { /* schedule exhausted: dead letter */ }
//   policy.TopicFor(attempts)                      // "<prefix>.webhooks.retry.5m"
//
// Success is 2xx only; 410 disables the endpoint; everything else (other
// statuses, timeouts, connection errors, refused addresses) is retried.
// Thread safety: immutable after construction.
#ifndef STOREWIRE_WEBHOOKS_RETRY_POLICY_H_
#define STOREWIRE_WEBHOOKS_RETRY_POLICY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storewire/core/config.h"
#include "storewire/http/client.h"
#include "storewire/kafka/kafka.h"

namespace storewire::webhooks {

struct Outcome {
  enum class Kind { kDelivered, kRetry, kGone };
  Kind kind = Kind::kRetry;
  int status = 0;     // HTTP status, 0 = no response
  std::string error;  // short reason for logs, status and the DLQ ("timeout", "HTTP 500")
  // From a Retry-After header of a 429/503 (unbounded; the policy clamps it).
  std::optional<absl::Duration> retry_after;
  // Label value for metrics: "2xx", "4xx", "5xx", "410", "timeout", "connect", "refused".
  std::string label;
};

Outcome Classify(const absl::StatusOr<http::ClientResponse>& result, absl::Time now);

// Retry-After: delta seconds or an HTTP date. nullopt when unparsable.
std::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now);

// "5s", "5m", "2h", "250ms": the topic suffix of a schedule step.
std::string StepName(absl::Duration step);

// The topics of webhook delivery under a prefix.
struct WebhookTopics {
  explicit WebhookTopics(const std::string& prefix, const std::vector<absl::Duration>& schedule);
  std::string endpoints;  // compacted registry
  std::string dlq;        // compacted by delivery key
  // One per distinct step of the schedule, in schedule order.
  std::vector<std::string> retry;
  std::vector<kafka::TopicSpec> Specs(int partitions, int replication_factor) const;
};

class RetryPolicy {
 public:
  RetryPolicy(const std::string& topic_prefix, const WebhooksConfig& config);
  // The delay before the attempt after `attempts_done` failed attempts, with
  // jitter (`random01` in [0,1)); a Retry-After is used instead when given,
  // within [min_retry_after, max_retry_after]. nullopt: no attempts left.
  std::optional<absl::Duration> DelayAfter(int attempts_done,
                                           std::optional<absl::Duration> retry_after,
                                           double random01) const;
  // The delay topic that holds a delivery after `attempts_done` failures.
  const std::string& TopicFor(int attempts_done) const;
  // The delay topic for a delivery due after `delay`: the one of its step,
  // unless the delay (a Retry-After) is longer than that step allows; then
  // the topic of the shortest step at least as long (else the longest), so
  // a long wait never holds up the short retries of a shorter step's topic.
  const std::string& TopicFor(int attempts_done, absl::Duration delay) const;
  int max_attempts() const { return static_cast<int>(schedule_.size()) + 1; }
  const WebhookTopics& topics() const { return topics_; }

 private:
  std::vector<absl::Duration> schedule_;
  double jitter_;
  absl::Duration min_retry_after_;
  absl::Duration max_retry_after_;
  WebhookTopics topics_;
  std::vector<std::string> topic_per_step_;
};

}  // namespace storewire::webhooks

#endif  // STOREWIRE_WEBHOOKS_RETRY_POLICY_H_

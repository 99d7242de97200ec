#include "storewire/webhooks/retry_policy.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace storewire::webhooks {

Outcome Classify(const absl::StatusOr<http::ClientResponse>& result, absl::Time now) {
  Outcome o;
  if (!result.ok()) {
    o.kind = Outcome::Kind::kRetry;
    switch (result.status().code()) {
      case absl::StatusCode::kDeadlineExceeded:
        o.label = "timeout";
        o.error = "timeout";
        break;
      case absl::StatusCode::kPermissionDenied:
        o.label = "refused";
        o.error = "address refused by the SSRF guard (webhooks.allow_private_targets)";
        break;
      default:
        o.label = "connect";
        o.error = absl::StrCat("no response: ", result.status().message());
    }
    return o;
  }
  o.status = result->status;
  if (o.status >= 200 && o.status < 300) {
    o.kind = Outcome::Kind::kDelivered;
    o.label = "2xx";
    return o;
  }
  o.error = absl::StrCat("HTTP ", o.status);
  if (o.status == 410) {
    o.kind = Outcome::Kind::kGone;
    o.label = "410";
    return o;
  }
  o.kind = Outcome::Kind::kRetry;
  o.label = o.status >= 500 ? "5xx" : (o.status >= 400 ? "4xx" : "other");
  if (o.status == 429 || o.status == 503) {
    o.retry_after = ParseRetryAfter(result->Header("retry-after"), now);
  }
  return o;
}

std::optional<absl::Duration> ParseRetryAfter(absl::string_view value, absl::Time now) {
  value = absl::StripAsciiWhitespace(value);
  if (value.empty()) return std::nullopt;
  int64_t seconds = 0;
  if (absl::SimpleAtoi(value, &seconds)) {
    if (seconds < 0) return std::nullopt;
    return absl::Seconds(seconds);
  }
  absl::Time when;
  std::string error;
  if (absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", value, absl::UTCTimeZone(), &when, &error)) {
    return std::max(absl::ZeroDuration(), when - now);
  }
  return std::nullopt;
}

std::string StepName(absl::Duration step) {
  const int64_t ms = absl::ToInt64Milliseconds(step);
  if (ms % (3600 * 1000) == 0 && ms > 0) return absl::StrCat(ms / (3600 * 1000), "h");
  if (ms % (60 * 1000) == 0 && ms > 0) return absl::StrCat(ms / (60 * 1000), "m");
  if (ms % 1000 == 0) return absl::StrCat(ms / 1000, "s");
  return absl::StrCat(ms, "ms");
}

WebhookTopics::WebhookTopics(const std::string& prefix, const std::vector<absl::Duration>& schedule)
    : endpoints(prefix + ".webhooks.endpoints"), dlq(prefix + ".webhooks.dlq") {
  for (absl::Duration step : schedule) {
    std::string name = absl::StrCat(prefix, ".webhooks.retry.", StepName(step));
    if (std::find(retry.begin(), retry.end(), name) == retry.end()) retry.push_back(name);
  }
}

std::vector<kafka::TopicSpec> WebhookTopics::Specs(int partitions, int replication_factor) const {
  // The registry and the DLQ are small and read whole: one partition each, so
  // a reader knows it reached the end when it sees its own marker.
  std::vector<kafka::TopicSpec> specs = {
      {endpoints, 1, replication_factor, {{"cleanup.policy", "compact"}}},
      {dlq, 1, replication_factor, {{"cleanup.policy", "compact"}}}};
  for (const std::string& topic : retry)
    specs.push_back({topic, partitions, replication_factor, {}});
  return specs;
}

RetryPolicy::RetryPolicy(const std::string& topic_prefix, const WebhooksConfig& config)
    : schedule_(config.retry_schedule),
      jitter_(config.retry_jitter),
      min_retry_after_(config.min_retry_after),
      max_retry_after_(config.max_retry_after),
      topics_(topic_prefix, config.retry_schedule) {
  for (absl::Duration step : schedule_) {
    topic_per_step_.push_back(absl::StrCat(topic_prefix, ".webhooks.retry.", StepName(step)));
  }
}

std::optional<absl::Duration> RetryPolicy::DelayAfter(int attempts_done,
                                                      std::optional<absl::Duration> retry_after,
                                                      double random01) const {
  if (attempts_done < 1 || attempts_done > static_cast<int>(schedule_.size())) {
    return std::nullopt;
  }
  if (retry_after.has_value()) return std::clamp(*retry_after, min_retry_after_, max_retry_after_);
  const absl::Duration step = schedule_[attempts_done - 1];
  return step * (1.0 + jitter_ * (2.0 * random01 - 1.0));
}

const std::string& RetryPolicy::TopicFor(int attempts_done) const {
  const int index = std::clamp(attempts_done, 1, static_cast<int>(topic_per_step_.size())) - 1;
  return topic_per_step_[index];
}

const std::string& RetryPolicy::TopicFor(int attempts_done, absl::Duration delay) const {
  const int index = std::clamp(attempts_done, 1, static_cast<int>(topic_per_step_.size())) - 1;
  if (delay <= schedule_[index] * (1.0 + jitter_)) return topic_per_step_[index];
  size_t best = index;
  for (size_t i = 0; i < schedule_.size(); ++i) {
    if (schedule_[i] > schedule_[best]) best = i;  // the longest step
  }
  for (size_t i = 0; i < schedule_.size(); ++i) {  // the shortest one covering the delay

    if (schedule_[i] >= delay && schedule_[i] < schedule_[best]) best = i;
  }
  return topic_per_step_[best];
}

}  // namespace storewire::webhooks

// Dead letters and replays, for the WebhookControl service.
//
// The DLQ (`<prefix>.webhooks.dlq`) is compacted, keyed "<endpoint>/<event
// id>": the latest record of a key says whether the delivery is dead or was
// redriven. Redrive and replay hand deliveries to the first retry topic with
// zero attempts and "due now"; the dispatcher then sends them, re-signed with
// a fresh timestamp and the same webhook-id.
//
//   DeadLetters dlq(client, producer, policy, clock);
//   auto dead = dlq.List("ep_...");             // oldest first
//   auto n = dlq.Redrive("ep_...", "");         // all of the endpoint's
//   auto m = dlq.Replay(endpoint, from, to, events_topic);
//
// Errors: kUnavailable / kDeadlineExceeded when Kafka is not reachable,
// kFailedPrecondition with an empty retry schedule. Thread safety: any
// thread; each call reads the topic with a throwaway consumer group.
#ifndef STOREWIRE_WEBHOOKS_DEAD_LETTERS_H_
#define STOREWIRE_WEBHOOKS_DEAD_LETTERS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "storewire/core/clock.h"
#include "storewire/kafka/kafka.h"
#include "storewire/v1/webhooks.pb.h"
#include "storewire/webhooks/retry_policy.h"

namespace storewire::webhooks {

class DeadLetters {
 public:
  DeadLetters(kafka::ClientOptions client, kafka::RecordSink& sink, const RetryPolicy& policy,
              const Clock& clock);

  // Dead deliveries (not redriven), of one endpoint or all ("").
  absl::StatusOr<std::vector<v1::WebhookDelivery>> List(const std::string& endpoint_id);
  // Redrives the endpoint's dead letters (one event id, or all when "").
  absl::StatusOr<int> Redrive(const std::string& endpoint_id, const std::string& event_id);
  // Queues every event of `events_topic` whose receivedAt is in [from, to)
  // and which matches the endpoint's filter.
  absl::StatusOr<int> Replay(const v1::WebhookEndpoint& endpoint, absl::Time from, absl::Time to,
                             const std::string& events_topic);

 private:
  absl::Status Queue(const std::string& endpoint_id, const v1::SubscriptionEvent& event);
  // Queues what `dead` carries (an event or a raw notification) afresh:
  // attempt 0, due now.
  absl::Status Queue(const v1::WebhookDelivery& dead);

  kafka::ClientOptions client_;
  kafka::RecordSink& sink_;
  const RetryPolicy& policy_;
  const Clock& clock_;
};

}  // namespace storewire::webhooks

#endif  // STOREWIRE_WEBHOOKS_DEAD_LETTERS_H_

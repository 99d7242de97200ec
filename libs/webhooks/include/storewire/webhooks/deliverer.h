// Delivers one event to one endpoint and decides what happens next: done
// (2xx), handed to a retry topic (failure, schedule not exhausted), or to the
// dead-letter topic. A slow or dead endpoint never delays the others:
//   - at most `max_in_flight` requests per endpoint; more wait in a bounded
//     per-endpoint queue, beyond it they are deferred to the first retry topic
//     (not counted as an attempt);
//   - a circuit breaker: after `circuit_failure_threshold` consecutive failures
//     the endpoint's deliveries are deferred without a request for
//     `circuit_open_duration`, then one probe is let through;
//   - 410 Gone disables the endpoint; an endpoint failing every attempt for
//     `disable_after` is disabled too (its status says why).
//
//   Deliverer d(options, client, sink, store, policy, clock);
//   d.Submit(job, [] { /* delivered, handed on or dropped: commit */ });
//
// `done` runs exactly once per Submit, on an HTTP or Kafka callback thread,
// once the delivery needs nothing more from the caller's record: a 2xx, or
// its retry/DLQ record acknowledged by Kafka. A failed hand-off to Kafka is
// retried every second until it succeeds, never dropped.
// Thread safety: every method may be called from any thread.
#ifndef STOREWIRE_WEBHOOKS_DELIVERER_H_
#define STOREWIRE_WEBHOOKS_DELIVERER_H_

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "absl/time/time.h"
#include "storewire/core/clock.h"
#include "storewire/core/config.h"
#include "storewire/http/client.h"
#include "storewire/kafka/kafka.h"
#include "storewire/v1/webhooks.pb.h"
#include "storewire/webhooks/registry.h"
#include "storewire/webhooks/retry_policy.h"
#include "storewire/webhooks/timer.h"

namespace storewire::webhooks {

struct DeliveryJob {
  EndpointPtr endpoint;
  // endpoint_id, event, attempt (attempts already made), first_attempt_at.
  v1::WebhookDelivery delivery;
  // The event's proto3 JSON (shared by the jobs of one event).
  std::shared_ptr<const std::string> body;
};

class Deliverer {
 public:
  using Done = std::function<void()>;

  Deliverer(const WebhooksConfig& config, http::Client& client, kafka::RecordSink& sink,
            EndpointStore& store, const RetryPolicy& policy, const Clock& clock, Timer& timer);
  ~Deliverer();

  void Submit(DeliveryJob job, Done done);
  // Writes the job to the DLQ (e.g. its endpoint was disabled meanwhile).
  void DeadLetter(DeliveryJob job, const std::string& reason, Done done);

  // Requests in flight (all endpoints) and deliveries queued in memory.
  int in_flight() const;

 private:
  struct EndpointState {
    int in_flight = 0;
    std::deque<std::pair<DeliveryJob, Done>> queue;
    int consecutive_failures = 0;
    absl::Time circuit_open_until = absl::InfinitePast();
    bool probing = false;
    absl::Time failing_since = absl::InfiniteFuture();
  };

  void Start(DeliveryJob job, Done done);
  void OnResult(DeliveryJob job, Done done, absl::Time started,
                absl::StatusOr<http::ClientResponse> result);
  void StartNextQueued(const std::string& endpoint_id);
  // Back to the first delay topic without counting an attempt.
  void Defer(DeliveryJob job, Done done);
  int LimitFor(const v1::WebhookEndpoint& endpoint) const;
  // To the retry topic for `attempts_done`, due after `delay`.
  void HandOn(DeliveryJob job, const std::string& topic, absl::Duration delay, Done done);
  void Produce(kafka::OutgoingRecord record, Done done);
  void Disable(const std::string& endpoint_id, const std::string& reason);
  double Random01();

  const WebhooksConfig config_;
  http::Client& client_;
  kafka::RecordSink& sink_;
  EndpointStore& store_;
  const RetryPolicy& policy_;
  const Clock& clock_;
  Timer& timer_;
  mutable std::mutex mu_;
  std::map<std::string, EndpointState> states_;
  std::mt19937_64 random_;
};

}  // namespace storewire::webhooks

#endif  // STOREWIRE_WEBHOOKS_DELIVERER_H_
